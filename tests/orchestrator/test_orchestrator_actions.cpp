// Data loading and transport actions of the contract (spec §4.7, §5.3, §7.1, §7.3 store and
// transportActions lines), through the orchestrator with the scripted fake transport.
#include <doctest/doctest.h>

#include "fake_transport.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

namespace {
model::GenerationRequest request(std::string prompt = "a lighthouse at dusk") {
    model::GenerationRequest r;
    r.prompt = std::move(prompt);
    r.steps = 25;
    r.width = 640;
    r.height = 384;
    return r;
}
}  // namespace

// ---- loading ----------------------------------------------------------------------------------------

TEST_CASE("contract: loadSystemStatusData fetches the status once and merges it") {
    Harness h;
    h.initialize();
    model::SystemStatusPatch p;
    p.queue_length = 9;
    h.fake.status.push(FetchedStatus{p, {}});
    auto r = h.settle(h.orc.loadSystemStatusData());
    CHECK(r.ok());
    CHECK(h.fake.count("fetchSystemStatus") == 2);
    CHECK(h.snap()->systemStatus->queue_length == 9);
    CHECK(h.snap()->systemStatus->status == "healthy");  // merged over the initial payload (§6.2)
    CHECK(h.snap()->systemStatusReady);
}

TEST_CASE("contract: loadSystemStatusData of a 200 without a body marks the status hydrated and keeps it unknown") {
    Harness h;
    h.fake.status.push(FetchedStatus{std::nullopt, {}});
    h.initialize();
    CHECK(h.snap()->systemStatusReady);
    CHECK(h.snap()->systemStatusApiAvailable);
    CHECK(h.snap()->systemStatus->status == "unknown");
}

TEST_CASE("contract: loadSystemStatusData reports errors, the transport path does not overwrite the status") {
    Harness h;
    h.initialize();
    h.fake.status.push(httpError(500, "status exploded"));
    auto r = h.settle(h.orc.loadSystemStatusData());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "status exploded");
    CHECK(h.snap()->systemStatus->status == "healthy");
    CHECK(h.snap()->lastRefreshError == "system status: status exploded");
}

TEST_CASE("contract: loadActiveJobsData replaces the queue with the server's list") {
    Harness h;
    h.initialize();
    h.settle(h.orc.enqueueJob(makeJob("stale", JobStatus::Processing)));
    h.fake.jobs.push(fetchedJobs({makeJob("s1", JobStatus::Processing, "2026-01-01T10:00:00"),
                                  makeJob("s2", JobStatus::Queued, "2026-01-01T11:00:00")}));
    auto r = h.settle(h.orc.loadActiveJobsData());
    CHECK(r.ok());
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"s1", "s2"});
    CHECK(ids(h.snap()->sortedActiveJobs) == std::vector<std::string>{"s1", "s2"});
    CHECK(h.snap()->jobsUpdatedAtMicros == h.exec.nowMicros());
}

TEST_CASE("spec 7.3 useGenerationQueueClient: an HTTP 500 on active jobs rejects and leaves the queue as it was") {
    Harness h;
    h.fake.jobs.push(fetchedJobs({makeJob("kept", JobStatus::Queued)}));
    h.initialize();
    h.fake.jobs.push(httpError(500, "database is down"));
    auto r = h.settle(h.orc.loadActiveJobsData());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 500);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"kept"});
    CHECK(h.snap()->lastRefreshError == "active jobs: database is down");
}

TEST_CASE("spec 7.3 useGenerationQueueClient: invalid entries dropped by the transport show one warning each") {
    Harness h;
    h.initialize();
    FetchedJobs fj = fetchedJobs({makeJob("ok", JobStatus::Processing)});
    fj.warnings = {"active job #1: id is required"};
    h.fake.jobs.push(fj);
    h.settle(h.orc.loadActiveJobsData());
    const auto events = h.drain();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == NotificationKind::Warning);
    CHECK(events[0].detail == "active job #1: id is required");
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"ok"});
}

TEST_CASE("spec 7.3 transportActions: loadRecentResults(true) fetches with the history limit and notifies Results refreshed") {
    Harness h;
    h.initialize(testOptions(25));
    h.fake.results.push(fetchedResults(3));
    auto r = h.settle(h.orc.loadRecentResults(true));
    CHECK(r.ok());
    CHECK(h.fake.resultPages().back() == std::pair<int, int>{25, 0});
    CHECK(h.snap()->recentResults->size() == 3);
    const auto events = h.drain();
    const auto e = findEvent(events, "Results refreshed");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Success);
}

TEST_CASE("contract: loadRecentResults(false) notifies nothing, a failure with notify shows Failed to refresh results") {
    Harness h;
    h.initialize();
    h.settle(h.orc.loadRecentResults(false));
    CHECK(h.drain().empty());
    h.fake.results.push(httpError(500, "results broke"));
    auto r = h.settle(h.orc.loadRecentResults(true));
    REQUIRE_FALSE(r.ok());
    const auto events = h.drain();
    const auto e = findEvent(events, "Failed to refresh results");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Error);
    CHECK(e->detail == "results broke");
    CHECK(!findEvent(events, "Results refreshed"));
}

TEST_CASE("decision 5: history limit 150 fetches two pages: limit 100 offset 0, then limit 50 offset 100") {
    Harness h;
    h.fake.results.push(fetchedResults(100, "a"));
    h.fake.results.push(fetchedResults(50, "b"));
    h.initialize(testOptions(150));
    CHECK(h.fake.resultPages() == std::vector<std::pair<int, int>>{{100, 0}, {50, 100}});
    const auto s = h.snap();
    REQUIRE(s->recentResults->size() == 150);
    CHECK((*s->recentResults)[0]->id == "a0");
    CHECK((*s->recentResults)[99]->id == "a99");
    CHECK((*s->recentResults)[100]->id == "b0");
}

TEST_CASE("decision 5: a short first page means there is no second page") {
    Harness h;
    h.fake.results.push(fetchedResults(40));
    h.initialize(testOptions(150));
    CHECK(h.fake.resultPages() == std::vector<std::pair<int, int>>{{100, 0}});
    CHECK(h.snap()->recentResults->size() == 40);
}

TEST_CASE("contract: refreshAllData makes the three GETs and applies each success") {
    Harness h;
    h.initialize();
    h.fake.resetCounts();
    h.fake.jobs.push(fetchedJobs({makeJob("j", JobStatus::Queued)}));
    h.fake.results.push(fetchedResults(1));
    auto r = h.settle(h.orc.refreshAllData());
    CHECK(r.ok());
    CHECK(h.fake.count("fetchSystemStatus") == 1);
    CHECK(h.fake.count("fetchActiveJobs") == 1);
    CHECK(h.fake.count("fetchResults") == 1);
    CHECK(h.snap()->jobs.size() == 1);
    CHECK(h.snap()->recentResults->size() == 1);
}

TEST_CASE("spec 7.1: refreshAllData issues the three GETs in parallel, reports the first failure and applies the other successes") {
    Harness h;
    h.initialize();
    h.fake.hold = true;
    model::SystemStatusPatch p;
    p.status = "degraded";
    h.fake.status.push(FetchedStatus{p, {}});
    h.fake.jobs.push(httpError(500, "jobs failed first"));
    h.fake.results.push(httpError(503, "results failed second"));
    auto f = h.orc.refreshAllData();
    h.exec.runUntilIdle();
    CHECK(h.fake.heldCount() == 3);  // all three in flight before any answer
    CHECK_FALSE(isReady(f));
    REQUIRE(h.fake.releaseFirst("fetchActiveJobs"));
    h.exec.runUntilIdle();
    CHECK_FALSE(isReady(f));  // waits for all three
    REQUIRE(h.fake.releaseFirst("fetchResults"));
    REQUIRE(h.fake.releaseFirst("fetchSystemStatus"));
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    auto r = f.get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "jobs failed first");
    CHECK(h.snap()->systemStatus->status == "degraded");  // the success was applied
}

TEST_CASE("contract: refreshAllData before initialize fails without a transport") {
    Harness h;
    auto r = h.settle(h.orc.refreshAllData());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "Generation transport has not been initialized");
    CHECK(h.fake.count("factory") == 0);
}

// ---- handleBackendUrlChange -----------------------------------------------------------------------------

TEST_CASE("contract: handleBackendUrlChange before initialize fails with Generation transport has not been initialized") {
    Harness h;
    BackendConfig b;
    b.baseUrl = "http://elsewhere/api/v1";
    auto r = h.settle(h.orc.handleBackendUrlChange(b));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "Generation transport has not been initialized");
    CHECK(h.fake.totalCalls() == 0);
}

TEST_CASE("spec 7.3 store: handleBackendUrlChange reconnects with a new transport from the factory and refreshes with the history limit") {
    Harness h;
    h.fake.jobs.push(fetchedJobs({makeJob("old-backend-job", JobStatus::Queued)}));
    h.initialize();
    h.fake.resetCounts();
    h.fake.jobs.push(fetchedJobs({makeJob("new-backend-job", JobStatus::Processing)}));
    BackendConfig b;
    b.baseUrl = "http://backend-b/api/v1";
    auto r = h.settle(h.orc.handleBackendUrlChange(b));
    CHECK(r.ok());
    CHECK(h.fake.count("factory") == 1);
    CHECK(h.fake.configs().back().baseUrl == "http://backend-b/api/v1");
    CHECK(h.fake.transportsAlive() == 1);
    CHECK(h.fake.count("stopPush") == 1);   // the old socket
    CHECK(h.fake.count("cancelAll") == 1);  // the old requests
    CHECK(h.fake.count("startPush") == 1);  // the new socket
    CHECK(h.fake.count("fetchSystemStatus") == 1);
    CHECK(h.fake.count("fetchActiveJobs") == 1);
    CHECK(h.fake.resultPages() == std::vector<std::pair<int, int>>{{10, 0}});
    const auto s = h.snap();
    CHECK(s->backendUrl == "http://backend-b/api/v1");
    CHECK(ids(s->jobs) == std::vector<std::string>{"new-backend-job"});
    CHECK(s->isActive);
    CHECK(s->queueManagerActive);
}

TEST_CASE("genmon decision: a backend change resets cached data and ignores late answers from the old backend") {
    Harness h;
    h.fake.results.push(fetchedResults(3, "old"));
    h.initialize(testOptions(50));
    h.fake.hold = true;
    h.fake.jobs.push(fetchedJobs({makeJob("late-old", JobStatus::Queued)}));
    auto pending = h.orc.loadActiveJobsData();
    h.exec.runUntilIdle();
    REQUIRE(h.fake.heldCount() == 1);
    BackendConfig b;
    b.baseUrl = "http://backend-b/api/v1";
    auto change = h.orc.handleBackendUrlChange(b);
    h.exec.runUntilIdle();
    // The old transport's held answer came back as Cancelled; the new backend's three GETs wait.
    REQUIRE(isReady(pending));
    CHECK_FALSE(pending.get().ok());
    const auto mid = h.snap();
    CHECK(mid->jobs.empty());
    CHECK(mid->recentResults->empty());
    CHECK(mid->historyLimit == 50);  // the limit is a setting, not cached data
    CHECK_FALSE(mid->systemStatusReady);
    h.fake.hold = false;
    h.fake.releaseAll();
    h.exec.runUntilIdle();
    REQUIRE(isReady(change));
    CHECK(change.get().ok());
    CHECK(findJob(h.snap()->jobs, "late-old") == nullptr);
}

// ---- startGeneration -----------------------------------------------------------------------------------

TEST_CASE("contract: startGeneration shows an optimistic entry in the published snapshot before the server answers") {
    Harness h;
    h.initialize();
    h.fake.hold = true;
    auto f = h.orc.startGeneration(request(), model::GenerationMode::Deferred);
    h.exec.runUntilIdle();
    REQUIRE_FALSE(isReady(f));
    CHECK(h.fake.count("queueGeneration") == 1);
    const auto s = h.snap();
    REQUIRE(s->jobs.size() == 1);
    const auto& j = *s->jobs[0];
    CHECK(j.optimistic);
    CHECK(j.status == JobStatus::Queued);
    CHECK(j.prompt->view() == "a lighthouse at dusk");
    CHECK(j.total_steps == 25);
    CHECK(j.params->width == 640);
    CHECK(s->sortedActiveJobs.size() == 1);
    CHECK(s->activeJobs.size() == 1);

    h.fake.releaseAll();
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    auto r = f.get();
    REQUIRE(r.ok());
    CHECK(r->jobId == "delivery-1");
    const auto after = h.snap();
    CHECK(ids(after->jobs) == std::vector<std::string>{"delivery-1"});
    CHECK(after->jobs[0]->backendId == "delivery-1");
    CHECK(after->jobs[0]->prompt->view() == "a lighthouse at dusk");
    CHECK(after->jobs[0]->optimistic);  // until the server lists it (decision 4)
    CHECK(h.fake.queueRequests().at(0).prompt == "a lighthouse at dusk");
}

TEST_CASE("spec 7.3 store: startGeneration returning job-1 enqueues 1 job, cancelJob(job-1) cancels job-1 and leaves 0 jobs") {
    Harness h;
    h.initialize();
    h.fake.queueGeneration.push(model::QueueGenerationResponse{"job-1"});
    auto started = h.settle(h.orc.startGeneration(request()));
    REQUIRE(started.ok());
    CHECK(started->jobId == "job-1");
    CHECK(h.snap()->jobs.size() == 1);
    auto c = h.settle(h.orc.cancelJob("job-1"));
    CHECK(c.ok());
    CHECK(h.fake.cancelIds() == std::vector<std::string>{"job-1"});
    CHECK(h.snap()->jobs.empty());
}

TEST_CASE("spec 4.7: an empty prompt is refused with Please enter a prompt and nothing is sent") {
    Harness h;
    h.initialize();
    auto r = h.settle(h.orc.startGeneration(request("   ")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "Please enter a prompt");
    CHECK(h.fake.count("queueGeneration") == 0);
    CHECK(h.fake.count("generate") == 0);
    CHECK(h.snap()->jobs.empty());
    const auto events = h.drain();
    const auto e = findEvent(events, "Please enter a prompt");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Error);
}

TEST_CASE("contract: startGeneration trims the prompt and fails without a transport") {
    Harness h;
    auto r = h.settle(h.orc.startGeneration(request("  cat  ")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "Generation transport has not been initialized");
    h.initialize();
    h.settle(h.orc.startGeneration(request("  cat  ")));
    CHECK(h.fake.queueRequests().at(0).prompt == "cat");
}

TEST_CASE("decision 4: a refused startGeneration removes the optimistic entry and notifies") {
    Harness h;
    h.initialize();
    h.fake.queueGeneration.push(httpError(422, "steps: Input should be less than or equal to 150"));
    auto r = h.settle(h.orc.startGeneration(request()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 422);
    CHECK(h.snap()->jobs.empty());
    const auto e = findEvent(h.drain(), "Failed to start generation");
    REQUIRE(e.has_value());
    CHECK(e->detail == "steps: Input should be less than or equal to 150");
}

TEST_CASE("decision 4: immediate mode adds a local result and decodes its image") {
    Harness h;
    h.initialize();
    model::GenerateResponse g;
    g.job_id = "imm-1";
    g.status = JobStatus::Completed;
    g.progress = 100;
    g.images = {"iVBORw0KGgo="};
    g.generation_seed = 1234567;
    h.fake.generate.push(g);
    auto r = h.settle(h.orc.startGeneration(request(), model::GenerationMode::Immediate));
    REQUIRE(r.ok());
    CHECK(r->jobId == "imm-1");
    CHECK(h.fake.count("generate") == 1);
    CHECK(h.fake.count("queueGeneration") == 0);
    CHECK(h.fake.decodedBase64() == std::vector<std::string>{"iVBORw0KGgo="});
    const auto s = h.snap();
    REQUIRE(s->recentResults->size() == 1);
    const auto& res = *(*s->recentResults)[0];
    CHECK(res.id == "imm-1");
    CHECK(res.prompt == "a lighthouse at dusk");
    CHECK(res.width == 640);
    CHECK(res.generation_seed == 1234567);
    CHECK(res.imageState == model::ImageState::Ready);
    REQUIRE(res.thumbnail != nullptr);
    CHECK(res.thumbnail->width == 2);
    // The finished job stays visible in the queue as completed (100 %).
    const auto j = findJob(s->sortedActiveJobs, "imm-1");
    REQUIRE(j);
    CHECK(j->status == JobStatus::Completed);
    CHECK(j->progress == 100);
    CHECK(s->activeJobs.empty());
    CHECK(findEvent(h.drain(), "Generation completed successfully").has_value());
}

TEST_CASE("decision 4: a refresh of the server's results keeps the local result of an immediate generation") {
    Harness h;
    h.initialize();
    model::GenerateResponse g;
    g.job_id = "imm-keep";
    g.status = JobStatus::Completed;
    g.progress = 100;
    h.fake.generate.push(g);
    REQUIRE(h.settle(h.orc.startGeneration(request(), model::GenerationMode::Immediate)).ok());
    REQUIRE(h.snap()->recentResults->size() == 1);
    CHECK((*h.snap()->recentResults)[0]->localOnly);

    // The server never lists it: its answer is three older results of its own.
    const auto olderResults = [](int n) {
        orch::FetchedResults out;
        for (int i = 0; i < n; ++i) {
            std::string id = "r";  // built step by step: GCC 12 misreads "r" + ... as an overlapping copy
            id += std::to_string(i);
            out.results.push_back({makeResult(id, "2026-01-01T00:00:00"), std::nullopt});
        }
        return out;
    };
    h.fake.results.push(olderResults(3));
    REQUIRE(h.settle(h.orc.loadRecentResults(false)).ok());
    auto list = *h.snap()->recentResults;
    REQUIRE(list.size() == 4);
    CHECK(list[0]->id == "imm-keep");  // newer than every server result: first
    CHECK(list[1]->id == "r0");
    CHECK_FALSE(list[1]->localOnly);

    // A second refresh does not add it twice; once the server lists the id, the server's is shown.
    h.fake.results.push(olderResults(3));
    REQUIRE(h.settle(h.orc.loadRecentResults(false)).ok());
    CHECK(h.snap()->recentResults->size() == 4);
    auto withIt = olderResults(2);
    withIt.results.push_back({makeResult("imm-keep"), std::nullopt});
    h.fake.results.push(withIt);
    REQUIRE(h.settle(h.orc.loadRecentResults(false)).ok());
    list = *h.snap()->recentResults;
    REQUIRE(list.size() == 3);
    CHECK(list[2]->id == "imm-keep");
    CHECK_FALSE(list[2]->localOnly);
}

TEST_CASE("spec 7.3 generationWebsocketManager intent: a failed immediate generation notifies Generation failed: <message>") {
    Harness h;
    h.initialize();
    model::GenerateResponse g;
    g.job_id = "imm-2";
    g.status = JobStatus::Failed;
    g.progress = 0;
    g.error_message = "SDNext API not available";
    h.fake.generate.push(g);
    auto r = h.settle(h.orc.startGeneration(request(), model::GenerationMode::Immediate));
    REQUIRE(r.ok());  // HTTP 200 with status failed (§2.4)
    CHECK(r->status == JobStatus::Failed);
    CHECK(h.snap()->recentResults->empty());
    const auto e = findEvent(h.drain(), "Generation failed: SDNext API not available");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Error);
    CHECK(h.fake.count("decodeImage") == 0);
}

// ---- cancelJob ---------------------------------------------------------------------------------------

TEST_CASE("spec 7.3 store: cancelling UI id job-ui-1 sends its backendId backend-1") {
    Harness h;
    h.initialize();
    auto j = makeJob("job-ui-1", JobStatus::Processing);
    j.backendId = model::Text("backend-1");
    h.settle(h.orc.enqueueJob(j));
    auto r = h.settle(h.orc.cancelJob("job-ui-1"));
    CHECK(r.ok());
    CHECK(h.fake.cancelIds() == std::vector<std::string>{"backend-1"});
    CHECK(h.snap()->jobs.empty());
    const auto e = findEvent(h.drain(), "Generation cancelled");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Success);
}

TEST_CASE("spec 2.5: a cancel answered 400 keeps the job and notifies Failed to cancel generation with the server's text") {
    Harness h;
    h.initialize();
    h.settle(h.orc.enqueueJob(makeJob("retrying-job", JobStatus::Processing)));
    h.fake.cancel.push(httpError(400, "Job cannot be cancelled in its current state"));
    auto r = h.settle(h.orc.cancelJob("retrying-job"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 400);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"retrying-job"});
    const auto events = h.drain();
    const auto e = findEvent(events, "Failed to cancel generation");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Error);
    CHECK(e->detail == "Job cannot be cancelled in its current state");
    CHECK(!findEvent(events, "Generation cancelled"));
}

TEST_CASE("bad input: cancelJob of an unknown id sends it anyway and shows the server's 404 text") {
    Harness h;
    h.initialize();
    h.fake.cancel.push(httpError(404, "Job not found"));
    auto r = h.settle(h.orc.cancelJob("no-such-job"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 404);
    CHECK(h.fake.cancelIds() == std::vector<std::string>{"no-such-job"});
    const auto e = findEvent(h.drain(), "Failed to cancel generation");
    REQUIRE(e.has_value());
    CHECK(e->detail == "Job not found");
}

TEST_CASE("spec 7.3 integration: binding cancelJob(job-99) sends backend-99") {
    Harness h;
    h.initialize();
    auto j = makeJob("job-99", JobStatus::Queued);
    j.backendId = model::Text("backend-99");
    h.settle(h.orc.enqueueJob(j));
    h.settle(h.orc.cancelJob("job-99"));
    CHECK(h.fake.cancelIds() == std::vector<std::string>{"backend-99"});
}

TEST_CASE("spec 7.3 JobQueue intent: cancel by id when the job has no separate backend id") {
    Harness h;
    h.initialize();
    model::Job j;
    j.uiId = model::Text("only-id");
    j.status = JobStatus::Queued;
    h.settle(h.orc.enqueueJob(j));
    h.settle(h.orc.cancelJob("only-id"));
    CHECK(h.fake.cancelIds() == std::vector<std::string>{"only-id"});
    CHECK(h.snap()->jobs.empty());
}

// ---- clearQueue ---------------------------------------------------------------------------------------

TEST_CASE("spec 7.3 store: clearQueue with one processing and one queued job makes 2 cancel calls and leaves 0 jobs") {
    Harness h;
    h.initialize();
    h.settle(h.orc.setJobs({makeJob("p", JobStatus::Processing), makeJob("q", JobStatus::Queued)}));
    auto r = h.settle(h.orc.clearQueue());
    REQUIRE(r.ok());
    CHECK(h.fake.count("cancelJob") == 2);
    CHECK(r->requested == 2);
    CHECK(r->cancelled == 2);
    CHECK(r->failures.empty());
    CHECK(h.snap()->jobs.empty());
}

TEST_CASE("spec 7.1: clearQueue issues every cancel before any answer, skips finished jobs, and never fails on mixed outcomes") {
    Harness h;
    h.initialize();
    auto a = makeJob("ui-a", JobStatus::Processing);
    a.backendId = model::Text("be-a");
    h.settle(h.orc.setJobs({a, makeJob("b", JobStatus::Queued), makeJob("c", JobStatus::Queued),
                            makeJob("done", JobStatus::Completed), makeJob("bad", JobStatus::Failed)}));
    h.fake.hold = true;
    auto f = h.orc.clearQueue();
    h.exec.runUntilIdle();
    CHECK(h.fake.heldCount() == 3);  // all three in flight at once
    CHECK(h.fake.count("cancelJob") == 3);
    auto sent = h.fake.cancelIds();
    std::sort(sent.begin(), sent.end());
    CHECK(sent == std::vector<std::string>{"b", "be-a", "c"});  // backend ids, no finished jobs
    CHECK_FALSE(isReady(f));
    h.fake.releaseAll();
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    CHECK(f.get().ok());
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"done", "bad"});
}

TEST_CASE("spec 7.1: clearQueue with mixed outcomes removes the successes, keeps and notifies the failures, and still succeeds") {
    Harness h;
    h.initialize();
    h.settle(h.orc.setJobs({makeJob("ok-1", JobStatus::Processing, "2026-01-01T10:00:00"),
                            makeJob("fails", JobStatus::Processing, "2026-01-01T09:00:00"),
                            makeJob("ok-2", JobStatus::Queued, "2026-01-01T08:00:00")}));
    // getCancellableJobs order is the 4.6 order: ok-1, fails, ok-2.
    h.fake.cancel.push(model::CancelResponse{true, "cancelled", ""});
    h.fake.cancel.push(httpError(400, "Job cannot be cancelled in its current state"));
    h.fake.cancel.push(model::CancelResponse{true, "cancelled", ""});
    auto r = h.settle(h.orc.clearQueue());
    REQUIRE(r.ok());
    CHECK(r->requested == 3);
    CHECK(r->cancelled == 2);
    REQUIRE(r->failures.size() == 1);
    CHECK(r->failures[0] == "fails: Job cannot be cancelled in its current state");
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"fails"});
    const auto events = h.drain();
    int failed = 0, cancelled = 0;
    for (const auto& e : events) {
        if (e.message == "Failed to cancel generation") ++failed;
        if (e.message == "Generation cancelled") ++cancelled;
    }
    CHECK(failed == 1);
    CHECK(cancelled == 2);
}

TEST_CASE("spec 7.1: clearQueue with nothing cancellable makes no call") {
    Harness h;
    h.initialize();
    h.settle(h.orc.setJobs({makeJob("done", JobStatus::Completed)}));
    auto r = h.settle(h.orc.clearQueue());
    REQUIRE(r.ok());
    CHECK(r->requested == 0);
    CHECK(h.fake.count("cancelJob") == 0);
}

// ---- deleteResult -------------------------------------------------------------------------------------

TEST_CASE("spec 7.3 store: deleteResult(result-1) calls the transport and leaves 0 results, notifies Result deleted") {
    Harness h;
    orch::FetchedResults one;
    one.results.push_back({makeResult("result-1"), std::nullopt});
    h.fake.results.push(one);
    h.initialize();
    REQUIRE(h.snap()->recentResults->size() == 1);
    auto r = h.settle(h.orc.deleteResult("result-1"));
    CHECK(r.ok());
    CHECK(h.fake.deletedIds() == std::vector<std::string>{"result-1"});
    CHECK(h.snap()->recentResults->empty());
    const auto e = findEvent(h.drain(), "Result deleted");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Success);
}

TEST_CASE("spec 5.3: deleteResult is remote first: on failure nothing is removed locally and Failed to delete result is shown") {
    Harness h;
    h.fake.results.push(fetchedResults(2));
    h.initialize();
    h.fake.hold = true;
    h.fake.deleteResult.push(httpError(404, "Result not found"));
    auto f = h.orc.deleteResult("r0");
    h.exec.runUntilIdle();
    CHECK(h.snap()->recentResults->size() == 2);  // nothing removed while the request is out
    h.fake.releaseAll();
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    auto r = f.get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 404);
    CHECK(ids(*h.snap()->recentResults) == std::vector<std::string>{"r0", "r1"});
    const auto e = findEvent(h.drain(), "Failed to delete result");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Error);
    CHECK(e->detail == "Result not found");
}

// ---- utilities through the facade ------------------------------------------------------------------

TEST_CASE("contract: the queue utilities run on the worker and publish: enqueueJob, updateJob, removeJob, clearCompletedJobs") {
    Harness h;
    h.initialize();
    const int calls = h.fake.requestCalls();
    h.settle(h.orc.enqueueJob(makeJob("a", JobStatus::Queued)));
    h.settle(h.orc.enqueueJob(makeJob("b", JobStatus::Failed)));
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"a", "b"});
    JobUpdate u;
    u.progress = 33;
    u.status = JobStatus::Processing;
    CHECK(h.settle(h.orc.updateJob("a", u)).ok());
    CHECK(h.snap()->jobs[0]->progress == 33);
    auto missing = h.settle(h.orc.updateJob("zzz", u));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == model::ErrorKind::NotFound);
    CHECK(h.settle(h.orc.clearCompletedJobs()).ok());
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"a"});
    CHECK(h.settle(h.orc.removeJob("a")).ok());
    CHECK(h.snap()->jobs.empty());
    CHECK(h.fake.requestCalls() == calls);  // all local: clearCompletedJobs makes no request
}

TEST_CASE("contract: isJobCancellable and getCancellableJobs answer from the published snapshot") {
    Harness h;
    h.initialize();
    auto j = makeJob("ui-1", JobStatus::Queued);
    j.backendId = model::Text("be-1");
    h.settle(h.orc.setJobs({j, makeJob("p", JobStatus::Processing), makeJob("c", JobStatus::Completed)}));
    CHECK(h.orc.isJobCancellable("ui-1"));
    CHECK(h.orc.isJobCancellable("be-1"));
    CHECK(h.orc.isJobCancellable("p"));
    CHECK_FALSE(h.orc.isJobCancellable("c"));
    CHECK_FALSE(h.orc.isJobCancellable("nope"));
    std::vector<std::string> got;
    for (const auto& x : h.orc.getCancellableJobs()) got.push_back(x->uiId.str());
    CHECK(got == std::vector<std::string>{"p", "ui-1"});
}

TEST_CASE("contract: the results utilities run on the worker: setResults, addResult, removeResult, setHistoryLimit, resetResults") {
    Harness h;
    h.initialize();
    std::vector<model::GenerationResult> list;
    for (int i = 0; i < 8; ++i) list.push_back(makeResult("x" + std::to_string(i)));
    h.settle(h.orc.setHistoryLimit(50));
    h.settle(h.orc.setResults(list));
    CHECK(h.snap()->recentResults->size() == 8);
    h.settle(h.orc.setHistoryLimit(3));
    CHECK(ids(*h.snap()->recentResults) == std::vector<std::string>{"x0", "x1", "x2"});
    CHECK(h.snap()->historyLimit == 3);
    h.settle(h.orc.addResult(makeResult("new")));
    CHECK(ids(*h.snap()->recentResults) == std::vector<std::string>{"new", "x0", "x1"});
    h.settle(h.orc.removeResult("x0"));
    CHECK(ids(*h.snap()->recentResults) == std::vector<std::string>{"new", "x1"});
    h.settle(h.orc.removeResult("unknown"));
    CHECK(h.snap()->recentResults->size() == 2);
    h.settle(h.orc.resetResults());
    CHECK(h.snap()->recentResults->empty());
    CHECK(h.snap()->historyLimit == 10);
}

TEST_CASE("contract: setHistoryLimit to a larger limit reloads results, a smaller one trims locally without a request") {
    Harness h;
    h.fake.results.push(fetchedResults(10));
    h.initialize();
    h.fake.results.push(fetchedResults(50));
    h.settle(h.orc.setHistoryLimit(50));
    CHECK(h.fake.resultPages().back() == std::pair<int, int>{50, 0});
    CHECK(h.snap()->recentResults->size() == 50);
    const int before = h.fake.count("fetchResults");
    h.settle(h.orc.setHistoryLimit(10));
    CHECK(h.fake.count("fetchResults") == before);
    CHECK(h.snap()->recentResults->size() == 10);
    // Clamping: NaN and 0 fall back to 10, more than 200 to 200.
    h.settle(h.orc.setHistoryLimit(std::numeric_limits<double>::quiet_NaN()));
    CHECK(h.snap()->historyLimit == 10);
    h.settle(h.orc.setHistoryLimit(0));
    CHECK(h.snap()->historyLimit == 10);
    h.settle(h.orc.setHistoryLimit(1000));
    CHECK(h.snap()->historyLimit == 200);
}

TEST_CASE("decision 6: results listed without image text get their image downloaded, at most four at a time") {
    Harness h;
    h.fake.results.push(fetchedResults(6));
    h.fake.hold = true;
    auto f = h.start(testOptions());
    h.exec.runUntilIdle();
    h.fake.releaseAll();  // the three GETs
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    REQUIRE(f.get().ok());
    CHECK(h.fake.count("downloadImage") == 4);
    CHECK(h.snap()->recentResults->at(0)->imageState == model::ImageState::Loading);
    h.fake.releaseAll();
    h.exec.runUntilIdle();
    CHECK(h.fake.count("downloadImage") == 6);
    h.fake.releaseAll();
    h.exec.runUntilIdle();
    for (const auto& r : *h.snap()->recentResults) CHECK(r->imageState == model::ImageState::Ready);
    CHECK(h.fake.downloadedIds().front() == "r0");
}

TEST_CASE("decision 6: a result whose image_url was base64 is decoded, not downloaded, a failed image is marked failed") {
    Harness h;
    orch::FetchedResults fr;
    fr.results.push_back({makeResult("b64"), std::string("aGVsbG8=")});
    fr.results.push_back({makeResult("path"), std::nullopt});
    h.fake.results.push(fr);
    h.fake.download.push(httpError(404, "Result asset is unavailable"));
    h.initialize();
    CHECK(h.fake.decodedBase64() == std::vector<std::string>{"aGVsbG8="});
    CHECK(h.fake.downloadedIds() == std::vector<std::string>{"path"});
    const auto s = h.snap();
    CHECK(s->recentResults->at(0)->imageState == model::ImageState::Ready);
    CHECK(s->recentResults->at(1)->imageState == model::ImageState::Failed);
    CHECK(s->recentResults->at(1)->imageError == "Result asset is unavailable");
}

TEST_CASE("decision 6: images already decoded are reused by the next refresh, not fetched again") {
    Harness h;
    h.fake.results.push(fetchedResults(2));
    h.initialize();
    REQUIRE(h.fake.count("downloadImage") == 2);
    h.fake.results.push(fetchedResults(2));
    h.settle(h.orc.loadRecentResults(false));
    CHECK(h.fake.count("downloadImage") == 2);
    for (const auto& r : *h.snap()->recentResults) CHECK(r->imageState == model::ImageState::Ready);
}

TEST_CASE("decision 6: the decoded images follow the results list: one that left is fetched again if it comes back") {
    Harness h;
    h.fake.results.push(fetchedResults(3));
    h.initialize();
    REQUIRE(h.fake.count("downloadImage") == 3);
    // r0 drops out of the server's list (newer results pushed it past the limit): its decoded
    // image goes with it instead of staying in memory for good.
    auto without = fetchedResults(3);
    without.results.erase(without.results.begin());
    h.fake.results.push(without);
    REQUIRE(h.settle(h.orc.loadRecentResults(false)).ok());
    CHECK(h.fake.count("downloadImage") == 3);
    h.fake.results.push(fetchedResults(3));
    REQUIRE(h.settle(h.orc.loadRecentResults(false)).ok());
    CHECK(h.fake.count("downloadImage") == 4);  // r0 again; r1 and r2 kept theirs
    for (const auto& r : *h.snap()->recentResults) CHECK(r->imageState == model::ImageState::Ready);
}

TEST_CASE("genmon decision: images still loading during a backend change do not block the new backend's images") {
    Harness h;
    h.fake.results.push(fetchedResults(6, "old"));
    h.fake.hold = true;
    auto f = h.start(testOptions());
    h.exec.runUntilIdle();
    h.fake.releaseAll();  // the three GETs; four downloads start and are held
    h.exec.runUntilIdle();
    REQUIRE(isReady(f));
    REQUIRE(f.get().ok());
    REQUIRE(h.fake.count("downloadImage") == 4);
    h.fake.hold = false;
    h.fake.results.push(fetchedResults(2, "new"));
    BackendConfig b;
    b.baseUrl = "http://backend-b/api/v1";
    REQUIRE(h.settle(h.orc.handleBackendUrlChange(b)).ok());
    CHECK(h.fake.count("downloadImage") == 6);
    const auto s = h.snap();
    CHECK(ids(*s->recentResults) == std::vector<std::string>{"new0", "new1"});
    for (const auto& r : *s->recentResults) CHECK(r->imageState == model::ImageState::Ready);
}

TEST_CASE("spec 7.3 useGenerationQueueClient: invalid results dropped by the transport show one warning each") {
    Harness h;
    h.initialize();
    auto fr = fetchedResults(1);
    fr.warnings = {"test result #1: id is required"};
    h.fake.results.push(fr);
    h.settle(h.orc.loadRecentResults(false));
    const auto events = h.drain();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == NotificationKind::Warning);
    CHECK(events[0].detail == "test result #1: id is required");
    CHECK(h.snap()->recentResults->size() == 1);
}

TEST_CASE("spec 7.3 facade: cancelJob, removeJob(42), refresh with notify, reconnect and setHistoryLimit(25) each act once") {
    Harness h;
    h.initialize();
    h.settle(h.orc.ingestQueue({makeJob("42", JobStatus::Queued), makeJob("7", JobStatus::Processing)}));
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"42", "7"});
    h.fake.resetCounts();
    h.settle(h.orc.removeJob("42"));  // local only
    CHECK(h.fake.requestCalls() == 0);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"7"});
    h.settle(h.orc.cancelJob("7"));
    CHECK(h.fake.cancelIds() == std::vector<std::string>{"7"});
    h.settle(h.orc.loadRecentResults(true));
    CHECK(h.fake.count("fetchResults") == 1);
    CHECK(findEvent(h.drain(), "Results refreshed").has_value());
    BackendConfig same;
    same.baseUrl = "http://backend-a/api/v1";
    h.settle(h.orc.handleBackendUrlChange(same));  // reconnect
    CHECK(h.fake.count("factory") == 1);
    h.settle(h.orc.setHistoryLimit(25));
    CHECK(h.snap()->historyLimit == 25);
    CHECK(h.fake.resultPages().back() == std::pair<int, int>{25, 0});
}

TEST_CASE("spec 7.3 useJobQueue: the queue view mirrors sortedActiveJobs and queueManagerActive, and is ready at once") {
    Harness h;
    h.fake.jobs.push(fetchedJobs({makeJob("q", JobStatus::Queued, "2026-01-01T10:00:00"),
                                  makeJob("p", JobStatus::Processing, "2026-01-01T09:00:00")}));
    h.initialize();
    const auto s = h.snap();
    CHECK(ids(s->queueView) == ids(s->sortedActiveJobs));
    CHECK(ids(s->sortedActiveJobs) == std::vector<std::string>{"p", "q"});
    CHECK(s->queueManagerActive);
    // A filter is applied by the worker, once, not per frame.
    QueueViewSpec spec;
    spec.filter = "q";
    h.settle(h.orc.setQueueView(spec));
    CHECK(ids(h.snap()->queueView) == std::vector<std::string>{"q"});
    CHECK(h.snap()->queueViewSpec == spec);
}
