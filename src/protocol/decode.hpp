#pragma once
// simdjson On-Demand decoders for every payload of spec §2-3. One Decoder per thread: it
// owns the parser and reuses its buffers. Strings are copied out before the next parse.
// Per-entry validation like the web frontend: a bad job or result is dropped with a warning
// naming its index ("active job #3: ..."), never the whole list.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/error.hpp"
#include "model/job.hpp"
#include "model/messages.hpp"
#include "model/responses.hpp"
#include "model/result.hpp"
#include "model/system_status.hpp"

namespace genmon::protocol {

template <class T>
struct Decoded {
    T value;
    std::vector<std::string> warnings;  // entries dropped or fields ignored, readable
};

// Limits against hostile input (issue 9): nesting depth and element counts. A body nested
// deeper than maxDepth is refused (ErrorKind::TooLarge; checked before any value is read, on
// stage 1's structural indexes, because simdjson On-Demand enforces no depth limit in release
// builds); lists longer than maxJobs /
// maxResults keep their first entries and say how many were left out. A payload keeps at most
// 100 warnings and counts the rest.
struct DecodeLimits {
    size_t maxDepth = 64;
    size_t maxJobs = 200000;
    size_t maxResults = 1000;
};

// One /generation/results entry. A base64 image_url (decision 6) travels beside the result,
// never inside it: the worker decodes it into a thumbnail and drops the text, so 200 results
// do not keep megabytes of base64 alive. result.imageSource says which case applied.
struct DecodedResult {
    model::GenerationResult result;
    std::optional<std::string> imageBase64;
};

using model::CancelResponse;
using model::GenerateResponse;
using model::JobDetail;
using model::QueueGenerationResponse;

// WebSocket frames (§3.1 envelopes and §3.2 flat legacy types).
struct WsConnected { std::string connection_id; std::string message; };
struct WsSubscriptionConfirmed { std::optional<std::vector<std::string>> job_ids; };
struct WsQueueUpdate { std::vector<model::Job> jobs; };
struct WsSystemStatus { model::SystemStatusPatch patch; };
struct WsUnknown { std::string type; };
using WsMessage = std::variant<WsConnected, WsSubscriptionConfirmed, model::StartedMessage, model::ProgressMessage,
                               model::CompletionMessage, model::ErrorMessage, WsQueueUpdate, WsSystemStatus, WsUnknown>;

// One line for logs and the Inspector: "progress_update j1 25%", "queue_update (3 jobs)".
std::string messageSummary(const WsMessage& m);

// How much decoding one Decoder has done: every call counts, failed ones too (live metrics).
// Issue 16.1: bodies under 4 KiB are timed one call in 16, and that call's time counts 16
// times, so `nanos` is an estimate for them (exact for larger bodies).
struct DecodeTally {
    uint64_t decodes = 0;
    int64_t nanos = 0;   // steady-clock time inside the decode calls (small ones sampled)
    uint64_t timed = 0;  // the calls whose time was measured
};

class Decoder {
public:
    explicit Decoder(DecodeLimits limits = {});
    ~Decoder();
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;

    // Bodies: when body.capacity() leaves SIMDJSON_PADDING bytes of slack the parse reads it
    // in place; otherwise it is copied once into the decoder's own padded buffer.
    // receivedMicros stamps each job's receipt time (and fills a missing startTime).
    // Warnings name the entry by its 0-based index in the list: "active job #3: ...".
    model::Outcome<Decoded<std::vector<model::Job>>> activeJobs(const std::string& body, int64_t receivedMicros);
    // receivedMicros, when not 0, stands in for a missing created_at (as the SPA's "now").
    model::Outcome<Decoded<std::vector<DecodedResult>>> results(const std::string& body, int64_t receivedMicros = 0);
    model::Outcome<Decoded<model::SystemStatusPatch>> systemStatus(const std::string& body);
    model::Outcome<GenerateResponse> generateResponse(const std::string& body);
    model::Outcome<QueueGenerationResponse> queueGenerationResponse(const std::string& body);
    model::Outcome<CancelResponse> cancelResponse(const std::string& body);
    model::Outcome<JobDetail> jobDetail(const std::string& body, int64_t receivedMicros);
    // §3.3: progress_update / generation_progress -> ProgressMessage (0-1 scale);
    // generation_complete -> CompletionMessage, or ErrorMessage when its status is failed;
    // generation_error -> ErrorMessage; queue_update jobs are read like activeJobs (0-100).
    // Envelope fields come from "data", flat legacy fields from the top level.
    model::Outcome<Decoded<WsMessage>> wsMessage(const std::string& frame, int64_t receivedMicros);

    DecodeTally tally() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The text a person sees for a failed request (decision 7, spec §1.2-1.3): RFC 7807
// title/detail, 422 detail[].msg (with its field), Starlette detail, message, errors, then the
// status text, then "Request failed with status N".
std::string errorMessageFromBody(int httpStatus, std::string_view statusText, std::string_view body);

}  // namespace genmon::protocol
