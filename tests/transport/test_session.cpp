// The live session: app::Runtime (retrying initialize), the API key sources, the snapshot JSON
// and --dump-snapshot, against genmon-sim.
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "app/dump_snapshot.hpp"
#include "app/runtime.hpp"
#include "app/snapshot_json.hpp"
#include "test_support.hpp"
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
    REQUIRE(out);
    REQUIRE(err);
    Captured c;
    c.code = app::runDumpSnapshot(o, out, err);
    c.out = readAll(out);
    c.err = readAll(err);
    std::fclose(out);
    std::fclose(err);
    return c;
}

app::CliOptions dumpOptions(const std::string& url) {
    app::CliOptions o;
    o.mode = app::CliOptions::Mode::DumpSnapshot;
    o.backendUrl = url;
    o.waitMs = 10000;
    return o;
}

std::string tempFile(const std::string& name, const std::string& content) {
    const auto path = test::outputDir() / (name + "-" + std::to_string(::getpid()));
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
}

}  // namespace

TEST_CASE("dump: prints every state key of the contract with upstream field names, images as state only") {
    auto options = quietSim();
    options.initialResults = 2;
    auto sim = startSim(options);
    const std::string queued = sim->queueJob("a lighthouse at dusk");
    const Captured c = dump(dumpOptions(sim->baseUrl() + "/"));
    INFO(c.err);
    REQUIRE(c.code == 0);
    CHECK(c.err.empty());

    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(c.out).get(doc) == simdjson::SUCCESS);
    for (const char* key : {"jobs", "activeJobs", "sortedActiveJobs", "recentResults", "systemStatus", "isConnected",
                            "queueManagerActive", "historyLimit", "pollIntervalMs", "systemStatusReady",
                            "systemStatusLastUpdated", "systemStatusApiAvailable", "isActive", "connection", "version"}) {
        INFO(key);
        CHECK(doc[key].error() == simdjson::SUCCESS);
    }
    CHECK(doc["isActive"].get_bool().value());
    CHECK(doc["isConnected"].get_bool().value());
    CHECK(std::string_view(doc["connection"]["phase"].get_string().value()) == "connected");
    CHECK(doc["historyLimit"].get_int64().value() == 10);
    CHECK(std::string_view(doc["backendUrl"].get_string().value()) == sim->baseUrl());

    bool found = false;
    simdjson::dom::array jobs;
    REQUIRE(doc["jobs"].get_array().get(jobs) == simdjson::SUCCESS);
    for (simdjson::dom::element job : jobs) {
        for (const char* key : {"id", "jobId", "status", "progress", "prompt", "created_at", "startTime", "finished_at",
                                "params", "message", "error"}) {
            INFO(key);
            CHECK(job[key].error() == simdjson::SUCCESS);
        }
        if (std::string_view(job["id"].get_string().value()) == queued) {
            found = true;
            CHECK(std::string_view(job["status"].get_string().value()) == "queued");
            CHECK(std::string_view(job["params"]["prompt"].get_string().value()) == "a lighthouse at dusk");
        }
    }
    CHECK(found);

    simdjson::dom::array results;
    REQUIRE(doc["recentResults"].get_array().get(results) == simdjson::SUCCESS);
    REQUIRE(results.size() == 2);
    for (simdjson::dom::element r : results) {
        for (const char* key : {"id", "job_id", "prompt", "width", "height", "steps", "cfg_scale", "seed", "created_at"}) {
            INFO(key);
            CHECK(r[key].error() == simdjson::SUCCESS);
        }
        CHECK(std::string_view(r["image"]["state"].get_string().value()) == "ready");
        CHECK(r["image"]["width"].get_int64().value() <= model::kThumbnailMaxSide);
    }
    CHECK(c.out.size() < 64 * 1024);  // no pixels, no base64
}

TEST_CASE("dump: an unreachable backend is one readable line and exit 1") {
    const uint16_t port = unusedPort();
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1";
    const Captured c = dump(dumpOptions(url));
    CHECK(c.code == 1);
    CHECK(c.out.empty());
    CHECK(c.err == "genmon: cannot reach " + url + ": connection refused\n");
}

TEST_CASE("dump: a wrong API key is reported without the key, an invalid URL exits 2") {
    auto options = quietSim();
    options.apiKey = "the-right-key";
    auto sim = startSim(options);
    auto o = dumpOptions(sim->baseUrl());
    o.apiKeyArgument = "wrong-key-777";
    const Captured c = dump(o);
    CHECK(c.code == 1);
    CHECK(c.err == "genmon: " + sim->baseUrl() + " answered HTTP 403: Invalid API Key\n");
    CHECK(c.err.find("wrong-key-777") == std::string::npos);

    o.apiKeyArgument = "the-right-key";
    CHECK(dump(o).code == 0);

    const Captured bad = dump(dumpOptions("ftp://example.com/api"));
    CHECK(bad.code == 2);
    CHECK(bad.err == "genmon: unsupported scheme 'ftp' in 'ftp://example.com/api': use http:// or https://\n");
}

TEST_CASE("api key: --api-key, then --api-key-file (first line, trimmed), then GENMON_API_KEY") {
    ::unsetenv("GENMON_API_KEY");
    app::CliOptions o;
    auto none = app::resolveApiKey(o);
    REQUIRE(none.ok());
    CHECK_FALSE(none.value());

    ::setenv("GENMON_API_KEY", "  from-env \n", 1);
    CHECK(app::resolveApiKey(o).value() == std::optional<std::string>("from-env"));

    o.apiKeyFile = tempFile("key", "from-file\nsecond line ignored\n");
    CHECK(app::resolveApiKey(o).value() == std::optional<std::string>("from-file"));

    o.apiKeyArgument = "from-arg";
    CHECK(app::resolveApiKey(o).value() == std::optional<std::string>("from-arg"));

    o.apiKeyArgument.reset();
    o.apiKeyFile = "/nonexistent/genmon-key";
    auto missing = app::resolveApiKey(o);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "cannot read the API key file '/nonexistent/genmon-key': No such file or directory");

    o.apiKeyFile = tempFile("empty-key", "\n  \n");
    auto empty = app::resolveApiKey(o);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message.find("is empty") != std::string::npos);
    ::unsetenv("GENMON_API_KEY");
}

TEST_CASE("runtime: initialize is retried with backoff until the backend appears") {
    auto sim = startSim();
    const std::string url = sim->baseUrl();
    sim->stop();  // the port stays known; connections are refused now

    app::RuntimeOptions ro;
    ro.transport = fastSettings();
    ro.initRetryDelaysMs = {100, 200};
    app::Runtime rt(ro);
    orchestrator::BackendConfig backend;
    backend.baseUrl = url;
    auto first = rt.start(backend, std::nullopt);
    REQUIRE(first.wait_for(10s) == std::future_status::ready);
    REQUIRE_FALSE(first.get().ok());
    CHECK(first.get().error().kind == model::ErrorKind::Network);
    REQUIRE(waitUntil([&] { return rt.nextInitRetryAtMicros() > 0; }));
    CHECK(rt.snapshots().acquire()->connection.phase == orchestrator::ConnectionPhase::Disconnected);
    CHECK(rt.lastInitError().has_value());
    REQUIRE(waitUntil([&] { return rt.initAttempts() >= 2; }));

    REQUIRE(sim->restart().ok());
    REQUIRE(waitUntil([&] { return rt.initialized(); }));
    CHECK(rt.snapshots().acquire()->isActive);
    // The retry state follows the outcome on the Runtime's own thread, a moment later.
    CHECK(waitUntil([&] { return rt.nextInitRetryAtMicros() == 0 && !rt.lastInitError().has_value(); }));
    REQUIRE(waitUntil([&] { return rt.snapshots().acquire()->isConnected; }));
    rt.shutdown();
    CHECK_FALSE(rt.snapshots().acquire()->isActive);
}

TEST_CASE("runtime: a wrong key is not retried, shutdown during an initialize in flight is prompt") {
    auto options = quietSim();
    options.apiKey = "right";
    auto sim = startSim(options);
    {
        app::RuntimeOptions ro;
        ro.transport = fastSettings();
        ro.initRetryDelaysMs = {50};
        app::Runtime rt(ro);
        orchestrator::BackendConfig backend;
        backend.baseUrl = sim->baseUrl();
        auto first = rt.start(backend, std::string("wrong"));
        REQUIRE(first.wait_for(10s) == std::future_status::ready);
        CHECK(first.get().error().httpStatus == 403);
        std::this_thread::sleep_for(150ms);
        CHECK(rt.initAttempts() == 1);
        CHECK(rt.nextInitRetryAtMicros() == 0);
        CHECK(rt.lastInitError()->message == "Invalid API Key");
    }
    auto faults = sim->faults();
    faults.latencyMs = 3000;
    sim->setFaults(faults);
    const auto start = std::chrono::steady_clock::now();
    std::shared_future<model::Status> first;
    {
        app::Runtime rt;
        orchestrator::BackendConfig backend;
        backend.baseUrl = sim->baseUrl();
        first = rt.start(backend, std::string("right"));
        std::this_thread::sleep_for(50ms);
        rt.shutdown();
    }
    CHECK(std::chrono::steady_clock::now() - start < 2500ms);
    REQUIRE(first.wait_for(1s) == std::future_status::ready);
    CHECK(first.get().error().kind == model::ErrorKind::Cancelled);
}

TEST_CASE("snapshot json: an empty snapshot is valid JSON with nulls for what is unknown") {
    orchestrator::Snapshot s;
    const std::string json = app::snapshotToJson(s, false);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
    CHECK(doc["systemStatusLastUpdated"].is_null());
    CHECK(doc["connection"]["lastError"].is_null());
    CHECK(std::string_view(doc["connection"]["phase"].get_string().value()) == "idle");
    CHECK(std::string_view(doc["systemStatus"]["status"].get_string().value()) == "unknown");
    simdjson::dom::array jobs;
    REQUIRE(doc["jobs"].get_array().get(jobs) == simdjson::SUCCESS);
    CHECK(jobs.size() == 0);
    CHECK(app::describeInitFailure("http://h:9/api/v1", model::Error::make(model::ErrorKind::Network,
                                                                            "cannot connect to h:9: Connection refused")) ==
          "cannot reach http://h:9/api/v1: connection refused");
}
