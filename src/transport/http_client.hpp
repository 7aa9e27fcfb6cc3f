#pragma once
// HttpClient: libcurl multi driven by the worker's asio loop (no thread of its own, no blocking
// curl_easy_perform). curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
// to wake it (CURLMOPT_TIMERFUNCTION); each socket is watched with an asio wait on a
// posix::stream_descriptor, the timeout with a steady_timer, and both call
// curl_multi_socket_action. Connections are kept alive and reused through the multi handle.
//
// Request policy (spec §1.2, decision 9):
//   - GET is tried up to 3 times in total, 150 ms then 300 ms apart, after *any* failure
//     (network, timeout, 4xx, 5xx), as upstream; POST and DELETE are tried once.
//   - X-API-Key on every request when a key is configured; Content-Type: application/json for
//     JSON bodies. The key never appears in an error text.
//   - connect timeout (5 s) and total timeout (30 s, per request overridable); a response-size
//     cap (64 MiB) that aborts the transfer as soon as it is exceeded.
//   - TLS peer and host verification on unless `insecure`; redirects are not followed (a 3xx
//     is an error naming the Location), so the key never travels to another host or scheme.
// Errors are model::Error values: Network ("cannot connect to 127.0.0.1:8000: Connection
// refused"), Timeout ("no answer from 127.0.0.1:8000 within 30 s"), Http (status + the server's
// text via protocol::errorMessageFromBody), TooLarge ("response larger than 64 MiB"), Cancelled.
//
// Threading: every method runs on the EventLoop's worker. Callbacks are always posted, so they
// run later on the worker, never inside send(). The destructor (worker, or after the loop has
// stopped) answers every request still open with Cancelled.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.hpp"
#include "orchestrator/exchange_log.hpp"

namespace genmon::transport {

class EventLoop;

enum class HttpMethod : uint8_t { Get, Post, Delete };
const char* methodName(HttpMethod m) noexcept;

struct HttpSettings {
    std::optional<std::string> apiKey;  // sent as X-API-Key; never logged or shown
    int connectTimeoutMs = 5000;
    int totalTimeoutMs = 30000;
    size_t maxResponseBytes = size_t{64} << 20;
    bool insecureTls = false;                   // --insecure: no peer or host verification
    std::vector<int> getRetryDelaysMs{150, 300};  // GET: 1 + size() attempts
    std::string userAgent = "genmon";
    std::shared_ptr<orchestrator::ExchangeLog> log;  // every attempt, for the Inspector (optional)
};

struct HttpRequest {
    HttpMethod method = HttpMethod::Get;
    std::string url;
    std::optional<std::string> jsonBody;  // sent with Content-Type: application/json
    int totalTimeoutMs = 0;               // 0: the client's default
    size_t maxResponseBytes = 0;          // 0: the client's default
};

struct HttpResponse {
    int status = 0;
    std::string body;  // with at least kBodyPadding bytes of spare capacity (simdjson parses in place)
    std::string contentType;
    int attempts = 1;
};

using HttpCallback = std::function<void(model::Outcome<HttpResponse>)>;
using RequestId = uint64_t;

class HttpClient {
public:
    // Spare capacity kept behind every response body (simdjson::SIMDJSON_PADDING).
    static constexpr size_t kBodyPadding = 64;

    HttpClient(EventLoop& loop, HttpSettings settings);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Starts a request; `done` is called exactly once, later, on the worker. A 2xx answer is a
    // value; anything else an Error.
    RequestId send(HttpRequest request, HttpCallback done);
    // The request's callback gets ErrorKind::Cancelled (later). Unknown ids are ignored.
    void cancel(RequestId id);
    // Every request in flight (or waiting for a retry) answers Cancelled (later).
    void cancelAll();
    size_t inFlight() const;
    const HttpSettings& settings() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

// "network", "timeout", "http", ...: ErrorKind in the Inspector and in recordings.
const char* errorKindName(model::ErrorKind kind) noexcept;
std::optional<model::ErrorKind> errorKindFromName(std::string_view name) noexcept;

// "30 s", "1.5 s", "250 ms": durations in messages.
std::string formatDuration(int64_t ms);
// "64 MiB", "512 KiB", "100 bytes": sizes in messages.
std::string formatBytes(size_t bytes);

}  // namespace genmon::transport
