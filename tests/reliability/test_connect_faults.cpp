// Faults around connecting and asking: DNS failure, connection refused at start (initialize
// retried with backoff), a wrong API key (no retry storm), the status endpoint answering 404,
// and cancelling a job that finished meanwhile.
#include <chrono>

#include "orchestrator/orchestrator.hpp"
#include "reliability_util.hpp"

using namespace genmon;
using namespace genmon::reliability;

TEST_CASE("fault: DNS failure (a .invalid host)") {
    auto ro = fastRuntime();
    ro.initRetryDelaysMs = {200};
    Session s(quietSim(), ro);
    const std::string url = "http://genmon-reliability.invalid:8000/api/v1";
    const auto t0 = std::chrono::steady_clock::now();
    const model::Status st = s.start(fastPolls(), std::nullopt, url);
    REQUIRE_FALSE(st.ok());
    MESSAGE("DNS failure: " << st.error().message << " after "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()
                            << " ms");
    CHECK(st.error().kind == model::ErrorKind::Network);
    CHECK(contains(st.error().message, "cannot resolve the host of genmon-reliability.invalid:8000"));
    const auto snap = s.snap();
    CHECK(snap->connection.phase == ConnectionPhase::Disconnected);
    CHECK(snap->connection.lastError == st.error().message);
    CHECK_FALSE(snap->isActive);
    CHECK(snap->jobs.empty());
    // A name that does not resolve may resolve later (VPN, /etc/hosts): it is retried.
    CHECK(waitUntil([&] { return s.rt->nextInitRetryAtMicros() > 0 || s.rt->initAttempts() >= 2; }, 5s));
}

TEST_CASE("fault: connection refused at start: Disconnected, initialize retried on the backoff schedule") {
    auto simOptions = quietSim();
    simOptions.faults.refuseConnections = true;  // the listening socket is closed
    auto ro = fastRuntime();
    ro.initRetryDelaysMs = {100, 200, 300};
    Session s(simOptions, ro);
    const std::string a = s.sim->queueJob("waiting for genmon");
    const std::string port = std::to_string(s.sim->port());

    const model::Status first = s.start();
    REQUIRE_FALSE(first.ok());
    CHECK(first.error().kind == model::ErrorKind::Network);
    CHECK(first.error().message == "cannot connect to 127.0.0.1:" + port + ": Connection refused");
    CHECK(s.phase() == ConnectionPhase::Disconnected);
    CHECK(s.snap()->connection.lastError == first.error().message);

    // Watch the attempts: attempt n+1 starts delays[n-1] after attempt n failed (the last delay
    // repeats). Each failed attempt is quick (refused at once), so the gaps between attempt
    // starts are the delays plus a little.
    std::vector<std::chrono::steady_clock::time_point> startedAt{std::chrono::steady_clock::now()};
    std::vector<int64_t> announcedDelayMs;
    int seen = s.rt->initAttempts();
    int64_t lastRetryAt = 0;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (seen < 5 && std::chrono::steady_clock::now() < deadline) {
        const int64_t retryAt = s.rt->nextInitRetryAtMicros();
        if (retryAt != 0 && retryAt != lastRetryAt) {
            lastRetryAt = retryAt;
            announcedDelayMs.push_back((retryAt - s.rt->nowMicros()) / 1000);
            CHECK(s.phase() == ConnectionPhase::Disconnected);  // shown with the countdown
        }
        const int now = s.rt->initAttempts();
        if (now != seen) {
            seen = now;
            startedAt.push_back(std::chrono::steady_clock::now());
        }
        std::this_thread::sleep_for(1ms);
    }
    REQUIRE(startedAt.size() >= 5);
    const int expected[] = {100, 200, 300, 300};
    for (size_t i = 0; i < 4; ++i) {
        const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(startedAt[i + 1] - startedAt[i]).count();
        MESSAGE("attempt " << i + 2 << " started " << gap << " ms after attempt " << i + 1);
        CHECK(gap >= expected[i] - 5);
        CHECK(gap <= expected[i] + 400);  // slack for loaded machines and sanitizers
    }
    REQUIRE(announcedDelayMs.size() >= 3);
    CHECK(announcedDelayMs[0] <= 100);
    CHECK(announcedDelayMs[0] >= 50);
    CHECK(announcedDelayMs[1] > 100);
    CHECK(announcedDelayMs[1] <= 200);
    CHECK(s.rt->lastInitError()->message == first.error().message);

    // The backend comes up: the next attempt succeeds and everything is there.
    auto faults = s.sim->faults();
    faults.refuseConnections = false;
    s.sim->setFaults(faults);
    REQUIRE(waitUntil([&] { return s.rt->initialized(); }, 5s));
    REQUIRE(waitUntil([&] { return s.snap()->isConnected; }));
    s.requireConverged();
    CHECK(s.jobCount(a) == 1);
    CHECK(waitUntil([&] { return s.rt->nextInitRetryAtMicros() == 0 && !s.rt->lastInitError(); }));
}

TEST_CASE("fault: a wrong API key: 403 'Invalid API Key' shown, no retry storm") {
    auto simOptions = quietSim();
    simOptions.apiKey = "the-right-key";
    auto ro = fastRuntime();
    ro.initRetryDelaysMs = {50};
    Session s(simOptions, ro);
    const model::Status st = s.start(fastPolls(), std::string("a-wrong-key"));
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().httpStatus == 403);
    CHECK(st.error().message == "Invalid API Key");
    CHECK(s.phase() == ConnectionPhase::Disconnected);
    CHECK(s.snap()->connection.lastError == "Invalid API Key");

    // A person has to change the key: nothing is retried, nothing polls.
    const auto before = s.sim->stats().requestsByRoute;
    std::this_thread::sleep_for(1500ms);
    const auto after = s.sim->stats().requestsByRoute;
    CHECK(after == before);
    for (const auto& [route, n] : after) {
        MESSAGE(route << ": " << n);
        CHECK(n <= 3);  // one GET, tried 3 times (spec §1.2), once
    }
    CHECK(s.rt->initAttempts() == 1);
    CHECK(s.rt->nextInitRetryAtMicros() == 0);
    CHECK(s.sim->stats().wsConnections == 0);
}

TEST_CASE("fault: the status endpoint answers 404: unavailable notice, polling stops") {
    Session s;
    REQUIRE(s.start().ok());
    REQUIRE(s.snap()->systemStatusApiAvailable);
    auto faults = s.sim->faults();
    faults.statusNotFound = true;
    s.sim->setFaults(faults);
    // The error is shown until the next successful refresh of anything (the queue poll).
    std::set<std::string> shown;
    REQUIRE(waitUntil([&] {
        const auto snap = s.snap();
        if (!snap->lastRefreshError.empty()) shown.insert(snap->lastRefreshError);
        return !snap->systemStatusApiAvailable;
    }, 5s));
    waitUntil([&] {
        const auto snap = s.snap();
        if (!snap->lastRefreshError.empty()) shown.insert(snap->lastRefreshError);
        return !shown.empty();
    }, 1s);
    CHECK(shown.count("system status: Not Found") == 1);
    CHECK(s.snap()->systemStatusReady);
    // Polling stops: the count stays put over many poll intervals (150 ms here).
    const uint64_t polled = routeCount(*s.sim, "GET /system/status");
    std::this_thread::sleep_for(1000ms);
    CHECK(routeCount(*s.sim, "GET /system/status") == polled);
    CHECK(polled <= 2 * 3);  // at most the 404 and a poll in flight, 3 attempts each
    // The queue goes on.
    const std::string a = s.sim->queueJob("status is gone, jobs are not");
    REQUIRE(waitUntil([&] { return s.jobCount(a) == 1; }));
    // A person's refresh asks again (and the endpoint is back).
    faults.statusNotFound = false;
    s.sim->setFaults(faults);
    auto r = s.rt->orchestrator().loadSystemStatusData();
    REQUIRE(r.wait_for(5s) == std::future_status::ready);
    CHECK(r.get().ok());
    CHECK(s.snap()->systemStatusApiAvailable);
    CHECK(waitUntil([&] { return routeCount(*s.sim, "GET /system/status") > polled + 1; }));  // polling again
}

TEST_CASE("fault: cancelling a job that finished meanwhile") {
    auto polls = fastPolls();
    polls.queueWhileSocketDownMs = 60000;  // genmon does not notice the finish before the cancel
    Session s(quietSim(), fastRuntime(/*usePush=*/false));
    const std::string a = s.sim->queueJob("finishes before the cancel lands");
    REQUIRE(s.start(polls).ok());
    REQUIRE(s.jobCount(a) == 1);
    REQUIRE(s.sim->finishJob(a, true).ok());
    CHECK(s.jobCount(a) == 1);  // still shown as queued: genmon has not heard

    auto f = s.rt->orchestrator().cancelJob(a);
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    const model::Status r = f.get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 400);
    CHECK(r.error().message == "Job cannot be cancelled in its current state");
    CHECK(s.sawEvent("Failed to cancel generation", "Job cannot be cancelled in its current state"));
    bool namesTheJob = false;
    for (const auto& e : s.events()) namesTheJob |= e.message == "Failed to cancel generation" && e.jobId == a;
    CHECK(namesTheJob);

    // The next refresh shows the truth: the job is done, its result is there, once.
    auto refresh = s.rt->orchestrator().refreshAllData();
    REQUIRE(refresh.wait_for(5s) == std::future_status::ready);
    CHECK(refresh.get().ok());
    s.requireConverged();
    CHECK(s.jobCount(a) == 0);
    CHECK(s.resultCount(a) == 1);
}
