// Issue 10, item 2: the bounded lifecycle history behind the timeline, and what it costs a publish.
#include <doctest/doctest.h>

#include "fake_transport.hpp"
#include "orchestrator/job_history.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

namespace {

JobLifecycle entry(const std::string& id, int64_t finishedAt, JobOutcome outcome = JobOutcome::Completed) {
    JobLifecycle e;
    e.job = std::make_shared<const model::Job>(makeJob(id, JobStatus::Completed));
    e.queuedAtMicros = finishedAt - 20'000'000;
    e.startedAtMicros = finishedAt - 10'000'000;
    e.finishedAtMicros = finishedAt;
    e.outcome = outcome;
    return e;
}

// "j" + std::to_string(i), built step by step: GCC 12 misreads the + as an overlapping copy.
std::string numbered(int i) {
    std::string s = "j";
    s += std::to_string(i);
    return s;
}

model::ProgressMessage progress(std::string id, JobStatus status) {
    model::ProgressMessage m;
    m.job_id = std::move(id);
    m.status = status;
    return m;
}

}  // namespace

TEST_CASE("issue 10 history: entries are kept in departure order and bounded by count and age") {
    const int64_t t0 = 1'000'000'000'000;
    JobHistoryLog log(200, 60LL * 60 * 1'000'000);
    for (int i = 0; i < 1000; ++i) log.append(entry(numbered(i), t0 + i * 1'000'000), t0 + i * 1'000'000);
    auto view = log.view();
    // Whole chunks go from the front: between maxEntries and maxEntries + one chunk remain.
    CHECK(view->size() >= 200);
    CHECK(view->size() < 200 + kHistoryChunk);
    CHECK((*view)[view->size() - 1].job->uiId == "j999");
    for (size_t i = 1; i < view->size(); ++i) CHECK((*view)[i - 1].finishedAtMicros < (*view)[i].finishedAtMicros);
    // Age: an hour later, one more departure pushes out every full chunk that ended long ago.
    log.append(entry("late", t0 + 5000 * 1'000'000LL), t0 + 5000 * 1'000'000LL);
    view = log.view();
    CHECK(view->size() <= kHistoryChunk + 1);
    CHECK((*view)[view->size() - 1].job->uiId == "late");
    CHECK(view->findNewest("late") != nullptr);
    CHECK(view->findNewest("j0") == nullptr);
}

TEST_CASE("issue 10 history: a published history never changes and shares its full chunks") {
    const int64_t t0 = 1'000'000'000'000;
    JobHistoryLog log;
    for (int i = 0; i < 100; ++i) log.append(entry(numbered(i), t0 + i), t0 + i);
    const auto first = log.view();
    CHECK(log.view() == first);  // no change: the very same pointer
    log.append(entry("next", t0 + 200), t0 + 200);
    const auto second = log.view();
    CHECK(second != first);
    CHECK(first->size() == 100);  // the old view is untouched
    CHECK(second->size() == 101);
    CHECK(&(*first)[0] == &(*second)[0]);  // the full first chunk is shared, not copied
    CHECK(&(*first)[99] != &(*second)[99]);  // the last chunk was copied before it grew
    // settle() on a Vanished entry copies its chunk too.
    log.append(entry("gone", t0 + 300, JobOutcome::Vanished), t0 + 300);
    const auto third = log.view();
    CHECK(log.settle("gone", JobOutcome::Completed, {}));
    CHECK(third->findNewest("gone")->outcome == JobOutcome::Vanished);
    CHECK(log.view()->findNewest("gone")->outcome == JobOutcome::Completed);
    CHECK_FALSE(log.settle("gone", JobOutcome::Failed, {}));  // already known
}

TEST_CASE("issue 10 history: completed failed and cancelled jobs leave the queue into the history") {
    Harness h;
    auto options = testOptions();
    options.polls.queueWhileSocketDownMs = 60'000;  // no listing drops the jobs meanwhile
    h.initialize(options);
    h.settle(h.orc.enqueueJob(makeJob("ok", JobStatus::Queued)));
    h.settle(h.orc.enqueueJob(makeJob("bad", JobStatus::Queued)));
    h.settle(h.orc.enqueueJob(makeJob("stop", JobStatus::Queued)));
    h.settle(h.orc.handleProgressMessage(progress("ok", JobStatus::Processing)));
    h.exec.advance(2'000);
    model::CompletionMessage done;
    done.job_id = "ok";
    h.settle(h.orc.handleCompletionMessage(done));
    h.settle(h.orc.handleErrorMessage(model::ErrorMessage{"bad", "CUDA out of memory"}));
    h.settle(h.orc.cancelJob("stop"));
    const auto snap = h.snap();
    REQUIRE(snap->jobHistory);
    REQUIRE(snap->jobHistory->size() == 3);
    const auto& hist = *snap->jobHistory;
    CHECK(hist[0].job->uiId == "ok");
    CHECK(hist[0].outcome == JobOutcome::Completed);
    CHECK(hist[0].finishedAtMicros - hist[0].startedAtMicros == 2'000'000);
    CHECK(hist[1].outcome == JobOutcome::Failed);
    CHECK(hist[1].error == "CUDA out of memory");
    CHECK(hist[1].startedAtMicros == 0);  // it never ran
    CHECK(hist[2].outcome == JobOutcome::Cancelled);
    CHECK(snap->jobs.empty());
    // A reset (or another backend) starts a new history and forgets what was learned.
    h.settle(h.manager.resetState());
    CHECK(h.snap()->jobHistory->empty());
    CHECK(h.snap()->etaModel->learnedJobs() == 0);
}

TEST_CASE("issue 10 history: status flips and progress keep the published history and ETA model pointers") {
    Harness h;
    h.settle(h.orc.enqueueJob(makeJob("a", JobStatus::Queued)));
    h.settle(h.orc.enqueueJob(makeJob("b", JobStatus::Queued)));
    model::CompletionMessage done;
    done.job_id = "b";
    done.total_duration = 4.0;
    h.settle(h.orc.handleCompletionMessage(done));
    const auto before = h.snap();
    REQUIRE(before->jobHistory);
    // Nothing leaves the queue: the publish hands out the very same history and model.
    h.settle(h.orc.handleProgressMessage(progress("a", JobStatus::Processing)));
    h.settle(h.orc.handleProgressMessage(progress("a", JobStatus::Queued)));
    const auto after = h.snap();
    CHECK(after->version > before->version);
    CHECK(after->jobHistory == before->jobHistory);
    CHECK(after->etaModel == before->etaModel);
}

TEST_CASE("issue 10 history: a job keeps its observed run start across listings and restarts when requeued") {
    Harness h;
    h.settle(h.orc.enqueueJob(makeJob("a", JobStatus::Queued)));
    h.exec.advance(1'000);
    const int64_t started = h.exec.nowMicros();
    h.settle(h.orc.handleProgressMessage(progress("a", JobStatus::Processing)));
    auto job = findJob(h.snap()->jobs, "a");
    REQUIRE(job);
    CHECK(job->runningSinceMicros == started);
    CHECK(job->runningSinceObserved);
    // A listing that confirms it running keeps the start (it has no such field).
    h.exec.advance(5'000);
    h.settle(h.orc.ingestQueue({makeJob("a", JobStatus::Processing)}));
    job = findJob(h.snap()->jobs, "a");
    CHECK(job->runningSinceMicros == started);
    CHECK(job->runningSinceObserved);
    // Sent back to the queue: the run starts over.
    h.settle(h.orc.handleProgressMessage(progress("a", JobStatus::Queued)));
    CHECK(findJob(h.snap()->jobs, "a")->runningSinceMicros == 0);
    // A job first seen running starts at the server's start time, not observed.
    model::Job b = makeJob("b", JobStatus::Processing);
    b.startTime = model::Timestamp::fromMicros(h.exec.nowMicros() - 7'000'000);
    h.settle(h.orc.enqueueJob(b));
    job = findJob(h.snap()->jobs, "b");
    CHECK(job->runningSinceMicros == h.exec.nowMicros() - 7'000'000);
    CHECK_FALSE(job->runningSinceObserved);
}

TEST_CASE("spec 2.5 / 9.7: a job the backend runs after genmon cancelled it is one lifecycle, not two") {
    const int64_t t0 = 1'000'000'000'000;
    JobHistoryLog log;
    log.append(entry("other", t0), t0);
    JobLifecycle cancel = entry("back", t0 + 1'000'000, JobOutcome::Cancelled);
    cancel.queuedAtMicros = t0 - 50'000'000;
    log.append(cancel, t0 + 1'000'000);
    for (int i = 0; i < 100; ++i) log.append(entry(numbered(i), t0 + 2'000'000 + i), t0 + 2'000'000 + i);
    const auto before = log.view();

    // It comes back, renders and ends: the departure replaces the cancel in place.
    log.append(entry("back", t0 + 30'000'000), t0 + 30'000'000);
    const auto view = log.view();
    CHECK(view->size() == 102);
    const JobLifecycle* e = view->findNewest("back");
    REQUIRE(e);
    CHECK(e->outcome == JobOutcome::Completed);
    CHECK(e->cancelIgnored);
    CHECK(e->queuedAtMicros == t0 - 50'000'000);  // it waited since it was first queued
    CHECK(e->finishedAtMicros == t0 + 30'000'000);
    // What was published before stays as it was.
    CHECK(before->findNewest("back")->outcome == JobOutcome::Cancelled);

    // A second cancel of another job is an entry of its own; a job only cancelled stays cancelled.
    log.append(entry("gone", t0 + 31'000'000, JobOutcome::Cancelled), t0 + 31'000'000);
    CHECK(log.view()->size() == 103);
    CHECK(log.view()->findNewest("gone")->outcome == JobOutcome::Cancelled);
    CHECK_FALSE(log.view()->findNewest("gone")->cancelIgnored);
}
