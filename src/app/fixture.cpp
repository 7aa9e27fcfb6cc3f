#include "app/fixture.hpp"

#include <simdjson.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "model/names.hpp"
#include "orchestrator/queue_module.hpp"
#include "orchestrator/results_module.hpp"
#include "orchestrator/system_status_module.hpp"
#include "protocol/decode.hpp"
#include "protocol/image_codec.hpp"
#include "sim/images.hpp"

namespace genmon::app {

using model::Error;
using model::ErrorKind;
using simdjson::dom::element;

namespace {

Error bad(const std::string& what) { return Error::make(ErrorKind::Decode, "fixture: " + what); }

// Optional scalar fields: absent keeps the default; a wrong type is an error naming the field.
template <class T>
std::optional<Error> read(element obj, const char* key, T& out, const std::string& where) {
    element v;
    if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    if constexpr (std::is_same_v<T, bool>) {
        if (v.get(out) != simdjson::SUCCESS) return bad(where + key + " must be true or false");
    } else if constexpr (std::is_same_v<T, std::string>) {
        std::string_view s;
        if (v.get(s) != simdjson::SUCCESS) return bad(where + key + " must be a string");
        out = std::string(s);
    } else if constexpr (std::is_integral_v<T>) {
        int64_t n;
        if (v.get(n) != simdjson::SUCCESS) return bad(where + key + " must be an integer");
        out = static_cast<T>(n);
    } else {
        double d;
        if (v.get(d) != simdjson::SUCCESS) return bad(where + key + " must be a number");
        out = static_cast<T>(d);
    }
    return std::nullopt;
}

#define FIXTURE_READ(obj, key, out, where) \
    if (auto readError_ = read(obj, key, out, where)) return *readError_

// Deterministic jobs for large-queue fixtures (splitmix64: the same count and seed give the
// same queue on every machine).
uint64_t splitmix(uint64_t& s) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::vector<model::Job> syntheticJobs(size_t count, uint64_t seed, int64_t now) {
    static const char* kSubjects[] = {"a lighthouse at dusk", "a red fox in snow", "an astronaut cat", "a koi pond",
                                      "a neon city street", "a mountain cabin", "a paper boat", "a desert caravan"};
    static const char* kStyles[] = {"watercolor", "35mm film", "oil painting", "isometric", "studio light", "ukiyo-e"};
    std::vector<model::Job> jobs;
    jobs.reserve(count);
    uint64_t s = seed;
    for (size_t i = 0; i < count; ++i) {
        model::Job j;
        // A uuid-shaped id whose first characters differ from row to row (the queue shows the
        // first 8), unique through the index in its last group.
        uint64_t idState = seed * 0x100000001B3ull + i;
        const uint64_t h = splitmix(idState);
        char id[48];  // 36 characters, but GCC with -fsanitize cannot prove the groups stay in range
        std::snprintf(id, sizeof id, "%08llx-%04llx-4%03llx-%04llx-%012llx", static_cast<unsigned long long>(h >> 32),
                      static_cast<unsigned long long>((h >> 16) & 0xffff), static_cast<unsigned long long>((h >> 4) & 0xfff),
                      static_cast<unsigned long long>(0x8000 | ((h >> 40) & 0x3fff)), static_cast<unsigned long long>(i));
        j.uiId = j.backendId = model::Text(id);
        const uint64_t r = splitmix(s);
        const unsigned roll = static_cast<unsigned>(r % 100);
        j.status = roll < 4 ? model::JobStatus::Processing
                   : roll < 94 ? model::JobStatus::Queued
                   : roll < 97 ? model::JobStatus::Completed
                               : model::JobStatus::Failed;
        j.progress = j.status == model::JobStatus::Processing ? static_cast<uint8_t>((r >> 8) % 100)
                     : j.status == model::JobStatus::Completed ? 100 : 0;
        std::string prompt = std::string(kSubjects[(r >> 16) % 8]) + ", " + kStyles[(r >> 24) % 6] + " #" + std::to_string(i);
        j.prompt = model::Text(prompt);
        j.created_at = model::Timestamp::fromMicros(now - static_cast<int64_t>(count - i) * 700'000);
        j.startTime = j.created_at;
        if (j.status == model::JobStatus::Processing) {
            j.current_step = j.progress / 5;
            j.total_steps = 20;
        }
        if (j.status == model::JobStatus::Failed) j.error = model::Text("SDNext API not available");
        j.receivedMicros = now;
        jobs.push_back(std::move(j));
    }
    return jobs;
}

model::Outcome<model::ImagePtr> proceduralThumbnail(int64_t seed, std::string_view prompt) {
    const auto png = sim::renderPng(seed, prompt, 256);
    auto img = protocol::decodeThumbnail(png.data(), png.size(), protocol::ImageLimits{}, model::kThumbnailMaxSide);
    if (!img) return img.error();
    return std::make_shared<const model::Image>(std::move(img).value());
}

std::optional<Error> parseUi(element ui, Fixture& f) {
    ui::UiState& st = f.ui;
    element panels;
    if (ui["panels"].get(panels) == simdjson::SUCCESS) {
        FIXTURE_READ(panels, "queue", st.showQueue, "ui.panels.");
        FIXTURE_READ(panels, "results", st.showResults, "ui.panels.");
        FIXTURE_READ(panels, "system", st.showSystem, "ui.panels.");
        FIXTURE_READ(panels, "detail", st.showDetail, "ui.panels.");
        FIXTURE_READ(panels, "generate", st.showGenerate, "ui.panels.");
        FIXTURE_READ(panels, "help", st.showHelp, "ui.panels.");
        FIXTURE_READ(panels, "about", st.showAbout, "ui.panels.");
        FIXTURE_READ(panels, "inspector", st.showInspector, "ui.panels.");
        FIXTURE_READ(panels, "metrics", st.showMetrics, "ui.panels.");
        FIXTURE_READ(panels, "timeline", st.showTimeline, "ui.panels.");
        FIXTURE_READ(panels, "notifications", st.showNotifications, "ui.panels.");
    }
    element timeline;  // issue 10: the timeline's window, Live, and where a panned view ends
    if (ui["timeline"].get(timeline) == simdjson::SUCCESS) {
        FIXTURE_READ(timeline, "minutes", st.timelineWindowMinutes, "ui.timeline.");
        if (st.timelineWindowMinutes != 1 && st.timelineWindowMinutes != 5 && st.timelineWindowMinutes != 10 &&
            st.timelineWindowMinutes != 30 && st.timelineWindowMinutes != 60)
            return bad("ui.timeline.minutes must be 1, 5, 10, 30 or 60");
        st.timelineSpanSeconds = st.timelineWindowMinutes * 60.0;
        FIXTURE_READ(timeline, "live", st.timelineLive, "ui.timeline.");
        double endAgo = 0;
        FIXTURE_READ(timeline, "endSecondsAgo", endAgo, "ui.timeline.");
        st.timelineEndMicros = f.nowMicros - static_cast<int64_t>(endAgo * 1e6);
    }
    std::string theme = "dark", mode = "grid", focus = "queue";
    FIXTURE_READ(ui, "theme", theme, "ui.");
    if (theme != "dark" && theme != "light") return bad("ui.theme must be \"dark\" or \"light\"");
    st.theme = theme == "light" ? ui::ThemeKind::Light : ui::ThemeKind::Dark;
    FIXTURE_READ(ui, "resultsMode", mode, "ui.");
    if (mode != "grid" && mode != "list") return bad("ui.resultsMode must be \"grid\" or \"list\"");
    st.resultsMode = mode == "list" ? ui::ResultsMode::List : ui::ResultsMode::Grid;
    FIXTURE_READ(ui, "focus", focus, "ui.");
    st.focus = focus == "results" ? ui::Panel::Results : ui::Panel::Queue;
    FIXTURE_READ(ui, "filter", st.filter, "ui.");
    FIXTURE_READ(ui, "cursor", st.cursorJob, "ui.");
    FIXTURE_READ(ui, "detail", st.detailJob, "ui.");
    FIXTURE_READ(ui, "selectedResult", st.selectedResult, "ui.");
    FIXTURE_READ(ui, "queueScroll", st.queueScrollFraction, "ui.");
    FIXTURE_READ(ui, "historyLimit", st.historyLimit, "ui.");
    FIXTURE_READ(ui, "inspectorSelected", st.inspectorSelected, "ui.");  // 1-based, in "exchanges"
    FIXTURE_READ(ui, "metricsWindow", st.metricsWindowMinutes, "ui.");
    if (st.metricsWindowMinutes != 1 && st.metricsWindowMinutes != 5 && st.metricsWindowMinutes != 10)
        return bad("ui.metricsWindow must be 1, 5 or 10 (minutes)");
    simdjson::dom::array selected;
    if (ui["selected"].get(selected) == simdjson::SUCCESS)
        for (element id : selected) {
            std::string_view s;
            if (id.get(s) != simdjson::SUCCESS) return bad("ui.selected must be a list of job ids");
            st.selectedJobs.insert(std::string(s));
        }
    element gen;
    if (ui["generate"].get(gen) == simdjson::SUCCESS) {
        FIXTURE_READ(gen, "prompt", st.generate.prompt, "ui.generate.");
        FIXTURE_READ(gen, "negativePrompt", st.generate.negativePrompt, "ui.generate.");
        FIXTURE_READ(gen, "error", st.generate.error, "ui.generate.");
    }
    element confirm;
    if (ui["confirm"].get(confirm) == simdjson::SUCCESS) {
        std::string kind;
        FIXTURE_READ(confirm, "kind", kind, "ui.confirm.");
        FIXTURE_READ(confirm, "what", st.confirm.what, "ui.confirm.");
        st.confirm.kind = kind == "cancel"        ? ui::Confirmation::Kind::CancelJobs
                          : kind == "clear-queue" ? ui::Confirmation::Kind::ClearQueue
                          : kind == "delete"      ? ui::Confirmation::Kind::DeleteResult
                                                  : ui::Confirmation::Kind::None;
    }
    simdjson::dom::array toasts;
    if (ui["toasts"].get(toasts) == simdjson::SUCCESS) {
        size_t i = 0;
        for (element t : toasts) {
            const std::string where = "ui.toasts[" + std::to_string(i++) + "].";
            std::string kind = "info";
            double age = 0;
            orchestrator::Event e;
            FIXTURE_READ(t, "kind", kind, where);
            FIXTURE_READ(t, "message", e.message, where);
            FIXTURE_READ(t, "detail", e.detail, where);
            FIXTURE_READ(t, "ageSeconds", age, where);
            e.kind = kind == "error"     ? orchestrator::NotificationKind::Error
                     : kind == "warning" ? orchestrator::NotificationKind::Warning
                     : kind == "success" ? orchestrator::NotificationKind::Success
                                         : orchestrator::NotificationKind::Info;
            e.atMicros = f.nowMicros - static_cast<int64_t>(age * 1e6);
            f.events.push_back(std::move(e));
        }
    }
    return std::nullopt;
}

// One value a second, oldest first; null is a second without a value. Absent: an empty list.
std::optional<Error> readSeconds(element obj, const char* key, const std::string& where, std::vector<double>& out) {
    element v;
    if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    simdjson::dom::array arr;
    if (v.get(arr) != simdjson::SUCCESS) return bad(where + key + " must be a list of numbers (null: no value that second)");
    if (arr.size() > orchestrator::kMetricSeconds)
        return bad(where + key + " holds at most " + std::to_string(orchestrator::kMetricSeconds) + " seconds");
    for (element x : arr) {
        double d = 0;
        if (x.is_null())
            out.push_back(std::numeric_limits<double>::quiet_NaN());
        else if (x.get(d) != simdjson::SUCCESS)
            return bad(where + key + " must be a list of numbers (null: no value that second)");
        else
            out.push_back(d);
    }
    return std::nullopt;
}

// "metrics": the live metrics series as the worker would have sampled them, and the UI's own
// frame times (issue 10; docs/fixtures.md).
std::optional<Error> parseMetrics(element metrics, Fixture& f, orchestrator::Snapshot& snap) {
    using orchestrator::Metric;
    if (!metrics.is_object()) return bad("metrics must be an object");
    double newestAgo = 0;
    FIXTURE_READ(metrics, "newestSecondsAgo", newestAgo, "metrics.");
    const int64_t newest = f.nowMicros - static_cast<int64_t>(newestAgo * 1e6);
    auto series = std::make_shared<orchestrator::MetricsSeries>();
    series->newestSampleMicros = newest;
    element named;
    if (metrics["series"].get(named) == simdjson::SUCCESS) {
        static constexpr std::pair<const char*, Metric> kKeys[] = {
            {"queueDepth", Metric::QueueDepth},
            {"jobsPerMinute", Metric::JobsPerMinute},
            {"durationP50", Metric::DurationP50Seconds},
            {"durationP95", Metric::DurationP95Seconds},
            {"wsMessagesPerSecond", Metric::WsMessagesPerSecond},
            {"parseMillisPerSecond", Metric::ParseMillisPerSecond},
            {"snapshotAgeSeconds", Metric::SnapshotAgeSeconds},
            {"reconnects", Metric::Reconnects},
        };
        for (const auto& [key, which] : kKeys) {
            std::vector<double> values;
            if (auto e = readSeconds(named, key, "metrics.series.", values)) return e;
            for (double v : values) (*series)[which].push(v);
        }
    }
    // Totals since start: by default what the series hold.
    auto sum = [&](Metric which) {
        double total = 0;
        for (size_t a = 0; a < (*series)[which].size(); ++a)
            if (!std::isnan((*series)[which].ago(a))) total += (*series)[which].ago(a);
        return static_cast<uint64_t>(std::llround(total));
    };
    series->wsMessagesTotal = sum(Metric::WsMessagesPerSecond);
    series->reconnectsTotal = sum(Metric::Reconnects);
    element totals;
    if (metrics["totals"].get(totals) == simdjson::SUCCESS) {
        FIXTURE_READ(totals, "messages", series->wsMessagesTotal, "metrics.totals.");
        FIXTURE_READ(totals, "completions", series->completionsTotal, "metrics.totals.");
        FIXTURE_READ(totals, "reconnects", series->reconnectsTotal, "metrics.totals.");
    }
    snap.metrics = std::move(series);
    std::vector<double> frames;
    if (auto e = readSeconds(metrics, "uiFrameMillis", "metrics.", frames)) return e;
    if (!frames.empty()) f.ui.frameTimes.assign(frames, newest);
    return std::nullopt;
}

// "exchanges": the Inspector's rows, oldest first, as the transport would have logged them
// (issue 10; docs/fixtures.md). They go through a real ExchangeLog: previews are cut as live.
std::optional<Error> parseExchanges(element list, Fixture& f) {
    simdjson::dom::array arr;
    if (list.get(arr) != simdjson::SUCCESS) return bad("exchanges must be a list");
    f.exchanges = std::make_shared<orchestrator::ExchangeLog>();
    size_t i = 0;
    for (element x : arr) {
        const std::string where = "exchanges[" + std::to_string(i++) + "].";
        orchestrator::Exchange e;
        std::string direction = "response", requestBody, responseBody;
        double ago = 0;
        int64_t bytes = -1;
        FIXTURE_READ(x, "secondsAgo", ago, where);
        FIXTURE_READ(x, "direction", direction, where);
        FIXTURE_READ(x, "method", e.method, where);
        FIXTURE_READ(x, "target", e.target, where);
        FIXTURE_READ(x, "status", e.status, where);
        FIXTURE_READ(x, "ms", e.millis, where);
        FIXTURE_READ(x, "bytes", bytes, where);
        FIXTURE_READ(x, "attempt", e.attempt, where);
        FIXTURE_READ(x, "error", e.error, where);
        FIXTURE_READ(x, "requestHeaders", e.requestHeaders, where);
        FIXTURE_READ(x, "requestBody", requestBody, where);
        FIXTURE_READ(x, "responseBody", responseBody, where);
        FIXTURE_READ(x, "wsEvent", e.wsEvent, where);
        bool found = false;
        for (auto d : {orchestrator::Direction::Request, orchestrator::Direction::Response, orchestrator::Direction::WsIn,
                       orchestrator::Direction::WsOut, orchestrator::Direction::WsEvent})
            if (direction == orchestrator::directionName(d)) {
                e.direction = d;
                found = true;
            }
        if (!found) return bad(where + "direction must be request, response, ws in, ws out or ws event");
        if (e.method.empty()) e.method = e.direction >= orchestrator::Direction::WsIn ? "WS" : "GET";
        e.atMicros = f.nowMicros - static_cast<int64_t>(ago * 1e6);
        // "bytes": the size the wire had, when the fixture holds only the start of a body.
        e.bytes = bytes >= 0 ? static_cast<size_t>(bytes) : responseBody.size();
        f.exchanges->add(std::move(e), requestBody, responseBody);
    }
    return std::nullopt;
}

}  // namespace

namespace {
// Issue 10: "history" (jobs that left the queue, for the timeline; completed runs also teach the
// ETA estimator, as the worker's would) and "etaSamples" (more finished runs, by key).
std::optional<Error> parseLifecycles(element root, int64_t now, orchestrator::Snapshot& snap) {
    orchestrator::JobHistoryLog log;
    orchestrator::EtaEstimator eta;
    bool any = false;
    simdjson::dom::array history;
    if (root["history"].get(history) == simdjson::SUCCESS) {
        any = true;
        size_t i = 0;
        for (element h : history) {
            const std::string where = "history[" + std::to_string(i++) + "].";
            std::string id, prompt, outcome = "completed", error, sampler;
            double queuedAgo = -1, startedAgo = -1, finishedAgo = -1;
            int width = 0, height = 0, steps = 0;
            FIXTURE_READ(h, "id", id, where);
            FIXTURE_READ(h, "prompt", prompt, where);
            FIXTURE_READ(h, "outcome", outcome, where);
            FIXTURE_READ(h, "error", error, where);
            FIXTURE_READ(h, "queuedSecondsAgo", queuedAgo, where);
            FIXTURE_READ(h, "startedSecondsAgo", startedAgo, where);
            FIXTURE_READ(h, "finishedSecondsAgo", finishedAgo, where);
            FIXTURE_READ(h, "sampler", sampler, where);
            FIXTURE_READ(h, "width", width, where);
            FIXTURE_READ(h, "height", height, where);
            FIXTURE_READ(h, "steps", steps, where);
            if (id.empty()) return bad(where + "id is required");
            if (finishedAgo < 0) return bad(where + "finishedSecondsAgo is required");
            orchestrator::JobLifecycle e;
            if (outcome == "completed")
                e.outcome = orchestrator::JobOutcome::Completed;
            else if (outcome == "failed")
                e.outcome = orchestrator::JobOutcome::Failed;
            else if (outcome == "cancelled")
                e.outcome = orchestrator::JobOutcome::Cancelled;
            else if (outcome == "vanished")
                e.outcome = orchestrator::JobOutcome::Vanished;
            else
                return bad(where + "outcome must be completed, failed, cancelled or vanished");
            auto at = [now](double ago) { return now - static_cast<int64_t>(ago * 1e6); };
            e.finishedAtMicros = at(finishedAgo);
            e.startedAtMicros = startedAgo >= 0 ? at(startedAgo) : 0;
            e.startObserved = startedAgo >= 0;
            e.queuedAtMicros = queuedAgo >= 0 ? at(queuedAgo) : e.startedAtMicros > 0 ? e.startedAtMicros : e.finishedAtMicros;
            if (e.startedAtMicros > e.finishedAtMicros || e.queuedAtMicros > (e.startedAtMicros > 0 ? e.startedAtMicros : e.finishedAtMicros))
                return bad(where + "times must go queued <= started <= finished");
            model::Job j;
            j.uiId = j.backendId = model::Text(id);
            j.status = e.outcome == orchestrator::JobOutcome::Failed ? model::JobStatus::Failed : model::JobStatus::Completed;
            if (!prompt.empty()) j.prompt = model::Text(prompt);
            if (!error.empty()) j.error = e.error = model::Text(error);
            model::GenerationParams p;
            if (!prompt.empty()) p.prompt = j.prompt;
            if (!sampler.empty()) p.sampler_name = model::Text(sampler);
            if (width > 0) p.width = width;
            if (height > 0) p.height = height;
            if (steps > 0) p.steps = steps;
            j.params = p;
            j.created_at = model::Timestamp::fromMicros(e.queuedAtMicros);
            j.finished_at = model::Timestamp::fromMicros(e.finishedAtMicros);
            e.job = std::make_shared<const model::Job>(std::move(j));
            if (e.outcome == orchestrator::JobOutcome::Completed && e.startedAtMicros > 0)
                e.learned = eta.learn(orchestrator::etaKeyOf(*e.job),
                                      static_cast<double>(e.finishedAtMicros - e.startedAtMicros) / 1e6);
            log.append(std::move(e), now);
        }
    }
    simdjson::dom::array samples;
    if (root["etaSamples"].get(samples) == simdjson::SUCCESS) {
        any = true;
        size_t i = 0;
        for (element s : samples) {
            const std::string where = "etaSamples[" + std::to_string(i++) + "].";
            orchestrator::EtaKey key;
            double seconds = 0;
            int count = 1;
            FIXTURE_READ(s, "sampler", key.sampler, where);
            FIXTURE_READ(s, "width", key.width, where);
            FIXTURE_READ(s, "height", key.height, where);
            FIXTURE_READ(s, "steps", key.steps, where);
            FIXTURE_READ(s, "seconds", seconds, where);
            FIXTURE_READ(s, "count", count, where);
            if (key.steps <= 0 || !(seconds > 0) || count < 1 || count > 1000)
                return bad(where + "needs steps > 0, seconds > 0 and count between 1 and 1000");
            for (int k = 0; k < count; ++k) eta.learn(key, seconds);
        }
    }
    if (any) {
        snap.jobHistory = log.view();
        snap.etaModel = eta.model();
    }
    return std::nullopt;
}
}  // namespace

model::Outcome<Fixture> parseFixture(const std::string& json) {
    simdjson::dom::parser parser;
    element root;
    if (auto err = parser.parse(json).get(root); err != simdjson::SUCCESS)
        return bad(std::string("not valid JSON (") + simdjson::error_message(err) + ")");
    if (!root.is_object()) return bad("the top level must be an object");
    int64_t version = 0;
    FIXTURE_READ(root, "genmon_fixture", version, "");
    if (version == 0) return bad("missing \"genmon_fixture\": 1 (the format version)");
    if (version > kFixtureVersion)
        return bad("version " + std::to_string(version) + " is newer than this genmon understands (" +
                   std::to_string(kFixtureVersion) + ")");

    Fixture f;
    std::string now;
    FIXTURE_READ(root, "now", now, "");
    const auto nowTs = model::Timestamp::parse(now);
    if (!nowTs.valid) return bad("\"now\" must be an ISO-8601 time, e.g. \"2026-11-26T12:00:00Z\"");
    f.nowMicros = nowTs.micros;
    simdjson::dom::array size;
    if (root["size"].get(size) == simdjson::SUCCESS) {
        int64_t w = 0, h = 0;
        if (size.size() != 2 || size.at(0).get(w) || size.at(1).get(h) || w < 320 || h < 240 || w > 8192 || h > 8192)
            return bad("\"size\" must be [width, height] between 320x240 and 8192x8192");
        f.width = static_cast<int>(w);
        f.height = static_cast<int>(h);
    }

    auto snap = std::make_shared<orchestrator::Snapshot>();
    snap->version = 1;
    snap->builtAtMicros = f.nowMicros;
    element backend;
    if (root["backend"].get(backend) == simdjson::SUCCESS) {
        FIXTURE_READ(backend, "url", snap->backendUrl, "backend.");
        FIXTURE_READ(backend, "simulated", snap->simulatedBackend, "backend.");
        FIXTURE_READ(backend, "insecure", snap->insecureTls, "backend.");
    }
    element conn;
    if (root["connection"].get(conn) == simdjson::SUCCESS) {
        std::string phase = "idle";
        double retryIn = 0, connectedAgo = -1, initRetryIn = 0;
        FIXTURE_READ(conn, "phase", phase, "connection.");
        const auto p = model::phaseFromName(phase);
        if (!p) return bad("connection.phase must be idle, connecting, connected, reconnecting, disconnected or paused");
        snap->connection.phase = *p;
        FIXTURE_READ(conn, "lastError", snap->connection.lastError, "connection.");
        FIXTURE_READ(conn, "reconnectAttempt", snap->connection.reconnectAttempt, "connection.");
        FIXTURE_READ(conn, "retryInSeconds", retryIn, "connection.");
        FIXTURE_READ(conn, "connectedSecondsAgo", connectedAgo, "connection.");
        FIXTURE_READ(conn, "initRetryInSeconds", initRetryIn, "connection.");
        if (initRetryIn > 0) f.initRetryAtMicros = f.nowMicros + static_cast<int64_t>(initRetryIn * 1e6);
        if (retryIn > 0) snap->connection.nextRetryAtMicros = f.nowMicros + static_cast<int64_t>(retryIn * 1e6);
        if (connectedAgo >= 0) snap->connection.lastConnectedAtMicros = f.nowMicros - static_cast<int64_t>(connectedAgo * 1e6);
    }
    snap->isConnected = snap->connection.phase == orchestrator::ConnectionPhase::Connected;
    snap->isActive = snap->queueManagerActive = snap->connection.phase != orchestrator::ConnectionPhase::Idle;
    FIXTURE_READ(root, "isActive", snap->isActive, "");
    FIXTURE_READ(root, "lastRefreshError", snap->lastRefreshError, "");
    FIXTURE_READ(root, "serverQueueLength", snap->serverQueueLength, "");
    FIXTURE_READ(root, "jobsPerMinute", snap->jobsPerMinute, "");
    FIXTURE_READ(root, "pollIntervalMs", snap->pollIntervalMs, "");
    // When each kind of data arrived: "now" unless ageSeconds says how old it is.
    int64_t jobsReceivedAt = f.nowMicros, resultsReceivedAt = f.nowMicros, statusAgeMicros = -1;
    element age;
    if (root["ageSeconds"].get(age) == simdjson::SUCCESS) {
        double jobs = -1, status = -1, results = -1;
        FIXTURE_READ(age, "jobs", jobs, "ageSeconds.");
        FIXTURE_READ(age, "status", status, "ageSeconds.");
        FIXTURE_READ(age, "results", results, "ageSeconds.");
        auto at = [&](double s) { return s < 0 ? int64_t{0} : f.nowMicros - static_cast<int64_t>(s * 1e6); };
        snap->jobsUpdatedAtMicros = at(jobs);
        snap->statusUpdatedAtMicros = at(status);
        snap->resultsUpdatedAtMicros = at(results);
        if (jobs >= 0) jobsReceivedAt = at(jobs);
        if (results >= 0) resultsReceivedAt = at(results);
        if (status >= 0) statusAgeMicros = static_cast<int64_t>(status * 1e6);
    }

    protocol::Decoder decoder;
    // Jobs: the /jobs/active shape, plus optional synthetic ones for large queues.
    std::vector<model::Job> jobs;
    element jobsEl;
    if (root["jobs"].get(jobsEl) == simdjson::SUCCESS) {
        auto decoded = decoder.activeJobs(simdjson::to_string(jobsEl), jobsReceivedAt);
        if (!decoded) return bad("jobs: " + decoded.error().message);
        if (!decoded->warnings.empty()) return bad("jobs: " + decoded->warnings.front());
        jobs = std::move(decoded->value);
    }
    element synth;
    if (root["syntheticJobs"].get(synth) == simdjson::SUCCESS) {
        int64_t count = 0, seed = 1;
        FIXTURE_READ(synth, "count", count, "syntheticJobs.");
        FIXTURE_READ(synth, "seed", seed, "syntheticJobs.");
        if (count < 0 || count > 1'000'000) return bad("syntheticJobs.count must be between 0 and 1000000");
        auto more = syntheticJobs(static_cast<size_t>(count), static_cast<uint64_t>(seed), f.nowMicros);
        for (auto& j : more) j.receivedMicros = jobsReceivedAt;
        jobs.insert(jobs.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    }
    // Optimistic markers and local fields the server payload has no words for.
    simdjson::dom::array extras;
    if (root["jobExtras"].get(extras) == simdjson::SUCCESS)
        for (element x : extras) {
            std::string id;
            FIXTURE_READ(x, "id", id, "jobExtras.");
            for (auto& j : jobs)
                if (j.uiId == id) {
                    FIXTURE_READ(x, "optimistic", j.optimistic, "jobExtras.");
                    int step = -1, total = -1;
                    double eta = -1;
                    FIXTURE_READ(x, "current_step", step, "jobExtras.");
                    FIXTURE_READ(x, "total_steps", total, "jobExtras.");
                    FIXTURE_READ(x, "eta_seconds", eta, "jobExtras.");
                    if (step >= 0) j.current_step = step;
                    if (total >= 0) j.total_steps = total;
                    if (eta >= 0) j.eta_seconds = eta;
                }
        }
    orchestrator::QueueModule queue;
    queue.setJobs(std::move(jobs), f.nowMicros);

    // Results: the /results shape; "image_url": "procedural" draws the sim's picture for it.
    orchestrator::ResultsModule results;
    int64_t historyLimit = 10;
    FIXTURE_READ(root, "historyLimit", historyLimit, "");
    results.setHistoryLimit(static_cast<double>(historyLimit));
    element resultsEl;
    if (root["results"].get(resultsEl) == simdjson::SUCCESS) {
        simdjson::dom::array arr;
        if (resultsEl.get(arr) != simdjson::SUCCESS) return bad("results must be a list");
        auto decoded = decoder.results(simdjson::to_string(resultsEl), resultsReceivedAt);
        if (!decoded) return bad("results: " + decoded.error().message);
        std::vector<model::ResultPtr> list;
        size_t i = 0;
        for (element raw : arr) {
            if (i >= decoded->value.size()) break;
            auto r = decoded->value[i].result;
            std::string_view imageUrl, imageState;
            if (raw["image_state"].get(imageState) == simdjson::SUCCESS) {
                // "ready" needs a picture, which only "procedural" below gives.
                const auto state = model::imageStateFromName(imageState);
                r.imageState = state == model::ImageState::Loading || state == model::ImageState::Failed
                                   ? *state
                                   : model::ImageState::None;
                std::string_view err;
                if (raw["image_error"].get(err) == simdjson::SUCCESS) r.imageError = std::string(err);
            } else if (raw["image_url"].get(imageUrl) == simdjson::SUCCESS && imageUrl == "procedural") {
                auto thumb = proceduralThumbnail(r.seed.value_or(static_cast<int64_t>(i)), r.prompt.value_or(""));
                if (!thumb) return bad("results[" + std::to_string(i) + "]: " + thumb.error().message);
                r.thumbnail = thumb.value();
                r.imageState = model::ImageState::Ready;
            }
            list.push_back(std::make_shared<const model::GenerationResult>(std::move(r)));
            ++i;
        }
        results.setResults(std::move(list));
    }

    // System status: the /system/status body, merged as §6.2 does.
    orchestrator::SystemStatusModule status;
    element statusEl;
    if (root["systemStatus"].get(statusEl) == simdjson::SUCCESS && !statusEl.is_null()) {
        auto decoded = decoder.systemStatus(simdjson::to_string(statusEl));
        if (!decoded) return bad("systemStatus: " + decoded.error().message);
        status.apply(decoded->value, f.nowMicros);
    }
    bool apiAvailable = true;
    FIXTURE_READ(root, "systemStatusApiAvailable", apiAvailable, "");
    if (!apiAvailable) status.markUnavailable(f.nowMicros - (statusAgeMicros >= 0 ? statusAgeMicros : 5'000'000));
    std::string statusError;
    FIXTURE_READ(root, "systemStatusError", statusError, "");
    if (!statusError.empty()) {
        status.markError(f.nowMicros - (statusAgeMicros >= 0 ? statusAgeMicros : 2'000'000));
        snap->lastRefreshError = "system status: " + statusError;
    }

    element ui;
    if (root["ui"].get(ui) == simdjson::SUCCESS) {
        if (auto e = parseUi(ui, f)) return *e;
    }
    f.ui.historyLimit = static_cast<int>(historyLimit);
    element exchangesEl;
    if (root["exchanges"].get(exchangesEl) == simdjson::SUCCESS) {
        if (auto e = parseExchanges(exchangesEl, f)) return *e;
    }
    element metricsEl;
    if (root["metrics"].get(metricsEl) == simdjson::SUCCESS) {
        if (auto e = parseMetrics(metricsEl, f, *snap)) return *e;
    }
    if (auto e = parseLifecycles(root, f.nowMicros, *snap)) return *e;
    orchestrator::QueueViewSpec spec;
    spec.filter = f.ui.filter;
    queue.setViewSpec(spec);
    f.ui.requestedView = spec;

    snap->jobs = queue.jobs();
    snap->activeJobs = queue.activeJobs();
    snap->sortedActiveJobs = queue.sortedActiveJobs();
    snap->queueView = queue.queueView();
    snap->queueViewSpec = queue.viewSpec();
    snap->counts = queue.counts();
    // Issue 14.4: the forecast the worker would publish for these jobs, model and now.
    snap->queueForecast = orchestrator::forecastQueue(snap->sortedActiveJobs, snap->etaModel.get(), f.nowMicros);
    snap->recentResults = results.results();
    snap->historyLimit = results.historyLimit();
    snap->systemStatus = status.status();
    snap->systemMetrics = status.metrics();
    snap->systemStatusReady = status.ready();
    snap->systemStatusApiAvailable = status.apiAvailable();
    snap->systemStatusLastUpdated = status.lastUpdated();
    f.snapshot = std::move(snap);
    return f;
}

FrameSource fixtureSource(const Fixture& fixture) {
    auto snap = fixture.snapshot;
    const int64_t now = fixture.nowMicros;
    const int64_t initRetryAt = fixture.initRetryAtMicros;
    auto pending = std::make_shared<std::vector<orchestrator::Event>>(fixture.events);
    return {[snap] { return snap; }, [now] { return now; },
            [pending] {
                std::vector<orchestrator::Event> out;
                out.swap(*pending);
                return out;
            },
            [initRetryAt] { return initRetryAt; }, fixture.exchanges.get()};
}

model::Outcome<Fixture> loadFixture(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::make(ErrorKind::InvalidArgument, "cannot read fixture " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto f = parseFixture(ss.str());
    if (!f) return Error::make(f.error().kind, path + ": " + f.error().message);
    return f;
}

}  // namespace genmon::app
