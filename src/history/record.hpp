#pragma once
// Issue 18: what the history stores about one job genmon saw, per backend.
//
// A JobRecord is both what the worker hands to HistoryStore::record() and what queries give
// back. Writing is an upsert by (backend, jobId): a field left empty (nullopt, 0) keeps what
// the database already has, so each step of a job's life only says what it learned.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/generation_request.hpp"
#include "model/image.hpp"
#include "model/job.hpp"

namespace genmon::history {

// Finer than model::JobStatus: someone looking back wants a cancel apart from a failure, and
// "left" marks a job that dropped out of the queue with nothing saying how it ended.
enum class RunStatus : uint8_t { Queued, Running, Succeeded, Failed, Cancelled, Left };
inline constexpr RunStatus kAllRunStatuses[] = {RunStatus::Queued,    RunStatus::Running,   RunStatus::Succeeded,
                                                RunStatus::Failed,    RunStatus::Cancelled, RunStatus::Left};

// "queued", "running", "succeeded", "failed", "cancelled", "left": the stored text.
std::string_view runStatusName(RunStatus s) noexcept;
// The stored names only (reading the database); the query language has its own aliases.
std::optional<RunStatus> runStatusFromName(std::string_view name) noexcept;
// A final state is never replaced by a non-final one (a late listing cannot revive a job),
// but a final state may be corrected by another (cancelled, then the worker ran it anyway).
constexpr bool isFinal(RunStatus s) noexcept { return s >= RunStatus::Succeeded; }

// <lora:name:weight> in a prompt (the A1111 syntax the backend passes through to SDNext).
struct LoraTag {
    std::string name;
    std::optional<double> weight;  // absent or unreadable: the tag still names the LoRA
    friend bool operator==(const LoraTag&, const LoraTag&) = default;
};
// Every tag in order of appearance; a tag without its closing '>' is not a tag.
std::vector<LoraTag> parseLoraTags(std::string_view prompt);

// The generation parameters (spec §2.4), as far as they are known.
struct JobParams {
    std::optional<std::string> prompt;
    std::optional<std::string> negativePrompt;
    std::optional<std::string> sampler;
    std::optional<int> width;
    std::optional<int> height;
    std::optional<int> steps;
    std::optional<double> cfg;
    std::optional<int64_t> seed;
    std::optional<int> batchSize;
    std::optional<int> nIter;
    std::optional<double> denoisingStrength;
    friend bool operator==(const JobParams&, const JobParams&) = default;
};

// A small picture of the result, raw RGBA (no codec below the app layer): at most
// kStoredThumbnailSide on its longer side, so 4 KiB at most.
inline constexpr int kStoredThumbnailSide = 32;
struct Thumbnail {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgba;  // width * height * 4 bytes, rows top to bottom
    friend bool operator==(const Thumbnail&, const Thumbnail&) = default;
};
// Box-filtered down to maxSide (never up); nullopt for an empty or inconsistent image.
std::optional<Thumbnail> shrinkForHistory(const model::Image& image, int maxSide = kStoredThumbnailSide);

struct JobRecord {
    std::string backend;     // the backend's name: backendName(url) unless the app names it
    std::string backendUrl;  // its base URL, without credentials
    std::string jobId;       // the server's id
    RunStatus status = RunStatus::Queued;
    int64_t createdMicros = 0;   // the server's created_at; 0 = not known
    int64_t startedMicros = 0;   // when it started running; 0 = not known (or never ran)
    int64_t finishedMicros = 0;  // when it ended; 0 = not known (or not yet)
    std::optional<std::string> error;
    JobParams params;
    std::optional<std::string> resultId;
    std::optional<Thumbnail> thumbnail;
    std::optional<std::string> rerunOf;  // the job id (same backend) this one re-ran

    // Set by the store when it reads a row; ignored when recording.
    int64_t seenMicros = 0;     // first written
    int64_t updatedMicros = 0;  // last written
    // Where the job sits in time: its created_at, else when genmon first saw it.
    int64_t atMicros() const noexcept { return createdMicros ? createdMicros : seenMicros; }
    std::vector<LoraTag> loras() const { return params.prompt ? parseLoraTags(*params.prompt) : std::vector<LoraTag>{}; }
};

// The name a backend gets from its URL: host:port ("127.0.0.1:8000"); the URL itself when it
// has no host.
std::string backendName(std::string_view url);

// A record for this version of a live job (what the worker will call on each change). The
// status maps processing -> running, completed -> succeeded, failed -> failed; the caller sets
// Cancelled or Left when it knows better.
JobRecord recordFromJob(const model::Job& job, std::string_view backend, std::string_view backendUrl);

// The stored parameters as the model's (what a live job carries).
model::GenerationParams generationParams(const JobParams& params);

// The request that re-runs a stored job with its exact parameters ("Run again"); the backend's
// defaults (GenerationRequest's) where a parameter was never known.
model::GenerationRequest requestToRunAgain(const JobParams& params);

}  // namespace genmon::history
