#pragma once
// transport::EventLoop: the worker thread of docs/architecture.md §1. One thread runs one
// boost::asio::io_context, and everything that touches mutable state or the network runs on it:
//
//   - orchestrator tasks (Executor::post, FIFO), its poll and coalescing timers
//     (Executor::schedule/cancel, one asio::steady_timer each),
//   - libcurl multi (HttpClient): curl's sockets are watched with asio waits and its timeout
//     with a steady_timer; curl_multi_socket_action runs in those handlers, never blocking,
//   - the progress WebSocket (WebSocketClient, Boost.Beast): resolve, connect, TLS, handshake,
//     reads, keep-alive pings and the reconnect timer are asio operations on the same context,
//   - completions: every transport answer is posted back onto this loop, so callbacks always
//     run later and on the worker, never inside the call that started the work.
//
// The UI thread only posts (thread-safe) and reads published snapshots. An exception that
// escapes a handler is logged and the loop keeps running. stop() cancels every timer, lets the
// handlers already queued run (they answer "cancelled"), waits for the thread to finish (with a
// deadline after which the context is stopped), and joins. start() after stop() runs again.
#include <cstdint>
#include <functional>
#include <memory>

#include "orchestrator/executor.hpp"

namespace boost::asio {
class io_context;
}

namespace genmon::transport {

class EventLoop final : public orchestrator::Executor {
public:
    EventLoop();
    ~EventLoop() override;  // stop()
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Starts the worker thread; a no-op when it runs already.
    void start();
    // Cancels timers, drains what is queued and joins the thread. Never call it on the worker.
    // Objects with pending asio operations (HttpClient, WebSocketClient) should be destroyed
    // on the worker before; whatever is still pending after the drain deadline is dropped.
    void stop();
    bool running() const noexcept;
    bool onWorkerThread() const noexcept;

    // orchestrator::Executor. post() is thread-safe; schedule()/cancel() are meant for the
    // worker but also work from other threads (they are forwarded to the worker).
    void post(std::function<void()> fn) override;
    orchestrator::TimerId schedule(int64_t delayMs, std::function<void()> fn) override;
    void cancel(orchestrator::TimerId id) override;
    int64_t nowMicros() const override;  // system clock, microseconds since the epoch

    // Runs fn on the worker and waits until it has run. Not from the worker. False (and fn
    // not run) when the loop is not running.
    bool runAndWait(std::function<void()> fn);

    // Timers scheduled and not yet fired or cancelled (worker only; for tests).
    size_t pendingTimers() const;

    // The context the transport's sockets and timers live on.
    boost::asio::io_context& context() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace genmon::transport
