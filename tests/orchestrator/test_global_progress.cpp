// Spec §3.1 / issue 14.3: upstream's job monitor sends SDNext's *global* progress for every
// subscribed job, so a progress_update about a queued job carries the fraction of whichever job
// is rendering. genmon keeps a queued job at 0 until a message says it runs.
#include <doctest/doctest.h>

#include "fake_transport.hpp"
#include "model/job_status.hpp"
#include "orchestrator/queue_module.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

namespace {
constexpr int64_t kNow = 1'790'000'000'000'000;

// What the protocol layer makes of {"progress":fraction,"status":...} (0-1 -> 0-100).
model::ProgressMessage wire(std::string id, double fraction, std::optional<JobStatus> status) {
    model::ProgressMessage m;
    m.job_id = std::move(id);
    m.progress = model::normalizeProgress(fraction, model::ProgressScale::Fraction);
    m.status = status;
    return m;
}
}  // namespace

TEST_CASE("spec §3.1 / issue 14.3: the observed sequence (queued 0.135, 0.47, 0.806, 0.0) leaves a queued job at 0") {
    QueueModule q;
    q.enqueueJob(makeJob("running", JobStatus::Processing), kNow);
    q.enqueueJob(makeJob("waiting", JobStatus::Queued), kNow);
    const double observed[] = {0.135, 0.47, 0.806, 0.0};
    int64_t t = kNow;
    for (const double global : observed) {
        t += 2'000'000;
        // The monitor of each subscribed job reports the same global fraction.
        q.handleProgressMessage(wire("running", global, JobStatus::Processing), t);
        const uint64_t before = q.revision();
        q.handleProgressMessage(wire("waiting", global, JobStatus::Queued), t);
        const auto waiting = q.find("waiting");
        CHECK(waiting->progress == 0);
        CHECK(waiting->status == JobStatus::Queued);
        CHECK_FALSE(waiting->current_step.has_value());
        CHECK(waiting->runningSinceMicros == 0);
        CHECK(q.revision() == before);  // nothing of its own changed: no new version, nothing to publish
    }
    CHECK(q.find("running")->progress == 0);  // the last global value, 0.0
    // Its own run starts when a message says it is processing, as before.
    q.handleProgressMessage(wire("waiting", 0.037, JobStatus::Processing), t + 2'000'000);
    const auto started = q.find("waiting");
    CHECK(started->status == JobStatus::Processing);
    CHECK(started->progress == 4);
    CHECK(started->runningSinceMicros == t + 2'000'000);
    CHECK(started->runningSinceObserved);
}

TEST_CASE("spec §3.1 / issue 14.3: a message without a status is judged by the job's known status") {
    QueueModule q;
    q.enqueueJob(makeJob("waiting", JobStatus::Queued), kNow);
    q.enqueueJob(makeJob("running", JobStatus::Processing), kNow);
    auto m = wire("waiting", 0.47, std::nullopt);
    m.current_step = 9;
    m.total_steps = 20;
    m.eta_seconds = 3.5;
    q.handleProgressMessage(m, kNow + 1);
    const auto waiting = q.find("waiting");
    CHECK(waiting->progress == 0);
    CHECK(waiting->status == JobStatus::Queued);
    CHECK_FALSE(waiting->current_step.has_value());
    CHECK_FALSE(waiting->eta_seconds.has_value());
    // A running job still takes progress and steps from a message without a status.
    m.job_id = "running";
    q.handleProgressMessage(m, kNow + 1);
    CHECK(q.find("running")->progress == 47);
    CHECK(q.find("running")->current_step == 9);
}

TEST_CASE("spec §3.1 / issue 14.3: an unknown job first seen queued is enqueued at 0, without another job's steps") {
    QueueModule q;
    auto m = wire("new", 0.806, JobStatus::Queued);
    m.current_step = 16;
    m.total_steps = 20;
    m.eta_seconds = 1.2;
    q.handleProgressMessage(m, kNow);
    const auto j = q.find("new");
    REQUIRE(j);
    CHECK(j->status == JobStatus::Queued);
    CHECK(j->progress == 0);
    CHECK_FALSE(j->current_step.has_value());
    CHECK_FALSE(j->total_steps.has_value());
    CHECK_FALSE(j->eta_seconds.has_value());
    CHECK(j->optimistic);  // active: kept until a listing confirms it (decision 4)
}

TEST_CASE("spec §3.1 / issue 14.3: a queued message for a running job sends it back to the queue at 0") {
    QueueModule q;
    auto run = wire("j", 0.5, JobStatus::Processing);
    run.current_step = 10;
    run.total_steps = 20;
    run.eta_seconds = 4.0;
    q.handleProgressMessage(run, kNow);
    REQUIRE(q.find("j")->runningSinceMicros == kNow);
    q.handleProgressMessage(wire("j", 0.6, JobStatus::Queued), kNow + 2'000'000);
    const auto j = q.find("j");
    CHECK(j->status == JobStatus::Queued);
    CHECK(j->progress == 0);
    CHECK_FALSE(j->current_step.has_value());
    CHECK(j->total_steps == 20);  // the job's own parameter
    CHECK_FALSE(j->eta_seconds.has_value());
    CHECK(j->runningSinceMicros == 0);
    CHECK(q.counts().queued == 1);
    CHECK(q.counts().processing == 0);
}

TEST_CASE("spec §3.1 / issue 14.3: a queued job keeps an error text the message carries") {
    QueueModule q;
    q.enqueueJob(makeJob("waiting", JobStatus::Queued), kNow);
    auto m = wire("waiting", 0.3, JobStatus::Queued);
    m.error_message = "SDNext API not available";
    q.handleProgressMessage(m, kNow + 1);
    const auto j = q.find("waiting");
    REQUIRE(j->error.has_value());
    CHECK(j->error->view() == "SDNext API not available");
    CHECK(j->progress == 0);
}

TEST_CASE("spec §3.1 / issue 14.3: completed and failed messages still apply to a queued job") {
    QueueModule q;
    q.enqueueJob(makeJob("a", JobStatus::Queued), kNow);
    q.enqueueJob(makeJob("b", JobStatus::Queued), kNow);
    q.handleProgressMessage(wire("a", 1.0, JobStatus::Completed), kNow + 1);
    auto failed = wire("b", 0.3, JobStatus::Failed);
    failed.error_message = "cancelled";
    q.handleProgressMessage(failed, kNow + 1);
    CHECK(q.find("a")->status == JobStatus::Completed);
    CHECK(q.find("a")->progress == 100);
    CHECK(q.find("b")->status == JobStatus::Failed);
}

TEST_CASE("spec §3.1 / issue 14.3: through the facade, a snapshot shows a queued job at 0 while another renders") {
    Harness h;
    h.initialize();
    h.fake.push([](orch::UpdateSink& l) {
        l.apply(wire("running", 0.0, JobStatus::Processing));
        l.apply(wire("waiting", 0.0, JobStatus::Queued));
    });
    h.exec.runUntilIdle();
    for (const double global : {0.135, 0.47, 0.806}) {
        h.fake.push([global](orch::UpdateSink& l) {
            l.apply(wire("running", global, JobStatus::Processing));
            l.apply(wire("waiting", global, JobStatus::Queued));
        });
        h.exec.runUntilIdle();
        const auto snap = h.snap();
        CHECK(findJob(snap->jobs, "waiting")->progress == 0);
        CHECK(findJob(snap->jobs, "running")->progress == model::normalizeProgress(global, model::ProgressScale::Fraction));
    }
}
