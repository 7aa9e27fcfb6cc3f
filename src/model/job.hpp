#pragma once
// A generation job as genmon stores it (spec §2.2, §4.4, §4.5).
#include <cstdint>
#include <memory>
#include <optional>

#include "model/job_status.hpp"
#include "model/text.hpp"
#include "model/timestamp.hpp"

namespace genmon::model {

// SDNextGenerationParams (spec §2.4). Every field is optional because a job's stored params
// may lack any of them; GenerationRequest below carries the backend defaults for new jobs.
struct GenerationParams {
    std::optional<Text> prompt;
    std::optional<Text> negative_prompt;
    std::optional<int> steps;
    std::optional<Text> sampler_name;
    std::optional<double> cfg_scale;
    std::optional<int> width;
    std::optional<int> height;
    std::optional<int64_t> seed;
    std::optional<int> batch_size;
    std::optional<int> n_iter;
    std::optional<double> denoising_strength;
    std::optional<Text> backend;
    friend bool operator==(const GenerationParams&, const GenerationParams&) = default;
};

// Copying a Job is cheap (strings are shared Text), so each change makes a new version and
// published snapshots keep the old one untouched.
struct Job {
    // Keys (§4.4). uiId is what the UI and the queue maps use; backendId is what the server
    // knows. For server jobs both are the DB uuid.
    Text uiId;
    Text backendId;

    JobStatus status = JobStatus::Processing;
    uint8_t progress = 0;  // 0-100, normalised once by its source's scale

    std::optional<Text> prompt;
    std::optional<Text> message;
    std::optional<Text> error;
    std::optional<GenerationParams> params;

    Timestamp created_at;   // created_at, else startTime (§4.5)
    Timestamp startTime;    // startTime, else created_at, else receipt time
    Timestamp finished_at;

    std::optional<int> current_step;
    std::optional<int> total_steps;
    std::optional<double> eta_seconds;  // WebSocket progress_update, when the server knows it
    std::optional<Text> result_json;  // the raw stored result object, minified

    // Bookkeeping owned by the queue module.
    uint64_t seq = 0;             // insertion order; replace-in-place keeps it (§4.5 enqueueJob)
    bool optimistic = false;      // seeded by startGeneration, not yet listed by the server (decision 4)
    int64_t receivedMicros = 0;   // local time this version of the job arrived
    // Issue 10 (ETA): when the job started running, on the worker's clock; 0 while it has not.
    // Observed means genmon saw it go from queued to processing; otherwise it was first seen
    // running and this is the server's start time (or the time it was first seen).
    int64_t runningSinceMicros = 0;
    bool runningSinceObserved = false;

    const Text& id() const noexcept { return uiId; }
};

using JobPtr = std::shared_ptr<const Job>;

// The §4.6 order as a total key: status priority, then created_at newest first with
// unparsable dates last, then insertion order (JavaScript's sort is stable).
struct JobOrderKey {
    uint8_t priority;
    bool dateMissing;
    int64_t negCreated;
    uint64_t seq;
    friend auto operator<=>(const JobOrderKey&, const JobOrderKey&) = default;
};
// Insertion order alone, as a key of the same shape.
inline JobOrderKey seqKey(const Job& j) noexcept { return JobOrderKey{0, false, 0, j.seq}; }
inline JobOrderKey sortKey(const Job& j) noexcept {
    return JobOrderKey{static_cast<uint8_t>(j.status), !j.created_at.valid,
                       j.created_at.valid ? -j.created_at.micros : 0, j.seq};
}

}  // namespace genmon::model
