// WebSocketClient against genmon-sim over loopback: subscribe, dispatch, phases, backoff,
// reconnect after a server restart, stop().
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <vector>

#include "protocol/decode.hpp"
#include "transport/websocket_client.hpp"
#include "transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;
using orchestrator::ConnectionInfo;
using orchestrator::ConnectionPhase;

namespace {

// Records what the socket delivers; read from the test thread, written on the worker.
class Recorder final : public orchestrator::UpdateSink {
public:
    void apply(orchestrator::Update u) override {
        add([&] {
            if (auto* m = std::get_if<model::ProgressMessage>(&u)) progress.push_back(*m);
            if (auto* c = std::get_if<model::CompletionMessage>(&u)) completions.push_back(*c);
            if (auto* e = std::get_if<model::ErrorMessage>(&u)) errors.push_back(*e);
            if (auto* st = std::get_if<model::StartedMessage>(&u)) started.push_back(*st);
            if (auto* info = std::get_if<ConnectionInfo>(&u)) phases.push_back(*info);
        });
    }

    template <class F>
    auto read(F&& f) {
        std::lock_guard lock(mutex);
        return f(*this);
    }
    ConnectionInfo lastPhase() {
        return read([](Recorder& r) { return r.phases.empty() ? ConnectionInfo{} : r.phases.back(); });
    }
    size_t calls() {
        return read([](Recorder& r) { return r.count; });
    }

    std::mutex mutex;
    size_t count = 0;
    std::vector<model::ProgressMessage> progress;
    std::vector<model::CompletionMessage> completions;
    std::vector<model::ErrorMessage> errors;
    std::vector<model::StartedMessage> started;
    std::vector<ConnectionInfo> phases;

private:
    template <class F>
    void add(F&& f) {
        std::lock_guard lock(mutex);
        ++count;
        f();
    }
};

transport::WebSocketSettings fastWs() {
    transport::WebSocketSettings s;
    s.connectTimeoutMs = 1000;
    s.handshakeTimeoutMs = 1000;
    s.backoffBaseMs = 50;
    s.backoffCapMs = 200;
    return s;
}

// A socket client on the worker, with its decoder, destroyed there.
struct SocketFixture {
    SocketFixture(const std::string& url, transport::WebSocketSettings settings = fastWs()) {
        worker.call([&] {
            decoder = std::make_unique<protocol::Decoder>();
            client = std::make_unique<transport::WebSocketClient>(worker.loop, url, *decoder, settings);
        });
    }
    ~SocketFixture() {
        worker.call([&] {
            client.reset();
            decoder.reset();
        });
    }
    void start() {
        worker.call([&] { client->start(&recorder); });
    }
    bool waitPhase(ConnectionPhase phase, std::chrono::milliseconds timeout = 10s) {
        return waitUntil([&] { return recorder.lastPhase().phase == phase; }, timeout);
    }

    Worker worker;
    Recorder recorder;
    std::unique_ptr<protocol::Decoder> decoder;
    std::unique_ptr<transport::WebSocketClient> client;
};

// Accepts TCP connections into the backlog and never answers: a server that hangs.
struct SilentListener {
    SilentListener() {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd, 8) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ~SilentListener() { ::close(fd); }
    int fd = -1;
    uint16_t port = 0;
};

}  // namespace

TEST_CASE("ws: connects to <base>/ws/progress, subscribes, and reports Connected after the confirmation") {
    auto sim = startSim();
    SocketFixture f(sim->wsUrl());
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Connected));
    const auto phases = f.recorder.read([](Recorder& r) { return r.phases; });
    REQUIRE(phases.size() == 2);
    CHECK(phases[0].phase == ConnectionPhase::Connecting);
    CHECK(phases[0].socketUrl == sim->wsUrl());
    CHECK(phases[1].phase == ConnectionPhase::Connected);
    CHECK(phases[1].lastConnectedAtMicros > 0);
    CHECK(phases[1].lastError.empty());
    CHECK(sim->stats().wsConnections == 1);
    CHECK(routeCount(*sim, "WS /ws/progress") == 1);
}

TEST_CASE("ws: started, progress and completion of a job arrive in order, progress normalised 0-100") {
    auto sim = startSim();
    SocketFixture f(sim->wsUrl());
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Connected));
    const std::string id = sim->queueJob("a lighthouse at dusk");
    REQUIRE(waitUntil([&] { return f.recorder.read([](Recorder& r) { return !r.started.empty(); }); }));
    sim->advance(20000);  // pickup, rendering, completion: every message falls due
    REQUIRE(waitUntil([&] { return f.recorder.read([](Recorder& r) { return !r.completions.empty(); }); }));
    f.recorder.read([&](Recorder& r) {
        CHECK(r.started[0].job_id == id);
        REQUIRE(r.progress.size() >= 2);
        int last = -1;
        for (const auto& p : r.progress) {
            CHECK(p.job_id == id);
            REQUIRE(p.progress);
            CHECK(int(*p.progress) >= last);
            last = *p.progress;
        }
        CHECK(last == 100);
        CHECK(r.completions[0].job_id == id);
        CHECK(r.completions[0].image_base64.has_value());
        return 0;
    });
}

TEST_CASE("ws: a failed job arrives as a job error with the server's text") {
    auto sim = startSim();
    SocketFixture f(sim->wsUrl());
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Connected));
    const std::string id = sim->queueJob("doomed");
    REQUIRE(sim->finishJob(id, false).ok());
    sim->advance(5000);  // the job's monitor reports at its next tick
    REQUIRE(waitUntil([&] { return f.recorder.read([](Recorder& r) { return !r.errors.empty(); }); }));
    f.recorder.read([&](Recorder& r) {
        CHECK(r.errors[0].job_id == id);
        CHECK_FALSE(r.errors[0].error.empty());
        return 0;
    });
}

TEST_CASE("ws: the frontend's path is refused with 403 and the client backs off") {
    auto sim = startSim();
    std::string wrong = sim->wsUrl();
    wrong.replace(wrong.find("/ws/progress"), std::string::npos, "/generation/ws/progress");
    SocketFixture f(wrong);
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Reconnecting));
    const ConnectionInfo info = f.recorder.lastPhase();
    CHECK(info.lastError == "handshake rejected: HTTP 403");
    CHECK(info.reconnectAttempt == 1);
    CHECK(info.nextRetryAtMicros > 0);
    CHECK(routeCount(*sim, "WS rejected") >= 1);
}

TEST_CASE("ws: connection refused retries with growing delays up to the cap") {
    const uint16_t port = unusedPort();
    SocketFixture f("ws://127.0.0.1:" + std::to_string(port) + "/api/v1/ws/progress");
    f.start();
    REQUIRE(waitUntil([&] { return f.recorder.lastPhase().reconnectAttempt >= 4; }));
    f.worker.call([&] { f.client->stop(); });
    const auto phases = f.recorder.read([](Recorder& r) { return r.phases; });
    CHECK(phases.front().phase == ConnectionPhase::Connecting);
    std::vector<int64_t> delays;
    for (const auto& p : phases) {
        if (p.phase != ConnectionPhase::Reconnecting || p.nextRetryAtMicros == 0) continue;
        CHECK(p.lastError == "connection refused");
        delays.push_back(p.nextRetryAtMicros);
    }
    REQUIRE(delays.size() >= 4);
    // Attempts 1-4 wait 50, 100, 200, 200 ms: each countdown starts when the attempt fails.
    std::vector<int> attempts;
    for (const auto& p : phases)
        if (p.phase == ConnectionPhase::Reconnecting && p.nextRetryAtMicros != 0) attempts.push_back(p.reconnectAttempt);
    CHECK(attempts[0] == 1);
    CHECK(attempts[1] == 2);
    CHECK(attempts[2] == 3);
    CHECK(attempts[3] == 4);
    CHECK(delays[1] - delays[0] >= 100'000);  // >= the 100 ms wait before attempt 2's countdown
}

TEST_CASE("ws: a server that accepts but never answers runs into the handshake timeout") {
    SilentListener silent;
    auto settings = fastWs();
    settings.handshakeTimeoutMs = 200;
    SocketFixture f("ws://127.0.0.1:" + std::to_string(silent.port) + "/api/v1/ws/progress", settings);
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Reconnecting, 5s));
    CHECK(f.recorder.lastPhase().lastError ==
          "WebSocket handshake with 127.0.0.1:" + std::to_string(silent.port) + " timed out after 200 ms");
}

TEST_CASE("ws: the server restarting mid-stream: reconnect with backoff, then Connected again with the backoff reset") {
    auto sim = startSim();
    SocketFixture f(sim->wsUrl());
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Connected));
    sim->stop();
    REQUIRE(f.waitPhase(ConnectionPhase::Reconnecting));
    const ConnectionInfo down = f.recorder.read([](Recorder& r) {
        for (const auto& p : r.phases)
            if (p.phase == ConnectionPhase::Reconnecting) return p;
        return ConnectionInfo{};
    });
    // The sim says goodbye with a close frame (1001 going away).
    CHECK_MESSAGE(down.lastError.rfind("WebSocket closed by the server (1001", 0) == 0, down.lastError);
    CHECK(down.lastDisconnectedAtMicros > 0);
    CHECK(down.reconnectAttempt == 1);
    REQUIRE(waitUntil([&] { return f.recorder.lastPhase().reconnectAttempt >= 2; }));
    REQUIRE(sim->restart().ok());
    REQUIRE(f.waitPhase(ConnectionPhase::Connected));
    const ConnectionInfo up = f.recorder.lastPhase();
    CHECK(up.reconnectAttempt == 0);
    CHECK(up.lastError.empty());
    CHECK(up.lastConnectedAtMicros >= down.lastDisconnectedAtMicros);
    // Messages flow on the new socket.
    const std::string id = sim->queueJob("after the restart");
    REQUIRE(waitUntil([&] {
        return f.recorder.read([&](Recorder& r) { return !r.started.empty() && r.started.back().job_id == id; });
    }));
}

TEST_CASE("ws: a dropped socket (no close frame) reads as 1006") {
    auto options = quietSim();
    options.faults.wsDropEveryN = 2;  // connected + subscription_confirmed, then gone
    auto sim = startSim(options);
    SocketFixture f(sim->wsUrl());
    f.start();
    REQUIRE(waitUntil([&] {
        return f.recorder.read([](Recorder& r) {
            for (const auto& p : r.phases)
                if (p.phase == ConnectionPhase::Reconnecting) return true;
            return false;
        });
    }));
    const auto phases = f.recorder.read([](Recorder& r) { return r.phases; });
    bool saw1006 = false;
    for (const auto& p : phases) saw1006 = saw1006 || p.lastError == "WebSocket closed by the server (1006)";
    CHECK(saw1006);
}

TEST_CASE("ws: stop() cancels everything and the listener hears nothing afterwards") {
    auto sim = startSim();
    SocketFixture f(sim->wsUrl());
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Connected));
    f.worker.call([&] { f.client->stop(); });
    const size_t calls = f.recorder.calls();
    sim->queueJob("nobody listens");
    sim->advance(20000);
    std::this_thread::sleep_for(150ms);
    CHECK(f.recorder.calls() == calls);
    CHECK_FALSE(f.worker.call([&] { return f.client->running(); }));
    // The server saw the socket go away.
    CHECK(waitUntil([&] { return sim->stats().openConnections == 0; }));
}

TEST_CASE("ws: reconnect() closes and connects again at once") {
    auto sim = startSim();
    SocketFixture f(sim->wsUrl());
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Connected));
    f.worker.call([&] { f.client->reconnect(); });
    REQUIRE(waitUntil([&] { return sim->stats().wsConnections == 2; }));
    REQUIRE(f.waitPhase(ConnectionPhase::Connected));
    const auto phases = f.recorder.read([](Recorder& r) { return r.phases; });
    CHECK(phases[phases.size() - 2].phase == ConnectionPhase::Connecting);
}

TEST_CASE("ws: wss to a plain server fails the TLS handshake with a readable reason") {
    auto sim = startSim();
    std::string url = sim->wsUrl();
    url.replace(0, 2, "wss");
    SocketFixture f(url);
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Reconnecting));
    const std::string error = f.recorder.lastPhase().lastError;
    CHECK_MESSAGE(error.rfind("TLS handshake with 127.0.0.1:" + std::to_string(sim->port()) + " failed: ", 0) == 0, error);
}

TEST_CASE("ws: an unusable URL reports Disconnected once, later, and never retries") {
    SocketFixture f("http://not-a-socket/api");
    f.start();
    REQUIRE(f.waitPhase(ConnectionPhase::Disconnected));
    std::this_thread::sleep_for(100ms);
    const auto phases = f.recorder.read([](Recorder& r) { return r.phases; });
    CHECK(phases.size() == 1);
    CHECK(phases[0].lastError.find("unsupported scheme 'http'") != std::string::npos);
}
