// The Inspector's exchange log: every HTTP attempt and WebSocket event of a live session, with
// status and size; never the API key (issue 9: "redacted in the inspector").
#include "app/runtime.hpp"
#include "transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;

TEST_CASE("issue 9: the inspector records requests and socket events, and never the API key") {
    const std::string key = "k3y-that-must-never-show-1234";
    auto options = quietSim();
    options.apiKey = key;
    auto sim = startSim(options);
    app::RuntimeOptions ro;
    ro.transport = fastSettings();
    ro.retryInitialize = false;
    app::Runtime rt(ro);
    orchestrator::BackendConfig backend;
    backend.baseUrl = sim->baseUrl();
    auto first = rt.start(backend, key);
    REQUIRE(first.wait_for(10s) == std::future_status::ready);
    REQUIRE(first.get().ok());
    // A request the server refuses, so an error text goes through the log too.
    auto cancel = rt.orchestrator().cancelJob("no-such-job");
    REQUIRE(cancel.wait_for(10s) == std::future_status::ready);
    CHECK_FALSE(cancel.get().ok());
    REQUIRE(waitUntil([&] { return rt.snapshots().acquire()->isConnected; }));

    const auto log = rt.exchanges().recent();
    bool sawJobs = false, sawCancel404 = false, sawSocket = false;
    for (const auto& e : log) {
        CAPTURE(e.target);
        CHECK(e.target.find(key) == std::string::npos);
        CHECK(e.error.find(key) == std::string::npos);
        if (e.method == "GET" && e.target.find("/generation/jobs/active") != std::string::npos && e.status == 200) {
            sawJobs = true;
            CHECK(e.bytes > 0);
            CHECK(e.millis >= 0);
        }
        if (e.method == "POST" && e.target.find("/jobs/no-such-job/cancel") != std::string::npos) {
            sawCancel404 = e.status == 404 && e.error == "Job not found";
        }
        if (e.method == "WS" && e.target == "phase: connected") sawSocket = true;
    }
    CHECK(sawJobs);
    CHECK(sawCancel404);
    CHECK(sawSocket);
    CHECK(rt.exchanges().total() >= log.size());
    rt.shutdown();
}
