// Fault injection (FaultOptions), settable at start and at run time.
#include <chrono>

#include "sim_test_util.hpp"

using namespace genmon;
using namespace genmon::simtest;
using namespace std::chrono_literals;

namespace {

sim::FaultOptions only(auto setter) {
    sim::FaultOptions f;
    setter(f);
    return f;
}

double millisSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("faults: added latency delays every answer") {
    auto options = quietOptions();
    options.faults.latencyMs = 120;
    auto server = startSim(options);
    HttpClient http(server->port());
    const auto start = std::chrono::steady_clock::now();
    CHECK(http.get(prefixed(*server, "/system/status")).status == 200);
    CHECK(millisSince(start) >= 115);
}

TEST_CASE("faults: server errors come as 500 problem+json, 502 HTML or 503 text") {
    auto options = quietOptions();
    options.faults.serverErrorRate = 1.0;
    auto server = startSim(options);
    HttpClient http(server->port());
    std::set<int> statuses;
    for (int i = 0; i < 30; ++i) {
        const Reply reply = http.get(prefixed(*server, "/generation/jobs/active"));
        statuses.insert(reply.status);
        if (reply.status == 500) {
            const Json body(reply.body);
            CHECK(body.str("title") == "Internal Server Error");
            CHECK_FALSE(body.str("detail").empty());
        }
        if (reply.status == 502) CHECK(reply.contentType == "text/html");
        if (reply.status == 503) CHECK(reply.headers.count("retry-after") == 1);
    }
    CHECK(statuses == std::set<int>{500, 502, 503});
    CHECK(server->stats().faultsInjected == 30);
}

TEST_CASE("faults: malformed and truncated JSON bodies do not parse") {
    auto server = startSim();
    server->queueJob("something to list");
    HttpClient http(server->port());
    const std::string clean = http.get(prefixed(*server, "/generation/jobs/active")).body;
    REQUIRE(Json(clean).ok);
    server->setFaults(only([](auto& f) { f.malformedJsonRate = 1.0; }));
    for (int i = 0; i < 10; ++i) {
        const Reply reply = http.get(prefixed(*server, "/generation/jobs/active"));
        CHECK(reply.status == 200);
        CHECK(reply.body.size() == clean.size());
        CHECK_FALSE(Json(reply.body).ok);
    }
    server->setFaults(only([](auto& f) { f.truncatedJsonRate = 1.0; }));
    const Reply truncated = http.get(prefixed(*server, "/generation/jobs/active"));
    CHECK(truncated.body == clean.substr(0, clean.size() / 2));
    CHECK_FALSE(Json(truncated.body).ok);
}

TEST_CASE("faults: wrong types keep the keys but change value types") {
    auto server = startSim();
    server->queueJob("typed");
    HttpClient http(server->port());
    const Json clean(http.get(prefixed(*server, "/generation/jobs/active")).body);
    server->setFaults(only([](auto& f) { f.wrongTypesRate = 1.0; }));
    const Json mangled(http.get(prefixed(*server, "/generation/jobs/active")).body);
    REQUIRE(mangled.ok);
    const std::string mismatch = shapeMismatch(clean.root, mangled.root);
    CHECK(mismatch.find("expected") != std::string::npos);
    CHECK(mismatch.find("missing key") == std::string::npos);
}

TEST_CASE("faults: a huge body is 10 MiB of garbage") {
    auto options = quietOptions();
    options.faults.hugeBodyRate = 1.0;
    auto server = startSim(options);
    const Reply reply = httpOnce(server->port(), "GET", prefixed(*server, "/system/status"));
    CHECK(reply.status == 200);
    CHECK(reply.body.size() == 10u << 20);
    CHECK_FALSE(Json(reply.body).ok);
}

TEST_CASE("faults: a slow answer dribbles in but arrives whole") {
    auto options = quietOptions();
    options.faults.slowResponseRate = 1.0;
    options.faults.slowChunkBytes = 16;
    options.faults.slowChunkIntervalMs = 10;
    auto server = startSim(options);
    const auto start = std::chrono::steady_clock::now();
    const Reply reply = httpOnce(server->port(), "GET", "/health");
    CHECK(reply.body == R"({"status":"ok","service":"lora-manager"})");
    CHECK(millisSince(start) >= 60);  // about 9 chunks of 16 bytes, 10 ms apart
}

TEST_CASE("faults: /system/status can answer 404 while the rest works") {
    auto server = startSim();
    server->setFaults(only([](auto& f) { f.statusNotFound = true; }));
    HttpClient http(server->port());
    const Reply status = http.get(prefixed(*server, "/system/status"));
    CHECK(status.status == 404);
    CHECK(status.body == R"({"detail":"Not Found"})");
    CHECK(http.get(prefixed(*server, "/generation/jobs/active")).status == 200);
    server->setFaults({});
    CHECK(http.get(prefixed(*server, "/system/status")).status == 200);
}

TEST_CASE("faults: a WebSocket is dropped without a close frame every N messages") {
    auto options = quietOptions();
    options.faults.wsDropEveryN = 3;
    auto server = startSim(options);
    std::string error;
    auto ws = WsClient::connect(server->port(), prefixed(*server, "/ws/progress"), &error);
    REQUIRE_MESSAGE(ws, error);
    REQUIRE(ws->read(3s));  // 1: connected
    REQUIRE(ws->send(R"({"type":"subscribe","job_ids":null})"));
    REQUIRE(ws->read(3s));  // 2: subscription_confirmed
    server->queueJob("dropped");
    REQUIRE(ws->read(3s));   // 3: generation_started, then the connection goes
    CHECK_FALSE(ws->read(3s));
    CHECK(ws->closed());
    CHECK_FALSE(ws->closeCode().has_value());
    // Reconnecting works, and the count starts again.
    auto again = WsClient::connect(server->port(), prefixed(*server, "/ws/progress"), &error);
    REQUIRE_MESSAGE(again, error);
    CHECK(again->read(3s).has_value());
}

TEST_CASE("faults: refusing connections closes the port until it is lifted") {
    auto server = startSim();
    const uint16_t port = server->port();
    HttpClient open(port);
    REQUIRE(open.get(prefixed(*server, "/system/status")).status == 200);
    server->setFaults(only([](auto& f) { f.refuseConnections = true; }));
    CHECK_FALSE(canConnect(port));
    CHECK(httpOnce(port, "GET", "/health").status == 0);
    server->setFaults({});
    CHECK(canConnect(port));
    CHECK(httpOnce(port, "GET", "/health").status == 200);
    CHECK(server->port() == port);
}

TEST_CASE("faults: the same seed injects the same faults") {
    const auto sequence = [](uint64_t seed) {
        auto options = quietOptions();
        options.seed = seed;
        options.faults.serverErrorRate = 0.5;
        auto server = startSim(options);
        HttpClient http(server->port());
        std::string statuses;
        for (int i = 0; i < 24; ++i) statuses += std::to_string(http.get(prefixed(*server, "/system/status")).status) + " ";
        return statuses;
    };
    const std::string first = sequence(5);
    CHECK(first == sequence(5));
    CHECK(first != sequence(6));
    CHECK(first.find("200") != std::string::npos);
}

TEST_CASE("faults: the flaky scenario starts with a preset that setFaults replaces") {
    auto options = quietOptions();
    options.scenario = "flaky";
    auto server = startSim(options);
    CHECK(server->faults().serverErrorRate > 0.0);
    CHECK(server->faults().wsDropEveryN > 0);
    server->setFaults({});
    CHECK(server->faults() == sim::FaultOptions{});
    HttpClient http(server->port());
    for (int i = 0; i < 10; ++i) CHECK(http.get(prefixed(*server, "/system/status")).status == 200);
}
