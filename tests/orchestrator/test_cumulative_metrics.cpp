// Issue 17.4: genmon's cumulative counts for the Prometheus exposition. Jobs finished by outcome
// (each job once), run and queue-wait histograms, socket messages, reconnects and parse time;
// none of them ever goes back, whatever happens to the connection.
#include <doctest/doctest.h>

#include "fake_transport.hpp"
#include "orchestrator/metrics.hpp"

using namespace genmon;
using namespace genmon::test;
using model::JobStatus;
using orch::CumulativeMetrics;
using orch::JobLifecycle;
using orch::JobOutcome;
using orch::MetricsRecorder;

namespace {

constexpr int64_t kT0 = 1'790'000'000'000'000;
constexpr int64_t kSecond = 1'000'000;

// A job that left the queue: created at kT0, started `started` s later, ended `finished` s later.
JobLifecycle departure(std::string id, JobOutcome outcome, double started = 0, double finished = 0,
                       bool startObserved = true) {
    model::Job j = makeJob(id, JobStatus::Processing);
    j.created_at = model::Timestamp::fromMicros(kT0, true);
    JobLifecycle e;
    e.job = std::make_shared<const model::Job>(std::move(j));
    e.outcome = outcome;
    e.queuedAtMicros = kT0;
    e.startedAtMicros = started > 0 ? kT0 + static_cast<int64_t>(started * 1e6) : 0;
    e.finishedAtMicros = kT0 + static_cast<int64_t>(finished * 1e6);
    e.startObserved = startObserved;
    return e;
}

size_t bucketOf(double seconds) {
    for (size_t i = 0; i < orch::kJobSecondsBuckets.size(); ++i)
        if (seconds <= orch::kJobSecondsBuckets[i]) return i;
    return orch::kJobSecondsBuckets.size();
}

// Every count of `later` is at least the one of `earlier`.
void checkNeverBelow(const CumulativeMetrics& later, const CumulativeMetrics& earlier) {
    for (size_t i = 0; i < later.jobsFinished.size(); ++i) CHECK(later.jobsFinished[i] >= earlier.jobsFinished[i]);
    CHECK(later.runSeconds.count >= earlier.runSeconds.count);
    CHECK(later.runSeconds.sum >= earlier.runSeconds.sum);
    CHECK(later.queueWaitSeconds.count >= earlier.queueWaitSeconds.count);
    CHECK(later.socketMessages >= earlier.socketMessages);
    CHECK(later.reconnects >= earlier.reconnects);
    CHECK(later.parseSeconds >= earlier.parseSeconds);
    CHECK(later.parses >= earlier.parses);
}

orch::OrchestratorOptions quietOptions() {
    orch::OrchestratorOptions o = testOptions();
    o.polls.queueWhileSocketDownMs = o.polls.queueWhileSocketUpMs = o.polls.statusMs = 600'000;
    return o;
}

model::ProgressMessage progress(std::string id, JobStatus status) {
    model::ProgressMessage m;
    m.job_id = std::move(id);
    m.status = status;
    return m;
}

}  // namespace

TEST_CASE("issue 17.4 counts: histogram buckets are 'less than or equal' and the last one holds what is above 600 s") {
    orch::SecondsHistogram h;
    h.observe(0.5);    // exactly on a bound: le="0.5"
    h.observe(0.51);   // le="1"
    h.observe(600);    // le="600"
    h.observe(600.5);  // only +Inf
    h.observe(-1);     // not a duration: ignored
    h.observe(std::numeric_limits<double>::quiet_NaN());
    CHECK(h.counts[0] == 1);
    CHECK(h.counts[1] == 1);
    CHECK(h.counts[orch::kJobSecondsBuckets.size() - 1] == 1);
    CHECK(h.counts[orch::kJobSecondsBuckets.size()] == 1);
    CHECK(h.count == 4);
    CHECK(h.sum == doctest::Approx(1201.51));
}

TEST_CASE("issue 17.4 counts: each job that leaves the queue counts once under its outcome, with its run and wait") {
    MetricsRecorder rec;
    rec.noteDeparture(departure("a", JobOutcome::Completed, 4, 10), 12.0, kT0 + 10 * kSecond);  // the server's 12 s wins
    rec.noteDeparture(departure("b", JobOutcome::Completed, 2, 9), std::nullopt, kT0 + 9 * kSecond);  // 7 s observed
    rec.noteDeparture(departure("c", JobOutcome::Completed, 3, 8, false), std::nullopt, kT0 + 8 * kSecond);
    rec.noteDeparture(departure("d", JobOutcome::Failed, 1, 2), std::nullopt, kT0 + 2 * kSecond);
    rec.noteDeparture(departure("e", JobOutcome::Cancelled), std::nullopt, kT0);  // never ran: no wait
    const auto c = rec.cumulative();
    CHECK(c->finished(JobOutcome::Completed) == 3);
    CHECK(c->finished(JobOutcome::Failed) == 1);
    CHECK(c->finished(JobOutcome::Cancelled) == 1);
    CHECK(c->finished(JobOutcome::Vanished) == 0);
    // Runs: only completed jobs, and not "c", whose start genmon did not see (it would be too short).
    CHECK(c->runSeconds.count == 2);
    CHECK(c->runSeconds.sum == doctest::Approx(19.0));
    CHECK(c->runSeconds.counts[bucketOf(12)] == 1);
    CHECK(c->runSeconds.counts[bucketOf(7)] == 1);
    // Waits: every job that ran, from created_at to its start (4, 2, 3 and 1 s).
    CHECK(c->queueWaitSeconds.count == 4);
    CHECK(c->queueWaitSeconds.sum == doctest::Approx(10.0));
    CHECK(c->queueWaitSeconds.counts[bucketOf(1)] == 1);
    CHECK(c->queueWaitSeconds.counts[bucketOf(4)] == 2);  // 3 and 4 s: le="5"

    // A job whose creation time the server never gave has no wait to tell.
    JobLifecycle noCreation = departure("f", JobOutcome::Completed, 5, 6);
    model::Job j = *noCreation.job;
    j.created_at = {};
    noCreation.job = std::make_shared<const model::Job>(j);
    rec.noteDeparture(noCreation, std::nullopt, kT0 + 6 * kSecond);
    CHECK(rec.cumulative()->queueWaitSeconds.count == 4);
    CHECK(rec.cumulative()->finished(JobOutcome::Completed) == 4);
}

TEST_CASE("issue 17.4 counts: a job that vanished waits for a late message and counts as unknown after 30 s without one") {
    MetricsRecorder rec;
    rec.start(kT0);
    orch::MetricsInputs in;
    rec.noteDeparture(departure("late", JobOutcome::Vanished, 2, 0), std::nullopt, kT0);
    rec.noteDeparture(departure("silent", JobOutcome::Vanished, 2, 0), std::nullopt, kT0);
    rec.noteDeparture(departure("back", JobOutcome::Vanished, 2, 0), std::nullopt, kT0);
    CHECK(rec.cumulative()->finished(JobOutcome::Vanished) == 0);  // not yet: a message may come

    // The completion message after the listing dropped it: counted as completed, with its run.
    rec.noteLateOutcome("late", JobOutcome::Completed, 9.0);
    // Listed again, then it really ends: that departure counts, the vanishing does not.
    rec.noteDeparture(departure("back", JobOutcome::Failed, 2, 20), std::nullopt, kT0 + 20 * kSecond);
    REQUIRE(rec.sample(kT0 + 29 * kSecond, in));
    auto c = rec.cumulative();
    CHECK(c->finished(JobOutcome::Completed) == 1);
    CHECK(c->finished(JobOutcome::Failed) == 1);
    CHECK(c->finished(JobOutcome::Vanished) == 0);
    CHECK(c->runSeconds.count == 1);
    CHECK(c->runSeconds.sum == doctest::Approx(9.0));

    REQUIRE(rec.sample(kT0 + 31 * kSecond, in));
    c = rec.cumulative();
    CHECK(c->finished(JobOutcome::Vanished) == 1);  // "silent"
    // A word that comes after the grace changes nothing: it was counted, and counters never go back.
    rec.noteLateOutcome("silent", JobOutcome::Failed, std::nullopt);
    rec.noteLateOutcome("late", JobOutcome::Completed, 9.0);  // and a second message about one counted
    CHECK(rec.cumulative()->finished(JobOutcome::Failed) == 1);
    CHECK(rec.cumulative()->finished(JobOutcome::Completed) == 1);
    uint64_t total = 0;
    for (const uint64_t n : rec.cumulative()->jobsFinished) total += n;
    CHECK(total == 3);  // three jobs, each counted once
}

TEST_CASE("issue 17.4 counts: the published counts are one immutable pointer, replaced only when a count changes") {
    MetricsRecorder rec;
    rec.start(kT0);
    orch::MetricsInputs in;
    const auto first = rec.cumulative();
    CHECK(rec.cumulative().get() == first.get());
    REQUIRE(rec.sample(kT0 + kSecond, in));  // a second closes, nothing counted
    CHECK(rec.cumulative().get() == first.get());
    rec.noteMessage();
    rec.noteReconnect();
    const auto second = rec.cumulative();
    CHECK(second.get() != first.get());
    CHECK(first->socketMessages == 0);  // what a scrape holds never changes under it
    CHECK(second->socketMessages == 1);
    CHECK(second->reconnects == 1);
    CHECK(rec.cumulative().get() == second.get());
}

TEST_CASE("issue 17.4 counts: parse time and decodes add up across transports") {
    MetricsRecorder rec;
    rec.start(kT0);
    orch::MetricsInputs in;
    in.parse = {10, 2'500'000};
    REQUIRE(rec.sample(kT0 + kSecond, in));
    in.parse = {12, 3'000'000};
    REQUIRE(rec.sample(kT0 + 2 * kSecond, in));
    rec.transportChanged();  // a new transport's decoder counts from zero
    in.parse = {3, 1'000'000};
    REQUIRE(rec.sample(kT0 + 3 * kSecond, in));
    const auto c = rec.cumulative();
    CHECK(c->parses == 15);
    CHECK(c->parseSeconds == doctest::Approx(0.004));
}

// ---- through the orchestrator ----

TEST_CASE("issue 17.4 counts: they never go back across a reconnect, a re-initialize and a backend change") {
    Harness h;
    h.initialize(quietOptions());
    h.fake.pushPhase(orch::ConnectionPhase::Connected);
    h.fake.parse = {5, 1'000'000};
    h.fake.push([](orch::UpdateSink& l) { l.apply(progress("a", JobStatus::Queued)); });
    h.fake.push([](orch::UpdateSink& l) { l.apply(progress("a", JobStatus::Processing)); });
    h.fake.push([](orch::UpdateSink& l) {
        model::CompletionMessage c;
        c.job_id = "a";
        c.total_duration = 5.0;
        l.apply(c);
    });
    h.fake.push([](orch::UpdateSink& l) { l.apply(progress("b", JobStatus::Queued)); });
    h.fake.push([](orch::UpdateSink& l) { l.apply(model::ErrorMessage{"b", "out of memory"}); });
    h.exec.runUntilIdle();
    h.exec.advance(1000);  // a second closes: the parse time is read
    const auto before = h.snap()->cumulative;
    REQUIRE(before != nullptr);
    CHECK(before->socketMessages == 5);
    CHECK(before->finished(JobOutcome::Completed) == 1);
    CHECK(before->finished(JobOutcome::Failed) == 1);
    CHECK(before->runSeconds.count == 1);
    CHECK(before->parses == 5);

    // The socket drops and comes back.
    h.fake.pushPhase(orch::ConnectionPhase::Reconnecting);
    h.fake.pushPhase(orch::ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    const auto reconnected = h.snap()->cumulative;
    checkNeverBelow(*reconnected, *before);
    CHECK(reconnected->reconnects == 1);

    // The backend goes away and initialize runs again (the Runtime's retries), on a new transport
    // whose decoder starts from zero.
    REQUIRE(h.settle(h.manager.cleanup()).ok());
    h.fake.parse = {2, 500'000};
    h.initialize(quietOptions());
    h.fake.pushPhase(orch::ConnectionPhase::Connected);
    h.fake.push([](orch::UpdateSink& l) { l.apply(progress("c", JobStatus::Queued)); });
    h.exec.runUntilIdle();
    h.exec.advance(1000);
    const auto reinitialized = h.snap()->cumulative;
    checkNeverBelow(*reinitialized, *reconnected);
    CHECK(reinitialized->socketMessages == 6);  // counted on from 5, not from 0
    CHECK(reinitialized->parses == 7);

    // Another URL: the queue starts clean, the counts do not.
    orch::BackendConfig other;
    other.baseUrl = "http://backend-b/api/v1";
    REQUIRE(h.settle(h.orc.handleBackendUrlChange(other)).ok());
    const auto changed = h.snap()->cumulative;
    checkNeverBelow(*changed, *reinitialized);
    CHECK(changed->finished(JobOutcome::Completed) == 1);
}

TEST_CASE("issue 17.4 counts: a job the listing dropped before its completion message counts once, as completed") {
    Harness h;
    h.fake.jobs.respond = [](const int&) {
        return model::Outcome<orch::FetchedJobs>(fetchedJobs({makeJob("x", JobStatus::Processing, "2026-11-26T07:00:00"),
                                                              makeJob("y", JobStatus::Processing, "2026-11-26T07:00:01")}));
    };
    h.initialize(quietOptions());
    h.fake.pushPhase(orch::ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    // The next listing has neither: both vanished, no word yet on how they ended.
    h.fake.jobs.respond = [](const int&) { return model::Outcome<orch::FetchedJobs>(orch::FetchedJobs{}); };
    REQUIRE(h.settle(h.orc.loadActiveJobsData()).ok());
    CHECK(h.snap()->cumulative->finished(JobOutcome::Vanished) == 0);
    // The socket's completion message for x arrives a moment later.
    h.fake.push([](orch::UpdateSink& l) {
        model::CompletionMessage c;
        c.job_id = "x";
        c.total_duration = 8.0;
        l.apply(c);
    });
    h.exec.runUntilIdle();
    CHECK(h.snap()->cumulative->finished(JobOutcome::Completed) == 1);
    CHECK(h.snap()->cumulative->runSeconds.count == 1);
    // 31 s later: y never got a word, so it counts as unknown; x stays completed only.
    h.exec.advance(31'000);
    const auto c = h.snap()->cumulative;
    CHECK(c->finished(JobOutcome::Completed) == 1);
    CHECK(c->finished(JobOutcome::Vanished) == 1);
    CHECK(c->finished(JobOutcome::Failed) == 0);
}

TEST_CASE("issue 17.4 counts: a publish that counted nothing shares the previous counts") {
    Harness h;
    h.initialize(quietOptions());
    const auto first = h.snap();
    REQUIRE(first->cumulative != nullptr);
    REQUIRE(h.settle(h.orc.setQueueView(orch::QueueViewSpec{"abc", orch::QueueSortColumn::Default, false})).ok());
    const auto second = h.snap();
    CHECK(second->version > first->version);
    CHECK(second->cumulative.get() == first->cumulative.get());
}
