#include "app/serve_metrics.hpp"

#include <chrono>
#include <thread>

#include "app/demo.hpp"
#include "app/fleet.hpp"
#include "app/runtime.hpp"
#include "app/signals.hpp"
#include "model/timestamp.hpp"
#include "transport/url.hpp"

namespace genmon::app {

namespace {

constexpr const char* kDefaultBackend = "http://127.0.0.1:8000/api/v1";

int failWith(std::FILE* err, const std::string& message, int code) {
    std::fprintf(err, "genmon: %s\n", message.c_str());
    return code;
}

// One line on stderr each time the backend comes up or goes down (with why), for a person
// running genmon headless; the same rule as genmon_backend_up.
class ConnectionReporter {
public:
    ConnectionReporter(Runtime& runtime, std::string url) : runtime_(runtime), url_(std::move(url)) {}
    void poll() {
        const auto snap = runtime_.snapshots().acquire();
        const bool up = exporter::backendUp(*snap);
        std::string why;
        if (const auto e = runtime_.lastInitError(); e && !runtime_.initialized())
            why = e->message + (isUnreachable(*e) ? " (retrying)" : " (not retried: fix it and restart genmon)");
        else if (!snap->connection.lastError.empty())
            why = snap->connection.lastError;
        else
            why = snap->lastRefreshError;
        if (up == up_ && (up || why.empty() || reported_)) return;
        if (up)
            std::fprintf(stderr, "genmon: watching %s\n", url_.c_str());
        else if (!why.empty())
            std::fprintf(stderr, "genmon: %s is down: %s\n", url_.c_str(), why.c_str());
        else
            return;  // still connecting: nothing to say yet
        up_ = up;
        reported_ = true;
    }

private:
    Runtime& runtime_;
    std::string url_;
    bool up_ = false;
    bool reported_ = false;  // the current state was announced
};

}  // namespace

std::string metricsBackendName(const std::optional<std::string>& given, const orchestrator::Snapshot& snapshot,
                               const std::string& fallbackUrl) {
    if (given) return *given;
    if (snapshot.simulatedBackend) return "demo";
    const std::string& url = snapshot.backendUrl.empty() ? fallbackUrl : snapshot.backendUrl;
    auto base = transport::parseBaseUrl(url);
    return base ? base->hostPort() : url;
}

model::Outcome<std::unique_ptr<exporter::MetricsServer>> startMetricsServer(
    const CliOptions& o, std::function<std::vector<exporter::BackendMetrics>()> backends,
    const exporter::FrameHistogram* frames, std::FILE* err) {
    auto address = exporter::parseListenAddress(o.serveMetrics.value_or(""));
    if (!address)
        return model::Error::make(model::ErrorKind::InvalidArgument, "--serve-metrics " + address.error().message);
    auto body = [backends = std::move(backends), frames] {
        return exporter::formatPrometheus(backends(), frames, model::systemNowMicros());
    };
    auto server = exporter::MetricsServer::start(address.value(), std::move(body));
    if (!server) return std::move(server).error();
    const exporter::ListenAddress& bound = server.value()->address();
    if (!exporter::isLoopback(bound))
        std::fprintf(err, "genmon: serving metrics on %s, reachable from other machines\n", exporter::hostPort(bound).c_str());
    // With 0.0.0.0 or :: the URL names loopback: what a local curl or Prometheus can use.
    exporter::ListenAddress local = bound;
    if (local.host == "0.0.0.0") local.host = "127.0.0.1";
    if (local.host == "::") local.host = "::1";
    std::fprintf(err, "genmon: metrics on http://%s/metrics\n", exporter::hostPort(local).c_str());
    std::fflush(err);
    return server;
}

// Issue 17.1 + 17.4: several --backend, one worker, one /metrics with a backend label each.
int runFleetServeMetrics(const CliOptions& o) {
    std::FILE* err = stderr;
    auto key = resolveApiKey(o);
    if (!key) return failWith(err, key.error().message, 2);
    std::vector<FleetBackend> backends;
    for (const auto& argument : o.backendUrls) {
        FleetBackend b = parseBackendArgument(argument);
        auto base = transport::parseBaseUrl(b.config.baseUrl);
        if (!base) return failWith(err, base.error().message, 2);
        b.config.baseUrl = base->str();
        b.config.insecureTls = o.insecure;
        b.apiKey = key.value();
        backends.push_back(std::move(b));
    }
    Fleet fleet;
    auto server = startMetricsServer(
        o,
        [&fleet] {
            std::vector<exporter::BackendMetrics> all;
            for (const auto& m : fleet.members()) all.push_back({m->name, m->runtime->snapshots().acquire()});
            return all;
        },
        nullptr, err);
    if (!server)
        return failWith(err, server.error().message, server.error().kind == model::ErrorKind::InvalidArgument ? 2 : 1);
    if (o.recordPath) fleet.recordEachInto(*o.recordPath);  // issue 17.2: a file per backend
    std::vector<ConnectionReporter> reporters;
    for (auto& b : backends) {
        auto member = fleet.add(std::move(b));
        reporters.emplace_back(*member->runtime, member->name + " (" + member->url + ")");
    }
    if (const std::string bad = fleet.recordingError(); !bad.empty()) {
        server.value()->stop();
        return failWith(err, bad, 2);
    }
    while (!quitRequested()) {
        for (auto& r : reporters) r.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (auto* signals = ShutdownSignals::current()) signals->beginShutdown();
    server.value()->stop();
    fleet.shutdown();
    return 0;
}

int runServeMetrics(const CliOptions& o) {
    if (o.backendUrls.size() > 1) return runFleetServeMetrics(o);
    std::FILE* err = stderr;
    // The sim (--demo) outlives the session that watches it.
    std::unique_ptr<sim::SimServer> demo;
    orchestrator::BackendConfig backend;
    backend.insecureTls = o.insecure;
    if (o.demo) {
        auto started = startDemoBackend(o.scenario);
        if (!started) return failWith(err, started.error().message, 2);
        demo = std::move(started).value();
        backend.baseUrl = demo->baseUrl();
        backend.simulated = true;
    } else {
        auto base = transport::parseBaseUrl(o.backendUrl.value_or(kDefaultBackend));
        if (!base) return failWith(err, base.error().message, 2);
        backend.baseUrl = base->str();
    }
    auto key = resolveApiKey(o);
    if (!key) return failWith(err, key.error().message, 2);

    Runtime runtime;
    if (o.recordPath)
        if (auto st = runtime.startRecording(*o.recordPath, backend); !st) return failWith(err, st.error().message, 2);
    // Listening before connecting: a port in use ends genmon before it has touched the backend.
    auto server = startMetricsServer(
        o,
        [&runtime, name = o.backendName, url = backend.baseUrl] {
            auto snapshot = runtime.snapshots().acquire();  // a pointer copy: never waits for the worker
            return std::vector<exporter::BackendMetrics>{{metricsBackendName(name, *snapshot, url), std::move(snapshot)}};
        },
        nullptr, err);
    if (!server)
        return failWith(err, server.error().message, server.error().kind == model::ErrorKind::InvalidArgument ? 2 : 1);

    runtime.start(backend, std::move(key).value());
    ConnectionReporter reporter(runtime, backend.simulated ? "the demo backend" : backend.baseUrl);
    while (!quitRequested()) {
        reporter.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (auto* signals = ShutdownSignals::current()) signals->beginShutdown();
    server.value()->stop();
    runtime.flushRecording();  // on disk before a shutdown that the deadline might cut short
    runtime.shutdown();
    if (auto st = runtime.stopRecording(); !st) std::fprintf(err, "genmon: warning: %s\n", st.error().message.c_str());
    return 0;
}

}  // namespace genmon::app
