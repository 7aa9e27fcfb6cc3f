#include "sim/backend.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "model/timestamp.hpp"
#include "protocol/json_writer.hpp"

namespace genmon::sim {
namespace {

using protocol::JsonWriter;

constexpr int64_t kMicrosPerMs = 1000;
constexpr int64_t kMicrosPerSecond = 1000000;
// Manual-clock runs start at a fixed instant, the morning the fixtures were captured.
constexpr int64_t kManualEpoch = 1795676400LL * kMicrosPerSecond;  // 2026-11-26T07:00:00Z
constexpr size_t kImageCacheEntries = 128;
constexpr size_t kMaxGhostMonitors = 64;
constexpr const char* kOutputDir = "/srv/lora-manager/outputs/";

int64_t steadyMicros() {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

// Scenario prompts: subjects, styles and LoRA tags combined by the seeded PRNG.
constexpr std::array kSubjects{
    "a lighthouse at dusk",          "a red fox in fresh snow",       "neon city street in the rain",
    "portrait of an old sailor",     "a bowl of ramen, studio light", "ancient library with floating books",
    "a koi pond in autumn",          "cyberpunk samurai on a rooftop", "a cottage in a misty valley",
    "astronaut riding a horse",      "a glass terrarium with a tiny forest", "desert caravan under two moons",
    "a steam locomotive in the alps", "macro shot of a dewy leaf",    "an owl wearing a tiny crown",
};
constexpr std::array kStyles{
    "cinematic lighting", "watercolor",  "8k, highly detailed", "oil painting", "isometric",
    "film grain",         "volumetric fog", "ukiyo-e",           "golden hour",  "low poly",
};
constexpr std::array kLoras{
    "<lora:test:0.8>", "<lora:film_grain:0.6>", "<lora:detail_tweaker:0.5>", "<lora:watercolor_v2:0.7>",
    "<lora:cyberpunk_style:0.9>",
};
constexpr std::array kNegatives{"blurry", "blurry, lowres", "lowres, bad anatomy, watermark", "jpeg artifacts"};
constexpr std::array kSamplers{"DPM++ 2M", "Euler a", "DPM++ SDE Karras", "UniPC"};
constexpr std::array<std::pair<int, int>, 5> kSizes{{{512, 512}, {512, 768}, {768, 512}, {1024, 1024}, {832, 1216}}};
constexpr std::array kSteps{20, 20, 25, 30, 40};
constexpr std::array kCfg{5.0, 6.5, 7.0, 7.0, 7.5};
constexpr std::array kErrors{
    "SDNext API not available",
    "txt2img failed: CUDA out of memory. Tried to allocate 2.50 GiB",
    "Generation timed out after 120 seconds",
    "SDNext returned HTTP 500: Internal Server Error",
};

// Spec §4.1: pending -> queued, running -> processing, succeeded -> completed, failed and
// cancelled -> failed (indexed by the raw status).
constexpr std::array<std::string_view, 5> kNormalized{"queued", "processing", "completed", "failed", "failed"};

// Where upstream would have saved the image, as image_url gives it for file_path and url.
std::string assetLocation(const std::string& id, const std::string& returnFormat) {
    return (returnFormat == "url" ? "file://" : "") + std::string(kOutputDir) + id + "-000.png";
}

std::string_view rawName(int raw) {
    static constexpr std::array<std::string_view, 5> kNames{"pending", "running", "succeeded", "failed", "cancelled"};
    return kNames[static_cast<size_t>(raw)];
}

void writeGenerationParams(JsonWriter& w, const model::GenerationRequest& p) {
    w.field("prompt", p.prompt)
        .field("negative_prompt", p.negative_prompt)
        .field("steps", p.steps)
        .field("sampler_name", p.sampler_name)
        .field("cfg_scale", p.cfg_scale)
        .field("width", p.width)
        .field("height", p.height)
        .field("seed", p.seed)
        .field("batch_size", p.batch_size)
        .field("n_iter", p.n_iter)
        .field("denoising_strength", p.denoising_strength);
}

void writeGenerationInfo(JsonWriter& w, const model::GenerationRequest& p, int64_t actualSeed) {
    w.beginObject()
        .field("prompt", p.prompt)
        .field("seed", actualSeed)
        .field("width", p.width)
        .field("height", p.height)
        .field("sampler_name", p.sampler_name)
        .field("steps", p.steps)
        .field("cfg_scale", p.cfg_scale)
        .endObject();
}

std::string jsonText(std::string_view s) {
    JsonWriter w;
    w.value(s);
    return std::move(w).take();
}

// What real SDNext returns as txt2img's `info`: json.dumps of a dict (Python's separators).
std::string sdnextInfoString(const model::GenerationRequest& p, int64_t seed) {
    char numbers[160];
    std::snprintf(numbers, sizeof numbers,
                  R"("seed": %lld, "all_seeds": [%lld], "width": %d, "height": %d, )",
                  static_cast<long long>(seed), static_cast<long long>(seed), p.width, p.height);
    char tail[160];
    std::snprintf(tail, sizeof tail, R"(, "cfg_scale": %.1f, "steps": %d, "batch_size": %d})", p.cfg_scale, p.steps,
                  p.batch_size);
    return "{\"prompt\": " + jsonText(p.prompt) + ", \"all_prompts\": [" + jsonText(p.prompt) +
           "], \"negative_prompt\": " + jsonText(p.negative_prompt.value_or("")) + ", " + numbers +
           "\"sampler_name\": " + jsonText(p.sampler_name) + tail;
}

// Python's repr() of a str, shortened the way pydantic-core shows an input_value (over 50
// characters: the first 25, "...", the last 24).
std::string pythonRepr(std::string_view s) {
    const bool doubleQuotes = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
    const char quote = doubleQuotes ? '"' : '\'';
    std::string out(1, quote);
    for (const char c : s) {
        if (c == '\\' || c == quote) out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    out += quote;
    // Counted in characters, so a cut never splits a UTF-8 sequence.
    std::vector<size_t> starts;
    for (size_t i = 0; i < out.size(); ++i)
        if ((static_cast<unsigned char>(out[i]) & 0xC0) != 0x80) starts.push_back(i);
    if (starts.size() > 50) out = out.substr(0, starts[25]) + "..." + out.substr(starts[starts.size() - 24]);
    return out;
}

// str() of the ValidationError SDNextGenerationResult(generation_info=<str>) raises: what the
// backend's 500 handler puts in "detail" (spec §1.3, §9.15).
std::string pydanticInfoError(const model::GenerationRequest& request, int64_t seed) {
    return "1 validation error for SDNextGenerationResult\ngeneration_info\n  Input should be a valid dictionary "
           "[type=dict_type, input_value=" +
           pythonRepr(sdnextInfoString(request, seed)) +
           ", input_type=str]\n    For further information visit https://errors.pydantic.dev/2.11/v/dict_type";
}

// A random job's mean rendering time as a multiple of jobDurationMs (createJob's scale over
// randomRequest's steps and sizes, each picked uniformly and independently).
double meanJobScale() {
    double steps = 0, size = 0;
    for (const int n : kSteps) steps += n / 20.0;
    for (const auto& [w, h] : kSizes) size += std::sqrt(static_cast<double>(w) * h / (512.0 * 512.0));
    return steps / kSteps.size() * size / kSizes.size();
}

// A failing job stops at failAt, uniform in [0.05, 0.9] of its duration (createJob).
constexpr double kMeanFailShare = (0.05 + 0.9) / 2;
// Arrivals come this much faster than the workers finish jobs, so the queue fills up to its depth
// and stays there; the depth bound, not the rate, keeps it from growing.
constexpr double kArrivalPressure = 1.25;

}  // namespace

model::Outcome<ScenarioPlan> planScenario(const SimOptions& o) {
    ScenarioPlan plan;
    const double meanDuration = std::max(1, o.jobDurationMs);
    if (o.scenario == "idle") {
        plan.workers = 1;
        plan.gpu = false;  // like the captured idle backend: CPU only, models not preloaded
        plan.modelsLoaded = false;
    } else if (o.scenario == "busy" || o.scenario == "flaky") {
        plan.workers = 2;
        plan.failRate = 0.06;
        plan.initialResults = 20;
        plan.initialFailed = 3;
        plan.initialPending = 3;
    } else if (o.scenario == "burst") {
        plan.workers = 2;
        plan.failRate = 0.03;
        plan.initialResults = 5;
        plan.burstJobs = 50;
    } else if (o.scenario == "failing") {
        plan.workers = 2;
        plan.failRate = 0.4;
        plan.initialResults = 8;
        plan.initialFailed = 6;
        plan.initialPending = 2;
    } else {
        return model::Error::make(model::ErrorKind::InvalidArgument,
                                  "unknown scenario '" + o.scenario + "' (idle, busy, burst, failing, flaky)");
    }
    if (o.workers) plan.workers = *o.workers;
    if (o.failRate) plan.failRate = *o.failRate;
    if (plan.workers < 1) return model::Error::make(model::ErrorKind::InvalidArgument, "workers must be at least 1");
    if (o.scenario == "busy" || o.scenario == "flaky" || o.scenario == "failing") {
        // Issue 14.7: a steady state. Jobs arrive a little faster than the workers finish them
        // (the mean job, failures included), but only while fewer than queueDepth wait or run:
        // the queue hovers at its starting depth for hours instead of growing without end.
        const double meanService =
            meanDuration * meanJobScale() * (1.0 - plan.failRate * (1.0 - kMeanFailShare));
        plan.arrivalIntervalMs = std::max(1, static_cast<int>(meanService / plan.workers / kArrivalPressure));
        plan.queueDepth = plan.workers + plan.initialPending;
    }
    if (o.arrivalIntervalMs) plan.arrivalIntervalMs = *o.arrivalIntervalMs;
    if (o.queueDepth) plan.queueDepth = *o.queueDepth;
    if (o.initialResults) plan.initialResults = *o.initialResults;
    if (o.burstJobs) plan.burstJobs = *o.burstJobs;
    if (plan.failRate < 0.0 || plan.failRate > 1.0)
        return model::Error::make(model::ErrorKind::InvalidArgument, "failRate must be within 0..1");
    if (plan.arrivalIntervalMs < 0 || plan.initialResults < 0 || plan.burstJobs < 0 || plan.queueDepth < 0)
        return model::Error::make(model::ErrorKind::InvalidArgument, "scenario counts and intervals cannot be negative");
    if (o.jobDurationMs < 1 || o.progressIntervalMs < 1 || o.pickupDelayMs < 0)
        return model::Error::make(model::ErrorKind::InvalidArgument,
                                  "jobDurationMs and progressIntervalMs must be positive, pickupDelayMs not negative");
    return plan;
}

Backend::Backend(const SimOptions& options, const ScenarioPlan& plan)
    : options_(options),
      plan_(plan),
      epoch_(options.epochMicros ? *options.epochMicros
                                 : (options.manualClock ? kManualEpoch : model::systemNowMicros())),
      steadyStart_(steadyMicros()),
      rng_(mixSeed(options.seed, 0x51u)),
      images_(options.imageSize, kImageCacheEntries) {
    seedScenario();
    runUntil(0);
    outbox_.clear();  // nobody was connected before the start
}

// ---- clock and event loop -----------------------------------------------------------------

int64_t Backend::clockNow() const { return (options_.manualClock ? 0 : steadyMicros() - steadyStart_) + offset_; }

int64_t Backend::wallMicros() const {
    std::lock_guard lock(mutex_);
    return epoch_ + std::max(now_, clockNow());
}

std::string Backend::wallIso(int64_t simMicros, bool withOffset) const {
    const int64_t wall = epoch_ + simMicros;
    std::string iso = model::Timestamp::fromMicros(wall, withOffset).toIso();
    // Python's isoformat() leaves the fraction out when it is zero; so does the backend.
    if (wall % kMicrosPerSecond == 0) iso.erase(19, 7);
    return iso;
}

void Backend::advance(int64_t micros) {
    std::lock_guard lock(mutex_);
    offset_ += std::max<int64_t>(0, micros);
    runUntil(clockNow());
}

void Backend::sync() {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
}

std::optional<int64_t> Backend::microsUntilNextEvent() {
    std::lock_guard lock(mutex_);
    const auto next = nextEvent();
    if (!next) return std::nullopt;
    return std::max<int64_t>(0, next->first - clockNow());
}

std::optional<int64_t> Backend::pickupTime() const {
    if (pending_.empty() || static_cast<int>(running_.size()) >= plan_.workers) return std::nullopt;
    const Job& head = jobs_.at(*pending_.begin());
    return std::max(head.created + options_.pickupDelayMs * kMicrosPerMs, now_);
}

std::optional<std::pair<int64_t, Backend::EventKind>> Backend::nextEvent() const {
    std::optional<std::pair<int64_t, EventKind>> best;
    auto consider = [&](std::optional<int64_t> at, EventKind kind) {
        if (at && (!best || std::pair(*at, kind) < *best)) best = std::pair(*at, kind);
    };
    if (!running_.empty()) consider(running_.begin()->first, EventKind::Finish);
    consider(nextArrival_, EventKind::Arrival);
    consider(pickupTime(), EventKind::Pickup);
    if (!ticks_.empty()) consider(ticks_.begin()->first, EventKind::Tick);
    return best;
}

void Backend::runUntil(int64_t target) {
    while (const auto event = nextEvent()) {
        const auto [at, kind] = *event;
        if (at > target) break;
        now_ = std::max(now_, at);
        switch (kind) {
            case EventKind::Finish: {
                Job& job = jobs_.at(running_.begin()->second);
                leaveQueue(job);
                finishJob(job, at);
                if (arrivalHeld_) {  // a place in the queue came free: the held job comes now
                    arrivalHeld_ = false;
                    nextArrival_ = at;
                }
                break;
            }
            case EventKind::Arrival: {
                // Closed loop (issue 14.7): whoever queues jobs waits while the queue is at its
                // depth and queues the held job when a worker finishes one.
                if (plan_.queueDepth > 0 && workload() >= static_cast<size_t>(plan_.queueDepth)) {
                    arrivalHeld_ = true;
                    nextArrival_.reset();
                    break;
                }
                announce(createJob(randomRequest(), DeliveryOptions{}, at));
                const double mean = plan_.arrivalIntervalMs * static_cast<double>(kMicrosPerMs);
                nextArrival_ = at + std::max<int64_t>(kMicrosPerMs, static_cast<int64_t>(rng_.exponential(mean)));
                break;
            }
            case EventKind::Pickup: startJob(jobs_.at(*pending_.begin()), at); break;
            case EventKind::Tick: tick(ticks_.begin()->second, at); break;
        }
    }
    now_ = std::max(now_, target);
}

// ---- jobs -----------------------------------------------------------------------------------

std::string Backend::newUuid() {
    const uint64_t hi = rng_.next(), lo = rng_.next();
    // Version 4, variant 1, like Python's uuid4().
    const uint64_t a = (hi & 0xffffffffffff0fffull) | 0x4000ull;
    const uint64_t b = (lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(a >> 32),
                  static_cast<unsigned long long>((a >> 16) & 0xffff), static_cast<unsigned long long>(a & 0xffff),
                  static_cast<unsigned long long>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffull));
    return buf;
}

model::GenerationRequest Backend::randomRequest() {
    model::GenerationRequest r;
    r.prompt = std::string(kSubjects[rng_.below(kSubjects.size())]) + ", " + kStyles[rng_.below(kStyles.size())];
    if (rng_.chance(0.6)) r.prompt += std::string(", ") + kLoras[rng_.below(kLoras.size())];
    if (rng_.chance(0.7)) r.negative_prompt = kNegatives[rng_.below(kNegatives.size())];
    r.steps = kSteps[rng_.below(kSteps.size())];
    r.sampler_name = kSamplers[rng_.below(kSamplers.size())];
    r.cfg_scale = kCfg[rng_.below(kCfg.size())];
    std::tie(r.width, r.height) = kSizes[rng_.below(kSizes.size())];
    r.seed = rng_.chance(0.3) ? -1 : static_cast<int64_t>(rng_.below(4294967296ull));
    return r;
}

Backend::Job& Backend::createJob(const model::GenerationRequest& request, const DeliveryOptions& delivery,
                                 int64_t created) {
    Job job;
    job.seq = nextSeq_++;
    job.id = newUuid();
    job.params = request;
    job.delivery = delivery;
    job.actualSeed = request.seed >= 0 ? request.seed : static_cast<int64_t>(rng_.below(4294967296ull));
    job.created = created;
    // Bigger and longer jobs take longer, as on a real GPU.
    const double area = static_cast<double>(std::max(1, request.width)) * std::max(1, request.height);
    const double scale = std::max(1, request.steps) / 20.0 * std::sqrt(area / (512.0 * 512.0)) *
                         std::max(1, request.batch_size) * std::max(1, request.n_iter);
    const double jitter = 1.0 + options_.durationJitter * rng_.uniform(-1.0, 1.0);
    job.duration = std::max<int64_t>(kMicrosPerMs, static_cast<int64_t>(options_.jobDurationMs * kMicrosPerMs *
                                                                        std::min(scale, 20.0) * jitter));
    job.willFail = rng_.chance(plan_.failRate);
    if (job.willFail) {
        job.failAt = rng_.uniform(0.05, 0.9);
        job.error = kErrors[rng_.below(kErrors.size())];
    }
    const uint64_t seq = job.seq;
    seqById_[job.id] = seq;
    pending_.insert(seq);
    return jobs_.emplace(seq, std::move(job)).first->second;
}

Backend::Job* Backend::find(const std::string& id) {
    const auto it = seqById_.find(id);
    return it == seqById_.end() ? nullptr : &jobs_.at(it->second);
}

int64_t Backend::finishTime(const Job& job) const {
    const double share = job.willFail ? job.failAt : 1.0;
    return *job.started + static_cast<int64_t>(static_cast<double>(job.duration) * share);
}

double Backend::renderedShare(const Job& job, int64_t at) const {
    if (!job.started) return 0.0;
    const int64_t end = job.ended ? std::min(at, *job.ended) : at;
    return std::clamp(static_cast<double>(end - *job.started) / static_cast<double>(job.duration), 0.0, 1.0);
}

double Backend::progressAt(const Job& job, int64_t at) const {
    switch (job.status) {
        case Raw::Pending: return 0.0;
        case Raw::Succeeded: return 1.0;
        case Raw::Running:
        case Raw::Failed:
        case Raw::Cancelled: return renderedShare(job, at);
    }
    return 0.0;
}

double Backend::globalProgress(int64_t at) const {
    // SDNext renders one request at a time and /sdapi/v1/progress reports that one: here the
    // running job that started first (cancelled or not: the GPU is busy with it all the same).
    const Job* current = nullptr;
    for (const auto& [finish, seq] : running_) {
        const Job& job = jobs_.at(seq);
        if (!current || *job.started < *current->started) current = &job;
    }
    return current ? renderedShare(*current, at) : 0.0;
}

void Backend::startJob(Job& job, int64_t at) {
    pending_.erase(job.seq);
    job.stage = Stage::Rendering;
    // Upstream's worker writes "running" whatever the row says, a cancel included (§2.5); the
    // start time is only set once.
    job.status = Raw::Running;
    if (!job.started) job.started = at;
    running_.emplace(finishTime(job), job.seq);
}

void Backend::leaveQueue(Job& job) {
    if (job.stage == Stage::Rendering) running_.erase({finishTime(job), job.seq});
    if (job.stage == Stage::Waiting) pending_.erase(job.seq);
    job.stage = Stage::Done;
}

void Backend::finishJob(Job& job, int64_t at) {
    if (!job.started) job.started = at;
    job.ended = at;
    job.status = job.willFail ? Raw::Failed : Raw::Succeeded;
    // Upstream sets finished_at only once: a job cancelled before keeps the cancel's time, earlier
    // than its started_at when it was still pending then (spec §2.5, observed).
    if (!job.finished) job.finished = at;
    done_.emplace(*job.finished, job.seq);
    prune();
}

void Backend::forget(Job& job) {
    stopMonitor(job);
    leaveQueue(job);
    if (job.finished) done_.erase({*job.finished, job.seq});
    images_.erase(job.id);
    seqById_.erase(job.id);
    jobs_.erase(job.seq);
}

void Backend::prune() {
    // At least one, so that a job that just finished still reaches its generation_complete.
    while (done_.size() > static_cast<size_t>(std::max(1, options_.maxStoredJobs)))
        forget(jobs_.at(done_.begin()->second));
}

// ---- the WebSocket monitors (upstream: one per queued job, polling every 2 s) -------------------

void Backend::emit(const std::string& jobId, std::string text) {
    outbox_.push_back(WsOutgoing{jobId, std::make_shared<const std::string>(std::move(text))});
}

void Backend::startMonitor(const std::string& jobId, int64_t firstTick) {
    const uint64_t seq = nextMonitor_++;
    monitors_.emplace(seq, std::pair(jobId, firstTick));
    ticks_.emplace(firstTick, seq);
    if (Job* job = find(jobId)) job->monitor = seq;
}

void Backend::stopMonitor(Job& job) {
    dropMonitor(job.monitor);
    job.monitor = 0;
}

void Backend::dropMonitor(uint64_t monitorSeq) {
    const auto it = monitors_.find(monitorSeq);
    if (it == monitors_.end()) return;
    ticks_.erase({it->second.second, it->first});
    monitors_.erase(it);
}

std::string Backend::startedMessage(const std::string& jobId, const model::GenerationRequest& params, int64_t at) const {
    JsonWriter data;
    data.beginObject().field("job_id", jobId).key("params").beginObject();
    writeGenerationParams(data, params);
    data.endObject().key("estimated_duration").null().endObject();
    return envelope("generation_started", at, data.str());
}

void Backend::announce(Job& job) {
    emit(job.id, startedMessage(job.id, job.params, job.created));
    // The monitor reports at once, then every progressIntervalMs.
    emit(job.id, progressMessage(&job, job.id, job.created));
    startMonitor(job.id, job.created + options_.progressIntervalMs * kMicrosPerMs);
}

void Backend::tick(uint64_t monitorSeq, int64_t at) {
    auto it = monitors_.find(monitorSeq);
    const std::string jobId = it->second.first;
    ticks_.erase({at, monitorSeq});
    Job* job = find(jobId);
    emit(jobId, progressMessage(job, jobId, at));
    if (job && (job->status == Raw::Succeeded || job->status == Raw::Failed)) {
        emit(jobId, completeMessage(*job, at));
        monitors_.erase(it);
        job->monitor = 0;
        return;
    }
    it->second.second = at + options_.progressIntervalMs * kMicrosPerMs;
    ticks_.emplace(it->second.second, monitorSeq);
}

std::string Backend::envelope(std::string_view type, int64_t at, const std::string& data) const {
    JsonWriter w;
    w.beginObject().field("type", type).field("timestamp", wallIso(at, true)).key("data").raw(data).endObject();
    return std::move(w).take();
}

std::string Backend::progressMessage(const Job* job, const std::string& jobId, int64_t at) {
    JsonWriter d;
    d.beginObject().field("job_id", jobId);
    if (options_.progressMode == ProgressMode::Global) {
        // Upstream's monitor: SDNext's global progress, then the DB row wins: its status, and the
        // progress its result stores (1.0 when completed, the share rendered when failed).
        // Steps, ETA and preview are always null (spec §3.1). An id that is no job (an immediate
        // generation's) stays "queued".
        std::string_view status = "queued";
        double progress = globalProgress(at);
        if (job) {
            status = kNormalized[static_cast<size_t>(job->status)];
            if (job->status == Raw::Succeeded) progress = 1.0;
            if (job->status == Raw::Failed || job->status == Raw::Cancelled)
                progress = renderedShare(*job, job->ended.value_or(at));
        }
        d.field("progress", progress).field("status", status).key("current_step").null().key("total_steps").null();
        d.key("eta_seconds").null().key("preview_image").null();
        if (job && job->status == Raw::Failed)
            d.field("error_message", job->error);
        else
            d.key("error_message").null();
        d.endObject();
        return envelope("progress_update", at, d.str());
    }
    if (!job) {
        // A monitor whose job is not in the table (an immediate id) reports "queued" forever.
        d.field("progress", 0.0).field("status", "queued").key("current_step").null().key("total_steps").null();
        d.key("eta_seconds").null().key("preview_image").null().key("error_message").null().endObject();
        return envelope("progress_update", at, d.str());
    }
    const double progress = progressAt(*job, at);
    d.field("progress", progress).field("status", kNormalized[static_cast<size_t>(job->status)]);
    if (job->status == Raw::Pending) {
        d.key("current_step").null().key("total_steps").null().key("eta_seconds").null();
    } else {
        d.field("current_step", static_cast<int>(progress * job->params.steps)).field("total_steps", job->params.steps);
        if (job->status == Raw::Running)
            d.field("eta_seconds", static_cast<double>(job->duration) * (1.0 - progress) / kMicrosPerSecond);
        else
            d.key("eta_seconds").null();
    }
    d.key("preview_image").null();
    if (job->status == Raw::Failed)
        d.field("error_message", job->error);
    else
        d.key("error_message").null();
    d.endObject();
    return envelope("progress_update", at, d.str());
}

std::string Backend::completeMessage(Job& job, int64_t at) {
    const bool ok = job.status == Raw::Succeeded;
    JsonWriter d;
    d.beginObject().field("job_id", job.id).field("status", ok ? "completed" : "failed").key("images");
    if (ok)
        d.beginArray().value(imageUrl(job)).endArray();
    else
        d.null();
    d.key("error_message");
    if (ok)
        d.null();
    else
        d.value(job.error);
    d.key("total_duration");
    if (ok)
        d.value(static_cast<double>(*job.finished - *job.started) / kMicrosPerSecond);
    else
        d.null();
    d.key("generation_info");
    if (ok)
        writeGenerationInfo(d, job.params, job.actualSeed);
    else
        d.null();
    d.endObject();
    return envelope("generation_complete", at, d.str());
}

std::vector<WsOutgoing> Backend::takeOutbox() {
    std::lock_guard lock(mutex_);
    return std::exchange(outbox_, {});
}

std::string Backend::connectedMessage() {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    const int64_t at = now_;
    JsonWriter d;
    d.beginObject()
        .field("connection_id",
               "conn_" + std::to_string(++connections_) + "_" + std::to_string((epoch_ + at) / kMicrosPerSecond))
        .field("message", "Connected to progress monitoring")
        .endObject();
    return envelope("connected", at, d.str());
}

std::string Backend::subscriptionConfirmedMessage(const std::optional<std::vector<std::string>>& jobIds) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    JsonWriter d;
    d.beginObject().key("job_ids");
    if (jobIds) {
        d.beginArray();
        for (const auto& id : *jobIds) d.value(id);
        d.endArray();
    } else {
        d.null();
    }
    d.endObject();
    return envelope("subscription_confirmed", now_, d.str());
}

// ---- scenario start state -------------------------------------------------------------------

void Backend::seedScenario() {
    // "As if the backend had been running a while": finished history, then running and pending
    // jobs, all created before sim time 0, in creation order.
    const int64_t mean = options_.jobDurationMs * kMicrosPerMs;
    const int64_t pickup = options_.pickupDelayMs * kMicrosPerMs;
    const int finished = plan_.initialResults + plan_.initialFailed;
    struct Planned {
        model::GenerationRequest request;
        int64_t created;
        std::optional<int64_t> started, finished;
        bool fail;
    };
    std::vector<Planned> planned;
    std::vector<bool> failing(static_cast<size_t>(finished), false);
    for (int i = 0; i < plan_.initialFailed && i < finished; ++i) {
        size_t pick = rng_.below(failing.size());
        while (failing[pick]) pick = (pick + 1) % failing.size();
        failing[pick] = true;
    }
    const int64_t spacing = mean / plan_.workers + 2 * pickup;
    for (int i = 0; i < finished; ++i) {
        Planned p{randomRequest(), 0, {}, {}, failing[static_cast<size_t>(i)]};
        const int64_t end = -(finished - i) * spacing - static_cast<int64_t>(rng_.uniform(0, 0.5) * mean);
        const int64_t length = static_cast<int64_t>(mean * rng_.uniform(0.6, 1.6));
        p.finished = end;
        p.started = end - length;
        p.created = *p.started - pickup - static_cast<int64_t>(rng_.uniform(0, 2.0) * mean);
        planned.push_back(std::move(p));
    }
    const int runningCount = finished > 0 ? plan_.workers : 0;
    for (int i = 0; i < runningCount; ++i) {
        Planned p{randomRequest(), 0, {}, {}, false};
        p.started = -static_cast<int64_t>(rng_.uniform(0.1, 0.8) * mean);
        p.created = *p.started - pickup - static_cast<int64_t>(rng_.uniform(0, 1.0) * mean);
        planned.push_back(std::move(p));
    }
    for (int i = 0; i < plan_.initialPending; ++i) {
        Planned p{randomRequest(), -(plan_.initialPending - i) * 2 * kMicrosPerSecond, {}, {}, false};
        planned.push_back(std::move(p));
    }
    std::stable_sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) { return a.created < b.created; });

    const int64_t interval = options_.progressIntervalMs * kMicrosPerMs;
    for (auto& p : planned) {
        Job& job = createJob(p.request, DeliveryOptions{}, p.created);
        if (p.finished) {
            job.willFail = p.fail;
            if (p.fail) {
                job.failAt = 1.0;
                job.error = kErrors[rng_.below(kErrors.size())];
            }
            job.duration = *p.finished - *p.started;
            job.started = p.started;
            leaveQueue(job);
            job.status = p.fail ? Raw::Failed : Raw::Succeeded;
            job.finished = job.ended = p.finished;
            done_.emplace(*p.finished, job.seq);
            if (!p.fail && rng_.chance(0.3)) job.rating = rng_.range(2, 5);
            job.favorite = !p.fail && rng_.chance(0.15);
            continue;
        }
        if (p.started) {
            job.willFail = false;  // what runs at the start finishes: the demo opens on progress
            job.duration = std::max(job.duration, -*p.started + mean / 2);
            startJob(job, *p.started);
        }
        // Its monitor has been ticking since creation; the next tick is at or after time 0.
        const int64_t ticksSoFar = (-job.created + interval - 1) / interval;
        startMonitor(job.id, job.created + ticksSoFar * interval);
    }
    prune();
    uptimeAtStart_ = (planned.empty() ? 0 : -planned.front().created) + 300 * kMicrosPerSecond;

    if (plan_.arrivalIntervalMs > 0)
        nextArrival_ = static_cast<int64_t>(rng_.exponential(plan_.arrivalIntervalMs * static_cast<double>(kMicrosPerMs)));
    for (int i = 0; i < plan_.burstJobs; ++i) announce(createJob(randomRequest(), DeliveryOptions{}, 0));
}

// ---- HTTP operations ------------------------------------------------------------------------

std::shared_ptr<const EncodedImage> Backend::imageOf(const Job& job) {
    return images_.get(job.id, job.actualSeed, job.params.prompt);
}

std::string Backend::imageUrl(const Job& job) {
    if (job.delivery.returnFormat == "base64") return imageOf(job)->base64;
    return assetLocation(job.id, job.delivery.returnFormat);
}

std::string Backend::resultJson(const Job& job) {
    JsonWriter w;
    switch (job.status) {
        case Raw::Pending:
        case Raw::Running:
            // The cancel's result stays until the worker writes its own (§2.5).
            if (job.cancelled)
                w.beginObject().field("status", "cancelled").endObject();
            else
                w.null();
            break;
        case Raw::Cancelled: w.beginObject().field("status", "cancelled").endObject(); break;
        case Raw::Succeeded:
            w.beginObject().field("job_id", job.id).field("status", "completed").key("images").beginArray();
            w.value(imageUrl(job)).endArray().field("progress", 1.0).key("error_message").null();
            w.key("generation_info");
            writeGenerationInfo(w, job.params, job.actualSeed);
            w.endObject();
            break;
        case Raw::Failed:
            w.beginObject().field("job_id", job.id).field("status", "failed").key("images").null();
            w.field("progress", renderedShare(job, job.ended.value_or(*job.finished))).field("error_message", job.error);
            w.key("generation_info").null().endObject();
            break;
    }
    return std::move(w).take();
}

std::string Backend::systemStatusJson() {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    int pending = 0, running = 0, failed = 0;
    for (const auto& [seq, job] : jobs_) {
        pending += job.status == Raw::Pending;
        running += job.status == Raw::Running;
        failed += job.status == Raw::Failed;
    }
    const int active = pending + running;
    const int total = static_cast<int>(jobs_.size());
    // Metrics wander with the load, deterministically per second of sim time.
    Rng noise(mixSeed(options_.seed, static_cast<uint64_t>((now_ + epoch_) / kMicrosPerSecond)));
    const double load = running > 0 ? 1.0 : 0.0;
    const int cpuPercent = static_cast<int>(4 + 38 * load + noise.uniform(0, 9));
    const int hostTotal = 64219;
    const int hostUsed = static_cast<int>(9100 + 2400 * load + noise.uniform(0, 300));
    const int gpuTotal = 24564;
    const int gpuUsed = static_cast<int>(1850 + 9800 * load + noise.uniform(0, 400));
    const int diskTotal = 1907723, diskUsed = 683402 + static_cast<int>(done_.size()) * 2;
    const bool gpu = plan_.gpu;

    std::vector<std::string> warnings;
    if (!gpu) warnings.emplace_back("GPU unavailable; falling back to CPU execution");
    if (active > 5) warnings.push_back("Queue backlog above threshold: " + std::to_string(active) + " active > 5");
    if (failed > 0) warnings.push_back("Delivery failures exceed threshold: " + std::to_string(failed) + " failed > 0");
    if (!plan_.modelsLoaded) warnings.emplace_back("Recommendation models not preloaded; first requests may be slow");

    const std::string observed = wallIso(now_, true);
    JsonWriter w;
    w.beginObject()
        .field("gpu_available", gpu)
        .field("queue_length", active)
        .field("status", warnings.empty() ? "healthy" : "warning")
        .field("gpu_status", gpu ? "NVIDIA GeForce RTX 4090" : "GPU unavailable (CPU mode)")
        .field("memory_used", gpu ? gpuUsed : hostUsed)
        .field("memory_total", gpu ? gpuTotal : hostTotal)
        .field("active_workers", running)
        .field("backend", "redis")
        .key("queue_eta_seconds")
        .null()
        .field("last_updated", observed)
        .key("warnings")
        .beginArray();
    for (const auto& warning : warnings) w.value(warning);
    w.endArray().key("metrics").beginObject();
    w.field("cpu_percent", cpuPercent)
        .field("memory_percent", hostUsed * 100 / hostTotal)
        .field("memory_used", hostUsed)
        .field("memory_total", hostTotal)
        .field("disk_percent", static_cast<int>(int64_t{diskUsed} * 100 / diskTotal))
        .field("disk_used", diskUsed)
        .field("disk_total", diskTotal)
        .key("gpus")
        .beginArray();
    if (gpu) {
        const int utilisation = static_cast<int>(3 + 94 * load + noise.uniform(0, 3));
        w.beginObject()
            .field("id", 0)
            .field("name", "NVIDIA GeForce RTX 4090")
            .field("memory_total", gpuTotal)
            .field("memory_used", gpuUsed)
            .field("memory_percent", gpuUsed * 100 / gpuTotal)
            .field("temperature", static_cast<int>(38 + 36 * load + noise.uniform(0, 4)))
            .field("utilization", utilisation)
            .field("fan_speed", static_cast<int>(30 + 45 * load + noise.uniform(0, 5)))
            .field("power_draw_watts", std::round((62 + 340 * load + noise.uniform(0, 25)) * 10) / 10)
            .endObject();
    }
    w.endArray()
        .field("uptime_seconds", (uptimeAtStart_ + now_) / kMicrosPerSecond)
        .field("timestamp", wallIso(now_ + 6000, true))
        .endObject();
    w.field("message", "System status collected successfully").field("updated_at", observed);
    w.key("sdnext").beginObject()
        .field("configured", true)
        .field("base_url", "http://127.0.0.1:7861")
        .field("available", true)
        .key("error")
        .null()
        .field("checked_at", wallIso(now_ + 4000, true))
        .endObject();
    const bool demo = plan_.gpu;  // the idle capture had an empty importer; the demo shows a used one
    w.key("importer").beginObject().field("import_path", "/srv/lora-manager/loras").key("last_ingested_at");
    if (demo)
        w.value(wallIso(-2 * 3600 * kMicrosPerSecond - 1234567, false));
    else
        w.null();
    w.field("recent_imports", demo ? 3 : 0)
        .field("total_adapters", demo ? 137 : 0)
        .field("stale", false)
        .field("stale_threshold_hours", 24)
        .endObject();
    w.key("recommendations").beginObject().field("models_loaded", plan_.modelsLoaded).field("gpu_available", gpu).endObject();
    w.key("queue").beginObject()
        .field("total", total)
        .field("active", active)
        .field("running", running)
        .field("failed", failed)
        .endObject();
    w.key("thresholds").beginObject();
    w.key("queue").beginObject().field("active_warning", 5).field("failed_warning", 0).endObject();
    w.key("importer").beginObject().field("stale_hours", 24).endObject();
    w.endObject().endObject();
    return std::move(w).take();
}

std::string Backend::activeJobsJson(int limit) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    // The DB's pending and running rows: a cancelled job the worker still holds is not one until
    // the worker marks it running again (§2.5).
    std::vector<const Job*> active;
    for (const uint64_t seq : pending_)
        if (jobs_.at(seq).status == Raw::Pending) active.push_back(&jobs_.at(seq));
    for (const auto& [at, seq] : running_)
        if (jobs_.at(seq).status == Raw::Running) active.push_back(&jobs_.at(seq));
    // Upstream: ORDER BY coalesce(started_at, created_at) DESC, created_at DESC.
    std::sort(active.begin(), active.end(), [](const Job* a, const Job* b) {
        const int64_t ka = a->started.value_or(a->created), kb = b->started.value_or(b->created);
        if (ka != kb) return ka > kb;
        if (a->created != b->created) return a->created > b->created;
        return a->seq > b->seq;
    });
    if (active.size() > static_cast<size_t>(limit)) active.resize(static_cast<size_t>(limit));

    JsonWriter w;
    w.beginArray();
    for (const Job* job : active) {
        w.beginObject()
            .field("id", job->id)
            .field("jobId", job->id)
            .field("prompt", job->params.prompt)
            .field("status", job->status == Raw::Pending ? "queued" : "processing")
            // Upstream reads result.progress, which no worker writes: 0 until the job ends (§2.2).
            .field("progress", options_.progressMode == ProgressMode::Global
                                   ? 0.0
                                   : std::round(progressAt(*job, now_) * 1000.0) / 10.0)
            .key("message")
            .null()
            .key("error")
            .null()
            .key("params")
            .beginObject();
        writeGenerationParams(w, job->params);
        w.field("backend", "sdnext").endObject();
        w.field("created_at", wallIso(job->created, false))
            .field("startTime", wallIso(job->started.value_or(job->created), false))
            .field("finished_at", job->finished ? std::optional(wallIso(*job->finished, false)) : std::nullopt)
            .key("result")
            .raw(resultJson(*job))
            .endObject();
    }
    w.endArray();
    return std::move(w).take();
}

std::string Backend::resultsJson(int limit, int offset) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    JsonWriter w;
    w.beginArray();
    int skipped = 0, written = 0;
    // Succeeded jobs, newest created first (creation order is sequence order).
    for (auto it = jobs_.rbegin(); it != jobs_.rend() && written < limit; ++it) {
        const Job& job = it->second;
        if (job.status != Raw::Succeeded) continue;
        if (skipped++ < offset) continue;
        ++written;
        const auto ratedAt = wallIso(*job.finished + 95 * kMicrosPerSecond + 321, false);
        w.beginObject()
            .field("id", job.id)
            .field("job_id", job.id)
            .field("prompt", job.params.prompt)
            .field("negative_prompt", job.params.negative_prompt)
            .field("status", "completed")
            .field("image_url", imageUrl(job))
            .key("thumbnail_url")
            .null()
            .field("width", job.params.width)
            .field("height", job.params.height)
            .field("steps", job.params.steps)
            .field("cfg_scale", job.params.cfg_scale)
            .field("seed", job.params.seed)
            .field("created_at", wallIso(job.created, false))
            .field("finished_at", wallIso(*job.finished, false))
            .key("generation_info");
        writeGenerationInfo(w, job.params, job.actualSeed);
        w.field("rating", job.rating)
            .field("is_favorite", job.favorite)
            .field("rating_updated_at", job.rating ? std::optional(ratedAt) : std::nullopt)
            .field("favorite_updated_at", job.favorite ? std::optional(ratedAt) : std::nullopt)
            .endObject();
    }
    w.endArray();
    return std::move(w).take();
}

std::optional<std::string> Backend::jobDetailJson(const std::string& id) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    const Job* job = find(id);
    if (!job) return std::nullopt;
    JsonWriter w;
    w.beginObject().key("delivery").beginObject();
    w.field("id", job->id).field("prompt", job->params.prompt).field("mode", "sdnext");
    w.key("params").beginObject().key("generation_params").beginObject();
    writeGenerationParams(w, job->params);
    w.endObject()
        .field("mode", "deferred")
        .field("save_images", job->delivery.saveImages)
        .field("return_format", job->delivery.returnFormat)
        .field("backend", "sdnext")
        .endObject();
    w.field("status", kNormalized[static_cast<size_t>(job->status)]).key("result").raw(resultJson(*job));
    const auto iso = [this](std::optional<int64_t> t) {
        return t ? std::optional(wallIso(*t, false)) : std::nullopt;
    };
    w.field("created_at", wallIso(job->created, false))
        .field("started_at", iso(job->started))
        .field("finished_at", iso(job->finished));
    w.endObject().endObject();
    return std::move(w).take();
}

std::string Backend::queueGeneration(const model::GenerationRequest& request, const DeliveryOptions& delivery) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    Job& job = createJob(request, delivery, now_);
    announce(job);
    return job.id;
}

model::Outcome<std::string> Backend::generateImmediateJson(const model::GenerationRequest& request,
                                                          const DeliveryOptions& delivery, bool deferredMonitor) {
    std::string id;
    int64_t seed = 0;
    std::string error;
    {
        std::lock_guard lock(mutex_);
        runUntil(clockNow());
        id = newUuid();
        seed = request.seed >= 0 ? request.seed : static_cast<int64_t>(rng_.below(4294967296ull));
        if (rng_.chance(plan_.failRate)) error = kErrors[0];
        // Spec §9.15: SDNext rendered, but its `info` is a JSON string and SDNextGenerationResult
        // wants a dict. pydantic raises before the route returns (or starts a monitor): a 500.
        if (error.empty() && options_.sdnextInfoAsString)
            return model::Error::http(500, pydanticInfoError(request, seed));
        if (deferredMonitor) {
            // Upstream broadcasts generation_started for the id and monitors it forever.
            if (ghostMonitors_.size() >= kMaxGhostMonitors) {
                dropMonitor(ghostMonitors_.front());
                ghostMonitors_.pop_front();
            }
            emit(id, startedMessage(id, request, now_));
            startMonitor(id, now_ + options_.progressIntervalMs * kMicrosPerMs);
            ghostMonitors_.push_back(nextMonitor_ - 1);
        }
    }
    JsonWriter w;
    w.beginObject().field("job_id", id).field("status", error.empty() ? "completed" : "failed").key("images");
    if (!error.empty()) {
        w.null().key("progress").null().field("error_message", error).key("generation_info").null().endObject();
        return std::move(w).take();
    }
    const std::string image = delivery.returnFormat == "base64" ? images_.render(seed, request.prompt)->base64
                                                                : assetLocation(id, delivery.returnFormat);
    w.beginArray().value(image).endArray().field("progress", 1.0).key("error_message").null().key("generation_info");
    writeGenerationInfo(w, request, seed);
    w.endObject();
    return std::move(w).take();
}

CancelOutcome Backend::cancel(const std::string& id) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    Job* job = find(id);
    if (!job) return CancelOutcome::NotFound;
    if (job->status != Raw::Pending && job->status != Raw::Running) return CancelOutcome::NotCancellable;
    // Upstream marks the row and stops the monitor, nothing more: the RQ job stays, so the worker
    // still renders it and writes its outcome (spec §2.5, §9.7).
    job->status = Raw::Cancelled;
    job->cancelled = now_;
    if (!job->finished) job->finished = now_;
    stopMonitor(*job);  // a cancelled job produces no further messages
    if (options_.cancelStopsWorker) {
        leaveQueue(*job);
        job->ended = now_;
    }
    done_.emplace(*job->finished, job->seq);
    prune();
    return CancelOutcome::Cancelled;
}

bool Backend::remove(const std::string& id) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    Job* job = find(id);
    if (!job) return false;
    forget(*job);
    return true;
}

int Backend::removeMany(const std::vector<std::string>& ids) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    int removed = 0;
    for (const auto& id : ids) {
        if (Job* job = find(id)) {
            forget(*job);
            ++removed;
        }
    }
    return removed;
}

std::variant<std::shared_ptr<const EncodedImage>, std::string> Backend::download(const std::string& id) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    const Job* job = find(id);
    if (!job) return std::string("Result not found");
    if (job->status != Raw::Succeeded || !job->delivery.saveImages) return std::string("Result asset is unavailable");
    return imageOf(*job);
}

// ---- test helpers ---------------------------------------------------------------------------

model::Status Backend::finish(const std::string& id, bool ok) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    Job* job = find(id);
    if (!job) return model::Error::make(model::ErrorKind::NotFound, "no job " + id);
    if (job->status != Raw::Pending && job->status != Raw::Running)
        return model::Error::make(model::ErrorKind::InvalidArgument,
                                  "job " + id + " is already " + std::string(rawName(static_cast<int>(job->status))));
    leaveQueue(*job);
    if (!job->started) job->started = now_;
    job->willFail = !ok;
    if (ok) job->duration = std::max<int64_t>(1, now_ - *job->started);  // progress reads 1.0
    if (!ok && job->error.empty()) job->error = kErrors[0];
    finishJob(*job, now_);
    return model::okStatus();
}

std::vector<SimJobInfo> Backend::jobs() {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    std::vector<SimJobInfo> out;
    out.reserve(jobs_.size());
    for (const auto& [seq, job] : jobs_)
        out.push_back(SimJobInfo{job.id, job.params.prompt, std::string(rawName(static_cast<int>(job.status))),
                                 progressAt(job, now_)});
    return out;
}

}  // namespace genmon::sim
