// Issue 9 regressions found by the fault-injection suite (tests/reliability): each was seen
// against genmon-sim first, then pinned here with the scripted transport.
#include "fake_transport.hpp"

using namespace genmon;
using namespace genmon::test;

TEST_CASE("issue 9: a results answer listing an id twice keeps one entry (wrong types turned every id into \"36\")") {
    orch::ResultsModule m;
    m.setHistoryLimit(50);
    m.setResults({std::make_shared<const model::GenerationResult>(makeResult("36")),
                  std::make_shared<const model::GenerationResult>(makeResult("a")),
                  std::make_shared<const model::GenerationResult>(makeResult("36")),
                  std::make_shared<const model::GenerationResult>(makeResult("36"))});
    REQUIRE(m.results()->size() == 2);
    CHECK(m.results()->at(0)->id == "36");
    CHECK(m.results()->at(1)->id == "a");

    Harness h;
    orch::FetchedResults twice = fetchedResults(3, "r");
    twice.results.push_back(twice.results.front());
    h.fake.results.push(twice);
    h.initialize();
    CHECK(h.snap()->recentResults->size() == 3);
}

TEST_CASE("issue 9: an error already naming its context is not prefixed twice") {
    Harness h;
    h.initialize();
    h.fake.jobs.push(Error::make(ErrorKind::Decode, "active jobs: invalid JSON (UNCLOSED_STRING)"));
    auto r = h.settle(h.orc.loadActiveJobsData());
    REQUIRE_FALSE(r.ok());
    CHECK(h.snap()->lastRefreshError == "active jobs: invalid JSON (UNCLOSED_STRING)");
    h.fake.jobs.push(httpError(502, "Bad Gateway"));
    h.settle(h.orc.loadActiveJobsData());
    CHECK(h.snap()->lastRefreshError == "active jobs: Bad Gateway");
    h.fake.results.push(Error::make(ErrorKind::Decode, "results: invalid JSON"));
    h.settle(h.orc.loadRecentResults());
    CHECK(h.snap()->lastRefreshError == "results: invalid JSON");
}

TEST_CASE("issue 9: a status answer without data (200, empty or not JSON) does not make the status younger") {
    Harness h;
    h.initialize();
    h.exec.advance(5000);
    const int64_t before = h.snap()->statusUpdatedAtMicros;
    REQUIRE(before > 0);
    h.fake.status.push(orch::FetchedStatus{std::nullopt, {"system status: invalid JSON"}});
    CHECK(h.settle(h.orc.loadSystemStatusData()).ok());
    CHECK(h.snap()->statusUpdatedAtMicros == before);
    h.exec.advance(1000);
    h.fake.status.push(orch::FetchedStatus{model::SystemStatusPatch{}, {}});
    CHECK(h.settle(h.orc.loadSystemStatusData()).ok());
    CHECK(h.snap()->statusUpdatedAtMicros > before);
}

TEST_CASE("issue 9: credentials in the backend URL are never shown in the snapshot") {
    Harness h;
    auto o = testOptions();
    o.backend.baseUrl = "http://genmon:GENMON-SECRET@backend-a:8000/api/v1";
    h.settle(h.start(o));
    CHECK(h.snap()->backendUrl == "http://***@backend-a:8000/api/v1");
    o.backend.baseUrl = "http://backend-a/users/@me";  // an @ in the path is no credential
    h.settle(h.orc.handleBackendUrlChange(o.backend));
    CHECK(h.snap()->backendUrl == "http://backend-a/users/@me");
}

TEST_CASE("issue 9: a progress message saying completed for an unknown job does not linger after the next listing") {
    // Seen with the socket dropped every 5 messages: a resync's listing removed the finished job,
    // then a late progress_update (status completed) re-created it as an optimistic entry,
    // which stayed for the 20 s grace period.
    constexpr int64_t kNow = 1'800'000'000'000'000;
    constexpr int64_t kGrace = 20'000'000;
    orch::QueueModule q;
    model::ProgressMessage done;
    done.job_id = "finished-elsewhere";
    done.progress = 100;
    done.status = model::JobStatus::Completed;
    q.handleProgressMessage(done, kNow);
    REQUIRE(q.find("finished-elsewhere"));  // §4.5: enqueued from the message
    CHECK_FALSE(q.find("finished-elsewhere")->optimistic);
    q.ingestQueue({}, kNow + 1000, kGrace);
    CHECK_FALSE(q.find("finished-elsewhere"));
    // A running one still survives a racing listing (decision 4).
    model::ProgressMessage running;
    running.job_id = "running-elsewhere";
    running.progress = 40;
    running.status = model::JobStatus::Processing;
    q.handleProgressMessage(running, kNow);
    q.ingestQueue({}, kNow + 1000, kGrace);
    CHECK(q.find("running-elsewhere"));
}
