// The orchestrator on the real transport against genmon-sim: initialize, polling, the socket,
// actions and their events, failures, and a server restart mid-stream.
#include <algorithm>
#include <set>

#include "orchestrator/manager.hpp"
#include "transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;
using model::ErrorKind;
using orchestrator::ConnectionPhase;
using orchestrator::Event;
using orchestrator::NotificationKind;

namespace {

struct Live {
    explicit Live(sim::SimOptions simOptions = quietSim(), transport::TransportSettings settings = fastSettings())
        : sim(startSim(std::move(simOptions))) {
        manager = std::make_unique<orchestrator::OrchestratorManager>(
            worker.loop, transport::makeTransportFactory(worker.loop, std::move(settings)), buffer, events,
            orchestrator::OrchestratorOptions{});
        binding.emplace(manager->acquire());
        orch = &manager->orchestrator();
    }
    ~Live() {
        manager->destroy().wait();
        binding.reset();
        worker.loop.stop();  // answers still queued run while the orchestrator exists
        manager.reset();
    }

    orchestrator::OrchestratorOptions options() const {
        orchestrator::OrchestratorOptions o;
        o.backend.baseUrl = sim->baseUrl();
        o.polls.queueWhileSocketDownMs = 60000;  // tests poll on purpose, or not at all
        o.polls.queueWhileSocketUpMs = 60000;
        o.polls.statusMs = 60000;
        o.polls.resultsRefreshDelayMs = 20;
        o.polls.publishCoalesceMs = 1;
        return o;
    }

    model::Status init(orchestrator::OrchestratorOptions o) {
        manager->setOptions(std::move(o));
        auto f = binding->initialize();
        REQUIRE(f.wait_for(15s) == std::future_status::ready);
        return f.get();
    }
    model::Status init() { return init(options()); }

    template <class T>
    static T get(std::future<T> f) {
        REQUIRE(f.wait_for(15s) == std::future_status::ready);
        return f.get();
    }

    orchestrator::SnapshotPtr snap() const { return buffer.acquire(); }

    size_t jobCount(const std::string& id) const {
        size_t n = 0;
        snap()->jobs.forEach([&](const model::Job& j) { n += j.uiId == id ? 1 : 0; });
        return n;
    }
    size_t resultCount(const std::string& id) const {
        const auto results = snap()->recentResults;
        return static_cast<size_t>(
            std::count_if(results->begin(), results->end(), [&](const model::ResultPtr& r) { return r->id == id; }));
    }
    bool connected() const { return snap()->connection.phase == ConnectionPhase::Connected; }

    // Events drained so far (kept across calls).
    const std::vector<Event>& allEvents() {
        for (auto& e : events.drain()) seen.push_back(std::move(e));
        return seen;
    }
    bool sawEvent(const std::string& message, const std::string& detail = {}) {
        for (const auto& e : allEvents())
            if (e.message == message && (detail.empty() || e.detail == detail)) return true;
        return false;
    }

    Worker worker;
    std::unique_ptr<sim::SimServer> sim;
    orchestrator::SnapshotBuffer buffer;
    orchestrator::EventQueue events;
    std::unique_ptr<orchestrator::OrchestratorManager> manager;
    std::optional<orchestrator::Binding> binding;
    orchestrator::GenerationOrchestrator* orch = nullptr;  // reads and actions; lifecycle via the manager
    std::vector<Event> seen;
};

}  // namespace

TEST_CASE("live: initialize loads status, jobs and results, then the socket connects") {
    auto options = quietSim();
    options.initialResults = 3;
    Live live(options);
    live.sim->queueJob("first");
    live.sim->queueJob("second");
    size_t active = 0;
    for (const auto& j : live.sim->jobs()) active += j.rawStatus == "pending" || j.rawStatus == "running";
    REQUIRE(active == 3);  // the two above and the one the sim's worker is rendering
    REQUIRE(live.init().ok());
    auto s = live.snap();
    CHECK(s->isActive);
    CHECK(s->queueManagerActive);
    CHECK(s->jobs.size() == 3);
    CHECK(s->recentResults->size() == 3);
    CHECK(s->systemStatusReady);
    CHECK(s->systemStatusApiAvailable);
    CHECK(s->systemStatus->queue_length == 3);
    CHECK(s->backendUrl == live.sim->baseUrl());
    REQUIRE(waitUntil([&] { return live.connected(); }));
    CHECK(live.snap()->isConnected);
    CHECK(live.snap()->connection.socketUrl == live.sim->wsUrl());
    CHECK(routeCount(*live.sim, "GET /generation/jobs/active") == 1);
    CHECK(routeCount(*live.sim, "GET /generation/results") == 1);
    CHECK(routeCount(*live.sim, "GET /system/status") == 1);
    // Thumbnails arrive for the results (decoded off the worker).
    CHECK(waitUntil([&] {
        const auto r = live.snap()->recentResults;
        return std::all_of(r->begin(), r->end(), [](const model::ResultPtr& x) { return x->imageState == model::ImageState::Ready; });
    }));
}

TEST_CASE("live: polling picks up jobs started elsewhere while the socket is off") {
    Live live;
    auto o = live.options();
    o.usePush = false;
    o.polls.queueWhileSocketDownMs = 50;
    REQUIRE(live.init(o).ok());
    CHECK(live.snap()->jobs.empty());
    const std::string id = live.sim->queueJob("started elsewhere");
    REQUIRE(waitUntil([&] { return live.jobCount(id) == 1; }));
    CHECK(routeCount(*live.sim, "GET /generation/jobs/active") >= 2);
    CHECK(live.sim->stats().wsConnections == 0);
    CHECK(live.snap()->pollIntervalMs == 50);
}

TEST_CASE("live: WebSocket progress to completion, then the results refresh") {
    Live live;
    REQUIRE(live.init().ok());
    REQUIRE(waitUntil([&] { return live.connected(); }));
    const uint64_t resultsBefore = routeCount(*live.sim, "GET /generation/results");
    const std::string id = live.sim->queueJob("pushed to the end");
    REQUIRE(waitUntil([&] { return live.jobCount(id) == 1; }));  // generation_started
    live.sim->advance(4000);  // picked up, and a progress_update or two
    REQUIRE(waitUntil([&] {
        bool going = false;
        live.snap()->jobs.forEach([&](const model::Job& j) {
            if (j.uiId == id) going = j.status == model::JobStatus::Processing && j.progress > 0;
        });
        return going;
    }));
    live.sim->advance(20000);
    REQUIRE(waitUntil([&] { return live.jobCount(id) == 0 && live.resultCount(id) == 1; }));
    CHECK(waitUntil([&] { return routeCount(*live.sim, "GET /generation/results") > resultsBefore; }));
    CHECK(live.sawEvent("Generation completed successfully"));
    // No job poll was needed: everything came through the socket.
    CHECK(routeCount(*live.sim, "GET /generation/jobs/active") == 1);
    CHECK(live.resultCount(id) == 1);
}

TEST_CASE("live: cancel answers 200, 400 and 404 with the server's text in the outcome and the event") {
    Live live;
    const std::string id = live.sim->queueJob("to cancel");
    REQUIRE(live.init().ok());
    REQUIRE(live.jobCount(id) == 1);

    auto ok = Live::get(live.orch->cancelJob(id));
    CHECK(ok.ok());
    CHECK(live.jobCount(id) == 0);
    CHECK(live.sawEvent("Generation cancelled"));

    auto again = Live::get(live.orch->cancelJob(id));
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().httpStatus == 400);
    CHECK(again.error().message == "Job cannot be cancelled in its current state");
    CHECK(live.sawEvent("Failed to cancel generation", "Job cannot be cancelled in its current state"));

    auto unknown = Live::get(live.orch->cancelJob("no-such-job"));
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().httpStatus == 404);
    CHECK(unknown.error().message == "Job not found");
    CHECK(live.sawEvent("Failed to cancel generation", "Job not found"));
    CHECK(routeCount(*live.sim, "POST /generation/jobs/{job_id}/cancel") == 3);
}

TEST_CASE("live: delete answers 204, then 404 'Result not found'") {
    Live live;
    const std::string id = live.sim->queueJob("a result");
    REQUIRE(live.sim->finishJob(id, true).ok());
    REQUIRE(live.init().ok());
    REQUIRE(live.resultCount(id) == 1);
    CHECK(Live::get(live.orch->deleteResult(id)).ok());
    CHECK(live.resultCount(id) == 0);
    CHECK(live.sawEvent("Result deleted"));
    auto again = Live::get(live.orch->deleteResult(id));
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().httpStatus == 404);
    CHECK(live.sawEvent("Failed to delete result", "Result not found"));
}

TEST_CASE("live: startGeneration queues through the backend and the server's job replaces the placeholder") {
    Live live;
    REQUIRE(live.init().ok());
    model::GenerationRequest request;
    request.prompt = "queued from genmon";
    auto started = Live::get(live.orch->startGeneration(request));
    REQUIRE(started.ok());
    CHECK(live.jobCount(started->jobId) == 1);
    CHECK(routeCount(*live.sim, "POST /generation/queue-generation") == 1);
}

TEST_CASE("live: a wrong API key fails initialize with 'Invalid API Key' and never shows the key") {
    auto options = quietSim();
    options.apiKey = "the-right-key";
    auto settings = fastSettings();
    settings.apiKey = "wrong-key-0000";
    Live live(options, settings);
    auto r = live.init();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 403);
    CHECK(r.error().message == "Invalid API Key");
    const auto s = live.snap();
    CHECK(s->connection.phase == ConnectionPhase::Disconnected);
    CHECK(s->connection.lastError == "Invalid API Key");
    CHECK(s->lastRefreshError.find("wrong-key") == std::string::npos);
}

TEST_CASE("live: a 404 from /system/status marks the API unavailable") {
    Live live;
    REQUIRE(live.init().ok());
    CHECK(live.snap()->systemStatusApiAvailable);
    auto faults = live.sim->faults();
    faults.statusNotFound = true;
    live.sim->setFaults(faults);
    const uint64_t before = routeCount(*live.sim, "GET /system/status");
    auto r = Live::get(live.orch->loadSystemStatusData());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 404);
    CHECK_FALSE(live.snap()->systemStatusApiAvailable);
    CHECK(live.snap()->systemStatusReady);
    CHECK(routeCount(*live.sim, "GET /system/status") == before + 3);  // a GET: tried 3 times
}

TEST_CASE("live: malformed JSON is a readable error and the last good data stays") {
    Live live;
    const std::string id = live.sim->queueJob("keep me");
    REQUIRE(live.init().ok());
    REQUIRE(live.jobCount(id) == 1);
    auto faults = live.sim->faults();
    faults.malformedJsonRate = 1.0;
    live.sim->setFaults(faults);
    auto r = Live::get(live.orch->loadActiveJobsData());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Decode);
    CHECK(live.jobCount(id) == 1);
    CHECK(live.snap()->lastRefreshError.rfind("active jobs: ", 0) == 0);
}

TEST_CASE("live: connection refused at start is a readable error with phase Disconnected") {
    Live live;
    auto o = live.options();
    const uint16_t port = unusedPort();
    o.backend.baseUrl = "http://127.0.0.1:" + std::to_string(port) + "/api/v1";
    auto r = live.init(o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Network);
    const std::string expected = "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused";
    CHECK(r.error().message == expected);
    const auto s = live.snap();
    CHECK(s->connection.phase == ConnectionPhase::Disconnected);
    CHECK(s->connection.lastError == expected);
    CHECK_FALSE(s->isActive);
}

TEST_CASE("live: the server restarts mid-stream: the socket reconnects with backoff, resyncs, no job lost or duplicated") {
    Live live;
    auto o = live.options();
    o.polls.queueWhileSocketUpMs = 60000;
    o.polls.queueWhileSocketDownMs = 60000;  // the resync must come from the reconnect
    REQUIRE(live.init(o).ok());
    REQUIRE(waitUntil([&] { return live.connected(); }));
    CHECK(live.snap()->pollIntervalMs == 60000);

    const std::string a = live.sim->queueJob("before the restart");
    REQUIRE(waitUntil([&] { return live.jobCount(a) == 1; }));
    live.sim->stop();
    REQUIRE(waitUntil([&] { return live.snap()->connection.phase == ConnectionPhase::Reconnecting; }));
    // "WebSocket closed by the server (1001)" first, then "connection refused" while it is down.
    CHECK_FALSE(live.snap()->connection.lastError.empty());
    CHECK(live.snap()->connection.lastDisconnectedAtMicros > 0);
    CHECK_FALSE(live.snap()->isConnected);
    REQUIRE(waitUntil([&] { return live.snap()->connection.reconnectAttempt >= 2; }));

    const std::string b = live.sim->queueJob("while the server was down");  // nobody hears of it
    const uint64_t jobPollsBefore = routeCount(*live.sim, "GET /generation/jobs/active");
    REQUIRE(live.sim->restart().ok());
    REQUIRE(waitUntil([&] { return live.connected(); }));
    REQUIRE(waitUntil([&] { return live.jobCount(b) == 1; }));  // the resync after the reconnect
    CHECK(routeCount(*live.sim, "GET /generation/jobs/active") > jobPollsBefore);
    CHECK(live.jobCount(a) == 1);
    CHECK(live.snap()->jobs.size() == 2);
    CHECK(live.snap()->connection.reconnectAttempt == 0);

    live.sim->advance(60000);  // both finish
    REQUIRE(waitUntil([&] { return live.resultCount(a) == 1 && live.resultCount(b) == 1; }));
    REQUIRE(waitUntil([&] { return live.snap()->jobs.empty(); }));
    std::set<std::string> ids;
    const auto held = live.snap();  // the snapshot outlives the loop over its results
    for (const auto& r : *held->recentResults) CHECK(ids.insert(r->id).second);
}
