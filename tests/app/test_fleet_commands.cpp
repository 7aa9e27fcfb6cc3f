// Issue 17.1-17.2: the window's fleet: each action goes to the focused backend's own
// orchestrator and the toast says which backend answered; Ctrl+L adds a backend; the backends
// list of settings.json keeps where each key comes from, never a key. Real genmon-sim instances
// on loopback.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "app/fleet_window.hpp"
#include "test_support.hpp"
#include "transport/transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;

namespace {

std::string rawStatus(const sim::SimServer& s, const std::string& id) {
    for (const auto& j : s.jobs())
        if (j.id == id) return j.rawStatus;
    return "missing";
}

}  // namespace

TEST_CASE("issue 17.2: cancel goes to the focused backend's own orchestrator and the toast names that backend") {
    auto a = startSim();
    auto b = startSim();
    const std::string jobA = a->queueJob("on a");
    const std::string jobB = b->queueJob("on b");
    app::Settings settings;
    app::Fleet fleet;
    for (auto* s : {a.get(), b.get()}) {
        app::FleetBackend fb;
        fb.name = s == a.get() ? "gpu-a" : "gpu-b";
        fb.config.baseUrl = s->baseUrl();
        fleet.add(std::move(fb));
    }
    for (const auto& m : fleet.members()) REQUIRE(m->first.get().ok());
    app::FleetCommands commands(fleet, settings, std::nullopt);
    app::FrameSource source = app::fleetFrameSource(fleet, commands);
    CHECK(source.snapshot()->backendUrl == a->baseUrl());
    const uint64_t versionBefore = source.snapshot()->contentVersion;

    commands.focusBackend(1);
    CHECK(source.snapshot()->backendUrl == b->baseUrl());
    CHECK(source.snapshot()->contentVersion != versionBefore);  // the focus change redraws
    commands.focusBackend(7);  // no such backend: the focus stays
    CHECK(commands.focused() == 1);
    const auto rows = source.fleet();
    REQUIRE(rows.size() == 2);
    CHECK_FALSE(rows[0].focused);
    CHECK(rows[1].focused);

    commands.cancelJob(jobB);
    REQUIRE(waitUntil([&] { return rawStatus(*b, jobB) == "cancelled"; }));
    CHECK(rawStatus(*a, jobA) == "pending");
    std::vector<orchestrator::Event> events;
    REQUIRE(waitUntil([&] {
        for (auto& e : source.drainEvents()) events.push_back(std::move(e));
        return !events.empty();
    }));
    for (const auto& e : events) {
        INFO(e.message);
        CHECK(e.message.rfind("gpu-b: ", 0) == 0);
    }
    fleet.shutdown();
}

TEST_CASE("issue 17.2: Ctrl+L's URL adds a backend to the fleet and focuses it") {
    auto a = startSim();
    auto b = startSim();
    b->queueJob("the new one");
    app::Settings settings;
    app::Fleet fleet;
    app::FleetBackend fb;
    fb.config.baseUrl = a->baseUrl();
    fleet.add(std::move(fb));
    app::FleetCommands commands(fleet, settings, std::nullopt);
    app::FrameSource source = app::fleetFrameSource(fleet, commands);
    commands.connect("second=" + b->baseUrl());
    REQUIRE(fleet.size() == 2);
    CHECK(commands.focused() == 1);
    CHECK(fleet.members()[1]->name == "second");
    REQUIRE(waitUntil([&] { return source.snapshot()->jobs.size() == 1; }));
    CHECK(settings.urlHistory.front() == b->baseUrl());
    commands.connect("not a url");
    CHECK(fleet.size() == 2);
    bool said = false;
    for (const auto& e : source.drainEvents()) said = said || e.message == "second: Cannot add the backend";
    CHECK(said);
    fleet.shutdown();
}

TEST_CASE("issue 17.1: settings.json's backends list keeps each key's source and never a key") {
    app::Settings s;
    s.backends = {{"gpu-1", "http://gpu1:8000/api/v1", "GPU1_KEY", ""}, {"gpu-2", "http://gpu2:8000/api/v1", "", "/etc/k"}};
    const std::string json = app::encodeSettings(s);
    const auto back = app::decodeSettings(json);
    CHECK(back.warning.empty());
    CHECK(back.settings.backends == s.backends);
    // Without a fleet the file has no backends key at all (a single-backend settings.json as before).
    CHECK(app::encodeSettings(app::Settings{}).find("backends") == std::string::npos);
    // A key written by hand into the list is not used and not written back.
    const auto withKey = app::decodeSettings(
        R"({"backends":[{"name":"x","url":"http://x:1/api/v1","key":"sk-secret-123"},{"url":"http://y:1/api/v1"}]})");
    CHECK(withKey.warning.find("API key in backends is ignored") != std::string::npos);
    REQUIRE(withKey.settings.backends.size() == 2);
    CHECK(app::encodeSettings(withKey.settings).find("sk-secret-123") == std::string::npos);
}

TEST_CASE("issue 17.1: a fleet from settings.json reads each backend's key from its variable or file") {
    const auto dir = test::outputDir() / "fleet_keys";
    std::filesystem::create_directories(dir);
    const auto keyFile = (dir / "gpu2.key").string();
    std::ofstream(keyFile) << "key-from-file\n";
    ::setenv("GENMON_TEST_FLEET_KEY", "key-from-env", 1);
    app::Settings s;
    s.backends = {{"gpu-1", "http://127.0.0.1:1/api/v1", "GENMON_TEST_FLEET_KEY", ""},
                  {"gpu-2", "http://127.0.0.1:2/api/v1", "", keyFile}};
    app::CliOptions o;
    auto fleet = app::fleetBackends(o, s);
    REQUIRE(fleet.ok());
    REQUIRE(fleet.value().size() == 2);
    CHECK(fleet.value()[0].apiKey == std::optional<std::string>("key-from-env"));
    CHECK(fleet.value()[1].apiKey == std::optional<std::string>("key-from-file"));
    CHECK(fleet.value()[1].name == "gpu-2");
    // A --backend on the command line wins: the single window as always.
    o.backendUrl = "http://127.0.0.1:3/api/v1";
    o.backendUrls = {*o.backendUrl};
    CHECK(app::fleetBackends(o, s).value().empty());
    // A variable that is not set: the error names the backend and the variable.
    ::unsetenv("GENMON_TEST_FLEET_KEY");
    auto missing = app::fleetBackends(app::CliOptions{}, s);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "backend 'gpu-1' in settings.json: the environment variable GENMON_TEST_FLEET_KEY is not set");
}

TEST_CASE("issue 17.1-17.2: --backend repeats, one keeps the options of today, several take --record, --screenshot and --all-backends") {
    const auto one = app::parseCli({"--backend", "http://a:1/api/v1"});
    REQUIRE(one.options);
    CHECK(one.options->backendUrl == std::optional<std::string>("http://a:1/api/v1"));
    CHECK(one.options->backendUrls.size() == 1);
    const auto three = app::parseCli({"--backend", "http://a:1/api/v1", "--backend", "b=http://b:1/api/v1", "--backend",
                                      "http://c:1/api/v1", "--dump-snapshot"});
    REQUIRE(three.options);
    CHECK(three.options->mode == app::CliOptions::Mode::DumpSnapshot);
    CHECK(three.options->backendUrls ==
          std::vector<std::string>{"http://a:1/api/v1", "b=http://b:1/api/v1", "http://c:1/api/v1"});
    CHECK(three.options->backendUrl == std::optional<std::string>("http://a:1/api/v1"));
    // Issue 17.2: a recording per backend, and the fleet window offscreen (all-backends mode on request).
    const auto record = app::parseCli({"--backend", "http://a:1/api/v1", "--backend", "http://b:1/api/v1", "--record", "x"});
    REQUIRE(record.options);
    CHECK(record.options->recordPath == std::optional<std::string>("x"));
    const auto shot = app::parseCli(
        {"--backend", "http://a:1/api/v1", "--backend", "http://b:1/api/v1", "--screenshot", "x.png", "--all-backends"});
    REQUIRE(shot.options);
    CHECK(shot.options->mode == app::CliOptions::Mode::Screenshot);
    CHECK(shot.options->allBackends);
    CHECK(app::parseCli({"--backend", "http://a:1/api/v1", "--all-backends"}).error ==
          "--all-backends goes with several --backend (one backend is all there is)");
    CHECK(app::parseCli({"--backend", "http://a:1/api/v1", "--backend", "http://b:1/api/v1", "--all-backends",
                         "--dump-snapshot"})
              .error == "--all-backends is a view of the window: use it with the window or --screenshot");
    CHECK(app::recordingPathFor("out/s.jsonl", "gpu 2") == "out/s.gpu_2.jsonl");
    CHECK(app::recordingPathFor("my.dir/session", "127.0.0.1:8000") == "my.dir/session.127_0_0_1_8000");
    const auto name = app::parseCli(
        {"--serve-metrics", "9464", "--backend", "http://a:1/api/v1", "--backend", "http://b:1/api/v1", "--name", "n"});
    CHECK(name.error == "--name names one backend: with several, write --backend NAME=URL");
    // NAME=URL: the '=' before the scheme names it; a query string's '=' does not.
    CHECK(app::parseBackendArgument("gpu=http://a:1/api/v1").name == "gpu");
    CHECK(app::parseBackendArgument("http://a:1/api/v1?x=1").name.empty());
    CHECK(app::parseBackendArgument("http://a:1/api/v1?x=1").config.baseUrl == "http://a:1/api/v1?x=1");
}
