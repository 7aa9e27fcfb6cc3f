#pragma once
// Internal to src/protocol: what the payload decoders (decode_*.cpp) share. Each file reads
// one family of payloads with field tables over the reader core (json_read.hpp):
//   decode_jobs.cpp       /jobs/active, a job's params, GET /jobs/{id} (also queue_update's jobs)
//   decode_results.cpp    /results and generation_info (also in completions and /generate)
//   decode_status.cpp     /system/status (also the system_status message)
//   decode_socket.cpp     WebSocket frames: §3.1 envelopes and §3.2 flat legacy types
//   decode_responses.cpp  the answers of /generate, /queue-generation and cancel
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/decode.hpp"
#include "protocol/json_read.hpp"

namespace genmon::protocol {

struct Decoder::Impl : detail::ReaderCore {
    using ReaderCore::ReaderCore;
};

namespace detail {

// SDNext generation params (§2.4), lenient: a wrong field is ignored with a warning named
// prefix + key ("params.steps"). False when the document is broken.
bool readParams(ReaderCore& core, od::object& obj, model::GenerationParams& params, const Notes& notes,
                std::string_view prefix);

// A list of jobs (/jobs/active, a queue_update's jobs), each validated like the frontend's
// schema: a bad job is dropped with a warning "<label> #3: ...". False when broken.
bool readJobList(ReaderCore& core, od::array& arr, std::vector<model::Job>& jobs, std::vector<std::string>& warnings,
                 std::string_view label, int64_t receivedMicros);

// What generation_info carries besides itself (decision 6 shows the real seed from it). The
// views point into the nested parser's buffer: copy them before the next nested parse.
struct GenerationInfo {
    std::optional<int64_t> seed;
    std::optional<std::string_view> samplerName;
    std::optional<std::string_view> modelName;
};
// generation_info as an object, or as JSON text (real SDNext's `info`, spec §9 item 15):
// writes the minified object to `json` and picks seed, sampler and model into `info`.
Read readGenerationInfo(ReaderCore& core, od::value& v, std::optional<std::string>& json, GenerationInfo& info);

// A /system/status object, or a system_status message's fields. False when broken.
bool readSystemStatus(ReaderCore& core, od::object& obj, model::SystemStatusPatch& patch,
                      std::vector<std::string>& warnings);

}  // namespace detail
}  // namespace genmon::protocol
