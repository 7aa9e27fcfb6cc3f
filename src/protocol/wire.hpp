#pragma once
// What the backend sends (spec §2, §3), as values: genmon-sim fills these and the encoders in
// encode_wire.hpp write them; the round-trip tests feed the encoders' text to the decoders. The
// encoders are the only code that writes the backend's field names, and numbers keep upstream's
// kinds (an integer stays an integer, as the shape checks against the captures require).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/generation_request.hpp"
#include "model/system_status.hpp"

namespace genmon::protocol::wire {

using OptText = std::optional<std::string>;

// generation_info as the worker stores it with a succeeded job (§2.3).
struct GenerationInfo {
    std::string prompt;
    int64_t seed = 0;
    int width = 0, height = 0;
    std::string sampler_name;
    int steps = 0;
    double cfg_scale = 0;
};

// A DeliveryJob's `result` column (§2.5): null until the worker writes it; a cancel writes
// {"status":"cancelled"} at once. Completed and Failed are SDNextGenerationResult, which is also
// what an immediate POST /generate answers (§2.4).
struct StoredResult {
    enum class Kind : uint8_t { None, Cancelled, Completed, Failed };
    Kind kind = Kind::None;
    std::string job_id;
    std::string image;                // Completed: base64 or where it was saved
    std::optional<double> progress;   // Completed: 1.0; Failed: the share rendered (null: immediate)
    std::string error_message;  // Failed
    std::optional<GenerationInfo> generation_info;  // Completed
};

// An entry of GET /jobs/active (§2.2).
struct ActiveJob {
    std::string id;  // written as "id" and "jobId"
    std::string prompt;
    std::string status;   // "queued" or "processing"
    double progress = 0;  // 0-100
    model::GenerationRequest params;
    std::string backend = "sdnext";  // inside params
    std::string created_at, startTime;
    OptText finished_at;
    StoredResult result;
};

// GET /jobs/{id} (§2.9): {"delivery": {...}}.
struct JobDetail {
    std::string id;
    std::string prompt;
    model::GenerationRequest params;
    bool save_images = true;
    std::string return_format = "base64";
    std::string status;  // normalised (§4.1)
    StoredResult result;
    std::string created_at;
    OptText started_at, finished_at;
};

// An entry of GET /results (§2.3).
struct ResultEntry {
    std::string id, job_id;
    std::string prompt;
    std::optional<std::string> negative_prompt;
    std::string image_url;
    OptText thumbnail_url;
    int width = 0, height = 0, steps = 0;
    double cfg_scale = 0;
    int64_t seed = -1;
    std::string created_at, finished_at;
    GenerationInfo generation_info;
    std::optional<int> rating;
    bool is_favorite = false;
    OptText rating_updated_at, favorite_updated_at;
};

// progress_update's data (§3.1). preview_image is always null.
struct ProgressUpdate {
    std::string job_id;
    double progress = 0;  // 0-1
    std::string status;
    std::optional<int> current_step, total_steps;
    std::optional<double> eta_seconds;
    OptText error_message;
};

// generation_complete's data (§3.1).
struct GenerationComplete {
    std::string job_id;
    bool completed = false;  // "completed", else "failed"
    std::string image;       // completed
    std::string error_message;  // failed
    double total_duration = 0;  // completed
    GenerationInfo generation_info;  // completed
};

struct GpuMetrics {
    int64_t id = 0;
    std::string name;
    int64_t memory_total = 0, memory_used = 0, memory_percent = 0, temperature = 0, utilization = 0, fan_speed = 0;
    double power_draw_watts = 0;
};

struct SystemMetrics {
    int64_t cpu_percent = 0, memory_percent = 0, memory_used = 0, memory_total = 0;
    int64_t disk_percent = 0, disk_used = 0, disk_total = 0;
    std::vector<GpuMetrics> gpus;
    int64_t uptime_seconds = 0;
    std::string timestamp;
};

// GET /system/status (§2.1): the merged state's keys plus what the merge drops. Upstream sends
// every key: an unset optional of `state` is written as null (warnings as []).
struct SystemStatusPayload {
    model::SystemStatus state;
    std::optional<SystemMetrics> metrics;
    OptText message, updated_at;
};

// One entry of FastAPI's 422 "detail" list (spec §1.3).
struct ValidationError {
    std::string type;
    std::vector<std::string> loc;  // parts made only of digits are written as numbers
    std::string msg;
    std::string inputJson;  // already encoded
    std::string ctxJson;    // already encoded, or empty: no "ctx"
};

}  // namespace genmon::protocol::wire
