#pragma once
// Answers of the action endpoints (spec §2.4-2.9), as values the orchestrator understands.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/job.hpp"

namespace genmon::model {

// POST /generation/generate (§2.4). Failures come back as HTTP 200 with status "failed".
struct GenerateResponse {
    std::string job_id;
    JobStatus status = JobStatus::Processing;
    std::vector<std::string> images;  // base64
    std::optional<uint8_t> progress;  // normalised from 0-1
    std::optional<std::string> error_message;
    std::optional<std::string> generation_info_json;
    std::optional<int64_t> generation_seed;
};

// POST /generation/queue-generation (§2.8).
struct QueueGenerationResponse {
    std::string delivery_id;
};

// POST /generation/jobs/{id}/cancel 200 (§2.5).
struct CancelResponse {
    bool success = false;
    std::string status;
    std::string message;
};

// GET /generation/jobs/{id} (§2.9).
struct JobDetail {
    Job job;
    std::optional<std::string> mode;
    std::optional<std::string> started_at;
};

}  // namespace genmon::model
