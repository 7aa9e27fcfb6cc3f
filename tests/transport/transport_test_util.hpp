#pragma once
// Shared by the transport's integration tests: a running EventLoop, a genmon-sim on an
// ephemeral loopback port, and helpers that start work on the worker and wait for its answer.
// No mocks: curl and Beast talk to the sim over real sockets.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>

#include "app/dump_snapshot.hpp"
#include "model/error.hpp"
#include "sim/sim_server.hpp"
#include "transport/event_loop.hpp"
#include "transport/real_transport.hpp"

namespace genmon::transporttest {

using namespace std::chrono_literals;

// Deterministic sim: no scenario traffic, the clock moves only by advance().
inline sim::SimOptions quietSim() {
    sim::SimOptions o;
    o.scenario = "idle";
    o.manualClock = true;
    o.durationJitter = 0.0;
    o.imageSize = 64;
    return o;
}

inline std::unique_ptr<sim::SimServer> startSim(sim::SimOptions options = quietSim()) {
    auto started = sim::SimServer::start(std::move(options));
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? std::string() : started.error().message));
    return std::move(started).value();
}

// A port nobody listens on: bound once to get a free number, then closed again.
uint16_t unusedPort();

// Settings for tests: short retry delays are NOT used (the §1.2 numbers are what we test),
// but socket backoff and timeouts are short so reconnects happen in milliseconds.
inline transport::TransportSettings fastSettings() {
    transport::TransportSettings s;
    s.connectTimeoutMs = 2000;
    s.totalTimeoutMs = 5000;
    s.wsBackoffBaseMs = 50;
    s.wsBackoffCapMs = 400;
    return s;
}

class Worker {
public:
    Worker() { loop.start(); }
    ~Worker() { loop.stop(); }

    // Runs fn on the worker and returns its value.
    template <class F>
    auto call(F&& fn) -> std::invoke_result_t<F&> {
        using R = std::invoke_result_t<F&>;
        if constexpr (std::is_void_v<R>) {
            REQUIRE(loop.runAndWait([&] { fn(); }));
        } else {
            std::optional<R> out;
            REQUIRE(loop.runAndWait([&] { out.emplace(fn()); }));
            return std::move(*out);
        }
    }

    // Starts an asynchronous operation on the worker: start(callback). Waits for the callback
    // and checks the transport contract: it runs on the worker, later (never inside start),
    // and exactly once.
    template <class T, class Start>
    model::Outcome<T> await(Start start, std::chrono::milliseconds timeout = 15s) {
        struct State {
            std::promise<model::Outcome<T>> promise;
            std::atomic<int> calls{0};
            bool insideStart = false;
            bool wasInline = false;
            bool offWorker = false;
        };
        auto state = std::make_shared<State>();
        auto future = state->promise.get_future();
        loop.post([this, state, start]() mutable {
            state->insideStart = true;
            start([this, state](model::Outcome<T> r) {
                if (state->insideStart) state->wasInline = true;
                if (!loop.onWorkerThread()) state->offWorker = true;
                if (state->calls.fetch_add(1) == 0) state->promise.set_value(std::move(r));
            });
            state->insideStart = false;
        });
        REQUIRE_MESSAGE(future.wait_for(timeout) == std::future_status::ready, "no answer within the timeout");
        auto result = future.get();
        CHECK_FALSE(state->wasInline);
        CHECK_FALSE(state->offWorker);
        // Give a second (wrong) call a chance to show up.
        call([] {});
        CHECK(state->calls.load() == 1);
        return result;
    }

    transport::EventLoop loop;
};

// Polls pred() every few milliseconds until it holds or the timeout passes.
inline bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return pred();
}

// app::runDumpSnapshot with its stdout and stderr captured.
struct DumpCapture {
    int code = 0;
    std::string out, err;
};
inline DumpCapture captureDump(const app::CliOptions& o) {
    DumpCapture c;
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    REQUIRE(out);
    REQUIRE(err);
    c.code = app::runDumpSnapshot(o, out, err);
    for (auto [f, s] : {std::pair{out, &c.out}, std::pair{err, &c.err}}) {
        std::rewind(f);
        char buf[4096];
        for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s->append(buf, n);
        std::fclose(f);
    }
    return c;
}

inline uint64_t routeCount(const sim::SimServer& s, const std::string& route) {
    const auto stats = s.stats();
    const auto it = stats.requestsByRoute.find(route);
    return it == stats.requestsByRoute.end() ? 0 : it->second;
}

// A transport on the worker, destroyed there too.
struct TransportFixture {
    explicit TransportFixture(sim::SimOptions options = quietSim(), transport::TransportSettings settings = fastSettings())
        : sim(startSim(std::move(options))) {
        makeTransport(sim->baseUrl(), std::move(settings));
    }
    ~TransportFixture() {
        worker.call([&] { transport.reset(); });
    }
    void makeTransport(const std::string& baseUrl, transport::TransportSettings settings = fastSettings()) {
        worker.call([&] {
            orchestrator::BackendConfig backend;
            backend.baseUrl = baseUrl;
            transport = std::make_unique<transport::RealTransport>(worker.loop, backend, std::move(settings));
        });
    }

    Worker worker;
    std::unique_ptr<sim::SimServer> sim;
    std::unique_ptr<transport::RealTransport> transport;
};

}  // namespace genmon::transporttest
