#include "sim/backend.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "model/timestamp.hpp"
#include "protocol/encode_wire.hpp"
#include "sim/scenario.hpp"
#include "sim/upstream_text.hpp"

namespace genmon::sim {
namespace {

namespace wire = protocol::wire;

// Manual-clock runs start at a fixed instant, the morning the fixtures were captured.
constexpr int64_t kManualEpoch = 1795676400LL * kMicrosPerSecond;  // 2026-11-26T07:00:00Z
constexpr size_t kImageCacheEntries = 128;
constexpr size_t kMaxGhostMonitors = 64;
constexpr const char* kOutputDir = "/srv/lora-manager/outputs/";

int64_t steadyMicros() {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

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

wire::GenerationInfo generationInfo(const model::GenerationRequest& p, int64_t actualSeed) {
    return {p.prompt, actualSeed, p.width, p.height, p.sampler_name, p.steps, p.cfg_scale};
}

}  // namespace

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
    return envelope("generation_started", at, protocol::encodeGenerationStarted(jobId, params));
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
    return protocol::encodeEnvelope(type, wallIso(at, true), data);
}

std::string Backend::progressMessage(const Job* job, const std::string& jobId, int64_t at) {
    wire::ProgressUpdate u;
    u.job_id = jobId;
    u.status = "queued";  // a monitor whose job is not in the table (an immediate id), forever
    if (options_.progressMode == ProgressMode::Global) {
        // Upstream's monitor: SDNext's global progress, then the DB row wins: its status, and the
        // progress its result stores (1.0 when completed, the share rendered when failed).
        // Steps and ETA are always null (spec §3.1).
        u.progress = globalProgress(at);
        if (job) {
            u.status = kNormalized[static_cast<size_t>(job->status)];
            if (job->status == Raw::Succeeded) u.progress = 1.0;
            if (job->status == Raw::Failed || job->status == Raw::Cancelled)
                u.progress = renderedShare(*job, job->ended.value_or(at));
        }
    } else if (job) {
        u.progress = progressAt(*job, at);
        u.status = kNormalized[static_cast<size_t>(job->status)];
        if (job->status != Raw::Pending) {
            u.current_step = static_cast<int>(u.progress * job->params.steps);
            u.total_steps = job->params.steps;
            if (job->status == Raw::Running)
                u.eta_seconds = static_cast<double>(job->duration) * (1.0 - u.progress) / kMicrosPerSecond;
        }
    }
    if (job && job->status == Raw::Failed) u.error_message = job->error;
    return envelope("progress_update", at, protocol::encodeProgressUpdate(u));
}

std::string Backend::completeMessage(Job& job, int64_t at) {
    wire::GenerationComplete c;
    c.job_id = job.id;
    c.completed = job.status == Raw::Succeeded;
    if (c.completed) {
        c.image = imageUrl(job);
        c.total_duration = static_cast<double>(*job.finished - *job.started) / kMicrosPerSecond;
        c.generation_info = generationInfo(job.params, job.actualSeed);
    } else {
        c.error_message = job.error;
    }
    return envelope("generation_complete", at, protocol::encodeGenerationComplete(c));
}

std::vector<WsOutgoing> Backend::takeOutbox() {
    std::lock_guard lock(mutex_);
    return std::exchange(outbox_, {});
}

std::string Backend::connectedMessage() {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    const int64_t at = now_;
    const std::string id = "conn_" + std::to_string(++connections_) + "_" + std::to_string((epoch_ + at) / kMicrosPerSecond);
    return envelope("connected", at, protocol::encodeConnected(id, "Connected to progress monitoring"));
}

std::string Backend::subscriptionConfirmedMessage(const std::optional<std::vector<std::string>>& jobIds) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    return envelope("subscription_confirmed", now_, protocol::encodeSubscriptionConfirmed(jobIds));
}

// ---- HTTP operations ------------------------------------------------------------------------

std::shared_ptr<const EncodedImage> Backend::imageOf(const Job& job) {
    return images_.get(job.id, job.actualSeed, job.params.prompt);
}

std::string Backend::imageUrl(const Job& job) {
    if (job.delivery.returnFormat == "base64") return imageOf(job)->base64;
    return assetLocation(job.id, job.delivery.returnFormat);
}

wire::StoredResult Backend::storedResult(const Job& job) {
    wire::StoredResult r;
    switch (job.status) {
        case Raw::Pending:
        case Raw::Running:
            // The cancel's result stays until the worker writes its own (§2.5).
            if (job.cancelled) r.kind = wire::StoredResult::Kind::Cancelled;
            break;
        case Raw::Cancelled: r.kind = wire::StoredResult::Kind::Cancelled; break;
        case Raw::Succeeded:
            r = {wire::StoredResult::Kind::Completed, job.id, imageUrl(job), 1.0, {}, generationInfo(job.params, job.actualSeed)};
            break;
        case Raw::Failed:
            r = {wire::StoredResult::Kind::Failed, job.id, {}, renderedShare(job, job.ended.value_or(*job.finished)), job.error, {}};
            break;
    }
    return r;
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
    wire::SystemStatusPayload p;
    model::SystemStatus& st = p.state;
    st.gpu_available = gpu;
    st.queue_length = active;
    st.status = warnings.empty() ? "healthy" : "warning";
    st.gpu_status = gpu ? "NVIDIA GeForce RTX 4090" : "GPU unavailable (CPU mode)";
    st.memory_used = gpu ? gpuUsed : hostUsed;
    st.memory_total = gpu ? gpuTotal : hostTotal;
    st.active_workers = running;
    st.backend = "redis";
    st.last_updated = observed;
    st.warnings = std::move(warnings);
    wire::SystemMetrics& m = p.metrics.emplace();
    m.cpu_percent = cpuPercent;
    m.memory_percent = hostUsed * 100 / hostTotal;
    m.memory_used = hostUsed;
    m.memory_total = hostTotal;
    m.disk_percent = int64_t{diskUsed} * 100 / diskTotal;
    m.disk_used = diskUsed;
    m.disk_total = diskTotal;
    if (gpu) {
        const int utilisation = static_cast<int>(3 + 94 * load + noise.uniform(0, 3));
        m.gpus.push_back({0, "NVIDIA GeForce RTX 4090", gpuTotal, gpuUsed, gpuUsed * 100 / gpuTotal,
                          static_cast<int>(38 + 36 * load + noise.uniform(0, 4)), utilisation,
                          static_cast<int>(30 + 45 * load + noise.uniform(0, 5)),
                          std::round((62 + 340 * load + noise.uniform(0, 25)) * 10) / 10});
    }
    m.uptime_seconds = (uptimeAtStart_ + now_) / kMicrosPerSecond;
    m.timestamp = wallIso(now_ + 6000, true);
    p.message = "System status collected successfully";
    p.updated_at = observed;
    st.sdnext = model::SdNextStatus{true, "http://127.0.0.1:7861", true, std::nullopt, wallIso(now_ + 4000, true)};
    const bool demo = plan_.gpu;  // the idle capture had an empty importer; the demo shows a used one
    model::ImporterStatus importer;
    importer.import_path = "/srv/lora-manager/loras";
    if (demo) importer.last_ingested_at = wallIso(-2 * 3600 * kMicrosPerSecond - 1234567, false);
    importer.recent_imports = demo ? 3 : 0;
    importer.total_adapters = demo ? 137 : 0;
    importer.stale_threshold_hours = 24;
    st.importer = importer;
    st.recommendations = model::Recommendations{plan_.modelsLoaded, gpu};
    st.queue = model::QueueCounts{total, active, running, failed};
    st.thresholds = model::Thresholds{5, 0, 24};
    return protocol::encodeSystemStatus(p);
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

    std::vector<wire::ActiveJob> out;
    out.reserve(active.size());
    for (const Job* job : active) {
        wire::ActiveJob& a = out.emplace_back();
        a.id = job->id;
        a.prompt = job->params.prompt;
        a.status = job->status == Raw::Pending ? "queued" : "processing";
        // Upstream reads result.progress, which no worker writes: 0 until the job ends (§2.2).
        a.progress = options_.progressMode == ProgressMode::Global ? 0.0
                                                                   : std::round(progressAt(*job, now_) * 1000.0) / 10.0;
        a.params = job->params;
        a.created_at = wallIso(job->created, false);
        a.startTime = wallIso(job->started.value_or(job->created), false);
        if (job->finished) a.finished_at = wallIso(*job->finished, false);
        a.result = storedResult(*job);
    }
    return protocol::encodeActiveJobs(out);
}

std::string Backend::resultsJson(int limit, int offset) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    std::vector<wire::ResultEntry> out;
    int skipped = 0;
    // Succeeded jobs, newest created first (creation order is sequence order).
    for (auto it = jobs_.rbegin(); it != jobs_.rend() && static_cast<int>(out.size()) < limit; ++it) {
        const Job& job = it->second;
        if (job.status != Raw::Succeeded) continue;
        if (skipped++ < offset) continue;
        const auto ratedAt = wallIso(*job.finished + 95 * kMicrosPerSecond + 321, false);
        wire::ResultEntry& r = out.emplace_back();
        r.id = r.job_id = job.id;
        r.prompt = job.params.prompt;
        r.negative_prompt = job.params.negative_prompt;
        r.image_url = imageUrl(job);
        r.width = job.params.width;
        r.height = job.params.height;
        r.steps = job.params.steps;
        r.cfg_scale = job.params.cfg_scale;
        r.seed = job.params.seed;
        r.created_at = wallIso(job.created, false);
        r.finished_at = wallIso(*job.finished, false);
        r.generation_info = generationInfo(job.params, job.actualSeed);
        r.rating = job.rating;
        r.is_favorite = job.favorite;
        if (job.rating) r.rating_updated_at = ratedAt;
        if (job.favorite) r.favorite_updated_at = ratedAt;
    }
    return protocol::encodeResults(out);
}

std::optional<std::string> Backend::jobDetailJson(const std::string& id) {
    std::lock_guard lock(mutex_);
    runUntil(clockNow());
    const Job* job = find(id);
    if (!job) return std::nullopt;
    const auto iso = [this](std::optional<int64_t> t) { return t ? std::optional(wallIso(*t, false)) : std::nullopt; };
    wire::JobDetail d;
    d.id = job->id;
    d.prompt = job->params.prompt;
    d.params = job->params;
    d.save_images = job->delivery.saveImages;
    d.return_format = job->delivery.returnFormat;
    d.status = kNormalized[static_cast<size_t>(job->status)];
    d.result = storedResult(*job);
    d.created_at = wallIso(job->created, false);
    d.started_at = iso(job->started);
    d.finished_at = iso(job->finished);
    return protocol::encodeJobDetail(d);
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
    wire::StoredResult r;
    r.job_id = id;
    if (!error.empty()) {
        r.kind = wire::StoredResult::Kind::Failed;  // progress null: nothing was stored
        r.error_message = error;
        return protocol::encodeStoredResult(r);
    }
    r.kind = wire::StoredResult::Kind::Completed;
    r.image = delivery.returnFormat == "base64" ? images_.render(seed, request.prompt)->base64
                                                : assetLocation(id, delivery.returnFormat);
    r.progress = 1.0;
    r.generation_info = generationInfo(request, seed);
    return protocol::encodeStoredResult(r);
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
