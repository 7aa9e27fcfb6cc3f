// Issue 17.2, "all backends": the views with every backend of a fleet, a Backend column only in
// that mode, and every action posted to the sink of the row's own backend (RecordingCommands
// logs backend(i)'s commands as "@i ..."), even when two backends hold the same job id.
#include "ui/fleet_scope.hpp"
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

orchestrator::SnapshotPtr withResult(orchestrator::SnapshotPtr base, const std::string& id, const std::string& prompt) {
    auto snap = std::make_shared<orchestrator::Snapshot>(*base);
    auto result = std::make_shared<model::GenerationResult>();
    result->id = result->job_id = id;
    result->prompt = prompt;
    snap->recentResults = std::make_shared<const orchestrator::ResultList>(orchestrator::ResultList{result});
    return snap;
}

// Two backends that both hold a job "same-id" (two sims started with one seed do) and a result
// "r-1"; gpu-1 is focused.
std::vector<ui::FleetRow> collidingBackends() {
    auto a = snapshotOf({makeJob("same-id", "same-id", JobStatus::Queued, "on gpu-1", 2),
                         makeJob("a-2", "a-2", JobStatus::Processing, "alpha running", 3)});
    auto b = snapshotOf({makeJob("same-id", "same-id", JobStatus::Queued, "on gpu-2", 1),
                         makeJob("b-2", "b-2", JobStatus::Queued, "beta queued", 4),
                         makeJob("b-3", "b-3", JobStatus::Queued, "beta queued 2", 5)});
    return {rowOf("gpu-1", withResult(a, "r-1", "alpha image"), true), rowOf("gpu-2", withResult(b, "r-1", "beta image"))};
}

}  // namespace

TEST_CASE("issue 17.2: the Backend column appears only in all-backends mode, which 0 selects and a digit leaves") {
    auto rows = collidingBackends();
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.state().applyDefaultLayout = true;  // the panels move down under the Fleet panel, as in the window
    ui.frame(3);
    CHECK_FALSE(ui.state().allBackends);
    CHECK(ui.countDrawn("queue.backend:") == 0);
    CHECK(ui.countDrawn("queue.row:") == 2);  // the focused backend's jobs
    CHECK(ui.item("fleet.all").text == "off");

    ui.press(GLFW_KEY_0);
    REQUIRE(ui.state().allBackends);
    ui.frame(2);
    CHECK(ui.item("fleet.all").text == "on");
    CHECK(ui.countDrawn("queue.row:") == 5);  // every backend's, each with its backend named
    CHECK(ui.countDrawn("queue.backend:") == 5);
    CHECK(ui.item("queue.backend:0/same-id").text == "gpu-1");
    CHECK(ui.item("queue.backend:1/same-id").text == "gpu-2");
    CHECK(ui.item("queue.backend:1/b-3").text == "gpu-2");
    CHECK(ui.item("queue.clearQueue").text == "Clear queue on gpu-1...");
    CHECK(ui.item("results.backend:0/r-1").text == "gpu-1");
    CHECK(ui.item("results.backend:1/r-1").text == "gpu-2");
    CHECK(ui.item("status.fleet").text.find("2 backends, 2 up") == 0);

    ui.press(GLFW_KEY_2);  // focus gpu-2: back to one backend's views
    CHECK_FALSE(ui.state().allBackends);
    CHECK(ui.commands.count("focusBackend 1") == 1);
    ui.frame(2);
    CHECK(ui.countDrawn("queue.backend:") == 0);
}

TEST_CASE("issue 17.2: with one backend all-backends mode changes nothing (no Backend column)") {
    auto rows = collidingBackends();
    UiHarness ui(rows[0].snapshot);
    ui.state().allBackends = true;  // as a saved state might say; one backend has nothing to merge
    ui.frame(3);
    CHECK(ui.countDrawn("queue.backend:") == 0);
    CHECK(ui.drawn("queue.row:same-id"));
    CHECK(ui.item("queue.clearQueue").text == "Clear queue...");
    CHECK_FALSE(ui.drawn("fleet.all"));
}

TEST_CASE("issue 17.2: in all-backends mode a row's cancel goes to its own backend when two backends hold the same job id") {
    auto rows = collidingBackends();
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.state().applyDefaultLayout = true;  // the panels move down under the Fleet panel, as in the window
    ui.state().allBackends = true;
    ui.frame(3);
    ui.clickItem("queue.cancel:1/same-id");
    REQUIRE(ui.state().confirm.kind == ui::Confirmation::Kind::CancelJobs);
    CHECK(ui.state().confirm.what == "Cancel job same-id on gpu-2?");
    ui.press(GLFW_KEY_ENTER);
    CHECK(ui.commands.count("@1 cancelJob same-id") == 1);
    CHECK(ui.commands.count("@0 cancelJob same-id") == 0);
    CHECK(ui.commands.count("cancelJob same-id") == 0);  // never the focused backend's sink

    // The selection is per backend too: selecting gpu-1's row and pressing c cancels only it.
    ui.clickItem("queue.row:0/same-id");
    CHECK(ui.state().selectedJobs == std::set<std::string>{"0/same-id"});
    ui.type("c");
    REQUIRE(ui.state().confirm.kind == ui::Confirmation::Kind::CancelJobs);
    CHECK(ui.state().confirm.what == "Cancel job same-id on gpu-1?");
    ui.press(GLFW_KEY_ENTER);
    CHECK(ui.commands.count("@0 cancelJob same-id") == 1);
    CHECK(ui.commands.count("@1 cancelJob same-id") == 1);
}

TEST_CASE("issue 17.2: in all-backends mode delete goes to the result's own backend, clear queue and generate to the focused one") {
    auto rows = collidingBackends();
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.state().applyDefaultLayout = true;  // the panels move down under the Fleet panel, as in the window
    ui.state().allBackends = true;
    ui.frame(3);
    ui.clickItem("queue.clearQueue");
    REQUIRE(ui.state().confirm.kind == ui::Confirmation::Kind::ClearQueue);
    CHECK(ui.state().confirm.what == "Clear the queue of gpu-1: cancel all 2 queued and running jobs?");
    ui.press(GLFW_KEY_ENTER);
    CHECK(ui.commands.count("@0 clearQueue") == 1);

    ui.state().focus = ui::Panel::Results;
    ui.state().selectedResult = "1/r-1";
    ui.press(GLFW_KEY_DELETE);
    REQUIRE(ui.state().confirm.kind == ui::Confirmation::Kind::DeleteResult);
    CHECK(ui.state().confirm.what == "Delete result r-1 from gpu-2? Its image is deleted too.");
    ui.press(GLFW_KEY_ENTER);
    CHECK(ui.commands.count("@1 deleteResult r-1") == 1);
    CHECK(ui.commands.count("@0 deleteResult r-1") == 0);

    ui.state().showGenerate = true;
    ui.frame(2);
    CHECK(ui.item("generate.submit").text == "Generate on gpu-1");
}

TEST_CASE("issue 17.2: all-backends mode's detail pane reads the job from its own backend") {
    auto rows = collidingBackends();
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.state().applyDefaultLayout = true;  // the panels move down under the Fleet panel, as in the window
    ui.state().allBackends = true;
    ui.frame(3);
    ui.state().detailJob = "1/same-id";
    ui.state().showDetail = true;
    ui.frame(2);
    CHECK(ui.item("detail.backend").text == "gpu-2");
}

TEST_CASE("issue 17.2: the merged frame groups each backend's rows in fleet order and knows each row's backend") {
    const auto rows = collidingBackends();
    const ui::MergedFleet merged = ui::mergeFleet(rows);
    REQUIRE(merged.scope);
    const auto& q = merged.snapshot->queueView;
    REQUIRE(q.size() == 5);
    CHECK(merged.snapshot->counts.queued == 4);
    CHECK(merged.snapshot->counts.processing == 1);
    for (size_t i = 0; i < q.size(); ++i) {
        const int b = merged.scope->queueRowBackend(i);
        INFO(i);
        // Each row is the very job its backend published (shared, not copied).
        bool found = false;
        rows[static_cast<size_t>(b)].snapshot->queueView.forEachPtr([&](const model::JobPtr& j) { found = found || j == q[i]; });
        CHECK(found);
    }
    CHECK(merged.scope->queueRowBackend(0) == 0);
    CHECK(merged.scope->queueRowBackend(4) == 1);
    CHECK(merged.scope->resultBackend(0) == 0);
    CHECK(merged.scope->resultBackend(1) == 1);
    CHECK(ui::parseScopedKey(ui::scopedKey(12, "a/b")).backend == 12);
    CHECK(ui::parseScopedKey(ui::scopedKey(12, "a/b")).id == "a/b");
    CHECK(ui::parseScopedKey("plain-id").backend == -1);
    // The cache remakes the frame only when a backend published.
    ui::FleetMerger merger;
    const auto* first = merger.get(rows).snapshot.get();
    CHECK(merger.get(rows).snapshot.get() == first);
    auto moved = rows;
    moved[1].snapshot = std::make_shared<orchestrator::Snapshot>(*rows[1].snapshot);
    CHECK(merger.get(moved).snapshot.get() != first);
}

TEST_CASE("issue 17.2: the Inspector in a fleet names the focused backend whose exchanges it shows") {
    auto rows = collidingBackends();
    orchestrator::ExchangeLog log;
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.state().applyDefaultLayout = true;  // the panels move down under the Fleet panel, as in the window
    ui.exchanges = &log;
    ui.state().showInspector = true;
    ui.frame(2);
    CHECK(ui.item("inspector.backend").text.find("Exchanges of gpu-1 (the focused backend") == 0);
    ui.state().allBackends = true;
    ui.frame(2);
    CHECK(ui.item("inspector.backend").text.find("also in all-backends mode") != std::string::npos);
}

TEST_CASE("issue 17.2: all-backends mode's timeline names each lane's backend and its metrics a tab per backend") {
    auto rows = collidingBackends();
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.state().applyDefaultLayout = true;  // the panels move down under the Fleet panel, as in the window
    ui.state().allBackends = true;
    ui.state().showTimeline = true;
    ui.state().showMetrics = true;
    ui.frame(3);
    CHECK(ui.drawn("timeline.lane:0/same-id"));
    CHECK(ui.drawn("timeline.lane:1/same-id"));
    CHECK(ui.drawn("timeline.lane:1/b-3"));
    CHECK(ui.drawn("metrics.backend:gpu-1"));
    CHECK(ui.drawn("metrics.backend:gpu-2"));
}

TEST_CASE("issue 17.2: entering and leaving all-backends mode keeps the selection and the detail on the focused backend's job") {
    auto rows = collidingBackends();
    UiHarness ui(rows[0].snapshot);
    ui.fleet = rows;
    ui.state().applyDefaultLayout = true;
    ui.frame(3);
    ui.clickItem("queue.row:same-id");  // gpu-1's job, in gpu-1's own view
    REQUIRE(ui.state().selectedJobs == std::set<std::string>{"same-id"});
    ui.press(GLFW_KEY_0);
    ui.frame();
    CHECK(ui.state().selectedJobs == std::set<std::string>{"0/same-id"});  // not gpu-2's job of that id
    CHECK(ui.state().detailJob == "0/same-id");
    CHECK(ui.item("detail.backend").text == "gpu-1");
    ui.clickItem("queue.row:1/b-2");
    ui.press(GLFW_KEY_1);  // back to gpu-1 alone: gpu-2's selection does not follow
    ui.frame();
    CHECK(ui.state().selectedJobs.empty());
    CHECK(ui.state().detailJob.empty());
}

TEST_CASE("issue 17.2: in all-backends mode another backend's running job keeps the elapsed times ticking every second") {
    auto rows = collidingBackends();
    rows[0].focused = false;
    rows[1].focused = true;  // gpu-2 runs nothing; gpu-1 runs a-2
    UiHarness ui(rows[1].snapshot);
    ui.fleet = rows;
    ui.frame(2);
    CHECK(ui.app->idleRefreshSeconds(*rows[1].snapshot, kNow, 0) == doctest::Approx(2.0));
    ui.state().allBackends = true;
    ui.frame(2);
    CHECK(ui.app->idleRefreshSeconds(*rows[1].snapshot, kNow, 0) == doctest::Approx(1.0));
}

TEST_CASE("issue 17.2: the shortcuts list shows 0, 1-9 and Ctrl+L only while several backends are watched") {
    auto rows = collidingBackends();
    UiHarness ui(rows[0].snapshot);
    ui.state().showHelp = true;
    ui.frame(2);
    CHECK(ui.drawn("help:?"));
    CHECK_FALSE(ui.drawn("help:0"));  // one backend: nothing of the fleet

    ui.fleet = rows;
    ui.frame(2);
    CHECK(ui.drawn("help:0"));
    CHECK(ui.drawn("help:1 - 9"));
    CHECK(ui.item("help:Ctrl+L").text == "add a backend to the fleet");
}
