// Issue 17.2: the fleet view, the fleet's status bar and window title, driven through ImGui's io.
#include "ui_harness.hpp"

using namespace genmon;
using namespace genmon::test;
using model::JobStatus;

namespace {

ui::FleetRow rowOf(const std::string& name, orchestrator::SnapshotPtr snap, bool focused = false) {
    ui::FleetRow r;
    r.name = name;
    r.url = "http://" + name + ":8000/api/v1";
    r.snapshot = std::move(snap);
    r.focused = focused;
    return r;
}

// A backend that never answered: initialize failed, its countdown running.
ui::FleetRow downRow(const std::string& name) {
    auto s = std::make_shared<orchestrator::Snapshot>();
    s->connection.phase = orchestrator::ConnectionPhase::Disconnected;
    ui::FleetRow r = rowOf(name, s);
    r.initError = "cannot connect to " + name + ": Connection refused";
    r.nextInitRetryAtMicros = kNow + 5'000'000;
    return r;
}

std::vector<ui::FleetRow> threeBackends() {
    auto a = snapshotOf({makeJob("a1", "a1", JobStatus::Processing, "alpha running", 2),
                         makeJob("a2", "a2", JobStatus::Queued, "alpha queued", 1)});
    auto b = snapshotOf({makeJob("b1", "b1", JobStatus::Failed, "beta failed", 3),
                         makeJob("b2", "b2", JobStatus::Queued, "beta queued", 1),
                         makeJob("b3", "b3", JobStatus::Queued, "beta queued 2", 1)});
    return {rowOf("alpha", a, true), rowOf("beta", b), downRow("gamma")};
}

}  // namespace

TEST_CASE("issue 17.2: one backend draws no fleet view and no fleet status (the single window as always)") {
    UiHarness ui(snapshotOf({makeJob("a1", "a1", JobStatus::Queued, "alone", 1)}));
    ui.frame(2);
    CHECK_FALSE(ui.drawn("status.fleet"));
    CHECK(ui.countDrawn("fleet.row") == 0);
}

TEST_CASE("issue 17.2: the fleet view has a row per backend with its health, and the status bar sums the fleet and names the worst") {
    auto rows = threeBackends();
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.frame(3);
    CHECK(ui.countDrawn("fleet.row:") == 3);
    CHECK(ui.item("fleet.row:alpha").text == "focused up");
    CHECK(ui.item("fleet.row:beta").text == "up");
    CHECK(ui.item("fleet.row:gamma").text == "down");
    // 1 + 2 queued, 1 running, 1 failed; gamma is down, which is worse than beta's failure.
    CHECK(ui.item("status.fleet").text == "3 backends, 2 up, 3 queued, 1 running, 1 failed, worst: gamma (down)");
}

TEST_CASE("issue 17.2: a click on a row or its digit key focuses that backend") {
    auto rows = threeBackends();
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.frame(3);
    ui.clickItem("fleet.row:beta");
    CHECK(ui.commands.count("focusBackend 1") == 1);
    ui.press(GLFW_KEY_3);
    CHECK(ui.commands.count("focusBackend 2") == 1);
    ui.press(GLFW_KEY_9);  // no ninth backend: nothing
    CHECK(ui.commands.count("focusBackend 8") == 0);
}

TEST_CASE("issue 17.2: digits type into the filter field instead of focusing a backend") {
    auto rows = threeBackends();
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.frame(3);
    ui.type("/");  // focuses the queue's filter field
    ui.frame(2);
    REQUIRE(ImGui::GetIO().WantTextInput);
    ui.press(GLFW_KEY_2);
    CHECK(ui.commands.count("focusBackend 1") == 0);
}

TEST_CASE("issue 17.2: the window title counts the whole fleet and how many are not up") {
    const auto rows = threeBackends();
    CHECK(ui::fleetWindowTitle(rows, kNow) == "genmon \xE2\x80\x94 3 backends: 1 running, 3 queued, 1 failed (1 not up)");
    const std::vector<ui::FleetRow> healthy(rows.begin(), rows.begin() + 1);
    CHECK(ui::fleetWindowTitle(healthy, kNow) == "genmon \xE2\x80\x94 1 backend: 1 running, 1 queued");
}

TEST_CASE("issue 17.2: data that stopped arriving makes a backend stale, and the phase shows the retry countdown") {
    auto rows = threeBackends();
    auto old = std::make_shared<orchestrator::Snapshot>(*rows[1].snapshot);
    old->isConnected = false;
    old->connection.phase = orchestrator::ConnectionPhase::Reconnecting;
    old->connection.nextRetryAtMicros = kNow + 12'000'000;
    old->jobsUpdatedAtMicros = old->statusUpdatedAtMicros = kNow - 120'000'000;  // two minutes, polls every 10 s
    rows[1].snapshot = old;
    CHECK(ui::fleetHealth(rows[1], kNow) == ui::FleetHealth::Stale);
    CHECK(ui::fleetPhaseText(rows[1], kNow) == "reconnecting in 12 s");
    CHECK(ui::fleetPhaseText(rows[2], kNow) == "down, retry in 5 s");
    const auto sum = ui::summarizeFleet(rows, kNow);
    CHECK(sum.worst == 2);  // down beats stale
    CHECK(sum.up == 1);
}
