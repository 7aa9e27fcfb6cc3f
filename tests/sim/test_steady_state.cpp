// Issue 14.7: every scenario reaches a steady state. Each runs for an hour of simulated time on
// the manual clock (no real hour: the sim's Backend stepped a second at a time), and the queue
// depth and the WebSocket traffic stay what upstream would have for that queue.
#include <doctest/doctest.h>

#include <algorithm>
#include <string_view>

#include "sim/backend.hpp"
#include "sim_test_util.hpp"

using namespace genmon;

namespace {

constexpr int kSeconds = 3600;

struct Hour {
    int workers = 0;
    int queueDepth = 0;
    size_t startDepth = 0, endDepth = 0, maxDepth = 0;
    double meanDepth = 0;
    double allWorkersBusy = 0;  // share of the seconds with every worker rendering
    bool depthEverGrew = false;
    size_t maxStored = 0;
    uint64_t progress = 0, started = 0, complete = 0;
    double monitoredSeconds = 0;   // sum over the seconds of the jobs with a monitor (pending or running)
    uint64_t worstMinute = 0;      // the most progress_updates in one minute
    uint64_t worstMinuteBound = 0;  // what upstream would send at most in that minute
    uint64_t overBound = 0;        // minutes above what upstream would send
};

std::string_view typeOf(const std::string& message) {
    // Envelopes start {"type":"..."; the sim writes them itself.
    constexpr std::string_view kPrefix = R"({"type":")";
    if (message.compare(0, kPrefix.size(), kPrefix) != 0) return {};
    const size_t end = message.find('"', kPrefix.size());
    return std::string_view(message).substr(kPrefix.size(), end - kPrefix.size());
}

Hour runHour(const std::string& scenario) {
    sim::SimOptions o;
    o.scenario = scenario;
    o.manualClock = true;
    o.imageSize = 16;
    auto plan = sim::planScenario(o);
    REQUIRE_MESSAGE(plan.ok(), (plan.ok() ? std::string() : plan.error().message));
    sim::Backend backend(o, plan.value());
    Hour h;
    h.workers = plan.value().workers;
    h.queueDepth = plan.value().queueDepth;

    auto depthOf = [](const std::vector<sim::SimJobInfo>& jobs, size_t* running) {
        size_t depth = 0;
        *running = 0;
        for (const auto& j : jobs) {
            depth += j.rawStatus == "pending" || j.rawStatus == "running";
            *running += j.rawStatus == "running";
        }
        return depth;
    };
    size_t running = 0;
    h.startDepth = h.maxDepth = depthOf(backend.jobs(), &running);
    size_t lastDepth = h.startDepth;
    uint64_t minuteProgress = 0, minuteEvents = 0, minuteMaxDepth = 0;
    double depthSum = 0;
    int busySeconds = 0;
    for (int second = 1; second <= kSeconds; ++second) {
        backend.advance(1'000'000);
        for (const auto& out : backend.takeOutbox()) {
            const auto type = typeOf(*out.text);
            if (type == "progress_update") {
                ++h.progress;
                ++minuteProgress;
            } else if (type == "generation_started") {
                ++h.started;
                ++minuteEvents;
            } else if (type == "generation_complete") {
                ++h.complete;
                ++minuteEvents;
            }
        }
        const auto jobs = backend.jobs();
        const size_t depth = depthOf(jobs, &running);
        h.maxStored = std::max(h.maxStored, jobs.size());
        h.maxDepth = std::max(h.maxDepth, depth);
        h.depthEverGrew |= depth > lastDepth;
        lastDepth = depth;
        depthSum += static_cast<double>(depth);
        busySeconds += running == static_cast<size_t>(h.workers);
        minuteMaxDepth = std::max<uint64_t>(minuteMaxDepth, depth);
        if (second % 60 == 0) {
            // Upstream: one update per monitored job every 2 s, one when a job is announced and
            // the final one of a finished job (sent with its generation_complete).
            const uint64_t bound = minuteMaxDepth * 30 + minuteEvents + minuteMaxDepth;
            if (minuteProgress > h.worstMinute) {
                h.worstMinute = minuteProgress;
                h.worstMinuteBound = bound;
            }
            h.overBound += minuteProgress > bound;
            minuteProgress = minuteEvents = minuteMaxDepth = 0;
        }
    }
    h.endDepth = lastDepth;
    h.meanDepth = depthSum / kSeconds;
    h.monitoredSeconds = depthSum;
    h.allWorkersBusy = static_cast<double>(busySeconds) / kSeconds;
    MESSAGE(scenario << ": depth start " << h.startDepth << ", mean " << h.meanDepth << ", max " << h.maxDepth
                     << ", end " << h.endDepth << "; all workers busy " << h.allWorkersBusy * 100 << " % of the time; "
                     << h.started << " started, " << h.complete << " completed, " << h.progress
                     << " progress_updates (worst minute " << h.worstMinute << ", bound " << h.worstMinuteBound
                     << "); at most " << h.maxStored << " jobs stored");
    return h;
}

// The progress_updates of the hour against what upstream's monitors would send for that queue.
void checkTraffic(const Hour& h) {
    CHECK(h.overBound == 0);
    const double expected = h.monitoredSeconds / 2 + static_cast<double>(h.started + h.complete);
    CHECK(static_cast<double>(h.progress) <= expected * 1.1);
    CHECK(static_cast<double>(h.progress) >= expected * 0.9);
}

}  // namespace

TEST_CASE("issue 14.7: busy hovers around its queue depth for an hour of simulated time, workers always busy") {
    const Hour h = runHour("busy");
    REQUIRE(h.queueDepth == 5);  // 2 running + 3 queued, as it starts
    CHECK(h.startDepth == 5);
    CHECK(h.maxDepth <= 5);
    CHECK(h.meanDepth >= 3.5);  // hovers just under it: a job leaves, the next one soon takes its place
    CHECK(h.allWorkersBusy >= 0.9);  // arrivals keep up with the workers: a steady state, not a draining one
    CHECK(h.complete >= 300);        // two workers, about 12 s per job: jobs keep flowing all hour
    CHECK(h.maxStored <= 1000 + 5);  // finished jobs are forgotten beyond maxStoredJobs
    checkTraffic(h);
}

TEST_CASE("issue 14.7: flaky (busy's queue with HTTP faults) stays at its depth too") {
    const Hour h = runHour("flaky");
    CHECK(h.maxDepth <= static_cast<size_t>(h.queueDepth));
    CHECK(h.meanDepth >= h.queueDepth - 1.5);
    CHECK(h.allWorkersBusy >= 0.9);
    checkTraffic(h);
}

TEST_CASE("issue 14.7: failing stays at its depth while four jobs in ten fail") {
    const Hour h = runHour("failing");
    REQUIRE(h.queueDepth == 4);
    CHECK(h.maxDepth <= 4);
    CHECK(h.meanDepth >= 2.5);
    // Failing jobs end early, so its two queued jobs run out more often than busy's three.
    CHECK(h.allWorkersBusy >= 0.75);
    CHECK(h.complete >= 300);
    checkTraffic(h);
}

TEST_CASE("issue 14.7: burst drains its burst and never grows again") {
    const Hour h = runHour("burst");
    CHECK(h.startDepth >= 50);
    CHECK_FALSE(h.depthEverGrew);
    CHECK(h.endDepth == 0);
    CHECK(h.started == 0);  // no arrivals after the burst
    checkTraffic(h);
}

TEST_CASE("issue 14.7: idle stays idle and silent") {
    const Hour h = runHour("idle");
    CHECK(h.maxDepth == 0);
    CHECK(h.progress == 0);
    CHECK(h.started == 0);
}
