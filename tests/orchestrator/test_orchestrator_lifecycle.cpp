// The facade's state keys and lifecycle methods (contract: Reactive State, Lifecycle Methods,
// Behavioural Guarantees; spec §6.1, §7.1 and the useGenerationOrchestratorStore.spec lines).
#include <doctest/doctest.h>

#include "fake_transport.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

namespace {
// Loads one job, two results and a status into the orchestrator through the fake.
void seedData(Harness& h) {
    h.fake.jobs.push(fetchedJobs({makeJob("j1", JobStatus::Processing), makeJob("j2", JobStatus::Queued)}));
    h.fake.results.push(fetchedResults(2));
    model::SystemStatusPatch p;
    p.status = "healthy";
    p.queue_length = 2;
    h.fake.status.push(FetchedStatus{p, {}});
}
}  // namespace

TEST_CASE("contract: all 13 state keys exist and start with the values of spec 6.1") {
    Harness h;
    const auto& o = h.orc;
    CHECK(o.jobs().empty());
    CHECK(o.activeJobs().empty());
    CHECK(o.sortedActiveJobs().empty());
    REQUIRE(o.recentResults() != nullptr);
    CHECK(o.recentResults()->empty());
    REQUIRE(o.systemStatus() != nullptr);
    CHECK(*o.systemStatus() == model::DEFAULT_SYSTEM_STATUS);
    CHECK(o.isConnected() == false);
    CHECK(o.queueManagerActive() == false);
    CHECK(o.historyLimit() == 10);
    CHECK(o.pollIntervalMs() == 10000);
    CHECK(o.systemStatusReady() == false);
    CHECK_FALSE(o.systemStatusLastUpdated().has_value());
    CHECK(o.systemStatusApiAvailable() == true);
    CHECK(o.isActive() == false);
    // The same keys on the snapshot the UI draws from.
    const auto s = h.snap();
    CHECK(s->version == 0);
    CHECK(s->jobs.empty());
    CHECK(s->historyLimit == 10);
    CHECK(s->pollIntervalMs == 10000);
    CHECK(s->systemStatusApiAvailable);
}

TEST_CASE("contract: reading any state key makes zero transport calls, posts no work and changes nothing") {
    Harness h;
    // Before initialize: reading never creates a transport (spec 7.3 store: never creates a transport adapter).
    auto readAll = [&] {
        const auto& o = h.orc;
        (void)o.jobs();
        (void)o.activeJobs();
        (void)o.sortedActiveJobs();
        (void)o.recentResults();
        (void)o.systemStatus();
        (void)o.isConnected();
        (void)o.queueManagerActive();
        (void)o.historyLimit();
        (void)o.pollIntervalMs();
        (void)o.systemStatusReady();
        (void)o.systemStatusLastUpdated();
        (void)o.systemStatusApiAvailable();
        (void)o.isActive();
        (void)o.isJobCancellable("j1");
        (void)o.getCancellableJobs();
        (void)o.snapshot();
    };
    readAll();
    CHECK(h.fake.count("factory") == 0);
    CHECK(h.exec.runUntilIdle() == 0);
    CHECK(h.exec.pendingTimers() == 0);

    seedData(h);
    h.initialize();
    const int calls = h.fake.totalCalls();
    const auto version = h.snap()->version;
    const size_t timers = h.exec.pendingTimers();
    for (int i = 0; i < 100; ++i) readAll();
    CHECK(h.exec.runUntilIdle() == 0);  // nothing was posted
    CHECK(h.fake.totalCalls() == calls);
    CHECK(h.snap()->version == version);
    CHECK(h.exec.pendingTimers() == timers);
    CHECK(h.fake.count("factory") == 1);
}

TEST_CASE("contract: no unsolicited watchers: no timer, socket or transport exists before initialize") {
    Harness h;
    h.exec.advance(60'000);
    CHECK(h.exec.pendingTimers() == 0);
    CHECK(h.fake.totalCalls() == 0);
    CHECK(h.fake.listener() == nullptr);
    CHECK(h.fake.transportsAlive() == 0);
}

TEST_CASE("spec 7.3 store: initialize fetches with limit 10, sets queueManagerActive and isActive, starts polling and the socket") {
    Harness h;
    seedData(h);
    auto f = h.start(testOptions());
    // Before the worker runs nothing has happened.
    CHECK(h.fake.totalCalls() == 0);
    auto r = h.settle(std::move(f));
    REQUIRE(r.ok());
    CHECK(h.fake.count("factory") == 1);
    CHECK(h.fake.configs().at(0).baseUrl == "http://backend-a/api/v1");
    CHECK(h.fake.count("fetchSystemStatus") == 1);
    CHECK(h.fake.count("fetchActiveJobs") == 1);
    CHECK(h.fake.activeJobLimits() == std::vector<int>{200});  // decision 10
    CHECK(h.fake.resultPages() == std::vector<std::pair<int, int>>{{10, 0}});
    CHECK(h.fake.count("startPush") == 1);
    CHECK(h.fake.listener() != nullptr);
    const auto s = h.snap();
    CHECK(s->queueManagerActive);
    CHECK(s->isActive);
    CHECK(s->jobs.size() == 2);
    CHECK(s->recentResults->size() == 2);
    CHECK(s->systemStatus->status == "healthy");
    CHECK(s->systemStatusReady);
    CHECK(s->serverQueueLength == 2);
    CHECK(h.exec.pendingTimers() >= 2);  // queue and status polls
}

TEST_CASE("spec 7.1: initialize while already active does nothing") {
    Harness h;
    h.initialize();
    const int calls = h.fake.totalCalls();
    h.manager.setOptions(testOptions(50));
    auto r = h.settle(h.binding->initialize());
    CHECK(r.ok());
    CHECK(h.fake.totalCalls() == calls);
    CHECK(h.fake.count("factory") == 1);
    CHECK(h.snap()->historyLimit == 10);
}

TEST_CASE("spec 7.1: a failing initialize cleans up and reports, polling and the socket never start") {
    Harness h;
    h.fake.status.push(httpError(500, "Internal Server Error"));
    auto r = h.settle(h.start(testOptions()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 500);
    CHECK(r.error().message == "Internal Server Error");
    CHECK(h.fake.count("startPush") == 0);
    CHECK(h.fake.count("cancelAll") == 1);
    CHECK(h.fake.transportsAlive() == 0);
    const auto s = h.snap();
    CHECK_FALSE(s->isActive);
    CHECK_FALSE(s->queueManagerActive);
    CHECK(s->connection.phase == ConnectionPhase::Disconnected);
    CHECK(s->connection.lastError == "Internal Server Error");
    // No poll runs afterwards.
    const int calls = h.fake.requestCalls();
    h.exec.advance(120'000);
    CHECK(h.fake.requestCalls() == calls);
    // And it can be retried.
    auto again = h.settle(h.start(testOptions()));
    CHECK(again.ok());
    CHECK(h.snap()->isActive);
    CHECK(h.fake.count("factory") == 2);
}

TEST_CASE("spec 7.1: a factory that cannot make a transport fails initialize without activating") {
    Harness h;
    h.fake.factoryFails = true;
    auto r = h.settle(h.start(testOptions()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("no transport") != std::string::npos);
    CHECK_FALSE(h.snap()->isActive);
    CHECK_FALSE(h.snap()->queueManagerActive);
}

TEST_CASE("spec 7.3 store: cleanup tears the transport down, sets queueManagerActive false and keeps cached data") {
    Harness h;
    seedData(h);
    h.initialize();
    REQUIRE(h.snap()->jobs.size() == 2);
    auto r = h.settle(h.manager.cleanup());
    CHECK(r.ok());
    CHECK(h.fake.count("stopPush") == 1);
    CHECK(h.fake.count("cancelAll") == 1);
    CHECK(h.fake.transportsAlive() == 0);
    CHECK(h.fake.listener() == nullptr);
    const auto s = h.snap();
    CHECK_FALSE(s->queueManagerActive);
    CHECK_FALSE(s->isActive);
    CHECK_FALSE(s->isConnected);
    // Cached data stays.
    CHECK(s->jobs.size() == 2);
    CHECK(s->recentResults->size() == 2);
    CHECK(s->systemStatus->status == "healthy");
    CHECK(s->systemStatusReady);
    // No timer fires a request afterwards.
    const int calls = h.fake.requestCalls();
    h.exec.advance(60'000);
    CHECK(h.fake.requestCalls() == calls);
    // Actions need a transport now.
    auto load = h.settle(h.orc.loadActiveJobsData());
    REQUIRE_FALSE(load.ok());
    CHECK(load.error().message == "Generation transport has not been initialized");
}

TEST_CASE("contract: cleanup ignores answers still on their way from the old transport") {
    Harness h;
    h.initialize();
    h.fake.hold = true;
    h.fake.jobs.push(fetchedJobs({makeJob("late", JobStatus::Queued)}));
    auto f = h.orc.loadActiveJobsData();
    h.exec.runUntilIdle();
    REQUIRE(h.fake.heldCount() == 1);
    h.settle(h.manager.cleanup());
    // cancelAll delivered the held answer as Cancelled; the load reports it.
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    auto r = f.get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == model::ErrorKind::Cancelled);
    CHECK(h.snap()->jobs.empty());
}

TEST_CASE("contract: destroy is cleanup plus resetState: transport gone and every key back to its initial value") {
    Harness h;
    seedData(h);
    h.initialize(testOptions(50));
    REQUIRE(h.snap()->historyLimit == 50);
    auto r = h.settle(h.manager.destroy());
    CHECK(r.ok());
    CHECK(h.fake.count("stopPush") == 1);
    CHECK(h.fake.transportsAlive() == 0);
    const auto s = h.snap();
    CHECK(s->jobs.empty());
    CHECK(s->activeJobs.empty());
    CHECK(s->sortedActiveJobs.empty());
    CHECK(s->recentResults->empty());
    CHECK(*s->systemStatus == model::DEFAULT_SYSTEM_STATUS);
    CHECK_FALSE(s->isConnected);
    CHECK_FALSE(s->queueManagerActive);
    CHECK(s->historyLimit == 10);
    CHECK(s->pollIntervalMs == 10000);
    CHECK_FALSE(s->systemStatusReady);
    CHECK_FALSE(s->systemStatusLastUpdated.has_value());
    CHECK(s->systemStatusApiAvailable);
    CHECK_FALSE(s->isActive);
    CHECK(s->connection.phase == ConnectionPhase::Idle);
}

TEST_CASE("contract: resetState clears queue, results and status without touching the transport") {
    Harness h;
    seedData(h);
    h.initialize(testOptions(50));
    const int calls = h.fake.totalCalls();
    auto r = h.settle(h.manager.resetState());
    CHECK(r.ok());
    CHECK(h.fake.totalCalls() == calls);  // no transport call at all (no stopPush, no cancelAll)
    CHECK(h.fake.transportsAlive() == 1);
    CHECK(h.fake.listener() != nullptr);
    const auto s = h.snap();
    CHECK(s->jobs.empty());
    CHECK(s->recentResults->empty());
    CHECK(s->historyLimit == 10);
    CHECK(*s->systemStatus == model::DEFAULT_SYSTEM_STATUS);
    CHECK_FALSE(s->systemStatusReady);
    CHECK(s->isActive);  // the transport is still there and usable
    // The transport still answers: a load goes through the same transport.
    h.fake.jobs.push(fetchedJobs({makeJob("after", JobStatus::Queued)}));
    auto load = h.settle(h.orc.loadActiveJobsData());
    CHECK(load.ok());
    CHECK(h.fake.count("factory") == 1);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"after"});
}

TEST_CASE("contract: destroy then initialize starts a fresh lifecycle with a new transport") {
    Harness h;
    seedData(h);
    h.initialize();
    h.settle(h.manager.destroy());
    h.fake.jobs.push(fetchedJobs({makeJob("second-life", JobStatus::Queued)}));
    h.initialize();
    CHECK(h.fake.count("factory") == 2);
    CHECK(h.fake.transportsAlive() == 1);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"second-life"});
    CHECK(h.snap()->isActive);
}

TEST_CASE("contract: snapshot versions increase with every publish and an acquired snapshot never changes") {
    Harness h;
    h.initialize();
    const auto s1 = h.snap();
    h.settle(h.orc.enqueueJob(makeJob("a", JobStatus::Queued)));
    const auto s2 = h.snap();
    CHECK(s2->version > s1->version);
    CHECK(s1->jobs.empty());
    CHECK(s2->jobs.size() == 1);
}
