#include "app/snapshot_json.hpp"

#include <algorithm>

#include "model/job_status.hpp"
#include "model/names.hpp"
#include "model/timestamp.hpp"
#include "protocol/encode_wire.hpp"

namespace genmon::app {

using protocol::JsonWriter;

namespace {

void text(JsonWriter& w, std::string_view key, const std::optional<model::Text>& v) {
    w.key(key);
    if (v)
        w.value(v->view());
    else
        w.null();
}

void timestamp(JsonWriter& w, std::string_view key, const model::Timestamp& t) {
    w.key(key);
    if (t.valid)
        w.value(t.toIso());
    else
        w.null();
}

// Wall-clock microseconds (0 = never) as ISO-8601 with an offset.
void micros(JsonWriter& w, std::string_view key, int64_t us) {
    w.key(key);
    if (us > 0)
        w.value(model::Timestamp::fromMicros(us, true).toIso());
    else
        w.null();
}

template <class T>
void optionalField(JsonWriter& w, std::string_view key, const std::optional<T>& v) {
    if (v) w.field(key, *v);
}

void writeParams(JsonWriter& w, const model::GenerationParams& p) {
    w.beginObject();
    text(w, "prompt", p.prompt);
    text(w, "negative_prompt", p.negative_prompt);
    w.field("steps", p.steps);
    text(w, "sampler_name", p.sampler_name);
    w.field("cfg_scale", p.cfg_scale);
    w.field("width", p.width);
    w.field("height", p.height);
    w.field("seed", p.seed);
    w.field("batch_size", p.batch_size);
    w.field("n_iter", p.n_iter);
    w.field("denoising_strength", p.denoising_strength);
    if (p.backend) text(w, "backend", p.backend);
    w.endObject();
}

void writeJobs(JsonWriter& w, std::string_view key, const orchestrator::JobList& list, const EtaContext& eta) {
    w.key(key).beginArray();
    list.forEach([&](const model::Job& j) { writeJob(w, j, &eta); });
    w.endArray();
}

// Seconds from now until a forecast time, to the millisecond (never negative).
double secondsFrom(int64_t nowMicros, int64_t atMicros) {
    return static_cast<double>(std::max<int64_t>(0, (atMicros - nowMicros + 500) / 1000)) / 1000.0;
}

void writeEta(JsonWriter& w, const model::Job& j, const EtaContext& eta) {
    w.key("eta");
    const orchestrator::JobForecast* f =
        eta.forecast && model::isActive(j.status) ? eta.forecast->find(j) : nullptr;
    if (!f) {
        w.null();
        return;
    }
    w.beginObject();
    w.field("done_in_s", secondsFrom(eta.nowMicros, f->doneAtMicros));
    w.field("low_s", secondsFrom(eta.nowMicros, f->doneLowAtMicros));
    w.field("high_s", secondsFrom(eta.nowMicros, f->doneHighAtMicros));
    w.field("starts_in_s", secondsFrom(eta.nowMicros, f->running ? eta.nowMicros : f->startsAtMicros));
    w.field("lower_bound", f->lowerBound());
    w.field("basis", orchestrator::ownBasisText(*f));
    w.field("ahead", static_cast<uint64_t>(f->ahead));
    w.field("ahead_unknown", static_cast<uint64_t>(f->aheadUnknown));
    w.endObject();
}

void writeDrain(JsonWriter& w, const orchestrator::Snapshot& s) {
    w.key("queueDrain");
    if (!s.queueForecast || s.queueForecast->drain().estimated == 0) {
        w.null();
        return;
    }
    const auto& d = s.queueForecast->drain();
    w.beginObject();
    w.field("done_in_s", secondsFrom(s.builtAtMicros, d.atMicros));
    w.field("low_s", secondsFrom(s.builtAtMicros, d.lowAtMicros));
    w.field("high_s", secondsFrom(s.builtAtMicros, d.highAtMicros));
    w.field("lower_bound", d.unknown > 0);
    w.field("estimated", static_cast<uint64_t>(d.estimated));
    w.field("unknown", static_cast<uint64_t>(d.unknown));
    w.field("workers", static_cast<uint64_t>(d.workers));
    w.endObject();
}

}  // namespace

void writeJob(JsonWriter& w, const model::Job& j, const EtaContext* eta) {
    w.beginObject();
    w.field("id", j.uiId.view());
    w.field("jobId", j.backendId.view());
    w.field("status", model::statusName(j.status));
    w.field("progress", static_cast<int>(j.progress));
    text(w, "prompt", j.prompt);
    text(w, "message", j.message);
    text(w, "error", j.error);
    w.key("params");
    if (j.params)
        writeParams(w, *j.params);
    else
        w.null();
    timestamp(w, "created_at", j.created_at);
    timestamp(w, "startTime", j.startTime);
    timestamp(w, "finished_at", j.finished_at);
    w.field("current_step", j.current_step);
    w.field("total_steps", j.total_steps);
    w.field("eta_seconds", j.eta_seconds);
    w.key("result");
    if (j.result_json && !j.result_json->empty())
        w.raw(j.result_json->view());
    else
        w.null();
    w.field("optimistic", j.optimistic);
    if (eta) writeEta(w, j, *eta);
    w.endObject();
}

void writeResult(JsonWriter& w, const model::GenerationResult& r) {
    w.beginObject();
    w.field("id", r.id);
    w.field("job_id", r.job_id);
    optionalField(w, "result_id", r.result_id);
    w.field("prompt", r.prompt);
    w.field("negative_prompt", r.negative_prompt);
    w.field("status", r.status);
    w.field("image_source", model::imageSourceName(r.imageSource));
    optionalField(w, "image_path", r.image_path);
    w.field("thumbnail_url", r.thumbnail_url);
    w.field("width", r.width);
    w.field("height", r.height);
    w.field("steps", r.steps);
    w.field("cfg_scale", r.cfg_scale);
    w.field("seed", r.seed);
    timestamp(w, "created_at", r.created_at);
    timestamp(w, "finished_at", r.finished_at);
    w.key("generation_info");
    if (r.generation_info_json && !r.generation_info_json->empty())
        w.raw(*r.generation_info_json);
    else
        w.null();
    optionalField(w, "generation_seed", r.generation_seed);
    optionalField(w, "sampler_name", r.sampler_name);
    optionalField(w, "model_name", r.model_name);
    w.field("rating", r.rating);
    w.field("is_favorite", r.is_favorite);
    timestamp(w, "rating_updated_at", r.rating_updated_at);
    timestamp(w, "favorite_updated_at", r.favorite_updated_at);
    w.key("image").beginObject();
    w.field("state", model::imageStateName(r.imageState));
    if (r.imageState == model::ImageState::Ready && r.thumbnail) {
        w.field("width", r.thumbnail->width);
        w.field("height", r.thumbnail->height);
    }
    if (r.imageState == model::ImageState::Failed) w.field("error", r.imageError);
    w.endObject();
    w.endObject();
}

void writeConnection(JsonWriter& w, const orchestrator::ConnectionInfo& c) {
    w.beginObject();
    w.field("phase", orchestrator::phaseName(c.phase));
    w.key("lastError");
    if (c.lastError.empty())
        w.null();
    else
        w.value(c.lastError);
    w.field("reconnectAttempt", c.reconnectAttempt);
    micros(w, "nextRetryAt", c.nextRetryAtMicros);
    micros(w, "lastConnectedAt", c.lastConnectedAtMicros);
    micros(w, "lastDisconnectedAt", c.lastDisconnectedAtMicros);
    w.field("socketUrl", c.socketUrl);
    w.endObject();
}

std::string snapshotToJson(const orchestrator::Snapshot& s, bool pretty) {
    JsonWriter w(pretty);
    w.beginObject();
    w.field("version", s.version);
    micros(w, "builtAt", s.builtAtMicros);
    // ---- the thirteen state keys of the contract ----
    const EtaContext eta{s.queueForecast.get(), s.builtAtMicros};
    writeJobs(w, "jobs", s.jobs, eta);
    writeJobs(w, "activeJobs", s.activeJobs, eta);
    writeJobs(w, "sortedActiveJobs", s.sortedActiveJobs, eta);
    w.key("recentResults").beginArray();
    if (s.recentResults)
        for (const auto& r : *s.recentResults)
            if (r) writeResult(w, *r);
    w.endArray();
    w.key("systemStatus");
    protocol::writeSystemStatusState(w, s.systemStatus ? *s.systemStatus : model::DEFAULT_SYSTEM_STATUS);
    w.field("isConnected", s.isConnected);
    w.field("queueManagerActive", s.queueManagerActive);
    w.field("historyLimit", s.historyLimit);
    w.field("pollIntervalMs", s.pollIntervalMs);
    w.field("systemStatusReady", s.systemStatusReady);
    w.key("systemStatusLastUpdated");
    if (s.systemStatusLastUpdated && s.systemStatusLastUpdated->valid)
        w.value(s.systemStatusLastUpdated->toIso());
    else
        w.null();
    w.field("systemStatusApiAvailable", s.systemStatusApiAvailable);
    w.field("isActive", s.isActive);
    // ---- genmon's additions ----
    w.key("connection");
    writeConnection(w, s.connection);
    w.field("backendUrl", s.backendUrl);
    w.field("simulatedBackend", s.simulatedBackend);
    w.field("insecureTls", s.insecureTls);
    micros(w, "jobsUpdatedAt", s.jobsUpdatedAtMicros);
    micros(w, "resultsUpdatedAt", s.resultsUpdatedAtMicros);
    micros(w, "statusUpdatedAt", s.statusUpdatedAtMicros);
    w.key("lastRefreshError");
    if (s.lastRefreshError.empty())
        w.null();
    else
        w.value(s.lastRefreshError);
    w.key("counts").beginObject();
    w.field("queued", static_cast<uint64_t>(s.counts.queued));
    w.field("processing", static_cast<uint64_t>(s.counts.processing));
    w.field("completed", static_cast<uint64_t>(s.counts.completed));
    w.field("failed", static_cast<uint64_t>(s.counts.failed));
    w.endObject();
    w.field("serverQueueLength", s.serverQueueLength);
    w.field("jobsPerMinute", s.jobsPerMinute);
    writeDrain(w, s);
    if (s.systemMetrics) {
        const auto& m = *s.systemMetrics;
        w.key("systemMetrics").beginObject();
        w.field("cpu_percent", m.cpu_percent).field("memory_percent", m.memory_percent);
        w.field("memory_used", m.memory_used).field("memory_total", m.memory_total);
        optionalField(w, "disk_percent", m.disk_percent);
        optionalField(w, "disk_used", m.disk_used);
        optionalField(w, "disk_total", m.disk_total);
        w.key("gpus").beginArray();
        for (const auto& g : m.gpus) {
            w.beginObject();
            w.field("id", g.id).field("name", g.name);
            w.field("memory_total", g.memory_total).field("memory_used", g.memory_used);
            w.field("memory_percent", g.memory_percent).field("temperature", g.temperature);
            w.field("utilization", g.utilization).field("fan_speed", g.fan_speed);
            w.field("power_draw_watts", g.power_draw_watts);
            w.endObject();
        }
        w.endArray();
        optionalField(w, "uptime_seconds", m.uptime_seconds);
        optionalField(w, "timestamp", m.timestamp);
        w.endObject();
    }
    w.endObject();
    std::string out = std::move(w).take();
    return out;
}

}  // namespace genmon::app
