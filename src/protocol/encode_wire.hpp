#pragma once
// The backend's side of the wire (spec §2, §3): the bodies and WebSocket frames genmon-sim sends,
// and the system status as genmon's --dump-snapshot shows it. With decode.hpp's decoders these
// are the one home of the backend's field names: the round-trip tests (tests/protocol/
// test_wire_roundtrip.cpp) prove that what is written here is what is read there.
#include <string>
#include <string_view>
#include <vector>

#include "model/system_status.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/wire.hpp"

namespace genmon::protocol {

// SDNextGenerationParams' fields (§2.4) inside an open object, in upstream's order: the request
// genmon sends (encodeGenerationRequest), and the params the backend echoes in its payloads.
void writeGenerationParamsFields(JsonWriter& w, const model::GenerationRequest& params);

// {"type": type, "timestamp": timestamp, "data": <dataJson>} (§3.1)
std::string encodeEnvelope(std::string_view type, std::string_view timestamp, std::string_view dataJson);
std::string encodeProgressUpdate(const wire::ProgressUpdate& update);          // progress_update's data
std::string encodeGenerationComplete(const wire::GenerationComplete& complete);  // generation_complete's data
// generation_started's data: {"job_id", "params": {...SDNextGenerationParams}}
std::string encodeGenerationStarted(std::string_view jobId, const model::GenerationRequest& params);
std::string encodeConnected(std::string_view connectionId, std::string_view message);
std::string encodeSubscriptionConfirmed(const std::optional<std::vector<std::string>>& jobIds);

std::string encodeStoredResult(const wire::StoredResult& result);  // a DeliveryJob's `result`
std::string encodeActiveJobs(const std::vector<wire::ActiveJob>& jobs);
std::string encodeJobDetail(const wire::JobDetail& detail);
std::string encodeResults(const std::vector<wire::ResultEntry>& results);
std::string encodeSystemStatus(const wire::SystemStatusPayload& payload);

// The answers of the actions (§2.4-2.8) and the error bodies (§1.3).
std::string encodeQueueGenerationAnswer(std::string_view deliveryId);  // {"delivery_id"}
std::string encodeCancelAnswer(std::string_view message);              // {"success":true,"status":"cancelled",...}
std::string encodeDeletedAnswer(int deleted);                          // POST /results/delete
std::string encodeProblem(int status, std::string_view title, const std::optional<std::string>& detail);  // RFC 7807
std::string encodeDetail(std::string_view detail);  // Starlette's {"detail": "..."}
std::string encodeValidationErrors(const std::vector<wire::ValidationError>& errors);  // FastAPI's 422

// The merged system status (§6.1-6.2) as genmon shows it: the payload's names, keys a payload has
// not brought yet absent.
void writeSystemStatusState(JsonWriter& w, const model::SystemStatus& status);

}  // namespace genmon::protocol
