// Issue 17.1, 17.3, 17.5: several backends on one worker (app::Fleet), against real genmon-sim
// instances on loopback: eight of them, one restarted, one answering 500s, one slow; and
// --dump-snapshot with several --backend.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "app/fleet.hpp"
#include "transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;

namespace {

app::RuntimeOptions fleetOptions() {
    app::RuntimeOptions o;
    o.transport = fastSettings();
    o.transport.totalTimeoutMs = 10000;  // the slow backend answers after 2.5 s
    o.initRetryDelaysMs = {100, 200};
    return o;
}

// The prompts of a snapshot's jobs, in insertion order.
std::vector<std::string> prompts(const orchestrator::Snapshot& s) {
    std::vector<std::string> out;
    s.jobs.forEach([&](const model::Job& j) { out.push_back(j.prompt ? j.prompt->str() : std::string()); });
    return out;
}

bool ready(const std::shared_future<model::Status>& f) { return f.wait_for(0s) == std::future_status::ready; }

}  // namespace

TEST_CASE("issue 17.5: eight genmon-sim backends on one worker, one restarted, one answering 500s, one slow: each snapshot is its own") {
    constexpr size_t kBackends = 8, kRestarted = 3, kFailing = 5, kSlow = 6;
    std::vector<std::unique_ptr<sim::SimServer>> sims;
    for (size_t i = 0; i < kBackends; ++i) {
        auto options = quietSim();
        if (i == kSlow) options.faults.latencyMs = 2500;
        sims.push_back(startSim(options));
        // Backend i has i + 1 jobs, each naming its backend.
        for (size_t k = 0; k <= i; ++k) sims[i]->queueJob("backend " + std::to_string(i) + " job " + std::to_string(k));
    }
    app::Fleet fleet(fleetOptions());
    std::vector<app::Fleet::MemberPtr> members;
    for (size_t i = 0; i < kBackends; ++i) {
        app::FleetBackend b;
        b.name = i == 0 ? "first" : "";
        b.config.baseUrl = sims[i]->baseUrl();
        members.push_back(fleet.add(std::move(b)));
    }
    // One worker for all of them.
    CHECK(&members[0]->runtime->loop() == &members[kBackends - 1]->runtime->loop());
    CHECK(members[0]->name == "first");
    CHECK(members[1]->name == "127.0.0.1:" + std::to_string(sims[1]->port()));

    // The slow one does not hold the others up: they are all in before its first answer.
    REQUIRE(waitUntil([&] {
        for (size_t i = 0; i < kBackends; ++i)
            if (i != kSlow && !ready(members[i]->first)) return false;
        return true;
    }));
    CHECK_FALSE(ready(members[kSlow]->first));
    REQUIRE(waitUntil([&] { return ready(members[kSlow]->first); }, 30s));
    for (size_t i = 0; i < kBackends; ++i) {
        INFO("backend " << i);
        REQUIRE(members[i]->first.get().ok());
        const auto snap = members[i]->runtime->snapshots().acquire();
        CHECK(snap->backendUrl == sims[i]->baseUrl());
        const auto p = prompts(*snap);
        REQUIRE(p.size() == i + 1);
        for (const auto& prompt : p) CHECK(prompt.rfind("backend " + std::to_string(i) + " job ", 0) == 0);
        CHECK(snap->counts.queued == i + 1);
    }

    // One backend starts answering 500: its refresh fails, its data stays (with its age).
    sim::FaultOptions failing;
    failing.serverErrorRate = 1.0;
    sims[kFailing]->setFaults(failing);
    const auto refreshed = members[kFailing]->runtime->orchestrator().refreshAllData();
    REQUIRE(refreshed.wait_for(15s) == std::future_status::ready);
    {
        const auto snap = members[kFailing]->runtime->snapshots().acquire();
        CHECK_FALSE(snap->lastRefreshError.empty());
        CHECK(prompts(*snap).size() == kFailing + 1);
    }

    // One backend goes away and comes back with a new job: it resyncs, the others never notice.
    std::vector<uint64_t> before;
    for (const auto& m : members) before.push_back(m->runtime->snapshots().acquire()->jobs.size());
    sims[kRestarted]->stop();
    REQUIRE(waitUntil([&] { return !members[kRestarted]->runtime->snapshots().acquire()->isConnected; }));
    sims[kRestarted]->queueJob("backend 3 job after the restart");
    REQUIRE(sims[kRestarted]->restart().ok());
    REQUIRE(waitUntil([&] { return members[kRestarted]->runtime->snapshots().acquire()->jobs.size() == kRestarted + 2; }));
    const auto restarted = prompts(*members[kRestarted]->runtime->snapshots().acquire());
    CHECK(std::count(restarted.begin(), restarted.end(), "backend 3 job after the restart") == 1);
    for (size_t i = 0; i < kBackends; ++i) {
        INFO("backend " << i);
        const auto snap = members[i]->runtime->snapshots().acquire();
        if (i != kRestarted) CHECK(snap->jobs.size() == before[i]);
        if (i != kFailing && i != kRestarted) CHECK(snap->lastRefreshError.empty());
    }
    fleet.shutdown();
}

TEST_CASE("issue 17.1: a backend added later joins the same worker, and a down one is retried without touching the others") {
    auto up = startSim();
    up->queueJob("the live one");
    app::Fleet fleet(fleetOptions());
    app::FleetBackend live;
    live.config.baseUrl = up->baseUrl();
    auto a = fleet.add(std::move(live));
    app::FleetBackend gone;
    gone.name = "gone";
    gone.config.baseUrl = "http://127.0.0.1:" + std::to_string(unusedPort()) + "/api/v1";
    auto b = fleet.add(std::move(gone));
    REQUIRE(waitUntil([&] { return ready(a->first) && ready(b->first); }));
    CHECK(a->first.get().ok());
    CHECK_FALSE(b->first.get().ok());
    // Retried in the background (3, 6, ... s in the window; 100 ms here), the live one unaffected.
    REQUIRE(waitUntil([&] { return b->runtime->initAttempts() >= 3; }));
    CHECK(a->runtime->snapshots().acquire()->jobs.size() == 1);
    CHECK(fleet.size() == 2);
    // A second backend with the same name gets a number.
    app::FleetBackend again;
    again.name = "gone";
    again.config.baseUrl = up->baseUrl();
    CHECK(fleet.add(std::move(again))->name == "gone #2");
}


TEST_CASE("issue 17.3: --dump-snapshot with three backends prints backends with name url and the contract's keys, a down one with its error") {
    auto a = startSim();
    a->queueJob("from a");
    auto b = startSim();
    b->queueJob("from b 1");
    b->queueJob("from b 2");
    const std::string downUrl = "http://127.0.0.1:" + std::to_string(unusedPort()) + "/api/v1";
    app::CliOptions o;
    o.mode = app::CliOptions::Mode::DumpSnapshot;
    o.backendUrls = {"alpha=" + a->baseUrl(), b->baseUrl(), downUrl};
    o.backendUrl = o.backendUrls.front();
    o.waitMs = 10000;
    const DumpCapture c = captureDump(o);
    INFO(c.err);
    CHECK(c.code == 0);  // two of three answered
    CHECK(c.err.find("cannot reach " + downUrl) != std::string::npos);

    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(c.out).get(doc) == simdjson::SUCCESS);
    simdjson::dom::array backends;
    REQUIRE(doc["backends"].get(backends) == simdjson::SUCCESS);
    REQUIRE(backends.size() == 3);
    const std::string names[] = {"alpha", "127.0.0.1:" + std::to_string(b->port()),
                                 downUrl.substr(7, downUrl.find("/api") - 7)};
    const std::string urls[] = {a->baseUrl(), b->baseUrl(), downUrl};
    const size_t jobs[] = {1, 2, 0};
    size_t i = 0;
    for (auto backend : backends) {
        INFO("backend " << i);
        std::string_view sv;
        REQUIRE(backend["name"].get(sv) == simdjson::SUCCESS);
        CHECK(std::string(sv) == names[i]);
        REQUIRE(backend["url"].get(sv) == simdjson::SUCCESS);
        CHECK(std::string(sv) == urls[i]);
        for (const char* key : {"jobs", "activeJobs", "sortedActiveJobs", "recentResults", "systemStatus", "isConnected",
                                "queueManagerActive", "historyLimit", "pollIntervalMs", "systemStatusReady",
                                "systemStatusApiAvailable", "isActive", "connection"}) {
            INFO(key);
            CHECK(backend[key].error() == simdjson::SUCCESS);
        }
        simdjson::dom::array list;
        REQUIRE(backend["jobs"].get(list) == simdjson::SUCCESS);
        CHECK(list.size() == jobs[i]);
        CHECK((backend["error"].error() == simdjson::SUCCESS) == (i == 2));
        ++i;
    }
}

TEST_CASE("issue 17.3: --dump-snapshot with several backends none of which answers exits 1 and still names each") {
    app::CliOptions o;
    o.mode = app::CliOptions::Mode::DumpSnapshot;
    o.backendUrls = {"http://127.0.0.1:" + std::to_string(unusedPort()) + "/api/v1",
                     "http://127.0.0.1:" + std::to_string(unusedPort()) + "/api/v1"};
    o.backendUrl = o.backendUrls.front();
    o.waitMs = 10000;
    const DumpCapture c = captureDump(o);
    CHECK(c.code == 1);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(c.out).get(doc) == simdjson::SUCCESS);
    simdjson::dom::array backends;
    REQUIRE(doc["backends"].get(backends) == simdjson::SUCCESS);
    CHECK(backends.size() == 2);
}
