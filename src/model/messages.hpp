#pragma once
// Push messages as the orchestrator's queue handlers take them (spec §3, §4.5), already
// normalised by the protocol layer. Both the server's envelopes and the flat legacy types
// map onto these (decision 1).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/job.hpp"
#include "model/result.hpp"

namespace genmon::model {

// progress_update (envelope data) or generation_progress (flat).
struct ProgressMessage {
    std::string job_id;
    std::optional<uint8_t> progress;       // normalised 0-100 (WebSocket scale is 0-1)
    std::optional<JobStatus> status;
    std::optional<int> current_step;
    std::optional<int> total_steps;
    std::optional<double> eta_seconds;
    std::optional<std::string> error_message;
};

// generation_complete with status completed (envelope or flat).
struct CompletionMessage {
    std::string job_id;
    std::optional<std::string> result_id;
    std::optional<std::string> prompt;
    std::optional<std::string> negative_prompt;
    std::optional<std::string> image_base64;  // image_url ?? images[0] (§5.3), when it is base64
    std::optional<std::string> image_path;    // image_url when it is a server path or file://
    std::optional<int> width, height, steps;
    std::optional<double> cfg_scale;
    std::optional<int64_t> seed;
    std::optional<std::string> created_at;
    std::optional<double> total_duration;
    std::optional<std::string> generation_info_json;
};

// generation_complete with status failed, or the flat generation_error.
struct ErrorMessage {
    std::string job_id;
    std::string error;  // data.error_message, msg.error, msg.status, else "Unknown error"
};

// generation_started: a deferred job the server just queued.
struct StartedMessage {
    std::string job_id;
    std::optional<GenerationParams> params;
    std::optional<double> estimated_duration;
};

}  // namespace genmon::model
