#pragma once
// genmon --serve-metrics [ADDR:]PORT (issue 17.4): Prometheus /metrics for the backends genmon
// watches, headless (runServeMetrics: no display needed) or beside the window (main.cpp starts
// the server with startMetricsServer and feeds the frame times).
//
// The server has its own thread (exporter::MetricsServer); a scrape copies the latest snapshot
// pointer of each backend and formats there, so the worker never waits for a scraper.
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "exporter/metrics_server.hpp"
#include "exporter/prometheus_text.hpp"
#include "orchestrator/snapshot.hpp"

namespace genmon::app {

// The backend label: --name when given, "demo" for the embedded simulated backend, else the
// URL's host:port (the snapshot's URL, so a backend switched in the window is named after the new
// one; fallbackUrl before the first snapshot has one).
std::string metricsBackendName(const std::optional<std::string>& given, const orchestrator::Snapshot& snapshot,
                               const std::string& fallbackUrl);

// Binds --serve-metrics' address and serves `backends` (called on the server's thread at each
// scrape). Says where on `err` ("genmon: metrics on http://127.0.0.1:PORT/metrics"), and that it is
// reachable from other machines when the address is not loopback. The error's kind says how bad:
// InvalidArgument (exit 2: change the command) or Network (exit 1: the port is in use).
model::Outcome<std::unique_ptr<exporter::MetricsServer>> startMetricsServer(
    const CliOptions& options, std::function<std::vector<exporter::BackendMetrics>()> backends,
    const exporter::FrameHistogram* frames, std::FILE* err);

// The headless mode: the live session against --backend URL (or --demo, else the default URL),
// /metrics served, until SIGINT, SIGTERM or SIGHUP. Exit 0 (130 after Ctrl+C), 1 when the port is
// in use, 2 for a bad address, URL or key file. Initialize failures are retried (3, 6, 12, 24 s),
// and each change of the connection's state is one line on stderr.
int runServeMetrics(const CliOptions& options);

}  // namespace genmon::app
