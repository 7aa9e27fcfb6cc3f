// Live metrics (issue 10): each series from a scripted sequence on a manual clock, the ring's
// wrap, idle seconds, and the orchestrator sampling once a second on its worker.
#include <doctest/doctest.h>

#include <cmath>

#include "fake_transport.hpp"
#include "orchestrator/metrics.hpp"

using namespace genmon;
using namespace genmon::test;
using model::JobStatus;
using orch::Metric;
using orch::MetricsInputs;
using orch::MetricsRecorder;

namespace {

constexpr int64_t kT0 = 1'790'000'000'000'000;
constexpr int64_t kSecond = 1'000'000;

// A recorder started at kT0 and a clock the test moves.
struct Clock {
    MetricsRecorder rec;
    int64_t now = kT0;
    MetricsInputs in;
    Clock() { rec.start(now); }
    // Moves to the end of the next second and closes it.
    void tick(int seconds = 1) {
        now += seconds * kSecond;
        REQUIRE(rec.sample(now, in));
    }
    double newest(Metric m) const { return (*rec.series())[m].newest(); }
    double ago(Metric m, size_t s) const { return (*rec.series())[m].ago(s); }
};

// Polls far apart: these tests script every change themselves.
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

TEST_CASE("issue 10 metrics: three completions in a minute read 3 jobs per minute until they leave the 60 s window") {
    Clock c;
    c.tick();
    CHECK(c.newest(Metric::JobsPerMinute) == 0);
    c.rec.noteCompletion(c.now + 100, std::nullopt);  // second 2
    c.tick();
    c.tick(18);  // second 20
    c.rec.noteCompletion(c.now, 3.0);
    c.tick();  // second 21
    c.tick(29);
    c.rec.noteCompletion(c.now, 4.0);
    c.tick();  // second 51
    CHECK(c.newest(Metric::JobsPerMinute) == 3);
    c.tick(10);  // second 61: the completion of second 2 is still inside (seconds 2..61)
    CHECK(c.newest(Metric::JobsPerMinute) == 3);
    c.tick();  // second 62: it left
    CHECK(c.newest(Metric::JobsPerMinute) == 2);
    c.tick(30);  // second 92: only the one of second 51 is left
    CHECK(c.newest(Metric::JobsPerMinute) == 1);
    CHECK(c.rec.series()->completionsTotal == 3);
}

TEST_CASE("issue 10 metrics: durations of 1 to 100 s give p50 50 s and p95 95 s") {
    Clock c;
    c.tick();
    CHECK(std::isnan(c.newest(Metric::DurationP50Seconds)));  // no job finished yet: no value, not 0
    CHECK(std::isnan(c.newest(Metric::DurationP95Seconds)));
    // Shuffled, so the percentile cannot rely on arrival order.
    for (int i = 0; i < 100; ++i) c.rec.noteCompletion(c.now + i, static_cast<double>((i * 37) % 100 + 1));
    c.tick();
    CHECK(c.newest(Metric::DurationP50Seconds) == 50);
    CHECK(c.newest(Metric::DurationP95Seconds) == 95);
    CHECK(c.newest(Metric::JobsPerMinute) == 100);
    // A completion without a known running time counts for throughput only.
    c.rec.noteCompletion(c.now, std::nullopt);
    c.tick();
    CHECK(c.newest(Metric::DurationP50Seconds) == 50);
    CHECK(c.newest(Metric::JobsPerMinute) == 101);
}

TEST_CASE("issue 10 metrics: durations older than five minutes leave the percentiles and the reservoir keeps the newest") {
    Clock c;
    c.rec.noteCompletion(c.now, 200.0);
    c.tick();
    CHECK(c.newest(Metric::DurationP95Seconds) == 200);
    c.tick(200);
    c.rec.noteCompletion(c.now, 10.0);
    c.tick();
    CHECK(c.newest(Metric::DurationP95Seconds) == 200);  // both inside the 5 minutes
    c.tick(100);  // second 302: the 200 s job finished at second 0, more than 300 s ago
    CHECK(c.newest(Metric::DurationP95Seconds) == 10);
    CHECK(c.newest(Metric::DurationP50Seconds) == 10);
    c.tick(300);
    CHECK(std::isnan(c.newest(Metric::DurationP50Seconds)));

    // More completions than the reservoir holds: the oldest are overwritten, the newest decide.
    for (size_t i = 0; i < MetricsRecorder::kDurationReservoir; ++i) c.rec.noteCompletion(c.now, 1000.0);
    for (size_t i = 0; i < MetricsRecorder::kDurationReservoir; ++i) c.rec.noteCompletion(c.now, 5.0);
    c.tick();
    CHECK(c.newest(Metric::DurationP95Seconds) == 5);
}

TEST_CASE("issue 10 metrics: 20 socket messages in one second read 20 per second and the next idle second 0") {
    Clock c;
    for (int i = 0; i < 20; ++i) c.rec.noteMessage();
    c.tick();
    CHECK(c.newest(Metric::WsMessagesPerSecond) == 20);
    c.tick();
    CHECK(c.newest(Metric::WsMessagesPerSecond) == 0);
    CHECK(c.ago(Metric::WsMessagesPerSecond, 1) == 20);
    for (int i = 0; i < 7; ++i) c.rec.noteMessage();
    c.tick();
    CHECK(c.newest(Metric::WsMessagesPerSecond) == 7);
    CHECK(c.rec.series()->wsMessagesTotal == 27);
}

TEST_CASE("issue 10 metrics: reconnects are counted per second and in total") {
    Clock c;
    c.rec.noteReconnect();
    c.tick();
    c.tick();
    c.rec.noteReconnect();
    c.rec.noteReconnect();
    c.tick();
    CHECK(c.ago(Metric::Reconnects, 2) == 1);
    CHECK(c.ago(Metric::Reconnects, 1) == 0);
    CHECK(c.newest(Metric::Reconnects) == 2);
    CHECK(c.rec.series()->reconnectsTotal == 3);
}

TEST_CASE("issue 10 metrics: the ring keeps the newest 600 samples in order after wrapping") {
    orch::SecondRing ring;
    CHECK(ring.size() == 0);
    CHECK(std::isnan(ring.newest()));
    for (int i = 1; i <= 1000; ++i) ring.push(i);
    REQUIRE(ring.size() == orch::kMetricSeconds);
    CHECK(ring.newest() == 1000);
    CHECK(ring.ago(599) == 401);
    CHECK(std::isnan(ring.ago(600)));
    bool ordered = true;
    for (size_t a = 0; a + 1 < ring.size(); ++a) ordered = ordered && ring.ago(a) == ring.ago(a + 1) + 1;
    CHECK(ordered);

    // Through the recorder: the queue depth of each second, 700 seconds.
    Clock c;
    for (int i = 0; i < 700; ++i) {
        c.in.queueDepth = static_cast<size_t>(i);
        c.tick();
    }
    CHECK(c.rec.series()->rings[0].size() == 600);
    CHECK(c.newest(Metric::QueueDepth) == 699);
    CHECK(c.ago(Metric::QueueDepth, 599) == 100);
}

TEST_CASE("issue 10 metrics: seconds the worker skipped are idle zeros not gaps and the counts go to the newest second") {
    Clock c;
    c.tick();
    for (int i = 0; i < 5; ++i) c.rec.noteMessage();
    c.rec.noteReconnect();
    c.in.queueDepth = 4;
    c.now += 3 * kSecond + 400'000;  // the timer came 3.4 s late: three seconds close at once
    REQUIRE(c.rec.sample(c.now, c.in));
    const auto& s = *c.rec.series();
    CHECK(s[Metric::WsMessagesPerSecond].size() == 4);
    CHECK(s[Metric::WsMessagesPerSecond].ago(0) == 5);
    CHECK(s[Metric::WsMessagesPerSecond].ago(1) == 0);
    CHECK(s[Metric::WsMessagesPerSecond].ago(2) == 0);
    CHECK(s[Metric::Reconnects].ago(0) == 1);
    CHECK(s[Metric::Reconnects].ago(1) == 0);
    CHECK(s[Metric::QueueDepth].ago(2) == 4);
    CHECK(s.newestSampleMicros == kT0 + 4 * kSecond);
    // Not a whole second since then: nothing closes; the next one is due at kT0 + 5 s.
    CHECK_FALSE(c.rec.sample(c.now + 500'000, c.in));
    CHECK(c.rec.nextSampleMicros() == kT0 + 5 * kSecond);
    // An hour away: only the last 600 seconds are written.
    c.now = kT0 + 3600 * kSecond;
    REQUIRE(c.rec.sample(c.now, c.in));
    CHECK(c.rec.series()->newestSampleMicros == c.now);
    CHECK(c.newest(Metric::WsMessagesPerSecond) == 0);
    // The wall clock set back a day: sampling starts again a second after the new time.
    CHECK_FALSE(c.rec.sample(c.now - 86'400 * kSecond, c.in));
    CHECK(c.rec.nextSampleMicros() == c.now - 86'399 * kSecond);
}

TEST_CASE("issue 10 metrics: parse time is the growth of the decoder tally per second and a new transport counts from zero") {
    Clock c;
    c.in.parse = {10, 2'500'000};  // 2.5 ms in 10 decodes
    c.tick();
    CHECK(c.newest(Metric::ParseMillisPerSecond) == doctest::Approx(2.5));
    c.in.parse = {30, 3'000'000};
    c.tick();
    CHECK(c.newest(Metric::ParseMillisPerSecond) == doctest::Approx(0.5));
    c.tick();
    CHECK(c.newest(Metric::ParseMillisPerSecond) == 0);
    c.rec.transportChanged();
    c.in.parse = {1, 4'000'000};  // more nanoseconds than before, but from a new decoder
    c.tick();
    CHECK(c.newest(Metric::ParseMillisPerSecond) == doctest::Approx(4.0));
    c.in.parse = {2, 100'000};  // smaller than before without notice: a new transport too
    c.tick();
    CHECK(c.newest(Metric::ParseMillisPerSecond) == doctest::Approx(0.1));
}

TEST_CASE("issue 10 metrics: snapshot age is the time since the newest data and missing data has no value") {
    Clock c;
    c.tick();
    CHECK(std::isnan(c.newest(Metric::SnapshotAgeSeconds)));
    c.in.newestDataMicros = c.now - 250'000;
    c.tick();  // the sample describes the end of this second: 1.25 s after the data came
    CHECK(c.newest(Metric::SnapshotAgeSeconds) == doctest::Approx(1.25));
    c.tick(3);
    CHECK(c.newest(Metric::SnapshotAgeSeconds) == doctest::Approx(4.25));
    CHECK(c.ago(Metric::SnapshotAgeSeconds, 1) == doctest::Approx(3.25));
}

TEST_CASE("issue 10 metrics: a published series never changes while a snapshot holds it") {
    Clock c;
    c.in.queueDepth = 1;
    c.tick();
    const orch::MetricsSeriesPtr held = c.rec.series();
    for (int i = 0; i < 20; ++i) {
        c.in.queueDepth = static_cast<size_t>(i + 2);
        c.tick();
    }
    CHECK(held->rings[0].size() == 1);
    CHECK(held->rings[0].newest() == 1);
    CHECK(c.newest(Metric::QueueDepth) == 21);
    CHECK(c.rec.series().get() != held.get());
}

// ---- through the orchestrator: the worker's timer, event-time counts, the snapshot ----

TEST_CASE("issue 10 metrics: the orchestrator samples once a second on its worker and publishes the series in the snapshot") {
    Harness h;
    h.exec.advance(5000);
    CHECK(h.exec.pendingTimers() == 0);  // no sampling before initialize
    CHECK(h.snap()->metrics == nullptr);
    h.fake.jobs.respond = [](const int&) {
        return model::Outcome<orch::FetchedJobs>(fetchedJobs({makeJob("a", JobStatus::Processing, "2026-11-26T07:00:00", 10),
                                                              makeJob("b", JobStatus::Queued, "2026-11-26T07:00:01", 0),
                                                              makeJob("c", JobStatus::Queued, "2026-11-26T07:00:02", 0)}));
    };
    h.initialize(quietOptions());
    h.fake.pushPhase(orch::ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    const int64_t start = h.exec.nowMicros();
    h.fake.parse = {4, 1'500'000};
    for (int i = 0; i < 20; ++i) {
        model::ProgressMessage m;
        m.job_id = "a";
        m.progress = static_cast<uint8_t>(10 + i);
        h.fake.push([m](orch::UpdateSink& l) { l.apply(m); });
    }
    h.exec.runUntilIdle();
    CHECK(h.snap()->metrics == nullptr);  // the first second has not closed yet
    h.exec.advance(1000);
    auto m = h.snap()->metrics;
    REQUIRE(m != nullptr);
    CHECK(m->newestSampleMicros == start + 1'000'000);
    CHECK((*m)[Metric::WsMessagesPerSecond].newest() == 20);
    CHECK((*m)[Metric::QueueDepth].newest() == 3);
    CHECK((*m)[Metric::ParseMillisPerSecond].newest() == doctest::Approx(1.5));
    CHECK((*m)[Metric::SnapshotAgeSeconds].newest() == doctest::Approx(1.0));
    CHECK(std::isnan((*m)[Metric::DurationP50Seconds].newest()));

    // A reconnect: lost, then connected again.
    h.fake.pushPhase(orch::ConnectionPhase::Reconnecting);
    h.fake.pushPhase(orch::ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    h.exec.advance(1000);
    m = h.snap()->metrics;
    CHECK((*m)[Metric::Reconnects].newest() == 1);
    CHECK(m->reconnectsTotal == 1);
    CHECK((*m)[Metric::WsMessagesPerSecond].newest() == 0);  // phase changes are not messages
    h.exec.advance(3000);
    m = h.snap()->metrics;
    CHECK((*m)[Metric::Reconnects].size() == 5);
    CHECK((*m)[Metric::Reconnects].newest() == 0);

    // After cleanup nothing is sampled any more; the last series stays.
    REQUIRE(h.settle(h.manager.cleanup()).ok());
    const int64_t last = h.snap()->metrics->newestSampleMicros;
    h.exec.advance(5000);
    CHECK(h.snap()->metrics->newestSampleMicros == last);
}

TEST_CASE("issue 10 metrics: a job's running time goes from its first processing message to its completion and is counted once") {
    Harness h;
    h.initialize(quietOptions());
    h.fake.pushPhase(orch::ConnectionPhase::Connected);
    h.exec.runUntilIdle();
    h.fake.push([](orch::UpdateSink& l) { l.apply(progress("job-1", JobStatus::Queued)); });
    h.exec.runUntilIdle();
    h.exec.advance(3000);  // 3 s in the queue: not running time
    h.fake.push([](orch::UpdateSink& l) { l.apply(progress("job-1", JobStatus::Processing)); });
    h.exec.runUntilIdle();
    h.exec.advance(4000);
    h.fake.push([](orch::UpdateSink& l) { l.apply(progress("job-1", JobStatus::Processing)); });
    h.exec.runUntilIdle();
    h.exec.advance(3000);
    // Both the progress message and the completion message say so: one completion.
    h.fake.push([](orch::UpdateSink& l) { l.apply(progress("job-1", JobStatus::Completed)); });
    h.fake.push([](orch::UpdateSink& l) {
        model::CompletionMessage c;
        c.job_id = "job-1";
        l.apply(c);
    });
    // The server's own duration wins when the completion message carries one.
    h.fake.push([](orch::UpdateSink& l) {
        model::CompletionMessage c;
        c.job_id = "job-2";
        c.total_duration = 13.0;
        l.apply(c);
    });
    h.exec.runUntilIdle();
    h.exec.advance(1000);
    const auto m = h.snap()->metrics;
    REQUIRE(m != nullptr);
    CHECK(m->completionsTotal == 2);
    CHECK((*m)[Metric::JobsPerMinute].newest() == 2);
    CHECK((*m)[Metric::DurationP50Seconds].newest() == doctest::Approx(7.0));   // 4 s + 3 s running
    CHECK((*m)[Metric::DurationP95Seconds].newest() == doctest::Approx(13.0));
}

TEST_CASE("issue 10 metrics: a publish shares the series and a closing second leaves the content version alone") {
    Harness h;
    h.initialize(quietOptions());
    h.exec.advance(1000);
    const auto first = h.snap();
    REQUIRE(first->metrics != nullptr);
    // A change within the same second: a new snapshot, the same series object.
    h.settle(h.orc.handleProgressMessage(progress("x", JobStatus::Queued)));
    const auto second = h.snap();
    CHECK(second->version > first->version);
    CHECK(second->metrics.get() == first->metrics.get());
    // The next second closes: a new series, but nothing a person sees changed elsewhere.
    h.exec.advance(1000);
    const auto third = h.snap();
    CHECK(third->metrics.get() != second->metrics.get());
    CHECK(third->contentVersion == second->contentVersion);
}
