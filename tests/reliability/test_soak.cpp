// Soak (issue 9): an hour of the busy scenario with the flaky preset's faults (5xx, broken and
// garbage bodies, slow answers, the socket dropped every 40 messages), in compressed time: the
// sim's manual clock moves 5 s per step, 720 steps. Job timings are the busy scenario's scaled
// by 5 (30 s jobs, 7.5 s pickup) so that every job is visible at one step boundary at least;
// after each step genmon must catch up with the server's queue, so every job is accounted for.
// Memory stays flat within the caps: live jobs and results are counted all along, and the
// process's RSS is sampled (without sanitizers, whose allocators keep memory on purpose).
// Labelled "soak" (tests/CMakeLists.txt); LeakSanitizer checks it under scripts/test --asan.
#include <chrono>
#include <fstream>
#include <limits>
#include <map>

#include "orchestrator/orchestrator.hpp"
#include "reliability_util.hpp"

using namespace genmon;
using namespace genmon::reliability;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

long rssKiB() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

}  // namespace

TEST_CASE("soak: an hour of the busy scenario with the flaky faults, compressed") {
    constexpr int kStepMs = 5000;
    constexpr int kSteps = 720;  // 3600 s of the sim's time
    auto options = quietSim();
    options.scenario = "flaky";  // busy + the flaky fault preset
    options.seed = 9;
    options.durationJitter = 0.25;
    options.jobDurationMs = 30000;
    options.pickupDelayMs = 7500;
    options.progressIntervalMs = 5000;
    options.imageSize = 16;
    options.initialResults = 150;  // the results cap (200) is reached early: memory must then stay flat
    // busy's two workers: its arrivals hold the queue at its depth (issue 14.7), no extra worker needed
    auto ro = fastRuntime();
    ro.transport.totalTimeoutMs = 1000;  // slow answers time out
    auto polls = fastPolls();
    polls.queueWhileSocketDownMs = 50;
    polls.queueWhileSocketUpMs = 200;
    polls.statusMs = 300;
    // Decision 4's grace for a job announced by generation_started but not listed yet is 20 s of
    // real time; here 5 s of the sim's time pass in a few milliseconds, so the grace shrinks with
    // it (a job whose start and end messages came, but whose end was lost with a dropped socket,
    // would otherwise linger for 20 s of wall time, i.e. hours of the sim's).
    polls.optimisticGraceMs = 500;
    Session s(options, ro);
    const sim::FaultOptions flaky = s.sim->faults();
    REQUIRE(flaky.wsDropEveryN == 40);  // the preset
    // Connect first (a broken first answer fails initialize, and only unreachable backends are
    // retried: test_connect_faults), then the faults begin.
    s.sim->setFaults(sim::FaultOptions{});
    REQUIRE(s.start(polls).ok());
    s.rt->manager().setHistoryLimitOverride(200);
    s.sim->setFaults(flaky);

    std::set<std::string> finishedBefore;  // failed before genmon watched: no API lists them
    for (const auto& j : s.sim->jobs())
        if (j.rawStatus == "failed" || j.rawStatus == "cancelled") finishedBefore.insert(j.id);
    std::set<std::string> seen;
    std::map<std::string, int> completions;
    size_t maxJobs = 0, maxResults = 0, events = 0;
    std::vector<long> rss;  // the floor at the end of each quarter
    long quarterFloor = std::numeric_limits<long>::max();
    const auto t0 = std::chrono::steady_clock::now();
    for (int step = 0; step < kSteps; ++step) {
        s.sim->advance(kStepMs);
        const bool caughtUp = waitUntil([&] { return s.activeIds() == simActiveIds(*s.sim); }, 15s);
        if (!caughtUp) {
            const auto snap = s.snap();
            const auto simActive = simActiveIds(*s.sim);
            std::string diff;
            snap->activeJobs.forEach([&](const model::Job& j) {
                if (!simActive.count(j.uiId.str()))
                    diff += "\n  only genmon: " + j.uiId.str() + " " + std::string(model::statusName(j.status)) +
                            (j.optimistic ? " (optimistic)" : "");
            });
            const auto mine = s.activeIds();
            for (const auto& j : s.sim->jobs())
                if (simActive.count(j.id) && !mine.count(j.id)) diff += "\n  only the server: " + j.id + " " + j.rawStatus;
            FAIL_CHECK("step " << step << ": genmon did not catch up with the server's queue; last error: '"
                               << snap->lastRefreshError << "', socket: " << std::string(orchestrator::phaseName(snap->connection.phase))
                               << " '" << snap->connection.lastError << "'" << diff);
            break;
        }
        const auto snap = s.snap();
        checkNoDuplicates(*snap);
        for (const auto& id : idsOf(snap->jobs)) seen.insert(id);
        for (const auto& id : resultIds(*snap)) seen.insert(id);
        maxJobs = std::max(maxJobs, snap->jobs.size());
        maxResults = std::max(maxResults, snap->recentResults->size());
        for (auto& e : s.rt->events().drain()) {
            ++events;
            if (e.message == "Generation completed successfully") ++completions[e.jobId];
        }
        // RSS floor over the last 10 steps of each quarter: a 10 MiB garbage answer in flight
        // at one sample is transient; memory that stays is what the floor shows.
        const int inQuarter = (step + 1) % (kSteps / 4);
        if (inQuarter == 0 || inQuarter > kSteps / 4 - 10) quarterFloor = std::min(quarterFloor, rssKiB());
        if (inQuarter == 0) {
            rss.push_back(quarterFloor);
            quarterFloor = std::numeric_limits<long>::max();
        }
    }
    const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);

    // The faults stop: genmon ends with exactly the server's state.
    s.sim->setFaults(sim::FaultOptions{});
    s.requireConverged(20s);
    for (const auto& id : resultIds(*s.snap())) seen.insert(id);

    const auto simJobs = s.sim->jobs();
    size_t succeeded = 0, failed = 0, active = 0;
    for (const auto& j : simJobs) {
        succeeded += j.rawStatus == "succeeded";
        failed += j.rawStatus == "failed";
        active += j.rawStatus == "pending" || j.rawStatus == "running";
        if (finishedBefore.count(j.id)) continue;
        CHECK_MESSAGE(seen.count(j.id) == 1, "never seen: " << j.id << " (" << j.rawStatus << ")");
    }
    // Nothing invented, except what a mangled answer said for a while: wrong types turn an id
    // string into its length ("36"); the next good refresh replaced it (requireConverged above).
    const auto all = simAllIds(*s.sim);
    size_t mangled = 0;
    for (const auto& id : seen) {
        if (all.count(id)) continue;
        const bool number = !id.empty() && id.find_first_not_of("0123456789") == std::string::npos;
        CHECK_MESSAGE(number, "invented: " << id);
        mangled += number;
    }
    for (const auto& [id, n] : completions) CHECK_MESSAGE(n == 1, "completion notified " << n << " times: " << id);
    const auto stats = s.sim->stats();
    MESSAGE("soak: " << simJobs.size() << " jobs (" << succeeded << " succeeded, " << failed << " failed, " << active
                     << " active), " << stats.httpRequests << " HTTP requests, " << stats.faultsInjected << " faults, "
                     << stats.wsConnections << " socket connections, " << events << " events, max " << maxJobs
                     << " jobs and " << maxResults << " results held, " << mangled << " mangled ids shown for a while, RSS floor (KiB) at each quarter "
                     << [&] {
                            std::string t;
                            for (const long r : rss) t += std::to_string(r) + " ";
                            return t;
                        }() << ", " << wall.count() << " ms wall");
    CHECK(succeeded > 200);  // the results cap was reached
    CHECK(maxResults == 200);
    CHECK(maxJobs <= 200);  // the server lists at most 200 (decision 10)
    CHECK(stats.faultsInjected > 50);
    CHECK(stats.wsConnections > 5);
    REQUIRE(rss.size() == 4);
    // Flat: the caps were reached before the first sample; the second half of the hour adds
    // no more than noise. Large blocks go back to the system when freed (Runtime fixes glibc's
    // mmap threshold), so the 10 MiB garbage answers coming and going leave nothing behind.
    if (!kSanitized) CHECK(rss[3] - rss[1] < 16 * 1024);
}
