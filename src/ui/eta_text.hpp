#pragma once
// Issue 10 and 14: the words for ETAs, shared by the queue, the detail pane and the status bar.
// Text only: every number comes from the worker's forecast (Snapshot::queueForecast); the views
// subtract their `now` from its absolute times and compute nothing else.
#include <cstdint>
#include <string>

#include "orchestrator/eta_estimator.hpp"
#include "orchestrator/queue_forecast.hpp"

namespace genmon::ui {

// "8 s – 15 s, learned from 14 jobs like this", "the server's estimate".
std::string etaExplanation(const orchestrator::EtaEstimate& e);

// Seconds from now until a forecast time (never negative).
double secondsUntil(int64_t atMicros, int64_t nowMicros);

// The queue's ETA cell: "42 s", "≥42 s" (a lower bound), "late" (a running job past its range).
std::string forecastCell(const orchestrator::JobForecast& f, int64_t nowMicros);
// The pieces, for the detail pane: "~1m 5s (58 s – 1m 12s)" or "at least 42 s"; "~40 s, after
// 5 jobs ahead"; "~7.8 s (7.2 s – 8.4 s), learned from 14 jobs like this".
std::string forecastDone(const orchestrator::JobForecast& f, int64_t nowMicros);
std::string forecastStart(const orchestrator::JobForecast& f, int64_t nowMicros);
std::string forecastOwnRun(const orchestrator::JobForecast& f);
// Its explanation, one line per fact: "Done in ~1m 5s (58 s – 1m 12s)", "Starts in ~40 s, after
// 5 jobs ahead", "Its own run ~7.8 s (7.2 s – 8.4 s), learned from 14 jobs like this".
std::string forecastExplanation(const orchestrator::JobForecast& f, int64_t nowMicros);

// "queue drains in ~1m 5s (58 s – 1m 12s)", "queue drains in at least 42 s (3 without an
// estimate)"; brief: "drains in ~1m 5s".
std::string drainText(const orchestrator::QueueDrainForecast& d, int64_t nowMicros, bool brief);

}  // namespace genmon::ui
