// Issue 6 item 9: input injected through ImGui's io; assertions on posted commands and state.
#include <doctest/doctest.h>

#include "ui_harness.hpp"

using namespace genmon;
using model::JobStatus;
using test::makeJob;
using test::UiHarness;

namespace {
std::vector<model::Job> threeJobs() {
    return {makeJob("ui-1", "backend-1", JobStatus::Processing, "a red fox in snow", 3),
            makeJob("ui-2", "backend-2", JobStatus::Queued, "a lighthouse at dusk", 2),
            makeJob("ui-3", "backend-3", JobStatus::Completed, "a koi pond", 1)};
}
}  // namespace

TEST_CASE("issue 6: Cancel on a row asks first, then posts CancelJob with the backend id") {
    UiHarness h(test::snapshotOf(threeJobs()));
    REQUIRE(h.drawn("queue.cancel:ui-1"));
    CHECK_FALSE(h.drawn("queue.cancel:ui-3"));  // completed: not cancellable, no button
    h.clickItem("queue.cancel:ui-1");
    CHECK(h.state().confirm.kind == ui::Confirmation::Kind::CancelJobs);
    CHECK(h.commands.count("cancelJob backend-1") == 0);  // nothing before "Yes"
    h.clickItem("confirm.yes");
    CHECK(h.commands.count("cancelJob backend-1") == 1);
    CHECK(h.commands.count("cancelJob ui-1") == 0);  // the UI id never reaches the backend
    CHECK(h.state().confirm.kind == ui::Confirmation::Kind::None);
}

TEST_CASE("issue 6: Clear queue asks first, names how many jobs, and No cancels nothing") {
    UiHarness h(test::snapshotOf(threeJobs()));
    h.clickItem("queue.clearQueue");
    REQUIRE(h.state().confirm.kind == ui::Confirmation::Kind::ClearQueue);
    CHECK(h.item("confirm.yes").text.find("cancel all 2 queued and running jobs") != std::string::npos);
    h.clickItem("confirm.no");
    CHECK(h.commands.count("clearQueue") == 0);
    h.clickItem("queue.clearQueue");
    h.press(GLFW_KEY_ENTER);  // Enter answers Yes
    CHECK(h.commands.count("clearQueue") == 1);
}

TEST_CASE("issue 6: the filter narrows rows, and filtering happens on the worker, not per frame") {
    auto jobs = threeJobs();
    UiHarness h(test::snapshotOf(jobs));
    CHECK(h.countDrawn("queue.row:") == 3);
    h.type("/");
    h.frame();
    CHECK(ImGui::GetIO().WantTextInput);  // "/" focused the filter box
    h.type("fox");
    CHECK(h.state().filter == "fox");
    CHECK(h.commands.lastSpec.filter == "fox");
    // The worker answers with a snapshot whose queue view holds the matching rows only.
    h.snap = test::snapshotOf(jobs, h.commands.lastSpec);
    h.frame(2);
    CHECK(h.countDrawn("queue.row:") == 1);
    CHECK(h.drawn("queue.row:ui-1"));
    CHECK(h.commands.count("refreshAll") == 0);  // "r" was not typed as a shortcut
}

TEST_CASE("issue 6: j/k and arrows move the cursor, Enter opens the detail, Space selects") {
    UiHarness h(test::snapshotOf(threeJobs()));
    const auto& rows = h.snap->queueView;
    h.type("j");
    CHECK(h.state().cursorJob == rows.job(0).uiId.str());
    h.type("j");
    CHECK(h.state().cursorJob == rows.job(1).uiId.str());
    h.type("k");
    CHECK(h.state().cursorJob == rows.job(0).uiId.str());
    h.press(GLFW_KEY_DOWN);
    h.press(GLFW_KEY_DOWN);
    CHECK(h.state().cursorJob == rows.job(2).uiId.str());
    h.press(GLFW_KEY_DOWN);  // stops at the last row
    CHECK(h.state().cursorJob == rows.job(2).uiId.str());
    h.press(GLFW_KEY_UP);
    h.press(GLFW_KEY_ENTER);
    CHECK(h.state().detailJob == rows.job(1).uiId.str());
    h.press(GLFW_KEY_SPACE);
    CHECK(h.state().selectedJobs.count(rows.job(1).uiId.str()) == 1);
    h.press(GLFW_KEY_SPACE);
    CHECK(h.state().selectedJobs.empty());
}

TEST_CASE("issue 6: c cancels the selected cancellable jobs by backend id, after asking") {
    UiHarness h(test::snapshotOf(threeJobs()));
    h.clickItem("queue.row:ui-1");
    h.clickItem("queue.row:ui-3", /*shift=*/true);  // a range over all three rows
    CHECK(h.state().selectedJobs.size() == 3);
    h.type("c");
    REQUIRE(h.state().confirm.kind == ui::Confirmation::Kind::CancelJobs);
    CHECK(h.state().confirm.ids.size() == 2);  // the completed job is not cancellable
    h.press(GLFW_KEY_ENTER);
    CHECK(h.commands.count("cancelJob backend-1") == 1);
    CHECK(h.commands.count("cancelJob backend-2") == 1);
    CHECK(h.commands.count("cancelJob backend-3") == 0);
}

TEST_CASE("issue 6: ctrl-click toggles one row in the selection") {
    UiHarness h(test::snapshotOf(threeJobs()));
    h.clickItem("queue.row:ui-1");
    h.clickItem("queue.row:ui-2", false, /*ctrl=*/true);
    CHECK(h.state().selectedJobs == std::set<std::string>{"ui-1", "ui-2"});
    h.clickItem("queue.row:ui-1", false, /*ctrl=*/true);
    CHECK(h.state().selectedJobs == std::set<std::string>{"ui-2"});
}

TEST_CASE("issue 6: Delete asks before deleting the selected result") {
    auto snap = std::make_shared<orchestrator::Snapshot>(*test::snapshotOf(threeJobs()));
    auto result = std::make_shared<model::GenerationResult>();
    result->id = result->job_id = "result-9";
    result->prompt = "a paper boat";
    snap->recentResults = std::make_shared<const orchestrator::ResultList>(orchestrator::ResultList{result});
    UiHarness h(snap);
    h.state().focus = ui::Panel::Results;
    h.state().selectedResult = "result-9";
    h.press(GLFW_KEY_DELETE);
    REQUIRE(h.state().confirm.kind == ui::Confirmation::Kind::DeleteResult);
    CHECK(h.commands.count("deleteResult result-9") == 0);
    h.press(GLFW_KEY_ENTER);
    CHECK(h.commands.count("deleteResult result-9") == 1);
}

TEST_CASE("issue 6: r refreshes, ? toggles the help, g opens generate, Esc closes, Ctrl+L connects, Ctrl+Q quits") {
    UiHarness h(test::snapshotOf(threeJobs()));
    h.type("r");
    CHECK(h.commands.count("refreshAll") == 1);
    h.type("?");
    CHECK(h.state().showHelp);
    h.press(GLFW_KEY_ESCAPE);
    CHECK_FALSE(h.state().showHelp);
    h.type("g");
    CHECK(h.state().showGenerate);
    ImGui::GetIO().KeyCtrl = true;
    h.press('L');
    ImGui::GetIO().KeyCtrl = false;
    CHECK(h.state().showConnect);
    h.press(GLFW_KEY_ESCAPE);
    CHECK_FALSE(h.state().showConnect);
    ImGui::GetIO().KeyCtrl = true;
    h.press('Q');
    ImGui::GetIO().KeyCtrl = false;
    CHECK(h.commands.count("quit") == 1);
}

TEST_CASE("issue 6: a disconnected backend shows the last good data with its age, marked stale") {
    auto snap = std::make_shared<orchestrator::Snapshot>(*test::snapshotOf(threeJobs()));
    snap->connection.phase = orchestrator::ConnectionPhase::Disconnected;
    snap->connection.lastError = "cannot connect to 127.0.0.1:8000: Connection refused";
    snap->isConnected = false;
    snap->pollIntervalMs = 2000;
    snap->jobsUpdatedAtMicros = snap->statusUpdatedAtMicros = test::kNow - 95'000'000;
    UiHarness h(snap);
    h.retryAt = test::kNow + 6'000'000;
    h.frame(2);
    CHECK(h.item("status.phase").text == "disconnected");
    CHECK(h.item("status.age").text == "stale: updated 1m 35s ago");
    CHECK(h.countDrawn("queue.row:") == 3);  // the data stays visible
    CHECK(ui::App::windowTitle(*snap).find("disconnected") != std::string::npos);
}

TEST_CASE("issue 6: data age turns amber after two poll periods and red after six") {
    auto snap = std::make_shared<orchestrator::Snapshot>(*test::snapshotOf(threeJobs()));
    snap->pollIntervalMs = 10000;
    snap->jobsUpdatedAtMicros = snap->statusUpdatedAtMicros = test::kNow - 3'000'000;
    UiHarness h(snap);
    CHECK(h.item("status.age").text.rfind("fresh: ", 0) == 0);
    snap->jobsUpdatedAtMicros = snap->statusUpdatedAtMicros = test::kNow - 25'000'000;
    h.frame();
    CHECK(h.item("status.age").text.rfind("aging: ", 0) == 0);
    snap->jobsUpdatedAtMicros = snap->statusUpdatedAtMicros = test::kNow - 61'000'000;
    h.frame();
    CHECK(h.item("status.age").text.rfind("stale: ", 0) == 0);
}

TEST_CASE("issue 6: the window title reads like 'genmon — 2 running, 5 queued' and marks failures") {
    auto snap = std::make_shared<orchestrator::Snapshot>();
    snap->counts.processing = 2;
    snap->counts.queued = 5;
    CHECK(ui::App::windowTitle(*snap) == "genmon \xE2\x80\x94 2 running, 5 queued");
    snap->counts.failed = 1;
    CHECK(ui::App::windowTitle(*snap) == "genmon \xE2\x80\x94 2 running, 5 queued, 1 failed");
}

TEST_CASE("issue 6: toasts batch identical messages, errors stay, successes fade") {
    UiHarness h(test::snapshotOf(threeJobs()));
    for (int i = 0; i < 3; ++i)
        h.pendingEvents.push_back({orchestrator::Event::Type::Notification, orchestrator::NotificationKind::Success,
                                   "Generation cancelled", {}, {}, test::kNow});
    h.pendingEvents.push_back({orchestrator::Event::Type::CommandFailed, orchestrator::NotificationKind::Error,
                               "Failed to cancel generation", "Job cannot be cancelled in its current state", {}, test::kNow});
    h.frame();
    REQUIRE(h.state().toasts.size() == 2);
    CHECK(h.state().toasts[0].count == 3);
    h.now += 5'000'000;  // five seconds later
    h.frame();
    REQUIRE(h.state().toasts.size() == 1);
    CHECK(h.state().toasts[0].message == "Failed to cancel generation");
}

TEST_CASE("issue 6: the settings panel applies new poll intervals through one command") {
    UiHarness h(test::snapshotOf(threeJobs()));
    h.state().showSettings = true;
    h.frame(2);
    h.clickItem("settings.apply");  // nothing edited yet: Apply is disabled
    CHECK(h.commands.log.empty());
    // Click into the field, select everything, type a new interval.
    const ImVec2 field = h.item("settings.queueDown").min;
    h.click(ImVec2(field.x + 10, field.y + 5));
    ImGui::GetIO().KeyCtrl = true;
    h.press(GLFW_KEY_A);
    ImGui::GetIO().KeyCtrl = false;
    h.type("3500");
    h.press(GLFW_KEY_ENTER);
    h.clickItem("settings.apply");
    CHECK(h.commands.count("setPollIntervals 3500 10000 10000") == 1);
    CHECK(h.state().pollQueueDownMs == 3500);
}
