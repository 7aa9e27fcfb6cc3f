// Polls that bring nothing new change nothing a person sees (so an idle window need not
// redraw), and a poll never throws away what only the WebSocket knows (spec §2.2: the listing
// reports progress 0 while a worker runs, and has no steps or ETA).
#include <doctest/doctest.h>

#include "fake_transport.hpp"

using namespace genmon;
using namespace genmon::test;
using model::JobStatus;

namespace {
void listJobs(Harness& h, std::vector<model::Job> jobs) {
    h.fake.jobs.respond = [jobs](const int&) { return model::Outcome<orch::FetchedJobs>(fetchedJobs(jobs)); };
}
}  // namespace

TEST_CASE("spec 2.2: a poll keeps WebSocket progress, steps and ETA while the listing confirms the status") {
    Harness h;
    listJobs(h, {makeJob("job-a", JobStatus::Processing, "2026-11-26T07:00:00", 0)});
    h.initialize();
    model::ProgressMessage m;
    m.job_id = "job-a";
    m.status = JobStatus::Processing;
    m.progress = 60;
    m.current_step = 12;
    m.total_steps = 20;
    m.eta_seconds = 5.0;
    h.settle(h.orc.handleProgressMessage(m));
    h.exec.advance(2000);  // the next poll lists job-a at progress 0
    REQUIRE(h.fake.count("fetchActiveJobs") >= 2);
    auto job = findJob(h.snap()->jobs, "job-a");
    REQUIRE(job);
    CHECK(job->progress == 60);
    CHECK(job->current_step == 12);
    CHECK(job->total_steps == 20);
    CHECK(job->eta_seconds == 5.0);
    // A listing that knows more wins; a status change takes the listing as it is.
    listJobs(h, {makeJob("job-a", JobStatus::Processing, "2026-11-26T07:00:00", 80)});
    h.exec.advance(2000);
    CHECK(findJob(h.snap()->jobs, "job-a")->progress == 80);
    listJobs(h, {makeJob("job-a", JobStatus::Queued, "2026-11-26T07:00:00", 0)});
    h.exec.advance(2000);
    CHECK(findJob(h.snap()->jobs, "job-a")->progress == 0);
    CHECK_FALSE(findJob(h.snap()->jobs, "job-a")->current_step.has_value());
}

TEST_CASE("decision 3: an identical listing keeps the lists and the content version, and refreshes the data age") {
    Harness h;
    listJobs(h, {makeJob("job-a", JobStatus::Queued, "2026-11-26T07:00:00"),
                 makeJob("job-b", JobStatus::Processing, "2026-11-26T07:01:00", 30)});
    h.initialize();
    h.exec.advance(2000);
    const auto before = h.snap();
    h.exec.advance(2000);
    const auto after = h.snap();
    REQUIRE(after->version > before->version);
    CHECK(after->jobs.sameAs(before->jobs));
    CHECK(after->sortedActiveJobs.sameAs(before->sortedActiveJobs));
    CHECK(after->contentVersion == before->contentVersion);
    CHECK(after->jobsUpdatedAtMicros > before->jobsUpdatedAtMicros);
    CHECK(orch::sameContent(*before, *after));
    // Something real changes: a new content version.
    listJobs(h, {makeJob("job-a", JobStatus::Queued, "2026-11-26T07:00:00")});
    h.exec.advance(2000);
    CHECK(h.snap()->contentVersion > after->contentVersion);
    CHECK(ids(h.snap()->jobs) == std::vector<std::string>{"job-a"});
}

TEST_CASE("spec 6.3: an unchanged status poll keeps the status object, a changed one replaces it") {
    Harness h;
    h.initialize();
    const auto first = h.snap();
    h.exec.advance(10000);  // status poll with the same answer
    const auto second = h.snap();
    CHECK(h.fake.count("fetchSystemStatus") >= 2);
    CHECK(second->systemStatus == first->systemStatus);
    CHECK(second->contentVersion == first->contentVersion);
    h.fake.status.respond = [] {
        orch::FetchedStatus s;
        model::SystemStatusPatch p;
        p.status = "warning";
        p.warnings = std::vector<std::string>{"GPU unavailable; falling back to CPU execution"};
        s.patch = p;
        return model::Outcome<orch::FetchedStatus>(s);
    };
    h.exec.advance(10000);
    CHECK(h.snap()->systemStatus != first->systemStatus);
    CHECK(h.snap()->systemStatus->status == "warning");
    CHECK(h.snap()->contentVersion > second->contentVersion);
}

TEST_CASE("spec 5.3: a results refresh with the same results keeps the list") {
    Harness h;
    h.fake.results.respond = [](const int&, const int&) { return model::Outcome<orch::FetchedResults>(fetchedResults(3)); };
    h.initialize();
    const auto first = h.snap()->recentResults;
    h.settle(h.orc.loadRecentResults(false));
    CHECK(h.snap()->recentResults == first);
}
