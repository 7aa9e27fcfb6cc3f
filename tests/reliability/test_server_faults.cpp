// Faults of the server and the connection: killed and restarted mid-stream, the WebSocket
// dropped every N messages, bursts of 500/502/503, and a slowloris server. Each test checks: no
// crash, the last good data stays with its age, a readable error, recovery, and no job or
// result lost or duplicated.
#include <chrono>
#include <map>

#include "orchestrator/orchestrator.hpp"
#include "reliability_util.hpp"

using namespace genmon;
using namespace genmon::reliability;

TEST_CASE("fault: the server is killed and restarted mid-stream") {
    Session s;
    const std::string a = s.sim->queueJob("before the kill");
    const std::string b = s.sim->queueJob("also before the kill");
    REQUIRE(s.start().ok());
    REQUIRE(waitUntil([&] { return s.snap()->isConnected; }));
    s.sim->advance(2000);  // a is picked up: progress flows over the socket
    REQUIRE(waitUntil([&] { return s.snap()->counts.processing == 1; }));
    s.requireConverged();
    const std::string port = std::to_string(s.sim->port());

    s.sim->stop();
    REQUIRE(waitUntil([&] { return s.phase() == ConnectionPhase::Reconnecting; }));
    // The socket's error first ("closed by the server"), then "connection refused" while it is down;
    // the polls (2 s cadence while the socket is down, 100 ms here) say who cannot be reached.
    REQUIRE(waitUntil([&] { return s.snap()->connection.lastError == "connection refused"; }));
    REQUIRE(waitUntil([&] { return contains(s.snap()->lastRefreshError, "cannot connect to 127.0.0.1:" + port); }));
    CHECK(contains(s.snap()->lastRefreshError, "Connection refused"));
    // The last good data stays, with the time it arrived; it does not get younger while down.
    const Ages before = Ages::of(*s.snap());
    CHECK(s.jobCount(a) == 1);
    CHECK(s.jobCount(b) == 1);
    const auto deadline = std::chrono::steady_clock::now() + 600ms;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto snap = s.snap();
        CHECK(checkAges(*snap, before));
        CHECK(snap->jobs.size() == 2);
        CHECK_FALSE(snap->isConnected);
        std::this_thread::sleep_for(20ms);
    }
    CHECK(s.snap()->connection.reconnectAttempt >= 2);
    CHECK(s.snap()->connection.lastDisconnectedAtMicros > 0);

    // Meanwhile, on the server: a finishes, c arrives. Nobody hears of it until the restart.
    REQUIRE(s.sim->finishJob(a, true).ok());
    const std::string c = s.sim->queueJob("while the server was down");
    REQUIRE(s.sim->restart().ok());
    REQUIRE(waitUntil([&] { return s.snap()->isConnected; }));
    s.requireConverged();
    CHECK(s.jobCount(a) == 0);
    CHECK(s.resultCount(a) == 1);
    CHECK(s.jobCount(c) == 1);
    CHECK(s.snap()->connection.reconnectAttempt == 0);
    CHECK(s.snap()->connection.lastError.empty());
    CHECK(waitUntil([&] { return s.snap()->lastRefreshError.empty(); }));
    CHECK(s.snap()->jobsUpdatedAtMicros > before.jobs);

    // And it goes on: everything finishes, each result once.
    s.sim->advance(60000);
    s.requireConverged();
    CHECK(waitUntil([&] { return s.snap()->jobs.empty(); }));
    CHECK(s.snap()->recentResults->size() == 3);
}

TEST_CASE("fault: the WebSocket is dropped every 5 messages while jobs progress") {
    auto options = quietSim();
    options.progressIntervalMs = 500;
    options.workers = 2;
    Session s(options);
    auto faults = s.sim->faults();
    faults.wsDropEveryN = 5;
    s.sim->setFaults(faults);
    std::vector<std::string> ids;
    for (int i = 0; i < 6; ++i) ids.push_back(s.sim->queueJob("job " + std::to_string(i)));
    REQUIRE(s.start().ok());

    std::set<std::string> errorsSeen;
    for (int step = 0; step < 40; ++step) {
        s.sim->advance(500);
        const auto until = std::chrono::steady_clock::now() + 25ms;
        while (std::chrono::steady_clock::now() < until) {
            const auto snap = s.snap();
            if (!snap->connection.lastError.empty()) errorsSeen.insert(snap->connection.lastError);
            checkNoDuplicates(*snap);
            std::this_thread::sleep_for(2ms);
        }
    }
    CHECK(s.sim->stats().wsConnections >= 4);  // it was dropped, and came back, again and again
    CHECK(errorsSeen.count("WebSocket closed by the server (1006)") == 1);
    for (const auto& e : errorsSeen) MESSAGE("socket error seen: " << e);

    faults.wsDropEveryN = 0;
    s.sim->setFaults(faults);
    s.sim->advance(60000);  // everything finishes
    s.requireConverged();
    REQUIRE(waitUntil([&] { return s.snap()->isConnected; }));
    // A job the socket said completed stays in `jobs` (not active) until the next listing.
    const uint64_t pollsBefore = routeCount(*s.sim, "GET /generation/jobs/active");
    const bool emptied = waitUntil([&] { return s.snap()->jobs.empty(); });
    if (!emptied) {
        s.snap()->jobs.forEach([&](const model::Job& j) {
            MESSAGE("left in jobs: " << j.uiId.str() << " " << std::string(model::statusName(j.status))
                                     << std::string(j.optimistic ? " optimistic" : " listed") << " progress " << int(j.progress));
        });
        MESSAGE("job polls while waiting: " << routeCount(*s.sim, "GET /generation/jobs/active") - pollsBefore << ", phase "
                                            << std::string(orchestrator::phaseName(s.phase())) << ", poll interval "
                                            << s.snap()->pollIntervalMs);
    }
    CHECK(emptied);
    for (const auto& id : ids) CHECK(s.resultCount(id) == 1);
    // A completion is notified at most once per job, however often the socket came back.
    std::map<std::string, int> completions;
    for (const auto& e : s.events())
        if (e.message == "Generation completed successfully") ++completions[e.jobId];
    for (const auto& [id, n] : completions) CHECK_MESSAGE(n == 1, id);
}

TEST_CASE("fault: bursts of 500, 502 and 503") {
    Session s(quietSim(), fastRuntime(/*usePush=*/false));  // the polls are the only source of data
    const std::string a = s.sim->queueJob("survives the burst");
    REQUIRE(s.start().ok());
    REQUIRE(s.jobCount(a) == 1);
    const Ages before = Ages::of(*s.snap());
    const uint64_t version = s.snap()->version;

    auto faults = s.sim->faults();
    faults.serverErrorRate = 1.0;
    s.sim->setFaults(faults);
    const std::string b = s.sim->queueJob("queued during the burst");
    const uint64_t injected = s.sim->stats().faultsInjected;
    std::set<std::string> shown;
    const auto deadline = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto snap = s.snap();
        if (!snap->lastRefreshError.empty()) shown.insert(snap->lastRefreshError);
        CHECK(checkAges(*snap, before));
        CHECK(snap->jobs.size() == 1);  // a stays, b is not known yet
        std::this_thread::sleep_for(5ms);
    }
    CHECK(s.snap()->version > version);  // the errors were published, the data was not touched
    CHECK(s.sim->stats().faultsInjected > injected + 9);
    // Each kind of answer is shown in words: the problem's title and detail, the proxy's page
    // title, the status text.
    bool sawProblem = false, sawProxy = false, sawUnavailable = false;
    for (const auto& e : shown) {
        MESSAGE("shown: " << e);
        sawProblem |= contains(e, "Internal Server Error: simulated failure (genmon-sim fault injection)");
        sawProxy |= contains(e, "502 Bad Gateway");
        sawUnavailable |= contains(e, "Service Unavailable");
        CHECK((e.rfind("active jobs: ", 0) == 0 || e.rfind("system status: ", 0) == 0 || e.rfind("results: ", 0) == 0));
    }
    CHECK(sawProblem);
    CHECK(sawProxy);
    CHECK(sawUnavailable);
    // §6.3: a failed status poll shows status "error" (upstream resets the status, it keeps no stale one).
    CHECK(s.snap()->systemStatus->status == "error");

    faults.serverErrorRate = 0.0;
    s.sim->setFaults(faults);
    s.requireConverged();
    CHECK(s.jobCount(b) == 1);
    CHECK(waitUntil([&] { return s.snap()->lastRefreshError.empty(); }));
    CHECK(s.snap()->jobsUpdatedAtMicros > before.jobs);
}

TEST_CASE("fault: a slowloris server: timeouts fire and the worker stays responsive") {
    auto ro = fastRuntime(/*usePush=*/false);
    ro.transport.totalTimeoutMs = 300;
    ro.transport.getRetryDelaysMs = {10};  // 2 attempts per GET
    Session s(quietSim(), ro);
    const std::string a = s.sim->queueJob("kept while the server dribbles");
    REQUIRE(s.start().ok());
    const Ages before = Ages::of(*s.snap());

    auto faults = s.sim->faults();
    faults.slowResponseRate = 1.0;
    faults.slowChunkBytes = 1;
    faults.slowChunkIntervalMs = 100;  // a few bytes a second: no answer ever completes in 300 ms
    s.sim->setFaults(faults);
    const std::string port = std::to_string(s.sim->port());
    REQUIRE(waitUntil([&] { return contains(s.snap()->lastRefreshError, "no answer from 127.0.0.1:" + port + " within 300 ms"); },
                      5s));

    // While requests hang: a snapshot is at hand at once, and a command posted to the worker is
    // answered at once (curl multi never blocks the worker).
    for (int i = 0; i < 20; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto snap = s.snap();
        CHECK(std::chrono::steady_clock::now() - t0 < 50ms);
        CHECK(checkAges(*snap, before));
        CHECK(snap->jobs.size() == 1);
        orchestrator::QueueViewSpec spec;
        spec.filter = i % 2 ? "kept" : "";
        auto f = s.rt->orchestrator().setQueueView(spec);
        CHECK(f.wait_for(500ms) == std::future_status::ready);
        CHECK(std::chrono::steady_clock::now() - t0 < 500ms);
        std::this_thread::sleep_for(20ms);
    }
    CHECK(s.snap()->queueViewSpec.filter == "kept");

    faults.slowResponseRate = 0.0;
    s.sim->setFaults(faults);
    s.requireConverged();
    CHECK(waitUntil([&] { return s.snap()->lastRefreshError.empty(); }));
    CHECK(s.jobCount(a) == 1);
}
