// Polling (decision 3, spec §4.8, §6.3), the push socket as it reaches the orchestrator
// (the Update sink, decision 1, the generationWebsocketManager and adapterHandlers intents of
// §7.3), and publishing. Virtual time only.
#include <doctest/doctest.h>

#include "fake_transport.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

// ---- queue polling ---------------------------------------------------------------------------------------

TEST_CASE("decision 3: jobs are polled every 2 s while the socket is down, also while the local list is empty") {
    Harness h;
    h.initialize();
    REQUIRE(h.snap()->jobs.empty());
    CHECK(h.snap()->pollIntervalMs == 2000);
    CHECK(h.fake.count("fetchActiveJobs") == 1);
    h.exec.advance(1999);
    CHECK(h.fake.count("fetchActiveJobs") == 1);
    h.exec.advance(1);
    CHECK(h.fake.count("fetchActiveJobs") == 2);
    h.exec.advance(2000 * 4);
    CHECK(h.fake.count("fetchActiveJobs") == 6);
    CHECK(h.fake.activeJobLimits().back() == 200);
}

TEST_CASE("decision 3: jobs are polled every 10 s while the socket is connected, and at 2 s again when it drops") {
    Harness h;
    h.initialize();
    h.fake.pushPhase(ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    CHECK(h.snap()->isConnected);
    CHECK(h.snap()->pollIntervalMs == 10000);
    const int start = h.fake.count("fetchActiveJobs");
    h.exec.advance(9999);
    CHECK(h.fake.count("fetchActiveJobs") == start);
    h.exec.advance(1);
    CHECK(h.fake.count("fetchActiveJobs") == start + 1);

    h.fake.pushPhase(ConnectionPhase::Reconnecting, "socket closed (1006)");
    h.exec.runUntilIdle();
    CHECK_FALSE(h.snap()->isConnected);
    CHECK(h.snap()->pollIntervalMs == 2000);
    CHECK(h.snap()->connection.lastError == "socket closed (1006)");
    h.exec.advance(2000);
    CHECK(h.fake.count("fetchActiveJobs") == start + 2);
}

TEST_CASE("decision 3: a poll answer replaces the queue, a poll error keeps the queue and polling goes on") {
    Harness h;
    h.initialize();
    h.fake.jobs.push(fetchedJobs({makeJob("from-poll", JobStatus::Queued)}));
    h.exec.advance(2000);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"from-poll"});
    h.fake.jobs.push(httpError(500, "poll failed"));
    h.exec.advance(2000);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"from-poll"});
    CHECK(h.snap()->lastRefreshError == "active jobs: poll failed");
    h.exec.advance(2000);
    CHECK(h.fake.count("fetchActiveJobs") == 4);
    CHECK(h.snap()->jobs.empty());  // the default answer lists nothing
    CHECK(h.snap()->lastRefreshError.empty());
}

TEST_CASE("decision 3: a poll is not issued again while the previous one is still in flight") {
    Harness h;
    h.initialize();
    h.fake.hold = true;
    h.exec.advance(2000);
    CHECK(h.fake.count("fetchActiveJobs") == 2);
    h.exec.advance(10'000);
    CHECK(h.fake.count("fetchActiveJobs") == 2);  // waiting for the answer
    h.fake.hold = false;
    h.fake.releaseAll();
    h.exec.runUntilIdle();
    h.exec.advance(2000);
    CHECK(h.fake.count("fetchActiveJobs") == 3);
}

TEST_CASE("decision 4: startGeneration's entry survives polls that do not list it, until the grace period passes") {
    Harness h;
    h.initialize();
    model::GenerationRequest req;
    req.prompt = "a prompt";
    auto r = h.settle(h.orc.startGeneration(req));
    REQUIRE(r.ok());
    const std::string id = r->jobId;
    h.exec.advance(2000);  // a poll that lists nothing
    CHECK(findJob(h.snap()->jobs, id) != nullptr);
    h.exec.advance(20'000);  // past the 20 s grace period
    CHECK(findJob(h.snap()->jobs, id) == nullptr);
}

TEST_CASE("decision 5: a job leaving the active list triggers one coalesced results refresh") {
    Harness h;
    h.fake.jobs.push(fetchedJobs({makeJob("a", JobStatus::Processing), makeJob("b", JobStatus::Processing)}));
    h.initialize();
    const int before = h.fake.count("fetchResults");
    h.fake.jobs.push(fetchedJobs({makeJob("b", JobStatus::Processing)}));
    h.exec.advance(2000);  // "a" is gone
    h.exec.advance(300);   // resultsRefreshDelayMs = 250
    CHECK(h.fake.count("fetchResults") == before + 1);
    CHECK(h.snap()->jobsPerMinute > 0);
}

// ---- status polling (§6.3) ----------------------------------------------------------------------------

TEST_CASE("spec 6.3: the status poll runs every 10 s and replaces the status") {
    Harness h;
    model::SystemStatusPatch first;
    first.status = "healthy";
    first.backend = std::optional<std::string>("sdnext");
    h.fake.status.push(FetchedStatus{first, {}});
    h.initialize();
    REQUIRE(h.snap()->systemStatus->backend == "sdnext");
    model::SystemStatusPatch polled;
    polled.status = "degraded";
    h.fake.status.push(FetchedStatus{polled, {}});
    h.exec.advance(9999);
    CHECK(h.fake.count("fetchSystemStatus") == 1);
    h.exec.advance(1);
    CHECK(h.fake.count("fetchSystemStatus") == 2);
    CHECK(h.snap()->systemStatus->status == "degraded");
    CHECK_FALSE(h.snap()->systemStatus->backend.has_value());  // replaced, not merged
}

TEST_CASE("spec 6.3: a status 404 marks the API unavailable and stops the status poll until loadSystemStatusData") {
    Harness h;
    h.initialize();
    h.fake.status.push(httpError(404, "Not Found"));
    h.exec.advance(10'000);
    REQUIRE(h.fake.count("fetchSystemStatus") == 2);
    auto s = h.snap();
    CHECK_FALSE(s->systemStatusApiAvailable);
    CHECK(s->systemStatusReady);
    CHECK(*s->systemStatus == model::DEFAULT_SYSTEM_STATUS);
    h.exec.advance(60'000);
    CHECK(h.fake.count("fetchSystemStatus") == 2);  // stopped
    // A person's refresh re-enables it.
    auto r = h.settle(h.orc.loadSystemStatusData());
    CHECK(r.ok());
    CHECK(h.fake.count("fetchSystemStatus") == 3);
    CHECK(h.snap()->systemStatusApiAvailable);
    h.exec.advance(10'000);
    CHECK(h.fake.count("fetchSystemStatus") == 4);
}

TEST_CASE("spec 6.3: any other status error sets status error with GPU Unknown, polling continues and apiAvailable stays true") {
    Harness h;
    h.initialize();
    h.fake.status.push(httpError(500, "boom"));
    h.exec.advance(10'000);
    auto s = h.snap();
    CHECK(s->systemStatus->status == "error");
    CHECK(s->systemStatus->gpu_status == "Unknown");
    CHECK(s->systemStatusApiAvailable);
    CHECK(s->systemStatusReady);
    h.exec.advance(10'000);
    CHECK(h.fake.count("fetchSystemStatus") == 3);
    CHECK(h.snap()->systemStatus->status == "healthy");  // the next poll succeeded
}

TEST_CASE("spec 6.3: a status 404 during initialize fails it (the transport path rethrows)") {
    Harness h;
    h.fake.status.push(httpError(404, "Not Found"));
    auto r = h.settle(h.start(testOptions()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 404);
    CHECK_FALSE(h.snap()->systemStatusApiAvailable);
}

// ---- push socket ----------------------------------------------------------------------------------------

TEST_CASE("decision 1: a reconnect (Connected after Reconnecting) triggers a full resync, the first connect does not") {
    Harness h;
    h.initialize();
    h.fake.resetCounts();
    h.fake.pushPhase(ConnectionPhase::Connecting);
    h.fake.pushPhase(ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    CHECK(h.fake.requestCalls() == 0);  // initialize already loaded everything
    h.fake.pushPhase(ConnectionPhase::Reconnecting);
    h.exec.runUntilIdle();
    CHECK(h.fake.requestCalls() == 0);
    h.fake.jobs.push(fetchedJobs({makeJob("missed-while-down", JobStatus::Processing)}));
    h.fake.pushPhase(ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    CHECK(h.fake.count("fetchSystemStatus") == 1);
    CHECK(h.fake.count("fetchActiveJobs") == 1);
    CHECK(h.fake.count("fetchResults") == 1);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"missed-while-down"});
    CHECK(h.snap()->isConnected);
}

TEST_CASE("decision 1: the first connect after a backend change does not resync twice") {
    Harness h;
    h.initialize();
    h.fake.pushPhase(ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    BackendConfig b;
    b.baseUrl = "http://backend-b/api/v1";
    REQUIRE(h.settle(h.orc.handleBackendUrlChange(b)).ok());
    h.fake.resetCounts();
    h.fake.pushPhase(ConnectionPhase::Connected);  // the new backend's socket
    h.exec.runUntilIdle();
    CHECK(h.fake.requestCalls() == 0);
}

TEST_CASE("decision 1: the first connect after cleanup and a new initialize does not resync twice") {
    Harness h;
    h.initialize();
    h.fake.pushPhase(ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    h.settle(h.manager.cleanup());
    h.initialize();
    h.fake.resetCounts();
    h.fake.pushPhase(ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    CHECK(h.fake.requestCalls() == 0);
}

TEST_CASE("spec 7.3 generationWebsocketManager intent: onclose sets isConnected to false") {
    Harness h;
    h.initialize();
    h.fake.pushPhase(ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    REQUIRE(h.orc.isConnected());
    h.fake.pushPhase(ConnectionPhase::Disconnected, "closed");
    h.exec.runUntilIdle();
    CHECK_FALSE(h.orc.isConnected());
    CHECK(h.snap()->connection.phase == ConnectionPhase::Disconnected);
}

TEST_CASE("spec 7.3 generationWebsocketManager intent: a flat queue_update replaces the queue") {
    Harness h;
    h.fake.jobs.push(fetchedJobs({makeJob("old", JobStatus::Processing)}));
    h.initialize();
    h.fake.push([](UpdateSink& l) { l.apply(QueueListing{{makeJob("q1", JobStatus::Queued), makeJob("q2", JobStatus::Queued)}}); });
    h.exec.runUntilIdle();
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"q1", "q2"});
}

TEST_CASE("spec 7.3 generationWebsocketManager intent: system_status merges status degraded and queue_length 3") {
    Harness h;
    h.initialize();
    model::SystemStatusPatch p;
    p.status = "degraded";
    p.queue_length = 3;
    h.fake.push([p](UpdateSink& l) { l.apply(p); });
    h.exec.runUntilIdle();
    const auto s = h.snap();
    CHECK(s->systemStatus->status == "degraded");
    CHECK(s->systemStatus->queue_length == 3);
    CHECK(s->systemStatus->gpu_available);  // merged: kept from the HTTP payload
}

TEST_CASE("spec 7.3 generationWebsocketManager intent: generation_complete removes the job, adds the result {id: result_id, job_id} and notifies success") {
    Harness h;
    h.fake.jobs.push(fetchedJobs({makeJob("job-7", JobStatus::Processing)}));
    h.initialize();
    model::CompletionMessage m;
    m.job_id = "job-7";
    m.result_id = "res-7";
    m.image_base64 = "aGVsbG8=";
    h.fake.push([m](UpdateSink& l) { l.apply(m); });
    h.exec.runUntilIdle();
    const auto s = h.snap();
    CHECK(s->jobs.empty());
    REQUIRE(s->recentResults->size() == 1);
    CHECK((*s->recentResults)[0]->id == "res-7");
    CHECK((*s->recentResults)[0]->job_id == "job-7");
    CHECK((*s->recentResults)[0]->imageState == model::ImageState::Ready);
    CHECK(h.fake.decodedBase64() == std::vector<std::string>{"aGVsbG8="});
    const auto e = findEvent(h.drain(), "Generation completed successfully");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Success);
    CHECK(e->jobId == "job-7");
    // Decision 5: the server's row is fetched soon after.
    const int before = h.fake.count("fetchResults");
    h.exec.advance(300);
    CHECK(h.fake.count("fetchResults") == before + 1);
}

TEST_CASE("spec 7.3 generationWebsocketManager intent: generation_error notifies Generation failed: something failed") {
    Harness h;
    h.fake.jobs.push(fetchedJobs({makeJob("job-8", JobStatus::Processing)}));
    h.initialize();
    model::ErrorMessage m;
    m.job_id = "job-8";
    m.error = "something failed";
    h.fake.push([m](UpdateSink& l) { l.apply(m); });
    h.exec.runUntilIdle();
    CHECK(h.snap()->jobs.empty());
    const auto e = findEvent(h.drain(), "Generation failed: something failed");
    REQUIRE(e.has_value());
    CHECK(e->kind == NotificationKind::Error);
}

TEST_CASE("spec 7.3 adapterHandlers: progress, started and queue events each reach the queue") {
    Harness h;
    h.initialize();
    model::StartedMessage st;
    st.job_id = "started-1";
    model::GenerationParams params;
    params.prompt = model::Text("from the socket");
    params.steps = 30;
    st.params = params;
    h.fake.push([st](UpdateSink& l) { l.apply(st); });
    model::ProgressMessage pm;
    pm.job_id = "started-1";
    pm.progress = 40;
    pm.status = JobStatus::Processing;
    pm.current_step = 12;
    h.fake.push([pm](UpdateSink& l) { l.apply(pm); });
    h.exec.runUntilIdle();
    const auto j = findJob(h.snap()->jobs, "started-1");
    REQUIRE(j);
    CHECK(j->prompt->view() == "from the socket");
    CHECK(j->total_steps == 30);
    CHECK(j->progress == 40);
    CHECK(j->current_step == 12);
    CHECK(j->status == JobStatus::Processing);
}

TEST_CASE("contract: handleProgressMessage, handleCompletionMessage and handleErrorMessage work through the facade too") {
    Harness h;
    h.initialize();
    model::ProgressMessage pm;
    pm.job_id = "m-1";
    pm.progress = 10;
    h.settle(h.orc.handleProgressMessage(pm));
    CHECK(findJob(h.snap()->jobs, "m-1")->progress == 10);
    pm.job_id = "m-2";
    h.settle(h.orc.handleProgressMessage(pm));
    model::CompletionMessage cm;
    cm.job_id = "m-1";
    h.settle(h.orc.handleCompletionMessage(cm));
    CHECK(findJob(h.snap()->jobs, "m-1") == nullptr);
    CHECK(h.snap()->recentResults->at(0)->id == "m-1");
    model::ErrorMessage em;
    em.job_id = "m-2";
    em.error = "oops";
    h.settle(h.orc.handleErrorMessage(em));
    CHECK(h.snap()->jobs.empty());
}

TEST_CASE("contract: pause stops polling and the socket, resume refreshes all, then restarts them") {
    Harness h;
    h.initialize();
    REQUIRE(h.settle(h.orc.pauseTransport()).ok());
    CHECK(h.snap()->connection.phase == ConnectionPhase::Paused);
    CHECK(h.fake.listener() == nullptr);
    const int calls = h.fake.requestCalls();
    h.exec.advance(60'000);
    CHECK(h.fake.requestCalls() == calls);
    REQUIRE(h.settle(h.orc.resumeTransport()).ok());
    CHECK(h.fake.requestCalls() == calls + 3);
    CHECK(h.fake.listener() != nullptr);
    h.exec.advance(2000);
    CHECK(h.fake.count("fetchActiveJobs") >= 3);
    // Resume when not paused is a no-op.
    const int now = h.fake.requestCalls();
    REQUIRE(h.settle(h.orc.resumeTransport()).ok());
    CHECK(h.fake.requestCalls() == now);
}

TEST_CASE("architecture: push updates are coalesced into one snapshot per few milliseconds, and a change after a quiet spell publishes at once") {
    Harness h;
    auto o = testOptions();
    o.polls.publishCoalesceMs = 4;
    h.initialize(o);
    h.fake.pushPhase(ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    const auto v0 = h.snap()->version;
    for (int i = 0; i < 100; ++i) {
        model::ProgressMessage m;
        m.job_id = "hot";
        m.progress = static_cast<uint8_t>(i);
        h.fake.push([m](UpdateSink& l) { l.apply(m); });
    }
    h.exec.runUntilIdle();
    CHECK(h.snap()->version == v0);  // not yet: waiting for the coalescing delay
    h.exec.advance(4);
    CHECK(h.snap()->version == v0 + 1);
    CHECK(findJob(h.snap()->jobs, "hot")->progress == 99);
    // After a quiet spell of a window or more, a single change publishes as soon as the task ends.
    h.exec.advance(50);
    const auto v1 = h.snap()->version;
    model::ProgressMessage once;
    once.job_id = "hot";
    once.progress = 5;
    h.fake.push([once](UpdateSink& l) { l.apply(once); });
    h.exec.runUntilIdle();
    CHECK(h.snap()->version == v1 + 1);
    CHECK(findJob(h.snap()->jobs, "hot")->progress == 5);
}

TEST_CASE("spec 7.3 transportModule: cleanup resets the connection phase to idle and clears the last error") {
    Harness h;
    h.initialize();
    h.fake.pushPhase(ConnectionPhase::Reconnecting, "socket closed (1006)");
    h.exec.runUntilIdle();
    REQUIRE(h.snap()->connection.phase == ConnectionPhase::Reconnecting);
    REQUIRE(h.snap()->connection.lastError == "socket closed (1006)");
    h.settle(h.manager.cleanup());
    CHECK(h.snap()->connection.phase == ConnectionPhase::Idle);
    CHECK(h.snap()->connection.lastError.empty());
}

TEST_CASE("spec 7.3 systemStatusModule: a new poll interval is stored, published and used by the running poll") {
    Harness h;
    h.initialize();
    REQUIRE(h.snap()->pollIntervalMs == 2000);
    PollSettings p;
    p.queueWhileSocketDownMs = 2500;
    REQUIRE(h.settle(h.orc.setPollSettings(p)).ok());
    CHECK(h.snap()->pollIntervalMs == 2500);
    const int before = h.fake.count("fetchActiveJobs");
    h.exec.advance(2499);
    CHECK(h.fake.count("fetchActiveJobs") == before);
    h.exec.advance(1);
    CHECK(h.fake.count("fetchActiveJobs") == before + 1);
}

TEST_CASE("spec 7.3 useGenerationQueueClient: an invalid system status is not applied and shows one warning") {
    Harness h;
    h.initialize();
    FetchedStatus invalid;
    invalid.warnings = {"system status: status must be a string, got 123"};
    h.fake.status.push(invalid);
    h.settle(h.orc.loadSystemStatusData());
    CHECK(h.snap()->systemStatus->status == "healthy");  // what the first payload said
    const auto events = h.drain();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == NotificationKind::Warning);
    CHECK(events[0].detail == "system status: status must be a string, got 123");
}

TEST_CASE("issue 16.4: a clock's refresh (a metrics second closing) publishes without holding back the progress that follows it") {
    Harness h;
    auto o = testOptions();
    o.polls.publishCoalesceMs = 4;
    h.initialize(o);
    h.fake.pushPhase(ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    h.exec.advance(50);  // a quiet spell: nothing pending
    const auto v0 = h.snap()->version;
    // Step from timer to timer until one publishes: the first second of metrics closes.
    for (int i = 0; i < 100 && h.snap()->version == v0; ++i) {
        const auto next = h.exec.nextTimerAt();
        REQUIRE(next.has_value());
        h.exec.advanceTo(*next);
    }
    REQUIRE(h.snap()->version == v0 + 1);
    REQUIRE(h.snap()->metrics != nullptr);
    const auto v1 = h.snap()->version;
    // Progress in the same millisecond: published as soon as its task ends, not 4 ms later.
    model::ProgressMessage m;
    m.job_id = "hot";
    m.progress = 7;
    h.fake.push([m](UpdateSink& l) { l.apply(m); });
    h.exec.runUntilIdle();
    CHECK(h.snap()->version == v1 + 1);
    // News still coalesces after news: a second progress at once waits for the window.
    m.progress = 8;
    h.fake.push([m](UpdateSink& l) { l.apply(m); });
    h.exec.runUntilIdle();
    CHECK(h.snap()->version == v1 + 1);
    h.exec.advance(4);
    CHECK(h.snap()->version == v1 + 2);
}
