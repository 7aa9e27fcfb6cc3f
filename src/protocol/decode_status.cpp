// System status: GET /system/status (§2.1, §6.2) and the flat system_status message, whose
// fields decode_socket.cpp hands here. Lenient: a wrong field is ignored with a warning naming
// its path ("sdnext.available must be a boolean, got ..."); unknown keys pass through as raw JSON.
#include <cmath>

#include "protocol/decoders.hpp"

namespace genmon::protocol {

using namespace detail;

namespace {

constexpr const char* kBoolean = "a boolean";
constexpr const char* kInteger = "an integer";

// An integer, or a number rounded to one: memory figures may come as 410.5 MiB from other
// backends, and rounding beats dropping them.
Read statusInteger(Reader& rd, od::value& v, int64_t& out) {
    const Read r = rd.integer(v, out);
    if (r != Read::Wrong) return r;
    double d = 0;
    if (rd.number(v, d) != Read::Ok || std::fabs(d) > 9.2e18) return Read::Wrong;
    out = std::llround(d);
    return Read::Ok;
}

// A key whose null means something (§6.2: null clears it): absent stays nullopt, null gives
// an engaged nullopt, a value an engaged value.
template <class T, class F>
Read nullable(In& in, std::optional<std::optional<T>>& out, F&& readValue) {
    od::json_type t;
    const Read k = in.rd.kind(in.value, t);
    if (k == Read::Null) {
        out.emplace();
        return Read::Ok;
    }
    if (k != Read::Ok) return k;
    T value{};
    const Read r = readValue(value);
    if (r == Read::Ok) out.emplace(std::move(value));
    return r;
}

// A nested object that may also be null, read through its own table.
template <const auto& Table, class T>
Read nullableObject(In& in, std::optional<std::optional<T>>& out, std::string_view prefix) {
    od::object obj;
    const Read r = in.rd.object(in.value, obj);
    if (r == Read::Null) {
        out.emplace();
        return Read::Ok;
    }
    if (r != Read::Ok) return r;
    T value{};
    if (!in.core.readFields<Table>(obj, value, in.notes, prefix)) return Read::Broken;
    out.emplace(std::move(value));
    return Read::Ok;
}

// ---------------------------------------------------------------------------------------------
// Nested objects

using model::SdNextStatus;
constexpr auto kSdNextFields = fieldTable<SdNextStatus>({
    {"configured", Rule::Warn, kBoolean, [](In& in, SdNextStatus& s) { return in.boolean(s.configured); }},
    {"available", Rule::Warn, kBoolean, [](In& in, SdNextStatus& s) { return in.boolean(s.available); }},
    {"base_url", Rule::Warn, kStringOrNull, [](In& in, SdNextStatus& s) { return in.text(s.base_url); }},
    {"error", Rule::Warn, kStringOrNull, [](In& in, SdNextStatus& s) { return in.text(s.error); }},
    {"checked_at", Rule::Warn, kStringOrNull, [](In& in, SdNextStatus& s) { return in.text(s.checked_at); }},
});

using model::ImporterStatus;
constexpr auto kImporterFields = fieldTable<ImporterStatus>({
    {"import_path", Rule::Warn, kStringOrNull, [](In& in, ImporterStatus& s) { return in.text(s.import_path); }},
    {"last_ingested_at", Rule::Warn, kStringOrNull,
     [](In& in, ImporterStatus& s) { return in.text(s.last_ingested_at); }},
    {"recent_imports", Rule::Warn, kInteger,
     [](In& in, ImporterStatus& s) { return in.rd.integer(in.value, s.recent_imports); }},
    {"total_adapters", Rule::Warn, kInteger,
     [](In& in, ImporterStatus& s) { return in.rd.integer(in.value, s.total_adapters); }},
    {"stale", Rule::Warn, kBoolean, [](In& in, ImporterStatus& s) { return in.boolean(s.stale); }},
    {"stale_threshold_hours", Rule::Warn, kIntegerOrNull,
     [](In& in, ImporterStatus& s) { return in.integer(s.stale_threshold_hours); }},
});

using model::Recommendations;
constexpr auto kRecommendationFields = fieldTable<Recommendations>({
    {"models_loaded", Rule::Warn, kBoolean, [](In& in, Recommendations& s) { return in.boolean(s.models_loaded); }},
    {"gpu_available", Rule::Warn, kBoolean, [](In& in, Recommendations& s) { return in.boolean(s.gpu_available); }},
});

using model::QueueCounts;
constexpr auto kQueueCountFields = fieldTable<QueueCounts>({
    {"total", Rule::Warn, kInteger, [](In& in, QueueCounts& s) { return in.rd.integer(in.value, s.total); }},
    {"active", Rule::Warn, kInteger, [](In& in, QueueCounts& s) { return in.rd.integer(in.value, s.active); }},
    {"running", Rule::Warn, kInteger, [](In& in, QueueCounts& s) { return in.rd.integer(in.value, s.running); }},
    {"failed", Rule::Warn, kInteger, [](In& in, QueueCounts& s) { return in.rd.integer(in.value, s.failed); }},
});

using model::Thresholds;
constexpr auto kQueueThresholdFields = fieldTable<Thresholds>({
    {"active_warning", Rule::Warn, kIntegerOrNull,
     [](In& in, Thresholds& s) { return in.integer(s.queue_active_warning); }},
    {"failed_warning", Rule::Warn, kIntegerOrNull,
     [](In& in, Thresholds& s) { return in.integer(s.queue_failed_warning); }},
});
constexpr auto kImporterThresholdFields = fieldTable<Thresholds>({
    {"stale_hours", Rule::Warn, kIntegerOrNull,
     [](In& in, Thresholds& s) { return in.integer(s.importer_stale_hours); }},
});

// thresholds.queue and thresholds.importer; every other key must be an object too.
template <const auto& Table>
Read thresholdGroup(In& in, Thresholds& s, std::string_view prefix) {
    od::object inner;
    const Read r = in.rd.object(in.value, inner);
    if (r != Read::Ok) return r;
    return in.core.readFields<Table>(inner, s, in.notes, prefix) ? Read::Ok : Read::Broken;
}
constexpr auto kThresholdFields = fieldTable<Thresholds>(
    {
        {"queue", Rule::Warn, kObjectOrNull,
         [](In& in, Thresholds& s) { return thresholdGroup<kQueueThresholdFields>(in, s, "thresholds.queue."); }},
        {"importer", Rule::Warn, kObjectOrNull,
         [](In& in, Thresholds& s) { return thresholdGroup<kImporterThresholdFields>(in, s, "thresholds.importer."); }},
    },
    {"", Rule::Warn, kObjectOrNull, [](In& in, Thresholds&) {
         od::object ignored;
         return in.rd.object(in.value, ignored);
     }});

using model::GpuMetrics;
constexpr auto kGpuFields = fieldTable<GpuMetrics>({
    {"id", Rule::Warn, "a string or a number",
     [](In& in, GpuMetrics& g) {
         std::string_view text;
         const Read r = in.id(text);
         if (r == Read::Ok) setText(g.id, text);
         return r;
     }},
    {"name", Rule::Warn, kString, [](In& in, GpuMetrics& g) { return in.textTo(g.name); }},
    {"memory_total", Rule::Warn, kNumberOrNull, [](In& in, GpuMetrics& g) { return in.number(g.memory_total); }},
    {"memory_used", Rule::Warn, kNumberOrNull, [](In& in, GpuMetrics& g) { return in.number(g.memory_used); }},
    {"memory_percent", Rule::Warn, kNumberOrNull, [](In& in, GpuMetrics& g) { return in.number(g.memory_percent); }},
    {"temperature", Rule::Warn, kNumberOrNull, [](In& in, GpuMetrics& g) { return in.number(g.temperature); }},
    {"utilization", Rule::Warn, kNumberOrNull, [](In& in, GpuMetrics& g) { return in.number(g.utilization); }},
    {"fan_speed", Rule::Warn, kNumberOrNull, [](In& in, GpuMetrics& g) { return in.number(g.fan_speed); }},
    {"power_draw_watts", Rule::Warn, kNumberOrNull,
     [](In& in, GpuMetrics& g) { return in.number(g.power_draw_watts); }},
});

// metrics: the frontend's schema requires four numbers and gpus when it is present (§2.1).
struct MetricsEntry {
    model::SystemMetrics& m;
    bool haveCpu = false, haveMemPercent = false, haveMemUsed = false, haveMemTotal = false, haveGpus = false;
};

Read requiredNumber(In& in, double& out, bool& present) {
    const Read r = in.rd.number(in.value, out);
    present = present || r == Read::Ok;
    return r;
}

Read readGpus(In& in, MetricsEntry& e) {
    od::array gpus;
    const Read r = in.rd.array(in.value, gpus);
    if (r != Read::Ok) return r;
    e.haveGpus = true;
    size_t index = 0;
    for (auto elementResult : gpus) {
        od::value element;
        if (const error_code err = std::move(elementResult).get(element)) return in.rd.fail(err);
        const std::string name = "metrics.gpus[" + std::to_string(index++) + "]";
        od::object gpuObject;
        const Read g = in.rd.object(element, gpuObject);
        if (g == Read::Broken) return g;
        if (g != Read::Ok) {
            in.notes.ignored(in.rd.problem(name, "an object", element));
            continue;
        }
        model::GpuMetrics gpu;
        if (!in.core.readFields<kGpuFields>(gpuObject, gpu, in.notes, name + ".")) return Read::Broken;
        e.m.gpus.push_back(std::move(gpu));
    }
    return Read::Ok;
}

constexpr auto kMetricsFields = fieldTable<MetricsEntry>({
    {"cpu_percent", Rule::Warn, "a number",
     [](In& in, MetricsEntry& e) { return requiredNumber(in, e.m.cpu_percent, e.haveCpu); }},
    {"memory_percent", Rule::Warn, "a number",
     [](In& in, MetricsEntry& e) { return requiredNumber(in, e.m.memory_percent, e.haveMemPercent); }},
    {"memory_used", Rule::Warn, "a number",
     [](In& in, MetricsEntry& e) { return requiredNumber(in, e.m.memory_used, e.haveMemUsed); }},
    {"memory_total", Rule::Warn, "a number",
     [](In& in, MetricsEntry& e) { return requiredNumber(in, e.m.memory_total, e.haveMemTotal); }},
    {"disk_percent", Rule::Warn, kNumberOrNull, [](In& in, MetricsEntry& e) { return in.number(e.m.disk_percent); }},
    {"disk_used", Rule::Warn, kNumberOrNull, [](In& in, MetricsEntry& e) { return in.number(e.m.disk_used); }},
    {"disk_total", Rule::Warn, kNumberOrNull, [](In& in, MetricsEntry& e) { return in.number(e.m.disk_total); }},
    {"uptime_seconds", Rule::Warn, kIntegerOrNull,
     [](In& in, MetricsEntry& e) {
         int64_t up = 0;
         const Read r = statusInteger(in.rd, in.value, up);
         if (r == Read::Ok) e.m.uptime_seconds = up;
         return r;
     }},
    {"timestamp", Rule::Warn, kStringOrNull, [](In& in, MetricsEntry& e) { return in.text(e.m.timestamp); }},
    {"gpus", Rule::Warn, "an array", readGpus},
});

Read readMetrics(In& in, model::SystemStatusPatch& p) {
    od::object obj;
    const Read r = in.rd.object(in.value, obj);
    if (r != Read::Ok) return r;
    MetricsEntry e{p.metrics.emplace()};
    if (!in.core.readFields<kMetricsFields>(obj, e, in.notes, "metrics.")) return Read::Broken;
    // The frontend's schema requires these when metrics is present; they are kept as 0.
    for (auto [present, name] : {std::pair{e.haveCpu, "cpu_percent"}, std::pair{e.haveMemPercent, "memory_percent"},
                                 std::pair{e.haveMemUsed, "memory_used"}, std::pair{e.haveMemTotal, "memory_total"},
                                 std::pair{e.haveGpus, "gpus"}})
        if (!present) in.notes.add(std::string("metrics.") + name + " is missing; shown as 0");
    return Read::Ok;
}

Read readWarnings(In& in, model::SystemStatusPatch& p) {
    od::array list;
    const Read r = in.rd.array(in.value, list);
    if (r == Read::Null) {
        p.warnings.emplace();  // null: no warnings
        return Read::Ok;
    }
    if (r != Read::Ok) return r;
    p.warnings.emplace();
    size_t index = 0;
    for (auto elementResult : list) {
        od::value element;
        if (const error_code e = std::move(elementResult).get(element)) return in.rd.fail(e);
        std::string_view text;
        const Read w = in.rd.string(element, text);
        if (w == Read::Broken) return w;
        if (w == Read::Ok)
            p.warnings->emplace_back(text);
        else
            in.notes.ignored(in.rd.problem("warnings[" + std::to_string(index) + "]", "a string", element));
        ++index;
    }
    return Read::Ok;
}

// Unknown keys pass through (§2.1), minified, under their unescaped name.
Read passThrough(In& in, model::SystemStatusPatch& p) {
    std::string_view name;
    if (const error_code e = in.field.unescaped_key().get(name)) return in.rd.fail(e);
    std::string key(name);
    std::string_view text;
    if (!in.core.minified(in.value, text)) {
        if (in.rd.broken) return Read::Broken;
        in.notes.ignored(key + " is not valid JSON");
        return Read::Ok;
    }
    using Extra = decltype(p.extra);
    p.extra.insert_or_assign(typename Extra::key_type(key), typename Extra::mapped_type(text));
    return Read::Ok;
}

// ---------------------------------------------------------------------------------------------
// The status object

using Patch = model::SystemStatusPatch;

template <std::optional<int64_t> Patch::*Member>
Read statusIntegerField(In& in, Patch& p) {
    int64_t i = 0;
    const Read r = statusInteger(in.rd, in.value, i);
    if (r == Read::Ok) p.*Member = i;
    return r;
}

// In the order the backend writes them (§2.1); every other key passes through.
constexpr auto kStatusFields = fieldTable<Patch>(
    {
        {"gpu_available", Rule::Warn, kBoolean,
         [](In& in, Patch& p) {
             bool b = false;
             const Read r = in.boolean(b);
             if (r == Read::Ok) p.gpu_available = b;
             return r;
         }},
        {"queue_length", Rule::Warn, kInteger, statusIntegerField<&Patch::queue_length>},
        {"status", Rule::Warn, kString, [](In& in, Patch& p) { return in.text(p.status); }},
        {"gpu_status", Rule::Warn, kString, [](In& in, Patch& p) { return in.text(p.gpu_status); }},
        {"memory_used", Rule::Warn, kInteger, statusIntegerField<&Patch::memory_used>},
        {"memory_total", Rule::Warn, kInteger, statusIntegerField<&Patch::memory_total>},
        {"active_workers", Rule::Warn, kIntegerOrNull,
         [](In& in, Patch& p) {
             return nullable(in, p.active_workers, [&](int64_t& out) { return statusInteger(in.rd, in.value, out); });
         }},
        {"backend", Rule::Warn, kStringOrNull,
         [](In& in, Patch& p) { return nullable(in, p.backend, [&](std::string& out) { return in.textTo(out); }); }},
        {"queue_eta_seconds", Rule::Warn, kNumberOrNull,
         [](In& in, Patch& p) {
             return nullable(in, p.queue_eta_seconds, [&](double& out) { return in.rd.number(in.value, out); });
         }},
        {"last_updated", Rule::Warn, kStringOrNull,
         [](In& in, Patch& p) {
             return nullable(in, p.last_updated, [&](std::string& out) { return in.textTo(out); });
         }},
        {"warnings", Rule::Warn, "an array of strings", readWarnings},
        {"metrics", Rule::Warn, kObjectOrNull, readMetrics},
        {"message", Rule::Warn, kString, [](In& in, Patch& p) { return in.text(p.message); }},
        {"updated_at", Rule::Warn, kString, [](In& in, Patch& p) { return in.text(p.updated_at); }},
        {"sdnext", Rule::Warn, kObjectOrNull,
         [](In& in, Patch& p) { return nullableObject<kSdNextFields>(in, p.sdnext, "sdnext."); }},
        {"importer", Rule::Warn, kObjectOrNull,
         [](In& in, Patch& p) { return nullableObject<kImporterFields>(in, p.importer, "importer."); }},
        {"recommendations", Rule::Warn, kObjectOrNull,
         [](In& in, Patch& p) {
             return nullableObject<kRecommendationFields>(in, p.recommendations, "recommendations.");
         }},
        {"queue", Rule::Warn, kObjectOrNull,
         [](In& in, Patch& p) { return nullableObject<kQueueCountFields>(in, p.queue, "queue."); }},
        {"thresholds", Rule::Warn, kObjectOrNull,
         [](In& in, Patch& p) { return nullableObject<kThresholdFields>(in, p.thresholds, "thresholds."); }},
        {"type", Rule::Warn, kString, [](In& in, Patch& p) { return in.text(p.type); }},
    },
    {"", Rule::Quiet, "", passThrough});

}  // namespace

namespace detail {

bool readSystemStatus(ReaderCore& core, od::object& obj, model::SystemStatusPatch& patch,
                      std::vector<std::string>& warnings) {
    const Notes notes{warnings, core.droppedWarnings, "system status"};
    return core.readFields<kStatusFields>(obj, patch, notes);
}

}  // namespace detail

model::Outcome<Decoded<model::SystemStatusPatch>> Decoder::systemStatus(const std::string& body) {
    using Out = Decoded<model::SystemStatusPatch>;
    Impl& core = *impl_;
    constexpr std::string_view what = "system status";
    return core.run<Out>(body, what, [&](od::document& doc) -> model::Outcome<Out> {
        Out out;
        od::object obj;
        std::string problem;
        if (!core.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        if (!readSystemStatus(core, obj, out.value, out.warnings)) return decodeError({});
        return out;
    });
}

}  // namespace genmon::protocol
