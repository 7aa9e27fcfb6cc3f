#include "ui/eta_text.hpp"

#include <algorithm>
#include <string_view>

#include "ui/format.hpp"

namespace genmon::ui {

namespace {
constexpr std::string_view kDashRange = " \xE2\x80\x93 ";  // " – "
constexpr std::string_view kAtLeast = "\xE2\x89\xA5";       // "≥"

// Appends the pieces in order (plain appends: g++ 12 warns falsely on "literal" + std::string).
template <class... Parts>
std::string cat(const Parts&... parts) {
    std::string s;
    (s.append(std::string_view(parts)), ...);
    return s;
}

std::string range(double low, double high) { return cat(formatDuration(low), kDashRange, formatDuration(high)); }

std::string jobs(size_t n) { return cat(std::to_string(n), n == 1 ? " job" : " jobs"); }
}  // namespace

std::string etaExplanation(const orchestrator::EtaEstimate& e) {
    if (e.source == orchestrator::EtaSource::Server) return "the server's estimate";
    const std::string learned = cat(range(e.low, e.high), ", learned from ", jobs(static_cast<size_t>(e.basisJobs)));
    if (e.source == orchestrator::EtaSource::Exact) return cat(learned, " like this");
    return cat(learned, " (", orchestrator::etaSourceText(e.source), ")");
}

double secondsUntil(int64_t at, int64_t now) { return std::max(0.0, static_cast<double>(at - now) / 1e6); }

std::string forecastCell(const orchestrator::JobForecast& f, int64_t now) {
    if (f.running && f.own.overdue) return "late";
    const std::string left = formatDuration(secondsUntil(f.doneAtMicros, now));
    return f.lowerBound() ? cat(kAtLeast, left) : left;
}

std::string forecastDone(const orchestrator::JobForecast& f, int64_t now) {
    const std::string done = formatDuration(secondsUntil(f.doneAtMicros, now));
    if (f.lowerBound()) return cat("at least ", done);
    return cat("~", done, " (", range(secondsUntil(f.doneLowAtMicros, now), secondsUntil(f.doneHighAtMicros, now)), ")");
}

std::string forecastStart(const orchestrator::JobForecast& f, int64_t now) {
    if (f.running) return "running";
    if (f.ahead == 0) return "as soon as a worker is free (next in line)";
    std::string s = cat(f.aheadUnknown > 0 ? "at least " : "~", formatDuration(secondsUntil(f.startsAtMicros, now)),
                        ", after ", jobs(f.ahead), " ahead");
    if (f.aheadUnknown > 0) s += cat(" (", std::to_string(f.aheadUnknown), " of them without an estimate)");
    return s;
}

std::string forecastOwnRun(const orchestrator::JobForecast& f) {
    if (!f.ownKnown) return "no estimate (nothing learned for jobs like it)";
    if (f.own.source == orchestrator::EtaSource::Server) return cat(formatDuration(f.own.seconds), ", the server's estimate");
    return cat("~", formatDuration(f.own.seconds), " (", range(f.own.low, f.own.high), "), ", orchestrator::ownBasisText(f));
}

std::string forecastExplanation(const orchestrator::JobForecast& f, int64_t now) {
    if (f.running) return cat(f.own.overdue ? "Running longer than expected\n" : "", etaExplanation(f.own));
    return cat("Done in ", forecastDone(f, now), "\nStarts in ", forecastStart(f, now), "\nIts own run ",
               forecastOwnRun(f));
}

std::string drainText(const orchestrator::QueueDrainForecast& d, int64_t now, bool brief) {
    const std::string at = formatDuration(secondsUntil(d.atMicros, now));
    if (brief) return cat(d.unknown > 0 ? "drains in at least " : "drains in ~", at);
    if (d.unknown > 0) return cat("queue drains in at least ", at, " (", std::to_string(d.unknown), " without an estimate)");
    return cat("queue drains in ~", at, " (", range(secondsUntil(d.lowAtMicros, now), secondsUntil(d.highAtMicros, now)),
               ")");
}

}  // namespace genmon::ui
