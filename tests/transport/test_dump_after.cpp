// Issue 14, item 4: `genmon --dump-snapshot --after-ms N` keeps watching (socket included) for N ms
// after the first full refresh, and every active job in the dump carries its estimate. The same
// code path as the binary (app::runDumpSnapshot), against genmon-sim over loopback.
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <string_view>
#include <thread>

#include "app/dump_snapshot.hpp"
#include "transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;

namespace {

struct Captured {
    int code = 0;
    std::string out, err;
};

std::string readAll(std::FILE* f) {
    std::string s;
    std::rewind(f);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
    return s;
}

Captured dump(const app::CliOptions& o) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    Captured c;
    if (!out || !err) {
        c.code = -1;
        return c;
    }
    c.code = app::runDumpSnapshot(o, out, err);
    c.out = readAll(out);
    c.err = readAll(err);
    std::fclose(out);
    std::fclose(err);
    return c;
}

app::CliOptions dumpOptions(const std::string& url, int afterMs) {
    app::CliOptions o;
    o.mode = app::CliOptions::Mode::DumpSnapshot;
    o.backendUrl = url;
    o.waitMs = 10000;
    o.afterMs = afterMs;
    return o;
}

// Whether a list of the dump has the job with this id.
bool listed(simdjson::dom::element doc, const char* list, const std::string& id) {
    simdjson::dom::array jobs;
    if (doc[list].get_array().get(jobs) != simdjson::SUCCESS) return false;
    for (simdjson::dom::element j : jobs)
        if (std::string_view(j["id"].get_string().value()) == id) return true;
    return false;
}

// The job with this id in a list of the dump (it must be there).
simdjson::dom::element jobIn(simdjson::dom::element doc, const char* list, const std::string& id) {
    simdjson::dom::array jobs;
    REQUIRE(doc[list].get_array().get(jobs) == simdjson::SUCCESS);
    for (simdjson::dom::element j : jobs)
        if (std::string_view(j["id"].get_string().value()) == id) return j;
    FAIL("job " << id << " is not in " << list);
    return {};
}

// genmon subscribed to the progress socket (the "connected" message, then the subscription's
// confirmation went out), which it does only after its first full refresh.
void waitUntilSubscribed(const sim::SimServer& sim) {
    const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (sim.stats().wsMessagesSent < 2 && std::chrono::steady_clock::now() < giveUp)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE_MESSAGE(sim.stats().wsMessagesSent >= 2, "genmon never subscribed to the progress socket");
}

}  // namespace

TEST_CASE("issue 14.4: --dump-snapshot --after-ms prints what the socket said after the first refresh") {
    auto sim = startSim();
    const std::string job = sim->queueJob("a lighthouse at dusk");
    // The dump runs as the binary would; this thread plays the backend.
    auto running = std::async(std::launch::async, [&] { return dump(dumpOptions(sim->baseUrl(), 3000)); });
    // From the socket's subscription on, the dump is watching.
    waitUntilSubscribed(*sim);
    REQUIRE(sim->finishJob(job, true).ok());
    sim->advance(2000);  // its monitor's next report (every 2 s, as upstream): completed, then the result
    const Captured c = running.get();
    INFO(c.err);
    REQUIRE(c.code == 0);

    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(c.out).get(doc) == simdjson::SUCCESS);
    // The first refresh saw it queued; the dump shows it done, and its result.
    CHECK_FALSE(listed(doc, "activeJobs", job));
    bool result = false;
    simdjson::dom::array results;
    REQUIRE(doc["recentResults"].get_array().get(results) == simdjson::SUCCESS);
    for (simdjson::dom::element r : results) result = result || std::string_view(r["job_id"].get_string().value()) == job;
    CHECK(result);
}

TEST_CASE("issue 14.4: --dump-snapshot carries each active job's estimate: the running one's from the server, the queue's behind it") {
    // One worker (the idle scenario), three jobs queued 100 ms apart (so "oldest first" is clear),
    // nothing learned yet: the server's eta_seconds for the running job is the only basis. Upstream
    // sends eta_seconds null (global progress, spec §3.1), so the sim reports per job here.
    sim::SimOptions options = quietSim();
    options.progressMode = sim::ProgressMode::PerJob;
    auto sim = startSim(options);
    const std::string first = sim->queueJob("a paper boat");
    sim->advance(100);
    const std::string second = sim->queueJob("a red fox");
    sim->advance(100);
    const std::string third = sim->queueJob("a koi pond");
    auto running = std::async(std::launch::async, [&] { return dump(dumpOptions(sim->baseUrl(), 2000)); });
    waitUntilSubscribed(*sim);
    sim->advance(2500);  // the worker takes the oldest job; the monitors report it running, with eta_seconds
    const Captured c = running.get();
    INFO(c.err);
    REQUIRE(c.code == 0);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(c.out).get(doc) == simdjson::SUCCESS);

    const auto run = jobIn(doc, "sortedActiveJobs", first);
    CHECK(std::string_view(run["status"].get_string().value()) == "processing");
    const simdjson::dom::element runEta = run["eta"].value();
    REQUIRE(runEta.is_object());
    CHECK(std::string_view(runEta["basis"].get_string().value()) == "the server's estimate");
    CHECK_FALSE(runEta["lower_bound"].get_bool().value());
    CHECK(runEta["ahead"].get_uint64().value() == 0);
    const double runDone = runEta["done_in_s"].get_double().value();
    CHECK(runDone > 0);

    // Next in line: it starts when the running job is done; its own run is unknown, so a lower bound.
    const simdjson::dom::element next = jobIn(doc, "sortedActiveJobs", second)["eta"].value();
    REQUIRE(next.is_object());
    CHECK(next["starts_in_s"].get_double().value() == doctest::Approx(runDone).epsilon(0.001));
    CHECK(next["done_in_s"].get_double().value() == doctest::Approx(runDone).epsilon(0.001));
    CHECK(next["lower_bound"].get_bool().value());
    CHECK(next["ahead"].get_uint64().value() == 1);
    CHECK(next["ahead_unknown"].get_uint64().value() == 0);
    CHECK(std::string_view(next["basis"].get_string().value()) == "no estimate of its own run");
    // Last in line: one job ahead of it has no estimate.
    const simdjson::dom::element last = jobIn(doc, "sortedActiveJobs", third)["eta"].value();
    REQUIRE(last.is_object());
    CHECK(last["ahead"].get_uint64().value() == 2);
    CHECK(last["ahead_unknown"].get_uint64().value() == 1);
    for (const char* key : {"done_in_s", "low_s", "high_s", "starts_in_s", "lower_bound", "basis", "ahead", "ahead_unknown"}) {
        INFO(key);
        CHECK(last[key].error() == simdjson::SUCCESS);
    }
    // The whole queue: at least when the running job is done, two jobs unaccounted for.
    const simdjson::dom::element drain = doc["queueDrain"].value();
    REQUIRE(drain.is_object());
    CHECK(drain["lower_bound"].get_bool().value());
    CHECK(drain["estimated"].get_uint64().value() == 1);
    CHECK(drain["unknown"].get_uint64().value() == 2);
    CHECK(drain["workers"].get_uint64().value() == 1);
}

TEST_CASE("issue 14.4: --dump-snapshot writes a null eta for a job without a basis") {
    auto sim = startSim();
    const std::string queued = sim->queueJob("a paper boat");
    const Captured c = dump(dumpOptions(sim->baseUrl(), 0));
    INFO(c.err);
    REQUIRE(c.code == 0);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(c.out).get(doc) == simdjson::SUCCESS);
    CHECK(jobIn(doc, "jobs", queued)["eta"].value().is_null());
    CHECK(doc["queueDrain"].value().is_null());
}
