#pragma once
// Shared by the fault-injection suite (issue 9): a genmon-sim on an ephemeral loopback port and
// a real app::Runtime (worker, manager, libcurl + Beast transport) watching it. No mocks: every
// byte crosses a real socket. Timeouts, poll intervals and backoff delays are short so a fault
// and its recovery take a fraction of a second.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/runtime.hpp"
#include "orchestrator/snapshot.hpp"
#include "sim/sim_server.hpp"

namespace genmon::reliability {

using namespace std::chrono_literals;
using orchestrator::ConnectionPhase;
using orchestrator::Event;
using orchestrator::SnapshotPtr;

// Deterministic sim: no scenario traffic, the clock moves only by advance().
inline sim::SimOptions quietSim() {
    sim::SimOptions o;
    o.scenario = "idle";
    o.manualClock = true;
    o.durationJitter = 0.0;
    o.imageSize = 32;
    return o;
}

inline transport::TransportSettings fastTransport() {
    transport::TransportSettings s;
    s.connectTimeoutMs = 2000;
    s.totalTimeoutMs = 5000;
    s.getRetryDelaysMs = {10, 20};  // still 3 attempts per GET (spec §1.2), just closer together
    s.wsBackoffBaseMs = 50;
    s.wsBackoffCapMs = 200;
    return s;
}

inline orchestrator::PollSettings fastPolls() {
    orchestrator::PollSettings p;
    p.queueWhileSocketDownMs = 100;
    p.queueWhileSocketUpMs = 150;
    p.statusMs = 150;
    p.resultsRefreshDelayMs = 20;
    p.publishCoalesceMs = 1;
    return p;
}

inline app::RuntimeOptions fastRuntime(bool usePush = true) {
    app::RuntimeOptions o;
    o.transport = fastTransport();
    o.initRetryDelaysMs = {50, 100, 200};
    o.usePush = usePush;
    return o;
}

// Polls pred() every few milliseconds until it holds or the timeout passes.
inline bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(3ms);
    }
    return pred();
}

inline uint64_t routeCount(const sim::SimServer& s, const std::string& route) {
    const auto stats = s.stats();
    const auto it = stats.requestsByRoute.find(route);
    return it == stats.requestsByRoute.end() ? 0 : it->second;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline std::vector<std::string> idsOf(const orchestrator::JobList& list) {
    std::vector<std::string> out;
    list.forEach([&](const model::Job& j) { out.push_back(j.uiId.str()); });
    return out;
}

inline std::vector<std::string> resultIds(const orchestrator::Snapshot& s) {
    std::vector<std::string> out;
    for (const auto& r : *s.recentResults) out.push_back(r->id);
    return out;
}

inline std::set<std::string> asSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

inline bool hasDuplicates(const std::vector<std::string>& v) { return asSet(v).size() != v.size(); }

// No id twice in any list of the snapshot.
inline void checkNoDuplicates(const orchestrator::Snapshot& s) {
    CHECK_FALSE(hasDuplicates(idsOf(s.jobs)));
    CHECK_FALSE(hasDuplicates(idsOf(s.activeJobs)));
    CHECK_FALSE(hasDuplicates(idsOf(s.sortedActiveJobs)));
    CHECK_FALSE(hasDuplicates(resultIds(s)));
    CHECK(s.sortedActiveJobs.size() == s.jobs.size());
}

// The sim's own view: pending or running jobs, and the newest `limit` succeeded ones (what
// /generation/results lists first: newest created first).
inline std::set<std::string> simActiveIds(const sim::SimServer& s) {
    std::set<std::string> out;
    for (const auto& j : s.jobs())
        if (j.rawStatus == "pending" || j.rawStatus == "running") out.insert(j.id);
    return out;
}

inline std::set<std::string> simNewestResults(const sim::SimServer& s, size_t limit) {
    const auto jobs = s.jobs();
    std::set<std::string> out;
    for (auto it = jobs.rbegin(); it != jobs.rend() && out.size() < limit; ++it)
        if (it->rawStatus == "succeeded") out.insert(it->id);
    return out;
}

inline std::set<std::string> simAllIds(const sim::SimServer& s) {
    std::set<std::string> out;
    for (const auto& j : s.jobs()) out.insert(j.id);
    return out;
}

// A sim and a Runtime watching it.
struct Session {
    explicit Session(sim::SimOptions simOptions = quietSim(), app::RuntimeOptions runtimeOptions = fastRuntime()) {
        auto started = sim::SimServer::start(std::move(simOptions));
        REQUIRE_MESSAGE(started.ok(), (started.ok() ? std::string() : started.error().message));
        sim = std::move(started).value();
        rt = std::make_unique<app::Runtime>(std::move(runtimeOptions));
    }
    ~Session() {
        rt->shutdown();
        rt.reset();
        sim.reset();
    }

    // Starts the runtime on the sim's URL; returns the first initialize's outcome.
    model::Status start(orchestrator::PollSettings polls = fastPolls(), std::optional<std::string> apiKey = std::nullopt,
                        std::optional<std::string> url = std::nullopt) {
        orchestrator::BackendConfig backend;
        backend.baseUrl = url.value_or(sim->baseUrl());
        auto first = rt->start(backend, std::move(apiKey), polls);
        REQUIRE(first.wait_for(20s) == std::future_status::ready);
        return first.get();
    }

    SnapshotPtr snap() const { return rt->snapshots().acquire(); }
    ConnectionPhase phase() const { return snap()->connection.phase; }

    // Every event drained so far (kept across calls).
    const std::vector<Event>& events() {
        for (auto& e : rt->events().drain()) seen.push_back(std::move(e));
        return seen;
    }
    // An event whose message and detail contain the given parts.
    bool sawEvent(const std::string& message, const std::string& detail = {}) {
        for (const auto& e : events())
            if (contains(e.message, message) && contains(e.detail, detail)) return true;
        return false;
    }
    size_t countEvents(const std::string& message) {
        size_t n = 0;
        for (const auto& e : events()) n += contains(e.message, message) ? 1 : 0;
        return n;
    }

    std::set<std::string> activeIds() const { return asSet(idsOf(snap()->activeJobs)); }
    size_t jobCount(const std::string& id) const {
        size_t n = 0;
        snap()->jobs.forEach([&](const model::Job& j) { n += j.uiId == id ? 1 : 0; });
        return n;
    }
    size_t resultCount(const std::string& id) const {
        const auto r = snap()->recentResults;
        return static_cast<size_t>(std::count_if(r->begin(), r->end(), [&](const model::ResultPtr& x) { return x->id == id; }));
    }

    // genmon shows what the server has: the same active jobs, the newest results up to the
    // history limit, nothing twice, nothing the server never had.
    bool convergedWithSim() const {
        const auto s = snap();
        if (asSet(idsOf(s->activeJobs)) != simActiveIds(*sim)) return false;
        if (asSet(resultIds(*s)) != simNewestResults(*sim, static_cast<size_t>(s->historyLimit))) return false;
        return true;
    }
    void requireConverged(std::chrono::milliseconds timeout = 10s) {
        const bool ok = waitUntil([&] { return convergedWithSim(); }, timeout);
        if (!ok) {
            const auto s = snap();
            std::string detail = "genmon active:";
            for (const auto& id : idsOf(s->activeJobs)) detail += " " + id;
            detail += "\nsim active:";
            for (const auto& id : simActiveIds(*sim)) detail += " " + id;
            detail += "\ngenmon results: " + std::to_string(s->recentResults->size()) + ", sim newest: " +
                      std::to_string(simNewestResults(*sim, static_cast<size_t>(s->historyLimit)).size()) +
                      "\nlast refresh error: " + s->lastRefreshError + "\nconnection: " + s->connection.lastError;
            FAIL_CHECK(detail);
        }
        REQUIRE(ok);
        const auto s = snap();
        checkNoDuplicates(*s);
        const auto all = simAllIds(*sim);
        for (const auto& id : idsOf(s->jobs)) CHECK_MESSAGE(all.count(id) == 1, "a job the server never had: " << id);
    }

    std::unique_ptr<sim::SimServer> sim;
    std::unique_ptr<app::Runtime> rt;
    std::vector<Event> seen;
};

// Samples the snapshot for `duration` and checks that data ages do not move: the last good data
// stays, with the time it arrived.
struct Ages {
    int64_t jobs = 0, results = 0, status = 0;
    static Ages of(const orchestrator::Snapshot& s) {
        return {s.jobsUpdatedAtMicros, s.resultsUpdatedAtMicros, s.statusUpdatedAtMicros};
    }
    friend bool operator==(const Ages&, const Ages&) = default;
};

// Checks each age on its own (so a failure names the one that moved); true when none moved.
inline bool checkAges(const orchestrator::Snapshot& s, const Ages& before) {
    const Ages now = Ages::of(s);
    if (now == before) return true;
    CHECK(now.jobs == before.jobs);
    CHECK(now.results == before.results);
    CHECK(now.status == before.status);
    return false;
}

}  // namespace genmon::reliability
