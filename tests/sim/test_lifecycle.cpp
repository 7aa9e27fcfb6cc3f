// Starting, stopping and restarting the sim; the steady clock; statistics.
#include <chrono>
#include <thread>

#include "sim_test_util.hpp"

using namespace genmon;
using namespace genmon::simtest;
using namespace std::chrono_literals;

TEST_CASE("sim: baseUrl and wsUrl name the ephemeral port") {
    auto server = startSim();
    CHECK(server->port() != 0);
    CHECK(server->baseUrl() == "http://127.0.0.1:" + std::to_string(server->port()) + "/api/v1");
    CHECK(server->wsUrl() == "ws://127.0.0.1:" + std::to_string(server->port()) + "/api/v1/ws/progress");
}

TEST_CASE("sim: stop closes open connections promptly, and restart serves the same state on the same port") {
    auto server = startSim();
    const uint16_t port = server->port();
    const std::string id = server->queueJob("survives a restart");
    HttpClient http(port);
    REQUIRE(http.get(prefixed(*server, "/system/status")).status == 200);  // a keep-alive connection stays open
    auto ws = WsClient::connect(port, prefixed(*server, "/ws/progress"));
    REQUIRE(ws);
    REQUIRE(ws->read(3s));

    const auto start = std::chrono::steady_clock::now();
    server->stop();
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK_FALSE(server->listening());
    CHECK_FALSE(ws->read(2s).has_value());
    CHECK(ws->closed());
    CHECK(ws->closeCode() == 1001);  // going away
    CHECK_FALSE(canConnect(port));

    REQUIRE(server->restart().ok());
    CHECK(server->port() == port);
    CHECK(http.get(prefixed(*server, "/generation/jobs/" + id)).status == 200);  // the client reconnects
    server->stop();
    server->stop();  // stopping twice is harmless
}

TEST_CASE("sim: a new server can take the port of a stopped one") {
    auto options = quietOptions();
    uint16_t port = 0;
    {
        auto first = startSim(options);
        port = first->port();
        HttpClient http(port);
        REQUIRE(http.get("/health").status == 200);
    }  // the destructor stops it with the client's connection still open
    options.port = port;
    auto second = startSim(options);
    CHECK(second->port() == port);
    CHECK(httpOnce(port, "GET", "/health").status == 200);
}

TEST_CASE("sim: destroying a server with many open connections is clean") {
    auto server = startSim();
    std::vector<std::unique_ptr<HttpClient>> clients;
    std::vector<std::unique_ptr<WsClient>> sockets;
    for (int i = 0; i < 8; ++i) {
        clients.push_back(std::make_unique<HttpClient>(server->port()));
        REQUIRE(clients.back()->get("/health").status == 200);
        sockets.push_back(WsClient::connect(server->port(), prefixed(*server, "/ws/progress")));
        REQUIRE(sockets.back());
    }
    CHECK(server->stats().openConnections == 16);
    const auto start = std::chrono::steady_clock::now();
    server.reset();
    CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("sim: by default the clock follows the steady clock") {
    auto options = quietOptions();
    options.manualClock = false;
    options.jobDurationMs = 150;
    options.pickupDelayMs = 0;
    options.progressIntervalMs = 50;
    auto server = startSim(options);
    auto ws = WsClient::connect(server->port(), prefixed(*server, "/ws/progress"));
    REQUIRE(ws);
    REQUIRE(ws->read(3s));
    REQUIRE(ws->send(R"({"type":"subscribe","job_ids":null})"));
    REQUIRE(ws->read(3s));
    const std::string id = server->queueJob("real time");
    bool completed = false;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!completed && std::chrono::steady_clock::now() < deadline) {
        const auto text = ws->read(1s);
        if (text) completed = Json(*text).str("type") == "generation_complete";
    }
    CHECK(completed);
    CHECK(server->jobs().back().rawStatus == "succeeded");
    const auto stats = server->stats();
    CHECK(stats.wsConnections == 1);
    CHECK(stats.wsMessagesSent >= 6);
    // advance() skips ahead on the steady clock too.
    const int64_t before = server->nowMicros();
    server->advance(60000);
    CHECK(server->nowMicros() - before >= 60000 * 1000);
}

TEST_CASE("sim: the manual clock starts at a fixed instant and moves only by advance") {
    auto server = startSim();
    const int64_t start = server->nowMicros();
    CHECK(start == 1795676400LL * 1000000);  // 2026-11-26T07:00:00Z
    std::this_thread::sleep_for(20ms);
    CHECK(server->nowMicros() == start);
    server->advance(1500);
    CHECK(server->nowMicros() == start + 1500 * 1000);
}

TEST_CASE("sim: public methods may be called from many threads at once") {
    auto options = quietOptions();
    options.manualClock = false;
    options.scenario = "busy";
    options.jobDurationMs = 200;
    options.progressIntervalMs = 20;
    auto server = startSim(options);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            HttpClient http(server->port());
            for (int i = 0; i < 15; ++i) {
                server->queueJob("thread " + std::to_string(t));
                CHECK(http.get(prefixed(*server, "/generation/jobs/active")).status == 200);
                server->setFaults(sim::FaultOptions{});
                server->advance(5);
                (void)server->stats();
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(server->stats().requestsByRoute.at("GET /generation/jobs/active") == 60);
}
