#pragma once
// The /metrics endpoint (issue 17.4): a small Boost.Beast HTTP server on its own io_context
// thread, never on the worker, so a slow or stuck scraper cannot delay the worker. Each GET
// /metrics calls the body function on this thread; the app's reads the latest snapshots (pointer
// copies) and formats them there (prometheus_text.hpp).
//
//   GET|HEAD /metrics  200, text/plain; version=0.0.4; charset=utf-8
//   GET|HEAD /         200, a tiny HTML index linking /metrics
//   other paths        404;  other methods: 405 with Allow: GET, HEAD
//   a request head over Options::maxHeaderBytes: 431; a request body: 413; then the connection closes
//   a request that does not arrive within Options::requestTimeout (idle keep-alive included): closed
//
// No Boost header leaks out of this file. Thread-safety: start/stop from one thread; port(),
// url() and requests() from any.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "model/error.hpp"

namespace genmon::exporter {

// Where to listen: "[ADDR:]PORT" as --serve-metrics takes it.
struct ListenAddress {
    std::string host = "127.0.0.1";  // an IP literal (IPv6 without brackets)
    uint16_t port = 0;               // 0: the system picks a free port
    friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// "9464" (loopback), "127.0.0.1:9464", "0.0.0.0:9464", "[::1]:9464", "localhost:9464". Errors
// (InvalidArgument) say what to write instead.
model::Outcome<ListenAddress> parseListenAddress(std::string_view text);
// 127.0.0.0/8 and ::1: nothing outside this machine can connect.
bool isLoopback(const ListenAddress& address);
// "127.0.0.1:9464", "[::1]:9464".
std::string hostPort(const ListenAddress& address);

class MetricsServer {
public:
    using BodyFn = std::function<std::string()>;  // the exposition, on the server's thread
    struct Options {
        size_t maxHeaderBytes = 8 * 1024;
        std::chrono::milliseconds requestTimeout{30'000};
        std::chrono::milliseconds writeTimeout{30'000};
        int maxConnections = 32;  // beyond this a new connection is closed at once
    };

    // Binds and starts serving. Errors: a bad address (InvalidArgument) or a failed bind
    // (Network: "cannot listen on 127.0.0.1:9464: Address already in use").
    static model::Outcome<std::unique_ptr<MetricsServer>> start(const ListenAddress& address, BodyFn metrics,
                                                                Options options);
    static model::Outcome<std::unique_ptr<MetricsServer>> start(const ListenAddress& address, BodyFn metrics) {
        return start(address, std::move(metrics), Options{});
    }
    ~MetricsServer();  // stop()
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // Stops serving: the thread ends after the handler it is running (a scrape is never waited
    // for) and the port is free on return; open connections close with the server. Idempotent.
    void stop();

    uint16_t port() const noexcept;            // the bound port (the real one after port 0)
    const ListenAddress& address() const noexcept;  // with the real port
    std::string url() const;                   // http://127.0.0.1:PORT/metrics
    uint64_t requests() const noexcept;        // requests answered, any path

    struct Impl;

private:
    explicit MetricsServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace genmon::exporter
