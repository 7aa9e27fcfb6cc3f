// Issue 10, item 1: the ETA estimator on synthetic histories, and the orchestrator feeding it
// (running time only, never the wait in the queue).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <deque>

#include "fake_transport.hpp"
#include "orchestrator/eta_estimator.hpp"
#include "orchestrator/queue_forecast.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

namespace {

EtaKey key(int steps = 20, std::string sampler = "DPM++ 2M", int w = 512, int h = 512) {
    return EtaKey{std::move(sampler), w, h, steps};
}

// Deterministic noise in [-amplitude, +amplitude] (a fixed LCG: the same on every machine).
class Noise {
public:
    explicit Noise(uint64_t seed) : state_(seed) {}
    double next(double amplitude) {
        state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
        const double unit = static_cast<double>(state_ >> 11) / static_cast<double>(1ull << 53);  // [0, 1)
        return (unit * 2 - 1) * amplitude;
    }

private:
    uint64_t state_;
};

double estimateOf(const EtaEstimator& e, const EtaKey& k) {
    const auto est = e.model()->runEstimate(k);
    REQUIRE(est.has_value());
    return est->seconds;
}

model::Job jobWithParams(std::string id, JobStatus status, int steps = 20) {
    model::Job j = makeJob(std::move(id), status);
    model::GenerationParams p;
    p.steps = steps;
    p.sampler_name = model::Text("DPM++ 2M");
    p.width = 512;
    p.height = 512;
    j.params = p;
    return j;
}

model::ProgressMessage progress(std::string id, JobStatus status) {
    model::ProgressMessage m;
    m.job_id = std::move(id);
    m.status = status;
    return m;
}

}  // namespace

TEST_CASE("issue 10 ETA: steady load converges within 10 percent") {
    EtaEstimator e;
    Noise noise(7);
    const double truth = 10.0;  // seconds for a 20-step job, +-15 % from job to job
    for (int i = 0; i < 80; ++i) {
        e.learn(key(), truth * (1 + noise.next(0.15)));
        if (i >= 10) {
            const double est = estimateOf(e, key());
            CHECK_MESSAGE(std::abs(est - truth) <= 0.10 * truth, "after job " << i + 1 << ": " << est);
        }
    }
    const auto est = e.model()->runEstimate(key());
    CHECK(est->source == EtaSource::Exact);
    CHECK(est->basisJobs == static_cast<int>(EtaEstimator::kWindow));
    // The range holds the truth and is not absurdly wide.
    CHECK(est->low < truth);
    CHECK(est->high > truth);
    CHECK(est->high - est->low < 0.6 * truth);
}

TEST_CASE("issue 10 ETA: a change of load (jobs get 2x slower) is followed within 8 jobs") {
    EtaEstimator e;
    Noise noise(11);
    for (int i = 0; i < 40; ++i) e.learn(key(), 10.0 * (1 + noise.next(0.1)));
    CHECK(estimateOf(e, key()) == doctest::Approx(10.0).epsilon(0.1));
    int followedAfter = -1;
    for (int i = 1; i <= 20; ++i) {
        e.learn(key(), 20.0 * (1 + noise.next(0.1)));
        if (followedAfter < 0 && std::abs(estimateOf(e, key()) - 20.0) <= 2.0) followedAfter = i;
    }
    INFO("followed after " << followedAfter << " slower jobs");
    CHECK(followedAfter > 0);
    CHECK(followedAfter <= 8);
    // And it stays there.
    CHECK(estimateOf(e, key()) == doctest::Approx(20.0).epsilon(0.1));
}

TEST_CASE("issue 10 ETA: one job 20x slower barely moves the estimate or its range") {
    EtaEstimator e;
    Noise noise(3);
    for (int i = 0; i < 30; ++i) e.learn(key(), 10.0 * (1 + noise.next(0.1)));
    const auto before = *e.model()->runEstimate(key());
    e.learn(key(), 200.0);
    const auto after = *e.model()->runEstimate(key());
    CHECK(std::abs(after.seconds - before.seconds) <= 0.05 * before.seconds);
    CHECK(after.high <= before.high * 1.25);
    // A mean would have jumped: (30 * 10 + 200) / 31 is 16 s.
    CHECK(after.seconds < 12.0);
}

TEST_CASE("issue 10 ETA: no basis gives no estimate rather than a number") {
    EtaEstimator e;
    CHECK_FALSE(e.model()->runEstimate(key()).has_value());
    // Nothing learned: a queued job has no ETA; a running job only the server's.
    model::Job queued = jobWithParams("q", JobStatus::Queued);
    CHECK_FALSE(jobRemaining(e.model().get(), queued, 0).has_value());
    CHECK_FALSE(jobRemaining(nullptr, queued, 0).has_value());
    // Without steps nothing can be scaled, even once something was learned.
    e.learn(key(), 10.0);
    CHECK_FALSE(e.model()->runEstimate(key(0)).has_value());
    // Invalid runs teach nothing.
    EtaEstimator f;
    CHECK_FALSE(f.learn(key(), 0));
    CHECK_FALSE(f.learn(key(), -3));
    CHECK_FALSE(f.learn(key(0), 10));
    CHECK_FALSE(f.learn(key(), std::nan("")));
    CHECK(f.learnedJobs() == 0);
    CHECK_FALSE(f.model()->runEstimate(key()).has_value());
}

TEST_CASE("issue 10 ETA: fallback keys scale by steps and widen the range") {
    EtaEstimator e;
    Noise noise(5);
    // 20-step DPM++ 512x512 jobs at 0.5 s/step, and 30-step Euler 768x768 jobs at 1 s/step.
    for (int i = 0; i < 20; ++i) e.learn(key(20), 10.0 * (1 + noise.next(0.05)));
    for (int i = 0; i < 20; ++i) e.learn(key(30, "Euler a", 768, 768), 30.0 * (1 + noise.next(0.05)));
    const auto m = e.model();
    const auto exact = m->runEstimate(key(20));
    const auto sameSize = m->runEstimate(key(40));                     // same sampler and size, other steps
    const auto global = m->runEstimate(key(20, "UniPC", 1024, 1024));  // nothing like it
    REQUIRE(exact);
    REQUIRE(sameSize);
    REQUIRE(global);
    CHECK(exact->source == EtaSource::Exact);
    CHECK(sameSize->source == EtaSource::SameSize);
    CHECK(global->source == EtaSource::Global);
    CHECK(sameSize->seconds == doctest::Approx(20.0).epsilon(0.08));  // 40 steps x 0.5 s
    CHECK(sameSize->basisJobs == 20);
    CHECK(global->basisJobs == 40);
    auto relativeWidth = [](const EtaEstimate& x) { return (x.high - x.low) / x.seconds; };
    CHECK(relativeWidth(*sameSize) > relativeWidth(*exact) * 1.3);
    CHECK(relativeWidth(*global) > relativeWidth(*sameSize));
    // An exact key with too few samples defers to the better-fed coarser level.
    e.learn(key(40), 20.0);
    CHECK(e.model()->runEstimate(key(40))->source == EtaSource::SameSize);
}

TEST_CASE("issue 10 ETA: remaining time of running and queued jobs and the server's estimate") {
    EtaEstimator e;
    for (int i = 0; i < 10; ++i) e.learn(key(), 10.0);
    const auto m = e.model();
    const int64_t t0 = 1'000'000'000;

    model::Job queued = jobWithParams("q", JobStatus::Queued);
    CHECK(jobRemaining(m.get(), queued, t0)->seconds == doctest::Approx(10.0));

    model::Job running = jobWithParams("r", JobStatus::Processing);
    running.runningSinceMicros = t0;
    const auto at4 = jobRemaining(m.get(), running, t0 + 4'000'000);
    REQUIRE(at4);
    CHECK(at4->seconds == doctest::Approx(6.0));
    CHECK_FALSE(at4->overdue);
    const auto late = jobRemaining(m.get(), running, t0 + 30'000'000);
    CHECK(late->seconds == 0);
    CHECK(late->overdue);
    // Steps done are a better clock than the elapsed time.
    running.current_step = 15;
    CHECK(jobRemaining(m.get(), running, t0 + 1'000'000)->seconds == doctest::Approx(2.5));

    // The server's eta_seconds wins for a running job, counted down since it arrived.
    running.eta_seconds = 8.0;
    running.receivedMicros = t0;
    const auto server = jobRemaining(m.get(), running, t0 + 3'000'000);
    REQUIRE(server);
    CHECK(server->source == EtaSource::Server);
    CHECK(server->seconds == doctest::Approx(5.0));
    CHECK(jobRemaining(nullptr, running, t0 + 3'000'000)->source == EtaSource::Server);

    // Finished jobs have nothing left.
    model::Job done = jobWithParams("d", JobStatus::Completed);
    CHECK_FALSE(jobRemaining(m.get(), done, t0).has_value());
}

TEST_CASE("issue 10 ETA: the queue drains in the sum of its jobs shared between the running workers") {
    EtaEstimator e;
    for (int i = 0; i < 10; ++i) e.learn(key(), 10.0);
    QueueModule q;
    const int64_t t0 = 1'000'000'000;
    std::vector<model::Job> jobs;
    jobs.push_back(jobWithParams("run", JobStatus::Processing));
    jobs.back().runningSinceMicros = t0;
    for (const char* id : {"q0", "q1", "q2"}) jobs.push_back(jobWithParams(id, JobStatus::Queued));
    model::Job unknown = makeJob("nosteps", JobStatus::Queued);
    jobs.push_back(unknown);
    q.setJobs(jobs, t0);
    const int64_t now = t0 + 4'000'000;
    // Issue 14.4: the drain time is the worker's forecast (its last job done), no longer a UI sum.
    const auto d = forecastQueue(q.sortedActiveJobs(), e.model().get(), now)->drain();
    CHECK(d.workers == 1);  // one job running: assumed serial
    CHECK(d.estimated == 4);
    CHECK(d.unknown == 1);
    CHECK(static_cast<double>(d.atMicros - now) / 1e6 == doctest::Approx(6.0 + 3 * 10.0));
    CHECK(d.lowAtMicros < d.atMicros);
    CHECK(d.highAtMicros > d.atMicros);

    // Two running: the work is shared between two workers.
    jobs[1].status = JobStatus::Processing;
    jobs[1].runningSinceMicros = t0;
    q.setJobs(jobs, t0);
    const auto d2 = forecastQueue(q.sortedActiveJobs(), e.model().get(), now)->drain();
    CHECK(d2.workers == 2);
    CHECK(static_cast<double>(d2.atMicros - now) / 1e6 == doctest::Approx((6.0 + 6.0 + 2 * 10.0) / 2));
}

TEST_CASE("issue 10 ETA: time spent queued is excluded from what is learned") {
    Harness h;
    const EtaKey k = key();
    // Queued for 100 s, then 10 s running.
    h.settle(h.orc.enqueueJob(jobWithParams("a", JobStatus::Queued)));
    h.exec.advance(100'000);
    h.settle(h.orc.handleProgressMessage(progress("a", JobStatus::Processing)));
    h.exec.advance(10'000);
    h.settle(h.orc.handleProgressMessage(progress("a", JobStatus::Completed)));
    h.exec.advance(500);  // the completion message follows the final progress
    model::CompletionMessage done;
    done.job_id = "a";
    h.settle(h.orc.handleCompletionMessage(done));
    auto snap = h.snap();
    REQUIRE(snap->etaModel);
    const auto est = snap->etaModel->runEstimate(k);
    REQUIRE(est);
    CHECK(est->seconds == doctest::Approx(10.0));
    CHECK(est->basisJobs == 1);
    // The history has the whole lifecycle.
    REQUIRE(snap->jobHistory);
    REQUIRE(snap->jobHistory->size() == 1);
    const JobLifecycle& life = (*snap->jobHistory)[0];
    CHECK(life.outcome == JobOutcome::Completed);
    CHECK(life.startObserved);
    CHECK(life.finishedAtMicros - life.startedAtMicros == 10'000'000);
    CHECK(life.startedAtMicros - life.queuedAtMicros == 100'000'000);
    CHECK(life.learned);
}

TEST_CASE("issue 10 ETA: the server's total_duration is the run time and a start not seen teaches nothing") {
    Harness h;
    // b was first seen already running: its observed run would be too short, so nothing is learned...
    h.settle(h.orc.enqueueJob(jobWithParams("b", JobStatus::Processing)));
    h.exec.advance(3'000);
    model::CompletionMessage done;
    done.job_id = "b";
    h.settle(h.orc.handleCompletionMessage(done));
    CHECK_FALSE(h.snap()->etaModel->runEstimate(key()).has_value());
    CHECK(h.snap()->jobHistory->size() == 1);
    CHECK_FALSE((*h.snap()->jobHistory)[0].learned);
    // ...unless the server says how long it ran.
    h.settle(h.orc.enqueueJob(jobWithParams("c", JobStatus::Processing)));
    h.exec.advance(3'000);
    done.job_id = "c";
    done.total_duration = 12.5;
    h.settle(h.orc.handleCompletionMessage(done));
    const auto est = h.snap()->etaModel->runEstimate(key());
    REQUIRE(est);
    CHECK(est->seconds == doctest::Approx(12.5));
}

TEST_CASE("issue 10 ETA: a job the listing drops after it was seen running is learned and settled later") {
    Harness h;
    h.settle(h.orc.enqueueJob(jobWithParams("v", JobStatus::Queued)));
    h.exec.advance(5'000);
    h.settle(h.orc.handleProgressMessage(progress("v", JobStatus::Processing)));
    h.exec.advance(8'000);
    h.settle(h.orc.ingestQueue({}));  // the server no longer lists it
    auto snap = h.snap();
    REQUIRE(snap->jobHistory->size() == 1);
    CHECK((*snap->jobHistory)[0].outcome == JobOutcome::Vanished);
    CHECK(snap->etaModel->runEstimate(key())->seconds == doctest::Approx(8.0));
    // The completion message arrives after all: the outcome is now known; nothing is learned twice.
    model::CompletionMessage done;
    done.job_id = "v";
    h.settle(h.orc.handleCompletionMessage(done));
    snap = h.snap();
    REQUIRE(snap->jobHistory->size() == 1);
    CHECK((*snap->jobHistory)[0].outcome == JobOutcome::Completed);
    CHECK(snap->etaModel->learnedJobs() == 1);
    // A queued job that vanished never ran: no lesson.
    h.settle(h.orc.enqueueJob(jobWithParams("w", JobStatus::Queued)));
    h.exec.advance(4'000);
    h.settle(h.orc.ingestQueue({}));
    CHECK(h.snap()->jobHistory->size() == 2);
    CHECK(h.snap()->etaModel->learnedJobs() == 1);
}
