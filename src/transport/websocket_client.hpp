#pragma once
// WebSocketClient: the progress socket of decision 1 (spec §3.1, §3.3), with Boost.Beast on
// the worker's io_context (Debian's libcurl has no WebSocket support).
//
//   resolve -> TCP connect (timeout) -> TLS for wss:// (peer verified unless insecure) ->
//   WebSocket handshake to <base>/ws/progress -> send {"type":"subscribe","job_ids":null,...}
//   -> read loop: each frame decoded (protocol::Decoder) and handed to the UpdateSink.
//
// Phases reported to the UpdateSink as a ConnectionInfo: Connecting (first attempt, or after
// reconnect()), Connected (after subscription_confirmed, or the first other message after the
// subscribe went out: that is when pushes really flow), Reconnecting (with reconnectAttempt,
// nextRetryAtMicros and a readable lastError such as "WebSocket closed by the server (1006)",
// "connection refused", "handshake rejected: HTTP 403"), Disconnected (the URL cannot work).
// Backoff (spec §3.2): min(base * 2^(attempt-1), cap), i.e. 3, 6, 12, 24, 24 ... s by default,
// back to the first step after a good connection. Beast answers the server's pings; our own
// keep-alive pings and the idle timeout notice a dead server. stop() cancels everything and the
// listener is never called afterwards. Every method runs on the worker.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "orchestrator/snapshot.hpp"
#include "orchestrator/exchange_log.hpp"
#include "orchestrator/transport.hpp"

namespace genmon::protocol {
class Decoder;
}

namespace genmon::transport {

class EventLoop;

struct WebSocketSettings {
    int connectTimeoutMs = 5000;     // resolve + TCP connect
    int handshakeTimeoutMs = 10000;  // TLS + WebSocket handshake, and the closing handshake
    int idleTimeoutMs = 40000;       // a ping after half of it without traffic; dead after all of it
    size_t maxMessageBytes = size_t{16} << 20;
    int backoffBaseMs = 3000;        // spec §3.2 RECONNECT_DELAY
    int backoffCapMs = 0;            // 0: min(60000, base * 8) as upstream (24 s by default)
    bool insecureTls = false;
    std::string userAgent = "genmon";
    std::shared_ptr<orchestrator::ExchangeLog> log;  // phase changes and messages, for the Inspector
};

// The §3.2 delay before reconnect attempt `attempt` (1-based).
int64_t backoffDelayMs(const WebSocketSettings& s, int attempt) noexcept;

class WebSocketClient {
public:
    // `url` is ws:// or wss://; `decoder` is the worker's (it must outlive the client).
    WebSocketClient(EventLoop& loop, std::string url, protocol::Decoder& decoder, WebSocketSettings settings = {});
    ~WebSocketClient();  // stop()
    WebSocketClient(const WebSocketClient&) = delete;
    WebSocketClient& operator=(const WebSocketClient&) = delete;

    // Connects and keeps reconnecting until stop(). A second start() only swaps the listener.
    void start(orchestrator::UpdateSink* listener);
    // Closes the socket (a close frame when it is open), cancels timers; no listener call after.
    void stop();
    // Closes and connects again now; the backoff starts over (§3.2 reconnect()).
    void reconnect();
    bool running() const noexcept;
    const orchestrator::ConnectionInfo& info() const noexcept;
    uint64_t messagesReceived() const noexcept;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace genmon::transport
