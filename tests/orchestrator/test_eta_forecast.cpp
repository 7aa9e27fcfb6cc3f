// Issue 14, item 4: a queued job's ETA is when it will be done. The forecast on synthetic queues
// (forecastQueue), when the worker recomputes it (QueueForecaster), and the orchestrator
// publishing it in the Snapshot.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fake_transport.hpp"
#include "orchestrator/eta_estimator.hpp"
#include "orchestrator/queue_forecast.hpp"
#include "orchestrator/queue_module.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

namespace {

constexpr int64_t kT0 = 1'790'000'000'000'000;
constexpr double kRun = 10.0;  // every learned run of the test key takes 10 s

// A job of the learned key (20 steps, DPM++ 2M, 512x512), created secondsAgo before kT0.
model::Job job(const std::string& id, JobStatus status, int createdSecondsAgo, int steps = 20) {
    model::Job j = makeJob(id, status);
    j.created_at = model::Timestamp::fromMicros(kT0 - int64_t{createdSecondsAgo} * 1'000'000, true);
    model::GenerationParams p;
    p.steps = steps;
    p.sampler_name = model::Text("DPM++ 2M");
    p.width = 512;
    p.height = 512;
    j.params = p;
    return j;
}

// A job with no steps anywhere: nothing can estimate it.
model::Job unknownJob(const std::string& id, JobStatus status, int createdSecondsAgo) {
    model::Job j = makeJob(id, status);
    j.created_at = model::Timestamp::fromMicros(kT0 - int64_t{createdSecondsAgo} * 1'000'000, true);
    return j;
}

// "q3" (appended: g++ 12 warns falsely on "literal" + std::string).
std::string numbered(const char* prefix, int i) {
    std::string s = prefix;
    s += std::to_string(i);
    return s;
}

std::shared_ptr<const EtaModel> learnedModel() {
    EtaEstimator e;
    for (int i = 0; i < 12; ++i) e.learn(EtaKey{"DPM++ 2M", 512, 512, 20}, kRun);
    return e.model();
}

struct Forecast {
    QueueModule queue;
    std::shared_ptr<const QueueForecast> f;
    int64_t now = kT0;

    Forecast(std::vector<model::Job> jobs, const EtaModel* model, int64_t at = kT0) : now(at) {
        queue.setJobs(std::move(jobs), kT0);
        f = forecastQueue(queue.sortedActiveJobs(), model, now);
    }
    const JobForecast* of(const std::string& id) const {
        const auto j = queue.find(id);
        REQUIRE(j);
        return f->find(*j);
    }
    const JobForecast& at(const std::string& id) const {
        const JobForecast* e = of(id);
        INFO("no forecast for ", id);
        REQUIRE(e);
        return *e;
    }
    double doneIn(const std::string& id) const { return static_cast<double>(at(id).doneAtMicros - now) / 1e6; }
    double startsIn(const std::string& id) const { return static_cast<double>(at(id).startsAtMicros - now) / 1e6; }
};

// Eight queued jobs, q1 the oldest (first in line), q8 the newest.
std::vector<model::Job> eightQueued() {
    std::vector<model::Job> jobs;
    for (int i = 1; i <= 8; ++i) jobs.push_back(job(numbered("q", i), JobStatus::Queued, 100 - i));
    return jobs;
}

model::Job runningSince(const std::string& id, int64_t since, int createdSecondsAgo = 200) {
    model::Job r = job(id, JobStatus::Processing, createdSecondsAgo);
    r.runningSinceMicros = since;
    r.runningSinceObserved = true;
    return r;
}

}  // namespace

TEST_CASE("issue 14.4: the 8th of 8 queued jobs is done about 7 runs later than the 1st (the queue runs oldest first)") {
    const auto model = learnedModel();
    Forecast q(eightQueued(), model.get());
    // Nothing runs: one worker, free now. The oldest job goes first, whatever §4.6 shows on top.
    CHECK(q.f->workers() == 1);
    CHECK(q.doneIn("q1") == doctest::Approx(kRun));
    CHECK(q.doneIn("q8") == doctest::Approx(8 * kRun));
    CHECK(q.doneIn("q8") - q.doneIn("q1") == doctest::Approx(7 * kRun));
    CHECK(q.at("q1").ahead == 0);
    CHECK(q.at("q8").ahead == 7);
    CHECK(q.startsIn("q8") == doctest::Approx(7 * kRun));
    CHECK_FALSE(q.at("q8").lowerBound());
    CHECK(q.at("q8").own.seconds == doctest::Approx(kRun));  // its own run is still there, for the tooltip
    CHECK(ownBasisText(q.at("q8")) == "learned from 12 jobs like this");
    // The queue drains when the last one is done.
    CHECK(static_cast<double>(q.f->drain().atMicros - kT0) / 1e6 == doctest::Approx(8 * kRun));
    CHECK(q.f->drain().estimated == 8);
    CHECK(q.f->drain().unknown == 0);
}

TEST_CASE("issue 14.4: the range widens down the line") {
    const auto model = learnedModel();
    Forecast q(eightQueued(), model.get());
    auto width = [&](const std::string& id) {
        return static_cast<double>(q.at(id).doneHighAtMicros - q.at(id).doneLowAtMicros) / 1e6;
    };
    CHECK(width("q1") > 0);
    CHECK(width("q2") > width("q1"));
    CHECK(width("q8") == doctest::Approx(8 * width("q1")));  // one worker: the ranges add up
    CHECK(q.at("q8").doneLowAtMicros < q.at("q8").doneAtMicros);
    CHECK(q.at("q8").doneHighAtMicros > q.at("q8").doneAtMicros);
}

TEST_CASE("issue 14.4: two workers halve the wait") {
    const auto model = learnedModel();
    // One job running (just started, a whole run left), then the eight.
    auto one = eightQueued();
    one.push_back(runningSince("r1", kT0));
    Forecast a(one, model.get());
    // Two running: the backend has (at least) two workers.
    auto two = eightQueued();
    two.push_back(runningSince("r1", kT0));
    two.push_back(runningSince("r2", kT0));
    Forecast b(two, model.get());

    CHECK(a.f->workers() == 1);
    CHECK(b.f->workers() == 2);
    CHECK(a.startsIn("q8") == doctest::Approx(kRun + 7 * kRun));
    CHECK(b.startsIn("q8") == doctest::Approx(kRun + 3 * kRun));  // q1..q8 go two at a time
    // The wait is halved (80 s -> 40 s); the queue drains when all the work shared over the
    // two workers is done: (2 running + 8 queued runs) / 2.
    CHECK(b.startsIn("q8") == doctest::Approx(a.startsIn("q8") / 2));
    CHECK(static_cast<double>(b.f->drain().atMicros - kT0) / 1e6 == doctest::Approx((2 + 8) * kRun / 2));
    CHECK(b.at("q8").ahead == 9);  // both running jobs and seven queued ones run before it
    // The running jobs themselves: what is left of their runs.
    CHECK(b.doneIn("r1") == doctest::Approx(kRun));
    CHECK(b.at("r1").running);
}

TEST_CASE("issue 14.4: jobs ahead without an estimate make it a lower bound, and say how many") {
    const auto model = learnedModel();
    std::vector<model::Job> jobs;
    for (int i = 1; i <= 3; ++i) jobs.push_back(unknownJob(numbered("u", i), JobStatus::Queued, 100 - i));
    jobs.push_back(job("k", JobStatus::Queued, 50));  // behind the three
    Forecast q(jobs, model.get());
    const JobForecast& k = q.at("k");
    CHECK(k.ahead == 3);
    CHECK(k.aheadUnknown == 3);
    CHECK(k.ownKnown);
    CHECK(k.lowerBound());
    CHECK(q.doneIn("k") == doctest::Approx(kRun));  // at least its own run
    // The unknown jobs themselves: nothing known ahead of them, nothing of their own: no forecast.
    CHECK(q.of("u1") == nullptr);
    CHECK(q.of("u3") == nullptr);
    // The whole queue: a lower bound with 3 jobs unaccounted for.
    CHECK(q.f->drain().estimated == 1);
    CHECK(q.f->drain().unknown == 3);
}

TEST_CASE("issue 14.4: a job of its own unknown behind known work is at least when that work ends") {
    const auto model = learnedModel();
    std::vector<model::Job> jobs{job("k1", JobStatus::Queued, 90), job("k2", JobStatus::Queued, 80),
                                 unknownJob("u", JobStatus::Queued, 70)};
    Forecast q(jobs, model.get());
    const JobForecast& u = q.at("u");
    CHECK_FALSE(u.ownKnown);
    CHECK(u.lowerBound());
    CHECK(u.aheadUnknown == 0);
    CHECK(q.doneIn("u") == doctest::Approx(2 * kRun));
    CHECK(ownBasisText(u) == "no estimate of its own run");
}

TEST_CASE("issue 14.4: a job of unknown length behind a late job gets no forecast rather than at least 0 s") {
    const auto model = learnedModel();
    // The running job ran 60 s of a 10 s run: late, nothing left by the model; its worker is free now.
    std::vector<model::Job> jobs{runningSince("late", kT0 - 60'000'000), unknownJob("u", JobStatus::Queued, 30),
                                 job("k", JobStatus::Queued, 20)};
    Forecast q(jobs, model.get());
    CHECK(q.at("late").own.overdue);
    CHECK(q.of("u") == nullptr);                     // "at least 0.0 s" says nothing
    CHECK(q.doneIn("k") == doctest::Approx(kRun));   // its own run, after the unknown one
    CHECK(q.at("k").lowerBound());
    CHECK(q.at("k").aheadUnknown == 1);
}

TEST_CASE("issue 14.4: nothing known gives no forecast, not a number") {
    // Nothing learned and no server estimate: every job is "—" and the queue has no drain time.
    auto jobs = eightQueued();
    jobs.push_back(runningSince("r1", kT0 - 3'000'000));
    Forecast q(jobs, nullptr);
    for (const char* id : {"q1", "q4", "q8", "r1"}) {
        INFO(id);
        CHECK(q.of(id) == nullptr);
    }
    CHECK(q.f->entries().empty());
    CHECK(q.f->drain().estimated == 0);
    CHECK(q.f->drain().unknown == 9);
}

TEST_CASE("issue 14.4: the server's eta_seconds for the running job is the wait of the queue behind it") {
    // Nothing learned: the running job's server estimate is the only basis; the queued ones are
    // at least that far away (their own runs are unknown).
    model::Job r = runningSince("r", kT0 - 5'000'000);
    r.eta_seconds = 30;
    r.receivedMicros = kT0 - 2'000'000;  // said 2 s ago: 28 s left now
    std::vector<model::Job> jobs{r, unknownJob("q", JobStatus::Queued, 10)};
    Forecast q(jobs, nullptr);
    CHECK(q.doneIn("r") == doctest::Approx(28.0));
    CHECK(q.at("r").own.source == EtaSource::Server);
    CHECK(q.startsIn("q") == doctest::Approx(28.0));
    CHECK(q.doneIn("q") == doctest::Approx(28.0));
    CHECK(q.at("q").lowerBound());

    // With a learned model too, the server's word wins for the running job (20 s left by the
    // model after 5 s... no: 10 s runs; the server says 28 s).
    const auto model = learnedModel();
    std::vector<model::Job> known{r, job("q2", JobStatus::Queued, 10)};
    Forecast k(known, model.get());
    CHECK(k.doneIn("r") == doctest::Approx(28.0));
    CHECK(k.doneIn("q2") == doctest::Approx(28.0 + kRun));
    CHECK_FALSE(k.at("q2").lowerBound());
}

TEST_CASE("issue 14.4: a structural change recomputes at once, a burst on a huge queue at most once per gap") {
    const auto model = learnedModel();
    QueueModule q;
    std::vector<model::Job> jobs;
    for (int i = 0; i < 10'000; ++i) jobs.push_back(job(numbered("j", i), JobStatus::Queued, 20'000 - i));
    q.setJobs(jobs, kT0);
    QueueForecaster fc;
    JobList list;
    auto inputs = [&] {
        QueueForecaster::Inputs in;
        list = q.sortedActiveJobs();
        in.sortedActiveJobs = &list;
        in.queued = q.counts().queued;
        in.processing = q.counts().processing;
        in.model = model;
        return in;
    };
    const auto first = fc.get(inputs(), kT0);
    REQUIRE(first);
    CHECK(fc.recomputes() == 1);
    // A job starts: the counts change. 10,000 active jobs: the gap is 200 ms (20 us per job).
    model::ProgressMessage start;
    start.job_id = "j0";
    start.status = JobStatus::Processing;
    q.handleProgressMessage(start, kT0 + 1000);
    CHECK(fc.get(inputs(), kT0 + 1000) == first);  // within the gap: the last forecast
    CHECK(fc.nextDueMicros() == kT0 + 10'000 * QueueForecaster::kMicrosPerActiveJob);
    const auto second = fc.get(inputs(), fc.nextDueMicros());
    CHECK(second != first);
    CHECK(fc.recomputes() == 2);
    // Nothing changed: the next recompute is a second after the last one.
    CHECK(fc.nextDueMicros() == second->madeAtMicros() + QueueForecaster::kTickMicros);
    // An empty queue: no forecast, nothing due.
    q.resetQueue();
    CHECK(fc.get(inputs(), kT0 + 2'000'000) == nullptr);
    CHECK(fc.nextDueMicros() == 0);
}

TEST_CASE("issue 14.4: the orchestrator publishes the forecast, and a plain progress tick does not recompute it") {
    Harness h;
    model::Job running = makeJob("r", JobStatus::Processing);
    model::Job queued = makeJob("q", JobStatus::Queued);
    h.fake.jobs.respond = [&](const int&) {
        orch::FetchedJobs f;
        f.jobs = {running, queued};
        return Outcome<orch::FetchedJobs>(f);
    };
    h.initialize();
    const auto before = h.snap();
    REQUIRE(before->queueForecast);
    // Nothing learned and no server estimate yet: no forecast for either job.
    CHECK(before->queueForecast->entries().empty());

    // A progress tick (no status change) with the server's estimate: a new snapshot, the same forecast.
    model::ProgressMessage tick;
    tick.job_id = "r";
    tick.status = JobStatus::Processing;
    tick.progress = 40;
    tick.eta_seconds = 30.0;
    h.settle(h.orc.handleProgressMessage(tick));
    const auto afterTick = h.snap();
    CHECK(afterTick->version > before->version);
    CHECK(afterTick->queueForecast == before->queueForecast);

    // Remaining times move: within a second the worker recomputes on its own (its timer).
    const int64_t tickAt = h.exec.nowMicros();
    h.exec.advance(1000);
    const auto later = h.snap();
    REQUIRE(later->queueForecast);
    CHECK(later->queueForecast != before->queueForecast);
    const JobForecast* r = later->queueForecast->find(*later->sortedActiveJobs[0]);
    REQUIRE(r);
    CHECK(r->own.source == EtaSource::Server);
    CHECK(static_cast<double>(r->doneAtMicros - tickAt) / 1e6 == doctest::Approx(30.0));
    const JobForecast* q = later->queueForecast->find(*later->sortedActiveJobs[1]);
    REQUIRE(q);
    CHECK(q->lowerBound());
    CHECK(q->startsAtMicros == r->doneAtMicros);

    // A structural change (the queued job starts) recomputes at once.
    model::ProgressMessage starts;
    starts.job_id = "q";
    starts.status = JobStatus::Processing;
    h.settle(h.orc.handleProgressMessage(starts));
    CHECK(h.snap()->queueForecast != later->queueForecast);
    CHECK(h.snap()->queueForecast->workers() == 2);
}
