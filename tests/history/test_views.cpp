// Issue 18.5: the queries the views will use: ETA samples per (sampler, size, steps), jobs in a
// time range for the timeline, per-hour and per-day throughput, and failed jobs to retry.
#include <doctest/doctest.h>

#include "history/history_store.hpp"
#include "history_test_util.hpp"

using namespace genmon;
using namespace genmon::histtest;
using history::RunStatus;

namespace {

history::HistoryOptions fixedClock(const fs::path& p) {
    auto o = optionsFor(p);
    o.clock = [] { return kNow; };
    return o;
}

history::JobRecord run(const std::string& id, RunStatus status, int64_t started, int64_t seconds, const char* sampler = "Euler a",
                       int w = 512, int h = 512, int steps = 20) {
    history::JobRecord r = job(id, status, started - 5'000'000);
    r.startedMicros = started;
    r.finishedMicros = started + seconds * 1'000'000;
    r.params.sampler = sampler;
    r.params.width = w;
    r.params.height = h;
    r.params.steps = steps;
    return r;
}

}  // namespace

TEST_CASE("issue 18.5: ETA samples: succeeded runs with a known start, per key, newest first") {
    const auto dir = freshDir("views-eta");
    auto store = openStore(fixedClock(dir / "h.sqlite3"));
    for (int i = 0; i < 10; ++i) store->record(run(numbered("e", i), RunStatus::Succeeded, kNow - (10 - i) * kHour, 10 + i));
    store->record(run("other-steps", RunStatus::Succeeded, kNow - kHour, 99, "Euler a", 512, 512, 30));
    store->record(run("other-size", RunStatus::Succeeded, kNow - kHour, 98, "Euler a", 768, 512, 20));
    store->record(run("failed", RunStatus::Failed, kNow - kHour, 5));
    auto unknownStart = run("no-start", RunStatus::Succeeded, kNow - kHour, 7);
    unknownStart.startedMicros = 0;  // first seen already finished: no run time to learn from
    store->record(unknownStart);
    REQUIRE(store->flush());

    auto fine = store->runSamples({"Euler a", 512, 512, 20}, 4);
    REQUIRE(fine);
    REQUIRE(fine->size() == 4);
    CHECK(fine.value()[0].jobId == "e9");
    CHECK(fine.value()[0].seconds() == doctest::Approx(19));
    CHECK(fine.value()[3].jobId == "e6");
    CHECK(*fine.value()[0].steps == 20);
    CHECK(store->runSamples({"Euler a", 512, 512, 20}, 100)->size() == 10);
    // The coarser levels of the estimator: same sampler and size, any steps; then anything.
    CHECK(store->runSamples({"Euler a", 512, 512, std::nullopt}, 100)->size() == 11);
    CHECK(store->runSamples({"Euler a", std::nullopt, std::nullopt, std::nullopt}, 100)->size() == 12);
    CHECK(store->runSamples({}, 100)->size() == 12);
    CHECK(store->runSamples({"DPM++ 2M", 512, 512, 20}, 100)->empty());
}

TEST_CASE("issue 18.5: the timeline gets the jobs whose time meets a range, across restarts") {
    const auto dir = freshDir("views-timeline");
    const auto p = dir / "h.sqlite3";
    {
        auto store = openStore(fixedClock(p));
        store->record(run("A", RunStatus::Succeeded, kNow - 5 * kHour, 3600));            // [t-5h, t-4h]
        store->record(run("B", RunStatus::Failed, kNow - 3 * kHour, 1800));               // [t-3h, t-2h30]
        store->record(run("C", RunStatus::Succeeded, kNow - 7 * kHour, 60));              // long before
        auto stillRunning = run("D", RunStatus::Running, kNow - kHour, 0);
        stillRunning.finishedMicros = 0;  // last seen now (the store's clock)
        store->record(stillRunning);
        auto queuedLong = job("E", RunStatus::Queued, kNow - 10 * kHour);  // queued, never seen to end
        store->record(queuedLong);
    }
    auto store = openStore(fixedClock(p));  // after a restart
    auto inRange = store->jobsOverlapping(kNow - 4 * kHour - 30 * kMinute, kNow - 2 * kHour);
    REQUIRE(inRange);
    std::string ids;
    for (const auto& r : inRange.value()) ids += r.jobId;
    CHECK(ids == "EAB");  // oldest first; D starts after the range, C ended before it
    CHECK(inRange.value()[1].startedMicros == kNow - 5 * kHour);
    CHECK(inRange.value()[1].finishedMicros == kNow - 4 * kHour);
    CHECK(store->jobsOverlapping(kNow - 30 * kMinute, kNow + kMinute)->size() == 2);  // D and E reach now
    CHECK(store->jobsOverlapping(kNow - 20 * kHour, kNow, 2)->size() == 2);            // the limit
}

TEST_CASE("issue 18.5: per-hour and per-day throughput and failures, dense over the range") {
    const auto dir = freshDir("views-throughput");
    auto store = openStore(fixedClock(dir / "h.sqlite3"));
    const int64_t hour0 = kNow - 3 * kHour;  // kNow is on the hour
    store->record(run("s1", RunStatus::Succeeded, hour0 + 10 * kMinute, 60));
    store->record(run("s2", RunStatus::Succeeded, hour0 + 20 * kMinute, 120));
    store->record(run("f1", RunStatus::Failed, hour0 + 30 * kMinute, 30));
    store->record(run("c1", RunStatus::Cancelled, hour0 + 2 * kHour + kMinute, 10));
    auto left = job("l1", RunStatus::Left, hour0);
    left.startedMicros = 0;
    left.finishedMicros = hour0 + 2 * kHour + 5 * kMinute;
    store->record(left);
    store->record(job("q1", RunStatus::Queued, hour0));  // not finished: not counted
    store->record(run("old", RunStatus::Failed, kNow - 2 * kDay, 10));
    REQUIRE(store->flush());

    auto hours = store->throughput(hour0, kNow, history::kHourMicros);
    REQUIRE(hours);
    REQUIRE(hours->size() == 3);
    const auto& h = hours.value();
    CHECK(h[0].startMicros == hour0);
    CHECK(h[0].succeeded == 2);
    CHECK(h[0].failed == 1);
    CHECK(h[0].finished() == 3);
    CHECK(h[0].failureRate() == doctest::Approx(1.0 / 3));
    CHECK(h[0].timedRuns == 3);
    CHECK(h[0].timedRunSeconds == doctest::Approx(210));
    CHECK(h[1].finished() == 0);  // a quiet hour is a zero, not a gap
    CHECK(h[2].cancelled == 1);
    CHECK(h[2].left == 1);
    CHECK(h[2].timedRuns == 1);  // the job that left had no known start

    // Days aligned to a local midnight (here: UTC+2, so days start at 22:00 UTC).
    const int64_t align = -2 * kHour;
    auto days = store->throughput(kNow - 3 * kDay, kNow, history::kDayMicros, align);
    REQUIRE(days);
    uint32_t finished = 0;
    for (const auto& d : days.value()) {
        CHECK((d.startMicros - align) % history::kDayMicros == 0);
        finished += d.finished();
    }
    CHECK(finished == 6);
    CHECK(days->back().finished() == 5);  // 22:00 yesterday UTC to now holds the last three hours
    CHECK_FALSE(store->throughput(kNow, kNow - 1, history::kHourMicros));
}

TEST_CASE("issue 18.5: failed jobs matching a search, with the parameters to run them again") {
    const auto dir = freshDir("views-retry");
    auto store = openStore(fixedClock(dir / "h.sqlite3"));
    auto f1 = job("f1", RunStatus::Failed, kNow - kHour);
    f1.params.prompt = "a lighthouse <lora:film_grain:0.8>";
    f1.params.seed = 1234;
    store->record(f1);
    auto f2 = job("f2", RunStatus::Failed, kNow - 2 * kHour);
    f2.params.prompt = "a castle";
    store->record(f2);
    store->record(job("ok", RunStatus::Succeeded, kNow - kHour));
    store->record(job("gone", RunStatus::Cancelled, kNow - kHour));
    REQUIRE(store->flush());

    history::SearchOptions o;
    o.nowMicros = kNow;
    auto all = store->failedJobs(*history::parseQuery("").query, o);
    REQUIRE(all);
    REQUIRE(all->size() == 2);
    CHECK(all.value()[0].jobId == "f1");
    auto lighthouse = store->failedJobs(*history::parseQuery("lora:film_grain").query, o);
    REQUIRE(lighthouse->size() == 1);
    const auto& r = lighthouse.value()[0];
    CHECK(r.params == f1.params);
    const auto again = history::requestToRunAgain(r.params);
    CHECK(again.prompt == "a lighthouse <lora:film_grain:0.8>");
    CHECK(again.seed == 1234);
    CHECK(again.width == 512);
    CHECK(again.height == 768);
    // The query's own status terms cannot widen it beyond the failed jobs.
    CHECK(store->failedJobs(*history::parseQuery("status:succeeded").query, o)->empty());
    CHECK(store->failedJobs(*history::parseQuery("status:failed,succeeded since:90m").query, o)->size() == 1);
}
