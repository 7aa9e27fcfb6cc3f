// Issue 18.2 and 18.4 in the window: the stored matches of the queue's search, "Run again" and
// "Retry failed" (asks how many and to which backend first). Input through ImGui's io.
#include <doctest/doctest.h>

#include "ui_harness.hpp"

using namespace genmon;
using model::JobStatus;
using test::makeJob;
using test::UiHarness;

namespace {

constexpr const char* kBackend = "http://127.0.0.1:8000/api/v1";

orchestrator::JobLifecycle stored(const std::string& id, orchestrator::JobOutcome outcome, const std::string& prompt,
                                  const std::string& error = {}) {
    orchestrator::JobLifecycle e;
    model::Job j = makeJob(id, id, outcome == orchestrator::JobOutcome::Completed ? JobStatus::Completed : JobStatus::Failed,
                           prompt, 90);
    if (!error.empty()) j.error = model::Text(error);
    e.job = std::make_shared<const model::Job>(std::move(j));
    e.outcome = outcome;
    e.queuedAtMicros = test::kNow - 90 * 60'000'000LL;
    e.finishedAtMicros = test::kNow - 80 * 60'000'000LL;
    e.error = model::Text(error);
    return e;
}

// The live queue, plus what a history search found (null: no history, as in fixtures).
orchestrator::SnapshotPtr withStoredMatches(bool searched) {
    auto base = test::snapshotOf({makeJob("ui-1", "live-1", JobStatus::Processing, "a red fox in snow", 3),
                                  makeJob("ui-2", "live-2", JobStatus::Failed, "a koi pond", 2)});
    auto s = std::make_shared<orchestrator::Snapshot>(*base);
    s->backendUrl = kBackend;
    if (searched) {
        auto found = std::make_shared<orchestrator::StoredMatches>();
        found->filter = "lighthouse";
        found->jobs = {stored("old-3", orchestrator::JobOutcome::Failed, "lighthouse at dusk", "CUDA out of memory"),
                       stored("old-2", orchestrator::JobOutcome::Completed, "lighthouse at dawn"),
                       stored("old-1", orchestrator::JobOutcome::Failed, "lighthouse in fog", "sampler crashed")};
        s->storedMatches = std::move(found);
    }
    return s;
}

}  // namespace

TEST_CASE("issue 18.4: Retry failed over the stored matches asks how many and to which backend, then re-runs them") {
    UiHarness h(withStoredMatches(true));
    h.commands.live = true;
    h.frame(2);
    REQUIRE(h.drawn("history.matches"));
    CHECK(h.item("history.matches").text == "3");
    REQUIRE(h.drawn("history.retryFailed"));
    CHECK(h.item("history.retryFailed").text == "Retry failed (2)...");
    h.clickItem("history.retryFailed");
    REQUIRE(h.state().confirm.kind == ui::Confirmation::Kind::RetryFailed);
    const std::string question = h.item("confirm.yes").text;
    CHECK(question.find("Retry 2 failed jobs on " + std::string(kBackend)) != std::string::npos);
    CHECK(h.commands.count("runAgainAll old-3 old-1") == 0);  // nothing before "Yes"
    h.clickItem("confirm.yes");
    CHECK(h.commands.count("runAgainAll old-3 old-1") == 1);
}

TEST_CASE("issue 18.4: Run again on a stored match and in the detail pane sends that job's id") {
    UiHarness h(withStoredMatches(true));
    h.commands.live = true;
    h.frame(2);
    REQUIRE(h.drawn("history.runAgain:old-2"));
    h.clickItem("history.runAgain:old-2");
    CHECK(h.commands.count("runAgain old-2") == 1);

    h.state().detailJob = "ui-2";  // a failed live job
    h.frame(2);
    REQUIRE(h.drawn("detail.runAgain:live-2"));
    h.clickItem("detail.runAgain:live-2");
    CHECK(h.commands.count("runAgain live-2") == 1);
    h.state().detailJob = "ui-1";  // still running: nothing to run again
    h.frame(2);
    CHECK_FALSE(h.drawn("detail.runAgain:live-1"));
}

TEST_CASE("issue 18.2: without a live history nothing of it is drawn (fixtures and goldens stay as they were)") {
    {
        UiHarness plain(withStoredMatches(false));
        plain.commands.live = true;
        plain.frame(2);
        CHECK_FALSE(plain.drawn("history.matches"));
    }
    UiHarness fixture(withStoredMatches(true));  // commands.live false: a fixture render
    fixture.state().detailJob = "ui-2";
    fixture.frame(2);
    CHECK(fixture.drawn("history.matches"));  // what the snapshot holds is listed...
    CHECK_FALSE(fixture.drawn("history.retryFailed"));  // ...but nothing can be sent
    CHECK_FALSE(fixture.drawn("history.runAgain:old-2"));
    CHECK_FALSE(fixture.drawn("detail.runAgain:live-2"));
}

TEST_CASE("issue 18.2: a search typed in the queue field goes to the worker as the queue view's filter") {
    UiHarness h(withStoredMatches(false));
    h.commands.live = true;
    h.frame();
    h.clickItem("queue.filter");
    h.type("status:failed since:2h");
    CHECK(h.commands.lastSpec.filter == "status:failed since:2h");
}
