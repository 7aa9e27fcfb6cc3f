// OrchestratorManager (spec §7.2; contract: single source of truth, initialize exactly once per
// lifecycle through the manager) and the useGenerationOrchestratorManager / useOrchestrator*
// lines of §7.3. Deterministic on a ManualExecutor, plus one run on a real worker thread.
#include <doctest/doctest.h>

#include <thread>

#include "fake_transport.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

TEST_CASE("spec 7.3 lifecycle: initialize runs once: a second initialize reuses the first") {
    ManagerHarness h;
    auto b = h.manager.acquire();
    auto f1 = b.initialize();
    h.exec.runUntilIdle();
    REQUIRE(isReady(f1));
    CHECK(f1.get().ok());
    CHECK(h.manager.isInitialized());
    auto f2 = b.initialize();
    CHECK(isReady(f2));  // answered at once
    h.exec.runUntilIdle();
    CHECK(f2.get().ok());
    CHECK(h.fake.count("factory") == 1);
    CHECK(h.fake.count("fetchActiveJobs") == 1);
    // initialize used the computed limit 10 (spec 7.3 lifecycle: historyLimit 10).
    CHECK(h.fake.resultPages() == std::vector<std::pair<int, int>>{{10, 0}});
}

TEST_CASE("spec 7.2: concurrent initialize from two bindings shares one initialization") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    auto b = h.manager.acquire();
    auto fa = a.initialize();
    auto fb = b.initialize();
    CHECK_FALSE(isReady(fa));
    h.exec.runUntilIdle();
    REQUIRE(isReady(fa));
    REQUIRE(isReady(fb));
    CHECK(fa.get().ok());
    CHECK(fb.get().ok());
    CHECK(h.fake.count("factory") == 1);
    CHECK(h.fake.count("fetchSystemStatus") == 1);
    // Single source of truth: both bindings see the one orchestrator.
    CHECK(a.orchestrator() == b.orchestrator());
    CHECK(a.orchestrator() == &h.manager.orchestrator());
    CHECK(a.snapshot() == b.snapshot());
}

TEST_CASE("spec 7.3 manager: a failing initialize cleans up, reports, clears the pending promise and can be retried") {
    ManagerHarness h;
    auto b = h.manager.acquire();
    h.fake.status.push(httpError(503, "Service Unavailable"));
    auto f = b.initialize();
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    auto r = f.get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "Service Unavailable");
    CHECK_FALSE(h.manager.isInitialized());
    CHECK(h.fake.transportsAlive() == 0);  // cleaned up
    CHECK_FALSE(h.snap()->isActive);
    CHECK(h.snap()->connection.lastError == "Service Unavailable");
    // Retry: a new initialization (not the failed promise).
    auto again = b.initialize();
    CHECK_FALSE(isReady(again));
    h.exec.runUntilIdle();
    REQUIRE(isReady(again));
    CHECK(again.get().ok());
    CHECK(h.manager.isInitialized());
    CHECK(h.fake.count("factory") == 2);
    CHECK(h.snap()->isActive);
}

TEST_CASE("spec 7.3 manager: releasing the last consumer destroys the orchestrator, releasing another does not") {
    ManagerHarness h;
    h.fake.jobs.push(fetchedJobs({makeJob("j", JobStatus::Queued)}));
    auto a = h.manager.acquire();
    auto b = h.manager.acquire();
    a.initialize();
    h.exec.runUntilIdle();
    REQUIRE(h.snap()->jobs.size() == 1);
    CHECK(h.manager.consumerCount() == 2);
    a.release();
    h.exec.runUntilIdle();
    CHECK(a.released());
    CHECK(h.manager.consumerCount() == 1);
    CHECK(h.snap()->isActive);
    CHECK(h.fake.transportsAlive() == 1);
    b.release();
    h.exec.runUntilIdle();
    CHECK(h.manager.consumerCount() == 0);
    CHECK_FALSE(h.manager.isInitialized());
    CHECK(h.fake.transportsAlive() == 0);
    const auto s = h.snap();
    CHECK_FALSE(s->isActive);
    CHECK_FALSE(s->queueManagerActive);
    CHECK(s->jobs.empty());  // destroy = cleanup + resetState
    CHECK(s->historyLimit == 10);
}

TEST_CASE("spec 7.2: a Binding releases itself when it goes out of scope, and a moved-from binding does nothing") {
    ManagerHarness h;
    {
        auto a = h.manager.acquire();
        a.initialize();
        h.exec.runUntilIdle();
        auto moved = std::move(a);
        CHECK(a.released());
        CHECK_FALSE(moved.released());
        CHECK(h.manager.consumerCount() == 1);
    }
    h.exec.runUntilIdle();
    CHECK(h.manager.consumerCount() == 0);
    CHECK(h.fake.transportsAlive() == 0);
    // A released binding's initialize reports instead of initializing.
    auto b = h.manager.acquire();
    b.release();
    auto f = b.initialize();
    REQUIRE(isReady(f));
    CHECK_FALSE(f.get().ok());
}

TEST_CASE("spec 7.3 lifecycle: after the last release a new consumer initializes a fresh lifecycle") {
    ManagerHarness h;
    {
        auto a = h.manager.acquire();
        a.initialize();
        h.exec.runUntilIdle();
    }
    h.exec.runUntilIdle();
    auto b = h.manager.acquire();
    auto f = b.initialize();
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    CHECK(f.get().ok());
    CHECK(h.fake.count("factory") == 2);
    CHECK(h.snap()->isActive);
}

TEST_CASE("spec 7.2: releasing the last consumer while initialize is in flight leaves nothing initialized") {
    ManagerHarness h;
    h.fake.hold = true;
    auto a = h.manager.acquire();
    auto f = a.initialize();
    h.exec.runUntilIdle();
    REQUIRE(h.fake.heldCount() == 3);
    // The GETs answer, but the release comes before the worker sees them.
    h.fake.releaseAll();
    a.release();
    h.fake.hold = false;
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    CHECK_FALSE(h.manager.isInitialized());
    CHECK_FALSE(h.snap()->isActive);
    CHECK(h.fake.transportsAlive() == 0);
    // A new consumer must really initialize again, not reuse a dead lifecycle.
    auto b = h.manager.acquire();
    auto g = b.initialize();
    CHECK_FALSE(isReady(g));
    h.exec.runUntilIdle();
    REQUIRE(isReady(g));
    CHECK(g.get().ok());
    CHECK(h.manager.isInitialized());
    CHECK(h.snap()->isActive);
    CHECK(h.fake.transportsAlive() == 1);
}

TEST_CASE("spec 7.2: release and a new initialize while the old one is in flight: the new lifecycle is the one shared") {
    ManagerHarness h;
    h.fake.hold = true;
    auto a = h.manager.acquire();
    auto f = a.initialize();
    h.exec.runUntilIdle();
    REQUIRE(h.fake.heldCount() == 3);
    a.release();  // posts destroy: the old GETs come back Cancelled
    auto b = h.manager.acquire();
    auto g = b.initialize();  // a new initialize, posted after the destroy
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));  // the old lifecycle's initialize has answered (superseded)
    CHECK(h.fake.count("factory") == 2);
    CHECK_FALSE(isReady(g));  // the new one waits for its own GETs
    // A third consumer joins the pending new initialization instead of starting another.
    auto c = h.manager.acquire();
    auto g2 = c.initialize();
    h.exec.runUntilIdle();
    CHECK(h.fake.count("factory") == 2);
    CHECK_FALSE(isReady(g2));
    h.fake.hold = false;
    h.fake.releaseAll();
    h.exec.runUntilIdle();
    REQUIRE(isReady(g));
    REQUIRE(isReady(g2));
    CHECK(g.get().ok());
    CHECK(g2.get().ok());
    CHECK(h.manager.isInitialized());
    CHECK(h.snap()->isActive);
    CHECK(h.fake.count("factory") == 2);
}

// ---- history limit -----------------------------------------------------------------------------------

TEST_CASE("spec 7.3 consumers: the limit is 10, 50 while any consumer shows history, and 10 again after it hides or releases") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    auto b = h.manager.acquire();
    CHECK(h.manager.computedHistoryLimit() == 10);
    b.setHistoryVisible(true);
    CHECK(h.manager.computedHistoryLimit() == 50);
    a.setHistoryVisible(true);
    b.setHistoryVisible(false);
    CHECK(h.manager.computedHistoryLimit() == 50);
    a.release();
    CHECK(h.manager.computedHistoryLimit() == 10);
    auto c = h.manager.acquire(ConsumerOptions{true, true, true});
    CHECK(h.manager.computedHistoryLimit() == 50);
    c.release();
    CHECK(h.manager.computedHistoryLimit() == 10);
}

TEST_CASE("spec 7.3 integration: visibility true gives limit 50 and one results reload with limit 50, false gives 10") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    auto b = h.manager.acquire();
    a.initialize();
    h.exec.runUntilIdle();
    REQUIRE(h.snap()->historyLimit == 10);
    h.fake.resetCounts();
    a.setHistoryVisible(true);
    b.setHistoryVisible(true);  // still 50: no second reload (one watcher however many consumers)
    h.exec.runUntilIdle();
    CHECK(h.snap()->historyLimit == 50);
    CHECK(h.fake.resultPages() == std::vector<std::pair<int, int>>{{50, 0}});
    a.setHistoryVisible(false);
    b.setHistoryVisible(false);
    h.exec.runUntilIdle();
    CHECK(h.snap()->historyLimit == 10);
    CHECK(h.fake.count("fetchResults") == 1);  // shrinking trims locally (genmon decision)
}

TEST_CASE("spec 7.3 effects: history changes before initialize are not sent, initialize uses the current limit") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    a.setHistoryVisible(true);
    h.exec.runUntilIdle();
    CHECK(h.fake.totalCalls() == 0);
    a.initialize();
    h.exec.runUntilIdle();
    CHECK(h.fake.resultPages() == std::vector<std::pair<int, int>>{{50, 0}});
    CHECK(h.snap()->historyLimit == 50);
}

TEST_CASE("spec 7.2: a history change while initialize is in flight is applied once initialization finishes") {
    ManagerHarness h;
    h.fake.hold = true;
    auto a = h.manager.acquire();
    auto f = a.initialize();
    h.exec.runUntilIdle();
    a.setHistoryVisible(true);
    h.fake.hold = false;
    h.fake.releaseAll();
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    REQUIRE(f.get().ok());
    CHECK(h.snap()->historyLimit == 50);
    CHECK(h.fake.resultPages().back() == std::pair<int, int>{50, 0});
}

TEST_CASE("spec 7.2: an explicit history limit overrides the 10/50 rule and reloads, clearing it returns to the rule") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    a.initialize();
    h.exec.runUntilIdle();
    h.manager.setHistoryLimitOverride(150);
    h.exec.runUntilIdle();
    CHECK(h.manager.computedHistoryLimit() == 150);
    CHECK(h.snap()->historyLimit == 150);
    CHECK(h.fake.resultPages().back() == std::pair<int, int>{100, 0});  // first page of 150
    a.setHistoryVisible(true);
    CHECK(h.manager.computedHistoryLimit() == 150);
    h.manager.setHistoryLimitOverride(1000);
    CHECK(h.manager.computedHistoryLimit() == 200);
    h.manager.setHistoryLimitOverride(std::nullopt);
    h.exec.runUntilIdle();
    CHECK(h.manager.computedHistoryLimit() == 50);
    CHECK(h.snap()->historyLimit == 50);
}

TEST_CASE("spec 7.3 consumers: a consumer without history auto-sync does not raise the limit") {
    ManagerHarness h;
    auto a = h.manager.acquire(ConsumerOptions{false, true, true});
    CHECK(h.manager.computedHistoryLimit() == 10);
}

// ---- backend ----------------------------------------------------------------------------------------

TEST_CASE("spec 7.3 integration: setBackend calls handleBackendUrlChange once however many consumers") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    auto b = h.manager.acquire();
    auto c = h.manager.acquire();
    a.initialize();
    h.exec.runUntilIdle();
    h.fake.resetCounts();
    BackendConfig cfg;
    cfg.baseUrl = "http://backend-b/api/v1";
    auto f = h.manager.setBackend(cfg);
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    CHECK(f.get().ok());
    CHECK(h.fake.count("factory") == 1);
    CHECK(h.fake.count("fetchSystemStatus") == 1);
    CHECK(h.fake.count("fetchActiveJobs") == 1);
    CHECK(h.fake.count("fetchResults") == 1);
    CHECK(h.snap()->backendUrl == "http://backend-b/api/v1");
    // The same URL again changes nothing.
    auto same = h.manager.setBackend(cfg);
    h.exec.runUntilIdle();
    CHECK(same.get().ok());
    CHECK(h.fake.count("factory") == 1);
}

TEST_CASE("spec 7.3 effects: a backend change before initialize is only remembered, initialize then uses it") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    BackendConfig cfg;
    cfg.baseUrl = "http://backend-c/api/v1";
    auto f = h.manager.setBackend(cfg);
    REQUIRE(isReady(f));
    CHECK(f.get().ok());
    h.exec.runUntilIdle();
    CHECK(h.fake.totalCalls() == 0);
    a.initialize();
    h.exec.runUntilIdle();
    CHECK(h.fake.configs().at(0).baseUrl == "http://backend-c/api/v1");
}

TEST_CASE("spec 7.3 integration: with only autoSync-false consumers left, a backend change triggers nothing") {
    ManagerHarness h;
    auto follower = h.manager.acquire();
    auto passive = h.manager.acquire(ConsumerOptions{false, false, false});
    follower.initialize();
    h.exec.runUntilIdle();
    follower.release();
    h.exec.runUntilIdle();
    h.fake.resetCounts();
    BackendConfig cfg;
    cfg.baseUrl = "http://backend-d/api/v1";
    h.manager.setBackend(cfg);
    h.exec.runUntilIdle();
    CHECK(h.fake.count("factory") == 0);
    CHECK(h.fake.requestCalls() == 0);
    CHECK(h.manager.backend().baseUrl == "http://backend-d/api/v1");
}

TEST_CASE("spec 7.2: a backend change while initialize is in flight reconnects once initialization finishes") {
    ManagerHarness h;
    h.fake.hold = true;
    auto a = h.manager.acquire();
    auto f = a.initialize();
    h.exec.runUntilIdle();
    BackendConfig cfg;
    cfg.baseUrl = "http://backend-e/api/v1";
    h.manager.setBackend(cfg);
    h.fake.hold = false;
    h.fake.releaseAll();
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    CHECK(f.get().ok());
    CHECK(h.fake.configs().back().baseUrl == "http://backend-e/api/v1");
    CHECK(h.snap()->backendUrl == "http://backend-e/api/v1");
    CHECK(h.fake.transportsAlive() == 1);
}

// ---- notifications reach every consumer through the one queue ---------------------------------------

TEST_CASE("spec 7.3 manager: a notification is delivered once through the shared event queue whatever the consumer count") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    auto b = h.manager.acquire();
    a.initialize();
    h.exec.runUntilIdle();
    h.events.drain();
    h.fake.cancel.push(httpError(404, "Job not found"));
    auto f = b.orchestrator()->cancelJob("ghost");
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    const auto events = h.events.drain();
    REQUIRE(events.size() == 1);
    CHECK(events[0].message == "Failed to cancel generation");
    CHECK(events[0].kind == NotificationKind::Error);
}

// ---- on a real worker thread (run under TSan too) ----------------------------------------------------

TEST_CASE("spec 7.2 threads: two threads initialize at once through two bindings, one initialization, last release destroys") {
    for (int round = 0; round < 20; ++round) {
        std::optional<ThreadExecutor> exec(std::in_place);
        FakeBackend fake(*exec);
        SnapshotBuffer buffer;
        EventQueue events;
        {
            OrchestratorManager manager(*exec, fake.factory(), buffer, events, testOptions());
            auto a = manager.acquire();
            auto b = manager.acquire();
            std::shared_future<model::Status> fa, fb;
            std::thread ta([&] { fa = a.initialize(); });
            std::thread tb([&] { fb = b.initialize(); });
            ta.join();
            tb.join();
            REQUIRE(fa.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
            REQUIRE(fb.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
            CHECK(fa.get().ok());
            CHECK(fb.get().ok());
            CHECK(fake.count("factory") == 1);
            CHECK(manager.isInitialized());
            std::thread ra([&] { a.release(); });
            std::thread rb([&] { b.release(); });
            ra.join();
            rb.join();
            CHECK(manager.consumerCount() == 0);
            CHECK_FALSE(manager.isInitialized());
            // Drain the worker (runs the destroy) before the orchestrator goes away.
            exec.reset();
            CHECK(fake.transportsAlive() == 0);
            CHECK_FALSE(buffer.acquire()->isActive);
        }
    }
}

TEST_CASE("spec 7.2: the manager waits for the destroy its last release posted before it goes away") {
    ManualExecutor exec;
    FakeBackend fake(exec);
    SnapshotBuffer buffer;
    EventQueue events;
    auto manager = std::make_unique<OrchestratorManager>(exec, fake.factory(), buffer, events, testOptions());
    {
        auto b = manager->acquire();
        b.initialize();
        exec.runUntilIdle();
        REQUIRE(buffer.acquire()->isActive);
    }  // release: destroy is posted, not run yet
    std::atomic<bool> gone{false};
    bool activeWhenGone = true;
    std::thread destroyer([&] {
        manager.reset();
        activeWhenGone = buffer.acquire()->isActive;
        gone = true;
    });
    // Nothing has run the destroy yet, so the manager must still be waiting for it (a manager
    // that did not wait would be gone by now, and its destroy would then run on freed memory).
    for (int i = 0; i < 200'000 && !gone; ++i) std::this_thread::yield();
    CHECK_FALSE(gone.load());
    while (!gone) exec.runUntilIdle();  // now the worker runs it, and the manager can go
    destroyer.join();
    CHECK_FALSE(activeWhenGone);
    CHECK(fake.transportsAlive() == 0);
}

TEST_CASE("spec 7.3 manager: the binding exposes the store's activeJobs and systemStatus") {
    ManagerHarness h;
    h.fake.jobs.push(fetchedJobs({makeJob("a", JobStatus::Queued), makeJob("done", JobStatus::Completed)}));
    auto b = h.manager.acquire();
    b.initialize();
    h.exec.runUntilIdle();
    const auto s = b.snapshot();
    CHECK(ids(s->activeJobs) == std::vector<std::string>{"a"});
    CHECK(s->systemStatus->status == "healthy");
    CHECK(b.orchestrator()->activeJobs().size() == 1);
}

TEST_CASE("spec 7.3 integration: after release, neither a history nor a backend change triggers anything") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    a.initialize();
    h.exec.runUntilIdle();
    a.release();
    h.exec.runUntilIdle();
    h.fake.resetCounts();
    a.setHistoryVisible(true);  // released binding: no effect
    BackendConfig cfg;
    cfg.baseUrl = "http://backend-f/api/v1";
    h.manager.setBackend(cfg);
    h.exec.runUntilIdle();
    CHECK(h.fake.totalCalls() == 0);
    CHECK(h.manager.computedHistoryLimit() == 10);
}

// ---- issue 15.2: the manager is the only door to the lifecycle --------------------------------

// A binding whose initialize has run and answered ok.
static Binding initialized(ManagerHarness& h) {
    auto b = h.manager.acquire();
    auto f = b.initialize();
    h.exec.runUntilIdle();
    REQUIRE(f.get().ok());
    return b;
}

template <class O>
concept CanInitialize = requires(O& o) { o.initialize(OrchestratorOptions{}); };
template <class O>
concept CanCleanUp = requires(O& o) { o.cleanup(); };
template <class O>
concept CanDestroy = requires(O& o) { o.destroy(); };
template <class O>
concept CanResetState = requires(O& o) { o.resetState(); };
template <class O>
concept CanCancel = requires(O& o) { o.cancelJob(std::string()); };

TEST_CASE("contract single source of truth (issue 15.2): what consumers hold has reads and actions, lifecycle only through the manager") {
    // Access control decides: a consumer's GenerationOrchestrator& cannot initialize or destroy.
    CHECK_FALSE(CanInitialize<GenerationOrchestrator>);
    CHECK_FALSE(CanCleanUp<GenerationOrchestrator>);
    CHECK_FALSE(CanDestroy<GenerationOrchestrator>);
    CHECK_FALSE(CanResetState<GenerationOrchestrator>);
    CHECK(CanCancel<GenerationOrchestrator>);
    CHECK(CanDestroy<OrchestratorManager>);
    CHECK(CanCleanUp<OrchestratorManager>);
}

TEST_CASE("contract lifecycle initialize (issue 15.2): a second initialize through the manager answers ok without a second initialization") {
    ManagerHarness h;
    auto a = h.manager.acquire();
    auto first = a.initialize();
    h.exec.runUntilIdle();
    REQUIRE(first.get().ok());
    const int calls = h.fake.totalCalls();
    auto b = h.manager.acquire();
    auto second = b.initialize();
    CHECK(isReady(second));
    CHECK(second.get().ok());
    h.exec.runUntilIdle();
    CHECK(h.fake.totalCalls() == calls);
    CHECK(h.fake.count("factory") == 1);
    CHECK(h.snap()->isActive);
}

TEST_CASE("contract lifecycle destroy (issue 15.2): destroy through the manager ends the lifecycle, the next initialize runs again") {
    ManagerHarness h;
    h.fake.jobs.push(fetchedJobs({makeJob("first-life", JobStatus::Queued)}));
    auto b = initialized(h);
    REQUIRE(h.snap()->jobs.size() == 1);
    auto d = h.manager.destroy();
    h.exec.runUntilIdle();
    REQUIRE(isReady(d));
    CHECK(d.get().ok());
    // The manager knows the orchestrator is gone: no answer "ok" on a dead orchestrator.
    CHECK_FALSE(h.manager.isInitialized());
    CHECK(h.manager.consumerCount() == 1);  // bindings stay
    CHECK(h.fake.transportsAlive() == 0);
    CHECK(h.snap()->jobs.empty());
    CHECK_FALSE(h.snap()->isActive);
    h.fake.jobs.push(fetchedJobs({makeJob("second-life", JobStatus::Queued)}));
    auto again = b.initialize();
    CHECK_FALSE(isReady(again));  // a real initialization, not the old answer
    h.exec.runUntilIdle();
    REQUIRE(again.get().ok());
    CHECK(h.manager.isInitialized());
    CHECK(h.fake.count("factory") == 2);
    CHECK(h.fake.transportsAlive() == 1);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"second-life"});
    CHECK(h.snap()->isActive);
}

TEST_CASE("contract lifecycle cleanup (issue 15.2): cleanup through the manager keeps the data, and the next initialize runs again") {
    ManagerHarness h;
    h.fake.jobs.push(fetchedJobs({makeJob("kept", JobStatus::Queued)}));
    auto b = initialized(h);
    auto c = h.manager.cleanup();
    h.exec.runUntilIdle();
    REQUIRE(c.get().ok());
    CHECK_FALSE(h.manager.isInitialized());
    CHECK(h.fake.transportsAlive() == 0);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"kept"});
    CHECK_FALSE(h.snap()->isActive);
    auto again = b.initialize();
    h.exec.runUntilIdle();
    REQUIRE(again.get().ok());
    CHECK(h.fake.count("factory") == 2);
    CHECK(h.snap()->isActive);
}

TEST_CASE("spec 7.2 binding (issue 15.2): a released binding reaches nothing: no orchestrator, an empty snapshot, initialize answers an error") {
    ManagerHarness h;
    h.fake.jobs.push(fetchedJobs({makeJob("a", JobStatus::Queued)}));
    auto keep = h.manager.acquire();
    auto b = initialized(h);
    REQUIRE(b.snapshot()->jobs.size() == 1);
    b.release();
    CHECK(b.released());
    CHECK(b.orchestrator() == nullptr);
    const auto empty = b.snapshot();
    REQUIRE(empty != nullptr);
    CHECK(empty->jobs.empty());
    CHECK_FALSE(empty->isActive);
    auto r = b.initialize();
    REQUIRE(isReady(r));
    REQUIRE_FALSE(r.get().ok());
    CHECK(r.get().error().message == "this binding was released");
    b.setHistoryVisible(true);  // does nothing, and does not crash
    CHECK(h.manager.computedHistoryLimit() == kDefaultHistoryLimit);
    // The other consumer still has the live orchestrator.
    CHECK(keep.snapshot()->jobs.size() == 1);
    CHECK(h.manager.isInitialized());
}
