#include "protocol/encode_wire.hpp"

namespace genmon::protocol {
namespace {

using wire::StoredResult;

void writeGenerationInfo(JsonWriter& w, const wire::GenerationInfo& g) {
    w.beginObject()
        .field("prompt", g.prompt)
        .field("seed", g.seed)
        .field("width", g.width)
        .field("height", g.height)
        .field("sampler_name", g.sampler_name)
        .field("steps", g.steps)
        .field("cfg_scale", g.cfg_scale)
        .endObject();
}

void writeStoredResult(JsonWriter& w, const StoredResult& r) {
    switch (r.kind) {
        case StoredResult::Kind::None: w.null(); return;
        case StoredResult::Kind::Cancelled: w.beginObject().field("status", "cancelled").endObject(); return;
        case StoredResult::Kind::Completed:
            w.beginObject().field("job_id", r.job_id).field("status", "completed").key("images").beginArray();
            w.value(r.image).endArray().field("progress", r.progress).key("error_message").null();
            w.key("generation_info");
            if (r.generation_info)
                writeGenerationInfo(w, *r.generation_info);
            else
                w.null();
            w.endObject();
            return;
        case StoredResult::Kind::Failed:
            w.beginObject().field("job_id", r.job_id).field("status", "failed").key("images").null();
            w.field("progress", r.progress).field("error_message", r.error_message);
            w.key("generation_info").null().endObject();
            return;
    }
}

void writeSdNext(JsonWriter& w, const model::SdNextStatus& s, bool allKeys) {
    w.beginObject();
    w.field("configured", s.configured).field("base_url", s.base_url).field("available", s.available);
    w.field("error", s.error);
    if (allKeys || s.checked_at) w.field("checked_at", s.checked_at);
    w.endObject();
}

void writeImporter(JsonWriter& w, const model::ImporterStatus& s, bool allKeys) {
    w.beginObject();
    w.field("import_path", s.import_path).field("last_ingested_at", s.last_ingested_at);
    w.field("recent_imports", s.recent_imports).field("total_adapters", s.total_adapters).field("stale", s.stale);
    if (allKeys || s.stale_threshold_hours) w.field("stale_threshold_hours", s.stale_threshold_hours);
    w.endObject();
}

void writeThresholds(JsonWriter& w, const model::Thresholds& t) {
    w.beginObject();
    w.key("queue").beginObject();
    w.field("active_warning", t.queue_active_warning).field("failed_warning", t.queue_failed_warning);
    w.endObject();
    w.key("importer").beginObject().field("stale_hours", t.importer_stale_hours).endObject();
    w.endObject();
}

void writeMetrics(JsonWriter& w, const wire::SystemMetrics& m) {
    w.beginObject()
        .field("cpu_percent", m.cpu_percent)
        .field("memory_percent", m.memory_percent)
        .field("memory_used", m.memory_used)
        .field("memory_total", m.memory_total)
        .field("disk_percent", m.disk_percent)
        .field("disk_used", m.disk_used)
        .field("disk_total", m.disk_total)
        .key("gpus")
        .beginArray();
    for (const auto& g : m.gpus)
        w.beginObject()
            .field("id", g.id)
            .field("name", g.name)
            .field("memory_total", g.memory_total)
            .field("memory_used", g.memory_used)
            .field("memory_percent", g.memory_percent)
            .field("temperature", g.temperature)
            .field("utilization", g.utilization)
            .field("fan_speed", g.fan_speed)
            .field("power_draw_watts", g.power_draw_watts)
            .endObject();
    w.endArray().field("uptime_seconds", m.uptime_seconds).field("timestamp", m.timestamp).endObject();
}

// The keys of the system status, in upstream's order. The payload (allKeys) writes every key,
// null where unknown, with metrics, message and updated_at after the warnings; the merged state
// leaves out what no payload has brought yet.
void writeSystemStatusKeys(JsonWriter& w, const model::SystemStatus& s, const wire::SystemStatusPayload* payload) {
    const bool allKeys = payload != nullptr;
    w.field("gpu_available", s.gpu_available)
        .field("queue_length", s.queue_length)
        .field("status", s.status)
        .field("gpu_status", s.gpu_status)
        .field("memory_used", s.memory_used)
        .field("memory_total", s.memory_total);
    if (allKeys || s.active_workers) w.field("active_workers", s.active_workers);
    if (allKeys || s.backend) w.field("backend", s.backend);
    if (allKeys || s.queue_eta_seconds) w.field("queue_eta_seconds", s.queue_eta_seconds);
    if (allKeys || s.last_updated) w.field("last_updated", s.last_updated);
    if (allKeys || s.warnings) {
        w.key("warnings").beginArray();
        if (s.warnings)
            for (const auto& warning : *s.warnings) w.value(warning);
        w.endArray();
    }
    if (payload) {
        w.key("metrics");
        if (payload->metrics)
            writeMetrics(w, *payload->metrics);
        else
            w.null();
        w.field("message", payload->message).field("updated_at", payload->updated_at);
    }
    const auto section = [&](std::string_view key, const auto& value, auto write) {
        if (value) {
            w.key(key);
            write(*value);
        } else if (allKeys) {
            w.key(key).null();
        }
    };
    section("sdnext", s.sdnext, [&](const model::SdNextStatus& x) { writeSdNext(w, x, allKeys); });
    section("importer", s.importer, [&](const model::ImporterStatus& x) { writeImporter(w, x, allKeys); });
    section("recommendations", s.recommendations, [&](const model::Recommendations& x) {
        w.beginObject().field("models_loaded", x.models_loaded).field("gpu_available", x.gpu_available).endObject();
    });
    section("queue", s.queue, [&](const model::QueueCounts& x) {
        w.beginObject().field("total", x.total).field("active", x.active);
        w.field("running", x.running).field("failed", x.failed).endObject();
    });
    section("thresholds", s.thresholds, [&](const model::Thresholds& x) { writeThresholds(w, x); });
    for (const auto& [key, raw] : s.extra) w.key(key).raw(raw);
}

}  // namespace

void writeGenerationParamsFields(JsonWriter& w, const model::GenerationRequest& p) {
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

std::string encodeEnvelope(std::string_view type, std::string_view timestamp, std::string_view dataJson) {
    JsonWriter w;
    w.beginObject().field("type", type).field("timestamp", timestamp).key("data").raw(dataJson).endObject();
    return std::move(w).take();
}

std::string encodeProgressUpdate(const wire::ProgressUpdate& u) {
    JsonWriter w;
    w.beginObject()
        .field("job_id", u.job_id)
        .field("progress", u.progress)
        .field("status", u.status)
        .field("current_step", u.current_step)
        .field("total_steps", u.total_steps)
        .field("eta_seconds", u.eta_seconds)
        .key("preview_image")
        .null()
        .field("error_message", u.error_message)
        .endObject();
    return std::move(w).take();
}

std::string encodeGenerationComplete(const wire::GenerationComplete& c) {
    JsonWriter w;
    w.beginObject().field("job_id", c.job_id).field("status", c.completed ? "completed" : "failed").key("images");
    if (c.completed) {
        w.beginArray().value(c.image).endArray().key("error_message").null();
        w.field("total_duration", c.total_duration).key("generation_info");
        writeGenerationInfo(w, c.generation_info);
    } else {
        w.null().field("error_message", c.error_message).key("total_duration").null().key("generation_info").null();
    }
    w.endObject();
    return std::move(w).take();
}

std::string encodeGenerationStarted(std::string_view jobId, const model::GenerationRequest& params) {
    JsonWriter w;
    w.beginObject().field("job_id", jobId).key("params").beginObject();
    writeGenerationParamsFields(w, params);
    w.endObject().key("estimated_duration").null().endObject();
    return std::move(w).take();
}

std::string encodeConnected(std::string_view connectionId, std::string_view message) {
    JsonWriter w;
    w.beginObject().field("connection_id", connectionId).field("message", message).endObject();
    return std::move(w).take();
}

std::string encodeSubscriptionConfirmed(const std::optional<std::vector<std::string>>& jobIds) {
    JsonWriter w;
    w.beginObject().key("job_ids");
    if (jobIds) {
        w.beginArray();
        for (const auto& id : *jobIds) w.value(id);
        w.endArray();
    } else {
        w.null();
    }
    w.endObject();
    return std::move(w).take();
}

std::string encodeStoredResult(const wire::StoredResult& result) {
    JsonWriter w;
    writeStoredResult(w, result);
    return std::move(w).take();
}

std::string encodeActiveJobs(const std::vector<wire::ActiveJob>& jobs) {
    JsonWriter w;
    w.beginArray();
    for (const auto& job : jobs) {
        w.beginObject()
            .field("id", job.id)
            .field("jobId", job.id)
            .field("prompt", job.prompt)
            .field("status", job.status)
            .field("progress", job.progress)
            .key("message")
            .null()
            .key("error")
            .null()
            .key("params")
            .beginObject();
        writeGenerationParamsFields(w, job.params);
        w.field("backend", job.backend).endObject();
        w.field("created_at", job.created_at).field("startTime", job.startTime).field("finished_at", job.finished_at);
        w.key("result");
        writeStoredResult(w, job.result);
        w.endObject();
    }
    w.endArray();
    return std::move(w).take();
}

std::string encodeJobDetail(const wire::JobDetail& d) {
    JsonWriter w;
    w.beginObject().key("delivery").beginObject();
    w.field("id", d.id).field("prompt", d.prompt).field("mode", "sdnext");
    w.key("params").beginObject().key("generation_params").beginObject();
    writeGenerationParamsFields(w, d.params);
    w.endObject()
        .field("mode", "deferred")
        .field("save_images", d.save_images)
        .field("return_format", d.return_format)
        .field("backend", "sdnext")
        .endObject();
    w.field("status", d.status).key("result");
    writeStoredResult(w, d.result);
    w.field("created_at", d.created_at).field("started_at", d.started_at).field("finished_at", d.finished_at);
    w.endObject().endObject();
    return std::move(w).take();
}

std::string encodeResults(const std::vector<wire::ResultEntry>& results) {
    JsonWriter w;
    w.beginArray();
    for (const auto& r : results) {
        w.beginObject()
            .field("id", r.id)
            .field("job_id", r.job_id)
            .field("prompt", r.prompt)
            .field("negative_prompt", r.negative_prompt)
            .field("status", "completed")
            .field("image_url", r.image_url)
            .field("thumbnail_url", r.thumbnail_url)
            .field("width", r.width)
            .field("height", r.height)
            .field("steps", r.steps)
            .field("cfg_scale", r.cfg_scale)
            .field("seed", r.seed)
            .field("created_at", r.created_at)
            .field("finished_at", r.finished_at)
            .key("generation_info");
        writeGenerationInfo(w, r.generation_info);
        w.field("rating", r.rating)
            .field("is_favorite", r.is_favorite)
            .field("rating_updated_at", r.rating_updated_at)
            .field("favorite_updated_at", r.favorite_updated_at)
            .endObject();
    }
    w.endArray();
    return std::move(w).take();
}

std::string encodeSystemStatus(const wire::SystemStatusPayload& payload) {
    JsonWriter w;
    w.beginObject();
    writeSystemStatusKeys(w, payload.state, &payload);
    w.endObject();
    return std::move(w).take();
}

std::string encodeQueueGenerationAnswer(std::string_view deliveryId) {
    JsonWriter w;
    w.beginObject().field("delivery_id", deliveryId).endObject();
    return std::move(w).take();
}

std::string encodeCancelAnswer(std::string_view message) {
    JsonWriter w;
    w.beginObject().field("success", true).field("status", "cancelled").field("message", message).endObject();
    return std::move(w).take();
}

std::string encodeDeletedAnswer(int deleted) {
    JsonWriter w;
    w.beginObject().field("deleted", deleted).endObject();
    return std::move(w).take();
}

std::string encodeProblem(int status, std::string_view title, const std::optional<std::string>& detail) {
    JsonWriter w;
    w.beginObject().field("type", "about:blank").field("title", title).field("status", status);
    if (detail) w.field("detail", *detail);
    w.endObject();
    return std::move(w).take();
}

std::string encodeDetail(std::string_view detail) {
    JsonWriter w;
    w.beginObject().field("detail", detail).endObject();
    return std::move(w).take();
}

std::string encodeValidationErrors(const std::vector<wire::ValidationError>& errors) {
    JsonWriter w;
    w.beginObject().key("detail").beginArray();
    for (const auto& e : errors) {
        w.beginObject().field("type", e.type).key("loc").beginArray();
        for (const auto& part : e.loc) {
            // Positions inside a body are numbers in FastAPI's loc.
            const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
            if (index)
                w.value(static_cast<int64_t>(std::stoll(part)));
            else
                w.value(part);
        }
        w.endArray().field("msg", e.msg).key("input").raw(e.inputJson);
        if (!e.ctxJson.empty()) w.key("ctx").raw(e.ctxJson);
        w.endObject();
    }
    w.endArray().endObject();
    return std::move(w).take();
}

void writeSystemStatusState(JsonWriter& w, const model::SystemStatus& status) {
    w.beginObject();
    writeSystemStatusKeys(w, status, nullptr);
    w.endObject();
}

}  // namespace genmon::protocol
