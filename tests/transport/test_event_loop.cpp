// transport::EventLoop: the worker's executor (orchestrator::Executor on asio).
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;

TEST_CASE("event loop: posted tasks run on the worker, in order") {
    transport::EventLoop loop;
    loop.start();
    std::mutex m;
    std::vector<int> seen;
    std::atomic<bool> allOnWorker{true};
    for (int i = 0; i < 100; ++i)
        loop.post([&, i] {
            if (!loop.onWorkerThread()) allOnWorker = false;
            std::lock_guard lock(m);
            seen.push_back(i);
        });
    REQUIRE(loop.runAndWait([] {}));
    CHECK_FALSE(loop.onWorkerThread());
    CHECK(allOnWorker.load());
    std::lock_guard lock(m);
    REQUIRE(seen.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(seen[static_cast<size_t>(i)] == i);
}

TEST_CASE("event loop: timers fire after their delay, in due order, cancelled ones never") {
    transport::EventLoop loop;
    loop.start();
    std::mutex m;
    std::vector<std::string> fired;
    auto record = [&](std::string what) {
        std::lock_guard lock(m);
        fired.push_back(std::move(what));
    };
    const auto start = std::chrono::steady_clock::now();
    loop.runAndWait([&] {
        loop.schedule(60, [&] { record("60"); });
        loop.schedule(20, [&] { record("20"); });
        const auto id = loop.schedule(40, [&] { record("cancelled"); });
        loop.cancel(id);
        CHECK(loop.pendingTimers() == 2);
    });
    // From another thread too (forwarded to the worker).
    const auto later = loop.schedule(80, [&] { record("80"); });
    const auto dropped = loop.schedule(30, [&] { record("dropped"); });
    loop.cancel(dropped);
    REQUIRE(waitUntil([&] {
        std::lock_guard lock(m);
        return fired.size() == 3;
    }));
    CHECK(std::chrono::steady_clock::now() - start >= 80ms);
    std::lock_guard lock(m);
    CHECK(fired == std::vector<std::string>{"20", "60", "80"});
    CHECK(later > 0);
    CHECK(loop.nowMicros() > 1'700'000'000'000'000);  // the system clock
}

TEST_CASE("event loop: a throwing task is logged and the loop keeps running") {
    transport::EventLoop loop;
    loop.start();
    loop.post([] { throw std::runtime_error("boom (expected by this test)"); });
    std::atomic<bool> after{false};
    loop.post([&] { after = true; });
    REQUIRE(loop.runAndWait([] {}));
    CHECK(after.load());
}

TEST_CASE("event loop: stop cancels timers, drains what is queued, joins, start runs again") {
    transport::EventLoop loop;
    loop.start();
    std::atomic<int> ran{0};
    std::atomic<bool> timerFired{false};
    loop.runAndWait([&] { loop.schedule(10000, [&] { timerFired = true; }); });
    for (int i = 0; i < 10; ++i) loop.post([&] { ++ran; });
    const auto start = std::chrono::steady_clock::now();
    loop.stop();
    CHECK(std::chrono::steady_clock::now() - start < 1s);
    CHECK_FALSE(loop.running());
    CHECK(ran.load() == 10);
    CHECK_FALSE(timerFired.load());
    CHECK_FALSE(loop.runAndWait([] {}));
    loop.start();
    CHECK(loop.runAndWait([&] { ++ran; }));
    CHECK(ran.load() == 11);
    loop.stop();
    loop.stop();  // idempotent
}
