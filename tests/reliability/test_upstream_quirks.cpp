// Issue 14.3: genmon against the upstream behaviours genmon-sim now reproduces by default, over
// real loopback sockets: SDNext's global progress on every subscribed job (spec §3.1), the 500 of
// /generation/generate when SDNext's info is a string (§9.15), and a cancel that does not stop
// the worker (§2.5, §9.7).
#include "model/job_status.hpp"
#include "reliability_util.hpp"

using namespace genmon;
using namespace genmon::reliability;
using model::JobStatus;

namespace {

model::JobPtr jobOf(const Session& s, const std::string& id) {
    model::JobPtr found;
    s.snap()->jobs.forEachPtr([&](const model::JobPtr& j) {
        if (j->uiId == id) found = j;
    });
    return found;
}

uint8_t percent(double fraction) { return model::normalizeProgress(fraction, model::ProgressScale::Fraction); }

}  // namespace

TEST_CASE("spec §3.1 / issue 14.3: against genmon-sim's global progress a queued job stays at 0 % while another renders") {
    Session s;  // one worker, 6 s per job, picked up 1.5 s after creation
    REQUIRE(s.start().ok());
    REQUIRE(waitUntil([&] { return s.phase() == ConnectionPhase::Connected; }));
    const std::string running = s.sim->queueJob("renders first");
    s.sim->advance(500);
    const std::string waiting = s.sim->queueJob("waits");  // its monitor ticks at 2.5, 4.5, 6.5 s
    REQUIRE(waitUntil([&] { return s.jobCount(running) == 1 && s.jobCount(waiting) == 1; }));
    // The running job's monitor ticks at 2, 4 and 6 s. Messages arrive in order on one socket, so
    // once genmon shows a tick of the running job, the waiting job's message before it (which
    // carried the running job's fraction, status queued) has been applied too.
    const struct {
        int advanceMs;
        double runningFraction;
    } ticks[] = {{1500, 0.5 / 6}, {1500, 2.5 / 6}, {1500, 4.5 / 6}};  // to 2, 4 and 6 s
    for (const auto& tick : ticks) {
        s.sim->advance(tick.advanceMs);
        REQUIRE(waitUntil([&] {
            const auto j = jobOf(s, running);
            return j && j->progress == percent(tick.runningFraction);
        }));
        s.sim->advance(500);  // the waiting job's tick, with the same global fraction
        const auto j = jobOf(s, waiting);
        REQUIRE(j);
        CHECK(j->status == JobStatus::Queued);
        CHECK(j->progress == 0);
        CHECK_FALSE(j->current_step.has_value());
    }
    // At 7.5 s the first ends and the worker takes the second; at 8 s the first's monitor sends
    // its completion; the second's own run shows from its tick at 8.5 s.
    s.sim->advance(1500);
    REQUIRE(waitUntil([&] { return s.jobCount(running) == 0; }));
    {
        const auto j = jobOf(s, waiting);
        REQUIRE(j);
        CHECK(j->progress == 0);  // its 6.5 s message said queued, 5/6: not its own
    }
    s.sim->advance(500);
    CHECK(waitUntil([&] {
        const auto j = jobOf(s, waiting);
        return j && j->status == JobStatus::Processing && j->progress == percent(1.0 / 6);
    }));
}

TEST_CASE("spec 9.15 / issue 14.3: immediate generation against real SDNext's string info fails readably and leaves nothing behind") {
    Session s;
    REQUIRE(s.start().ok());
    model::GenerationRequest request;
    request.prompt = "a paper boat";
    auto started = s.rt->orchestrator().startGeneration(request, model::GenerationMode::Immediate);
    REQUIRE(started.wait_for(10s) == std::future_status::ready);
    const auto r = started.get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 500);
    CHECK(contains(r.error().message, "Input should be a valid dictionary"));
    CHECK(s.sawEvent("Failed to start generation", "Input should be a valid dictionary"));
    CHECK(s.snap()->jobs.empty());  // the placeholder of the request is gone
    CHECK(s.snap()->recentResults->empty());
}

TEST_CASE("spec 2.4 / 9.15: with the captures' stand-in SDNext (info a dict) immediate generation gives a local result") {
    auto options = quietSim();
    options.sdnextInfoAsString = false;
    Session s(options);
    REQUIRE(s.start().ok());
    model::GenerationRequest request;
    request.prompt = "a paper boat";
    auto started = s.rt->orchestrator().startGeneration(request, model::GenerationMode::Immediate);
    REQUIRE(started.wait_for(10s) == std::future_status::ready);
    const auto r = started.get();
    REQUIRE(r.ok());
    CHECK(waitUntil([&] { return s.resultCount(r->jobId) == 1; }));
    CHECK(s.sawEvent("Generation completed successfully"));
}

TEST_CASE("spec 2.5 / 9.7 / issue 14.3: a job genmon cancelled comes back while the worker renders it, then as a result") {
    Session s;
    REQUIRE(s.start().ok());
    REQUIRE(waitUntil([&] { return s.phase() == ConnectionPhase::Connected; }));
    const std::string first = s.sim->queueJob("first");
    const std::string cancelled = s.sim->queueJob("cancelled while queued");
    REQUIRE(waitUntil([&] { return s.jobCount(first) == 1 && s.jobCount(cancelled) == 1; }));
    s.sim->advance(2000);  // the single worker renders "first"

    auto cancel = s.rt->orchestrator().cancelJob(cancelled);
    REQUIRE(cancel.wait_for(10s) == std::future_status::ready);
    REQUIRE(cancel.get().ok());
    CHECK(s.jobCount(cancelled) == 0);
    CHECK(s.sawEvent("Generation cancelled"));

    // 7.5 s: "first" ends; upstream's worker takes the cancelled job anyway and marks it running.
    s.sim->advance(6000);
    REQUIRE(s.sim->jobs().back().rawStatus == "running");
    // genmon shows what the backend lists: the job is back, rendering (the GPU is busy with it).
    REQUIRE(waitUntil([&] {
        const auto j = jobOf(s, cancelled);
        return j && j->status == JobStatus::Processing;
    }));
    checkNoDuplicates(*s.snap());

    // It ends succeeded, with no socket message (its monitor stopped at the cancel): the listing
    // drops it, which makes genmon refresh the results, and there it is, once.
    s.sim->advance(20000);
    REQUIRE(s.sim->jobs().back().rawStatus == "succeeded");
    CHECK(waitUntil([&] { return s.jobCount(cancelled) == 0 && s.resultCount(cancelled) == 1; }));
    s.requireConverged();
    CHECK(s.sim->stats().wsConnections == 1);  // nothing of this broke the socket

    // The timeline holds one lifecycle for it, not a cancel and then a second run: the later
    // departure replaced the cancel, and says the cancel was ignored.
    const auto history = s.snap()->jobHistory;
    REQUIRE(history);
    size_t entries = 0;
    const orchestrator::JobLifecycle* last = nullptr;
    for (size_t i = 0; i < history->size(); ++i)
        if ((*history)[i].job && (*history)[i].job->backendId == cancelled) {
            ++entries;
            last = &(*history)[i];
        }
    CHECK(entries == 1);
    REQUIRE(last);
    CHECK(last->cancelIgnored);
    CHECK(last->outcome != orchestrator::JobOutcome::Cancelled);
}
