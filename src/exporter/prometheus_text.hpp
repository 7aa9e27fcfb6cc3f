#pragma once
// The Prometheus text exposition format 0.0.4 (issue 17.4) for any number of backends: a pure
// function of the snapshots it is given (no I/O, no clock of its own, no lock), so a scrape
// formats on the metrics server's thread from pointer copies and never touches the worker.
//
//   std::vector<BackendMetrics> b{{"gpu-1:8000", runtime.snapshots().acquire()}};
//   std::string body = formatPrometheus(b, &frames, model::systemNowMicros());
//
// Every family gets # HELP and # TYPE once, then one sample per backend labelled
// backend="<name>" (escaped: backslash, double quote, newline). docs/prometheus.md lists them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/frame_histogram.hpp"
#include "orchestrator/snapshot.hpp"

namespace genmon::exporter {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

struct BackendMetrics {
    std::string name;                    // the backend label: --name, else the URL's host:port
    orchestrator::SnapshotPtr snapshot;  // its latest published snapshot
};

// A label value in the text format: \ -> \\, " -> \", newline -> \n.
std::string escapeLabelValue(std::string_view value);
// A # HELP text: \ -> \\, newline -> \n.
std::string escapeHelp(std::string_view text);
// A sample value: integers without a fraction, the shortest round-trip form otherwise,
// NaN, +Inf and -Inf as Prometheus spells them.
std::string formatValue(double value);

// Whether the backend counts as up: the socket is connected, or the latest refresh over HTTP
// succeeded (an upstream without a usable socket still serves its data by polling).
bool backendUp(const orchestrator::Snapshot& s) noexcept;

// The whole exposition. nowMicros: the worker's clock (wall time, model::systemNowMicros()) for
// the data ages. frames: genmon's frame times, only when a window runs (null: left out).
std::string formatPrometheus(const std::vector<BackendMetrics>& backends, const FrameHistogram* frames,
                             int64_t nowMicros);

}  // namespace genmon::exporter
