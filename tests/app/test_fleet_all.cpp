// Issue 17.2, "all backends", with the real parts: genmon-sim instances on loopback, the Fleet
// and its FleetCommands, the merged frame the window draws (ui::mergeFleet), and the genmon
// program for --screenshot and --record with two backends. Two sims started with one seed make
// the same job ids, so routing by id would pick the wrong backend: these tests would see it.
#include <doctest/doctest.h>

#include <fstream>
#include <set>

#include "app/fleet_window.hpp"
#include "platform/png.hpp"
#include "process_util.hpp"
#include "test_support.hpp"
#include "transport/transport_test_util.hpp"
#include "ui/fleet_scope.hpp"

using namespace genmon;
using namespace genmon::transporttest;

namespace {

std::string rawStatus(const sim::SimServer& s, const std::string& id) {
    for (const auto& j : s.jobs())
        if (j.id == id) return j.rawStatus;
    return "missing";
}

// A fleet over the given sims, named gpu-0, gpu-1, ..., every first refresh done.
struct FleetUnderTest {
    app::Settings settings;
    app::Fleet fleet;
    std::unique_ptr<app::FleetCommands> commands;
    app::FrameSource source;

    explicit FleetUnderTest(const std::vector<sim::SimServer*>& sims) {
        for (size_t i = 0; i < sims.size(); ++i) {
            app::FleetBackend b;
            b.name = "gpu-" + std::to_string(i);
            b.config.baseUrl = sims[i]->baseUrl();
            fleet.add(std::move(b));
        }
        for (const auto& m : fleet.members()) REQUIRE(m->first.get().ok());
        commands = std::make_unique<app::FleetCommands>(fleet, settings, std::nullopt);
        source = app::fleetFrameSource(fleet, *commands);
    }
    ~FleetUnderTest() { fleet.shutdown(); }

    ui::MergedFleet merged() const { return ui::mergeFleet(source.fleet()); }
    // The merged queue row of backend b whose job has this backend id (-1: none).
    long rowOf(const ui::MergedFleet& m, int b, const std::string& id) const {
        const auto& q = m.snapshot->sortedActiveJobs;
        for (size_t i = 0; i < q.size(); ++i)
            if (m.scope->sortedRowBackend(i) == b && q.job(i).backendId == id) return static_cast<long>(i);
        return -1;
    }
    // Some notification drained so far starts with prefix ("gpu-1: ...": which backend answered).
    bool said(const std::string& prefix) {
        for (const auto& e : source.drainEvents()) seen.push_back(e.message);
        for (const auto& s : seen)
            if (s.rfind(prefix, 0) == 0) return true;
        return false;
    }
    std::vector<std::string> seen;
};

}  // namespace

TEST_CASE("issue 17.2: all-backends mode merges three sims' jobs, each row with its own backend") {
    auto a = startSim();
    auto b = startSim();
    auto c = startSim();
    std::vector<std::string> prompts[3];
    for (int k = 0; k < 2; ++k) prompts[0].push_back(a->queueJob("alpha " + std::to_string(k)));
    for (int k = 0; k < 3; ++k) prompts[1].push_back(b->queueJob("beta " + std::to_string(k)));
    prompts[2].push_back(c->queueJob("gamma 0"));
    FleetUnderTest f({a.get(), b.get(), c.get()});
    REQUIRE(waitUntil([&] { return f.merged().snapshot->sortedActiveJobs.size() == 6; }));
    const auto m = f.merged();
    const auto& q = m.snapshot->sortedActiveJobs;
    const char* names[] = {"alpha", "beta", "gamma"};
    for (size_t i = 0; i < q.size(); ++i) {
        const int backend = m.scope->sortedRowBackend(i);
        INFO(q.job(i).prompt->str());
        CHECK(q.job(i).prompt->str().rfind(names[backend], 0) == 0);  // the sim that holds it
        CHECK(m.scope->name(backend) == "gpu-" + std::to_string(backend));
    }
    CHECK(m.snapshot->counts.queued == 6);
    CHECK(m.scope->target == 0);
}

TEST_CASE("issue 17.2: cancel in all-backends mode reaches the row's own sim when two sims hold the same job id") {
    auto a = startSim();  // quietSim(): the same seed, so the same uuids in the same order
    auto b = startSim();
    const std::string idA = a->queueJob("on a");
    const std::string idB = b->queueJob("on b");
    REQUIRE(idA == idB);  // the collision this test is about
    FleetUnderTest f({a.get(), b.get()});
    REQUIRE(waitUntil([&] { return f.merged().snapshot->sortedActiveJobs.size() == 2; }));
    const auto m = f.merged();
    const long row = f.rowOf(m, 1, idB);
    REQUIRE(row >= 0);
    CHECK(m.snapshot->sortedActiveJobs.job(static_cast<size_t>(row)).prompt->str() == "on b");
    // What the queue view does for that row: the sink of the row's backend (the focus stays on gpu-0).
    f.commands->backend(m.scope->sortedRowBackend(static_cast<size_t>(row))).cancelJob(idB);
    REQUIRE(waitUntil([&] { return rawStatus(*b, idB) == "cancelled"; }));
    CHECK(rawStatus(*a, idA) == "pending");
    CHECK(f.commands->focused() == 0);
    REQUIRE(waitUntil([&] { return f.said("gpu-1: "); }));
    for (const auto& s : f.seen) {
        INFO(s);
        CHECK(s.rfind("gpu-0: ", 0) != 0);
    }
}

TEST_CASE("issue 17.2: delete result in all-backends mode goes to the result's own sim when the ids collide") {
    auto a = startSim();
    auto b = startSim();
    const std::string id = a->queueJob("finished on a");
    REQUIRE(b->queueJob("finished on b") == id);
    REQUIRE(a->finishJob(id, true).ok());
    REQUIRE(b->finishJob(id, true).ok());
    FleetUnderTest f({a.get(), b.get()});
    for (const auto& m : f.fleet.members()) m->runtime->orchestrator().loadRecentResults(true).wait();
    REQUIRE(waitUntil([&] { return f.merged().snapshot->recentResults->size() == 2; }));
    const auto m = f.merged();
    const auto& results = *m.snapshot->recentResults;
    size_t onA = results.size();
    for (size_t i = 0; i < results.size(); ++i)
        if (m.scope->resultBackend(i) == 0) onA = i;
    REQUIRE(onA < results.size());
    CHECK(results[onA]->id == id);
    f.commands->backend(m.scope->resultBackend(onA)).deleteResult(results[onA]->id);
    REQUIRE(waitUntil([&] { return rawStatus(*a, id) == "missing"; }));
    CHECK(rawStatus(*b, id) == "succeeded");
}

TEST_CASE("issue 17.2: one sim killed leaves the other backends' rows live in all-backends mode") {
    auto a = startSim();
    auto b = startSim();
    auto c = startSim();
    a->queueJob("alpha");
    const std::string onB = b->queueJob("beta");
    c->queueJob("gamma");
    FleetUnderTest f({a.get(), b.get(), c.get()});
    REQUIRE(waitUntil([&] { return f.merged().snapshot->sortedActiveJobs.size() == 3; }));
    b->stop();
    const std::string later = c->queueJob("gamma after the kill");
    f.commands->backend(2).refreshAll();  // the next poll would bring it too; no need to wait 2 s
    REQUIRE(waitUntil([&] {
        const auto m = f.merged();
        return f.rowOf(m, 2, later) >= 0 && !f.fleet.members()[1]->runtime->snapshots().acquire()->isConnected;
    }));
    const auto m = f.merged();
    CHECK(f.rowOf(m, 2, later) >= 0);
    CHECK(f.rowOf(m, 1, onB) >= 0);  // the dead one's data stays, with its age
    CHECK(m.snapshot->sortedActiveJobs.size() == 4);
}

#if defined(GENMON_EXE)
using namespace genmon::proctest;

TEST_CASE("issue 17.2: --screenshot with two sims draws the fleet window and --record writes one file per backend") {
    auto a = startSim();
    auto b = startSim();
    a->queueJob("alpha on the screenshot");
    b->queueJob("beta on the screenshot");
    const auto dir = test::outputDir() / "fleet_all_cli";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string png = (dir / "fleet.png").string();
    const std::string rec = (dir / "session.jsonl").string();
    Process genmon({GENMON_EXE, "--backend", "gpu-a=" + a->baseUrl(), "--backend", "gpu-b=" + b->baseUrl(), "--screenshot",
                    png, "--size", "1280x800", "--all-backends", "--record", rec, "--no-history"},
                   "fleet-screenshot", {"XDG_CONFIG_HOME=" + (dir / "config").string(), "LIBGL_ALWAYS_SOFTWARE=1"});
    const Exit e = genmon.wait(60s);
    INFO(genmon.err());
    REQUIRE(e.exited);
    CHECK(e.code == 0);
    auto image = platform::readPng(png);
    REQUIRE(image.ok());
    CHECK(image.value().width == 1280);
    // Not blank: many distinct colours (text, chips, panels), not one background.
    std::set<uint32_t> colours;
    const auto& px = image.value().rgba;
    for (size_t i = 0; i + 3 < px.size() && colours.size() < 64; i += 4 * 97)
        colours.insert(uint32_t{px[i]} << 16 | uint32_t{px[i + 1]} << 8 | px[i + 2]);
    CHECK(colours.size() >= 16);
    // A recording per backend, each whole: its header with its own URL, and its end line.
    for (const auto& [name, sim] : {std::pair{"gpu-a", a.get()}, std::pair{"gpu-b", b.get()}}) {
        const std::string text = slurp((dir / ("session." + std::string(name) + ".jsonl")).string());
        INFO(name);
        REQUIRE_FALSE(text.empty());
        CHECK(text.find("\"genmon_recording\":1") != std::string::npos);
        CHECK(text.find(sim->baseUrl()) != std::string::npos);
        CHECK(text.find("\"kind\":\"end\"") != std::string::npos);
    }
    CHECK_FALSE(std::filesystem::exists(rec));
}
#endif
