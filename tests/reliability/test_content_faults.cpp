// Faults in what the server says: truncated and malformed JSON, wrong types in every field, and
// a 10 MiB garbage body. The polls are the only source of data here (no socket), so the age of
// the data says exactly whether a broken answer was taken for a good one.
#include <chrono>

#include "reliability_util.hpp"

using namespace genmon;
using namespace genmon::reliability;

namespace {

// Runs genmon through `fault` for `ms` while the server's queue changes, checking that the last
// good data stays with its age; returns the errors shown.
std::set<std::string> throughFault(Session& s, const sim::FaultOptions& fault, std::chrono::milliseconds ms,
                                   bool agesMustStay = true) {
    const Ages before = Ages::of(*s.snap());
    const auto jobsBefore = idsOf(s.snap()->jobs);
    const auto resultsBefore = resultIds(*s.snap());
    s.sim->setFaults(fault);
    s.sim->queueJob("queued during the fault");
    std::set<std::string> shown;
    // At least `ms`, and until an error was shown (slower under the sanitizers), at most 15 s.
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < start + ms || (shown.empty() && std::chrono::steady_clock::now() < start + 15s)) {
        const auto snap = s.snap();
        if (!snap->lastRefreshError.empty()) shown.insert(snap->lastRefreshError);
        if (agesMustStay) {
            // One report per kind of failure, not one per sample.
            if (!checkAges(*snap, before)) agesMustStay = false;
            if (idsOf(snap->jobs) != jobsBefore || resultIds(*snap) != resultsBefore) {
                CHECK(idsOf(snap->jobs) == jobsBefore);
                CHECK(resultIds(*snap) == resultsBefore);
                agesMustStay = false;
            }
        }
        checkNoDuplicates(*snap);
        std::this_thread::sleep_for(5ms);
    }
    for (const auto& e : shown) MESSAGE("shown: " << e);
    return shown;
}

void recover(Session& s) {
    s.sim->setFaults(sim::FaultOptions{});
    s.requireConverged();
    CHECK(waitUntil([&] { return s.snap()->lastRefreshError.empty(); }));
}

// Every answer's JSON broken one way: the jobs poll says which payload and that its JSON is
// invalid (with simdjson's reason), the last good data stays, and genmon recovers.
void brokenJsonFault(sim::FaultOptions f) {
    auto options = quietSim();
    options.initialResults = 3;
    Session s(options, fastRuntime(false));
    s.sim->queueJob("before");
    REQUIRE(s.start().ok());
    const auto shown = throughFault(s, f, 800ms);
    bool jobs = false;
    for (const auto& e : shown) {
        if (e.rfind("active jobs: ", 0) == 0) {
            jobs = true;
            CHECK(contains(e, "active jobs: invalid JSON ("));
        }
        CHECK((contains(e, "JSON") || contains(e, "json")));
    }
    CHECK(jobs);
    recover(s);
}

}  // namespace

TEST_CASE("fault: truncated JSON") {
    sim::FaultOptions f;
    f.truncatedJsonRate = 1.0;
    brokenJsonFault(f);
}

TEST_CASE("fault: malformed JSON") {
    sim::FaultOptions f;
    f.malformedJsonRate = 1.0;
    brokenJsonFault(f);
}

TEST_CASE("fault: wrong types in every field") {
    auto options = quietSim();
    options.initialResults = 3;
    Session s(options, fastRuntime(false));
    for (int i = 0; i < 4; ++i) s.sim->queueJob("before " + std::to_string(i));
    REQUIRE(s.start().ok());
    sim::FaultOptions f;
    f.wrongTypesRate = 1.0;
    // About half the scalars change type in each answer: entries that no longer validate are
    // skipped with a warning naming them; the rest of the list is taken. The queue may shrink
    // for a while (a listing is a full replace), but nothing crashes and nothing is invented.
    throughFault(s, f, 1000ms, /*agesMustStay=*/false);
    size_t warnings = 0;
    for (const auto& e : s.events()) {
        if (e.message == "Skipped an invalid job from the server" || e.message == "Skipped an invalid result from the server" ||
            e.message == "Ignored an invalid system status from the server") {
            ++warnings;
            CHECK_FALSE(e.detail.empty());
        }
    }
    CHECK(warnings > 0);
    for (const auto& e : s.events())
        if (e.message == "Skipped an invalid job from the server") {
            MESSAGE("warning detail: " << e.detail);
            CHECK(e.detail.rfind("active job #", 0) == 0);
            break;
        }
    const auto all = simAllIds(*s.sim);
    for (const auto& id : idsOf(s.snap()->jobs)) CHECK_MESSAGE(all.count(id) == 1, "invented job " << id);
    for (const auto& id : resultIds(*s.snap())) MESSAGE("result id during the fault: " << id);
    // The fault ends: the queue comes back by itself with the next poll. Results are not polled
    // (decision 5: they refresh after a completion), so a result list taken from a mangled
    // answer stays until the next completion; here one comes along.
    s.sim->setFaults(sim::FaultOptions{});
    REQUIRE(waitUntil([&] { return s.activeIds() == simActiveIds(*s.sim); }));
    CHECK(s.snap()->jobs.size() == 6);  // the 5 from before and the one queued during the fault
    s.sim->advance(20000);  // the first job finishes
    recover(s);
}

TEST_CASE("fault: a 10 MiB garbage body") {
    auto options = quietSim();
    options.initialResults = 3;
    Session s(options, fastRuntime(false));
    s.sim->queueJob("before");
    REQUIRE(s.start().ok());
    sim::FaultOptions f;
    f.hugeBodyRate = 1.0;
    const auto shown = throughFault(s, f, 1000ms);
    bool jobs = false;
    for (const auto& e : shown) {
        jobs |= e.rfind("active jobs: ", 0) == 0;
        CHECK(e.size() < 300);  // one readable line, not an excerpt of 10 MiB
    }
    CHECK(jobs);
    recover(s);
}

TEST_CASE("cap: a body over maxResponseBytes is cut off with 'response larger than'") {
    auto ro = fastRuntime(false);
    ro.transport.maxResponseBytes = 1u << 20;
    auto options = quietSim();
    Session s(options, ro);
    s.sim->queueJob("before");
    REQUIRE(s.start().ok());
    sim::FaultOptions f;
    f.hugeBodyRate = 1.0;
    const auto shown = throughFault(s, f, 600ms);
    REQUIRE_FALSE(shown.empty());
    bool capped = false;
    for (const auto& e : shown) capped |= contains(e, "response larger than 1 MiB");
    CHECK(capped);
    recover(s);
}
