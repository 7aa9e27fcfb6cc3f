#include "app/dump_snapshot.hpp"

#include <chrono>
#include <thread>

#include "app/fleet.hpp"
#include "app/history_sink.hpp"
#include "app/replay_session.hpp"
#include "app/runtime.hpp"
#include "app/signals.hpp"
#include "app/snapshot_json.hpp"
#include "transport/url.hpp"

namespace genmon::app {

namespace {

constexpr const char* kDefaultBackend = "http://127.0.0.1:8000/api/v1";
// After initialize: how long to wait at most for the socket's first answer and the thumbnails,
// so isConnected and the image states in the dump say what a person would see.
constexpr int kSettleMs = 3000;

std::string lowerFirst(std::string s) {
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
    return s;
}

bool settled(const orchestrator::Snapshot& s) {
    if (s.connection.phase == orchestrator::ConnectionPhase::Connecting) return false;
    if (s.connection.phase == orchestrator::ConnectionPhase::Reconnecting && s.connection.nextRetryAtMicros == 0)
        return false;  // an attempt is under way
    for (const auto& r : *s.recentResults)
        if (r->imageState == model::ImageState::Loading || r->imageState == model::ImageState::None) return false;
    return true;
}

}  // namespace

int runFleetDumpSnapshot(const CliOptions& o, std::FILE* out, std::FILE* err) {
    using namespace std::chrono;
    std::vector<FleetBackend> backends;
    for (const auto& argument : o.backendUrls) {
        FleetBackend b = parseBackendArgument(argument);
        auto base = transport::parseBaseUrl(b.config.baseUrl);
        if (!base) {
            std::fprintf(err, "genmon: %s\n", base.error().message.c_str());
            return 2;
        }
        b.config.baseUrl = base->str();
        b.config.insecureTls = o.insecure;
        backends.push_back(std::move(b));
    }
    auto key = resolveApiKey(o);
    if (!key) {
        std::fprintf(err, "genmon: %s\n", key.error().message.c_str());
        return 2;
    }
    RuntimeOptions ro;
    ro.retryInitialize = false;  // one shot, per backend
    Fleet fleet(ro);
    if (o.recordPath) fleet.recordEachInto(*o.recordPath);  // issue 17.2: a file per backend
    for (auto& b : backends) {
        b.apiKey = key.value();
        fleet.add(std::move(b));
    }
    if (const std::string bad = fleet.recordingError(); !bad.empty()) {
        std::fprintf(err, "genmon: %s\n", bad.c_str());
        return 2;
    }
    const auto members = fleet.members();
    const auto deadline = steady_clock::now() + milliseconds(std::max(0, o.waitMs));
    auto allAnswered = [&] {
        for (const auto& m : members)
            if (m->first.wait_for(seconds(0)) != std::future_status::ready) return false;
        return true;
    };
    while (!allAnswered() && steady_clock::now() < deadline && !quitRequested()) std::this_thread::sleep_for(milliseconds(10));
    // A backend that is down or slow has its own "error"; the others are dumped all the same.
    std::vector<std::string> errors(members.size());
    size_t answered = 0;
    for (size_t i = 0; i < members.size(); ++i) {
        const auto& m = members[i];
        if (m->first.wait_for(seconds(0)) != std::future_status::ready)
            errors[i] = "the first refresh from " + m->url + " did not finish within " + std::to_string(o.waitMs) + " ms";
        else if (const model::Status st = m->first.get(); !st.ok())
            errors[i] = describeInitFailure(m->url, st.error());
        else
            ++answered;
        if (!errors[i].empty()) std::fprintf(err, "genmon: %s: %s\n", m->name.c_str(), errors[i].c_str());
    }
    const auto watchUntil = steady_clock::now() + milliseconds(o.afterMs);
    const auto settleBy = std::min(deadline, steady_clock::now() + milliseconds(kSettleMs));
    auto allSettled = [&] {
        for (size_t i = 0; i < members.size(); ++i)
            if (errors[i].empty() && !settled(*members[i]->runtime->snapshots().acquire())) return false;
        return true;
    };
    while (steady_clock::now() < settleBy && !allSettled() && !quitRequested()) std::this_thread::sleep_for(milliseconds(10));
    while (steady_clock::now() < watchUntil && !quitRequested()) std::this_thread::sleep_for(milliseconds(10));
    if (quitRequested()) {
        fleet.shutdown();
        std::fprintf(err, "genmon: interrupted: no snapshot printed\n");
        return 0;  // main turns it into 130 after Ctrl+C
    }
    const std::string json = fleetToJson(members, errors, true);
    fleet.shutdown();
    std::fwrite(json.data(), 1, json.size(), out);
    std::fputc('\n', out);
    std::fflush(out);
    return answered > 0 ? 0 : 1;
}

std::string describeInitFailure(const std::string& baseUrl, const model::Error& e) {
    switch (e.kind) {
        case model::ErrorKind::Network: {
            // "cannot connect to 127.0.0.1:9: Connection refused" -> "connection refused"
            const size_t sep = e.message.find(": ");
            const std::string reason = sep == std::string::npos ? e.message : e.message.substr(sep + 2);
            return "cannot reach " + baseUrl + ": " + lowerFirst(reason);
        }
        case model::ErrorKind::Timeout: return "cannot reach " + baseUrl + ": " + lowerFirst(e.message);
        case model::ErrorKind::Http:
            return baseUrl + " answered HTTP " + std::to_string(e.httpStatus) + ": " + e.message;
        default: return "cannot read the state of " + baseUrl + ": " + e.message;
    }
}

int runDumpSnapshot(const CliOptions& options) { return runDumpSnapshot(options, stdout, stderr); }

int runReplayDumpSnapshot(const CliOptions& o, std::FILE* out, std::FILE* err) {
    auto session = ReplaySession::open(o.replayPath.value_or(std::string()));
    if (!session) {
        std::fprintf(err, "genmon: %s\n", session.error().message.c_str());
        return 1;
    }
    if (!session.value()->truncation().empty()) std::fprintf(err, "genmon: %s\n", session.value()->truncation().c_str());
    // The whole recording on a virtual clock: no waiting, the same output every time.
    session.value()->runToEnd();
    const std::string json = snapshotToJson(*session.value()->snapshots().acquire(), true);
    session.value()->shutdown();
    std::fwrite(json.data(), 1, json.size(), out);
    std::fputc('\n', out);
    std::fflush(out);
    return 0;
}

int runDumpSnapshot(const CliOptions& o, std::FILE* out, std::FILE* err) {
    using namespace std::chrono;
    if (o.replayPath) return runReplayDumpSnapshot(o, out, err);
    if (o.backendUrls.size() > 1) return runFleetDumpSnapshot(o, out, err);
    const std::string given = o.backendUrl.value_or(kDefaultBackend);
    auto base = transport::parseBaseUrl(given);
    if (!base) {
        std::fprintf(err, "genmon: %s\n", base.error().message.c_str());
        return 2;
    }
    auto key = resolveApiKey(o);
    if (!key) {
        std::fprintf(err, "genmon: %s\n", key.error().message.c_str());
        return 2;
    }
    const std::string url = base->str();

    RuntimeOptions ro;
    ro.retryInitialize = false;  // one shot: say what is wrong and exit
    // Issue 18: a dump records what it sees only into a history named with --history-db.
    SessionHistory history = openSessionHistory(o, HistoryUse::OnlyWhenNamed);
    if (!history.problem.empty()) std::fprintf(err, "genmon: %s\n", history.problem.c_str());
    ro.history = std::move(history.store);
    Runtime runtime(ro);
    orchestrator::BackendConfig backend;
    backend.baseUrl = url;
    backend.insecureTls = o.insecure;
    if (o.recordPath) {
        if (auto st = runtime.startRecording(*o.recordPath, backend); !st) {
            std::fprintf(err, "genmon: %s\n", st.error().message.c_str());
            return 2;
        }
    }
    const auto deadline = steady_clock::now() + milliseconds(std::max(0, o.waitMs));
    auto first = runtime.start(backend, std::move(key).value());
    // Ctrl+C, SIGTERM or SIGHUP (signals.hpp) end the waits: no snapshot, the recording closed.
    auto interrupted = [&] {
        runtime.shutdown();
        if (auto st = runtime.stopRecording(); !st) std::fprintf(err, "genmon: warning: %s\n", st.error().message.c_str());
        std::fprintf(err, "genmon: interrupted: no snapshot printed\n");
        return 0;  // main turns it into 130 after Ctrl+C
    };
    while (first.wait_until(std::min(deadline, steady_clock::now() + milliseconds(20))) != std::future_status::ready &&
           steady_clock::now() < deadline && !quitRequested()) {
    }
    if (quitRequested()) return interrupted();

    if (first.wait_until(deadline) == std::future_status::ready) {
        const model::Status st = first.get();
        if (!st.ok()) {
            std::fprintf(err, "genmon: %s\n", describeInitFailure(url, st.error()).c_str());
            runtime.shutdown();
            return 1;
        }
        // --after-ms: the session keeps running (polls, the socket) on its worker meanwhile.
        const auto watchUntil = steady_clock::now() + milliseconds(o.afterMs);
        const auto settleBy = std::min(deadline, steady_clock::now() + milliseconds(kSettleMs));
        while (steady_clock::now() < settleBy && !settled(*runtime.snapshots().acquire()) && !quitRequested())
            std::this_thread::sleep_for(milliseconds(10));
        while (steady_clock::now() < watchUntil && !quitRequested()) std::this_thread::sleep_for(milliseconds(10));
        if (quitRequested()) return interrupted();
    } else {
        std::fprintf(err, "genmon: warning: the first refresh from %s did not finish within %d ms; the snapshot may be incomplete\n",
                     url.c_str(), o.waitMs);
    }
    const std::string json = snapshotToJson(*runtime.snapshots().acquire(), true);
    runtime.shutdown();
    if (auto st = runtime.stopRecording(); !st) std::fprintf(err, "genmon: warning: %s\n", st.error().message.c_str());
    std::fwrite(json.data(), 1, json.size(), out);
    std::fputc('\n', out);
    std::fflush(out);
    return 0;
}

}  // namespace genmon::app
