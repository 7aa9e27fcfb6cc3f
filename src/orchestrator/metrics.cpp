#include "orchestrator/metrics.hpp"

#include <algorithm>
#include <numeric>

namespace genmon::orchestrator {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

MetricsRecorder::MetricsRecorder() : live_(std::make_unique<MetricsSeries>()) {}

void MetricsRecorder::noteCompletion(int64_t atMicros, std::optional<double> runSeconds) noexcept {
    ++pendingCompletions_;
    ++live_->completionsTotal;
    if (!runSeconds || !std::isfinite(*runSeconds) || *runSeconds < 0) return;
    finished_[finishedNext_] = Finished{atMicros, *runSeconds};
    finishedNext_ = (finishedNext_ + 1) % kDurationReservoir;
    finishedSize_ = std::min(finishedSize_ + 1, kDurationReservoir);
}

void MetricsRecorder::start(int64_t nowMicros) noexcept {
    if (started()) return;
    nextSampleMicros_ = nowMicros + kMetricSampleMicros;
}

bool MetricsRecorder::sample(int64_t nowMicros, const MetricsInputs& inputs) {
    if (!started()) {
        start(nowMicros);
        return false;
    }
    if (nowMicros < nextSampleMicros_ - kMetricSampleMicros) {
        // The wall clock was set back: count seconds from here, keeping what was counted so far.
        nextSampleMicros_ = nowMicros + kMetricSampleMicros;
        return false;
    }
    if (nowMicros < nextSampleMicros_) return false;
    int64_t due = (nowMicros - nextSampleMicros_) / kMetricSampleMicros + 1;
    const auto maxDue = static_cast<int64_t>(kMetricSeconds);
    if (due > maxDue) {  // older seconds would be overwritten anyway
        nextSampleMicros_ += (due - maxDue) * kMetricSampleMicros;
        due = maxDue;
    }
    for (int64_t i = 0; i < due; ++i) {
        closeSecond(nextSampleMicros_, inputs, i == due - 1);
        nextSampleMicros_ += kMetricSampleMicros;
    }
    live_->newestSampleMicros = nextSampleMicros_ - kMetricSampleMicros;
    pendingMessages_ = pendingReconnects_ = 0;
    pendingCompletions_ = 0;
    publish();
    return true;
}

void MetricsRecorder::closeSecond(int64_t endMicros, const MetricsInputs& in, bool newest) {
    MetricsSeries& s = *live_;
    s[Metric::QueueDepth].push(static_cast<double>(in.queueDepth));

    // Counts since the last sample belong to the newest second; skipped seconds were idle.
    completedPerSecond_[completedAt_] = newest ? pendingCompletions_ : 0;
    completedAt_ = (completedAt_ + 1) % completedPerSecond_.size();
    s[Metric::JobsPerMinute].push(
        static_cast<double>(std::accumulate(completedPerSecond_.begin(), completedPerSecond_.end(), uint64_t{0})));

    // Nearest rank over the durations of the window: p95 first, then p50 among the values below it.
    size_t n = 0;
    for (size_t i = 0; i < finishedSize_; ++i)
        if (finished_[i].atMicros > endMicros - kDurationWindowMicros) scratch_[n++] = finished_[i].seconds;
    if (n == 0) {
        s[Metric::DurationP50Seconds].push(kNaN);
        s[Metric::DurationP95Seconds].push(kNaN);
    } else {
        auto rankIndex = [n](double p) {
            const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(n)));
            return std::clamp<size_t>(rank, 1, n) - 1;
        };
        const size_t i95 = rankIndex(0.95), i50 = rankIndex(0.50);
        auto first = scratch_.begin();
        std::nth_element(first, first + static_cast<std::ptrdiff_t>(i95), first + static_cast<std::ptrdiff_t>(n));
        const double p95 = scratch_[i95];
        std::nth_element(first, first + static_cast<std::ptrdiff_t>(i50), first + static_cast<std::ptrdiff_t>(i95) + 1);
        s[Metric::DurationP50Seconds].push(scratch_[i50]);
        s[Metric::DurationP95Seconds].push(p95);
    }

    s[Metric::WsMessagesPerSecond].push(newest ? static_cast<double>(pendingMessages_) : 0.0);
    s[Metric::Reconnects].push(newest ? static_cast<double>(pendingReconnects_) : 0.0);

    double parseMillis = 0;
    if (newest) {
        // A transport's totals only grow; smaller ones come from a transport made since.
        if (in.parse.nanos < parseBaseline_.nanos || in.parse.decodes < parseBaseline_.decodes) parseBaseline_ = {};
        parseMillis = static_cast<double>(in.parse.nanos - parseBaseline_.nanos) / 1e6;
        parseBaseline_ = in.parse;
    }
    s[Metric::ParseMillisPerSecond].push(parseMillis);

    s[Metric::SnapshotAgeSeconds].push(
        in.newestDataMicros > 0 ? static_cast<double>(std::max<int64_t>(0, endMicros - in.newestDataMicros)) / 1e6
                                : kNaN);
}

void MetricsRecorder::publish() {
    // A fresh copy each second (about 40 KB): recycling copies the UI might still be reading
    // would need a use_count() check plus a fence, which ThreadSanitizer cannot follow.
    published_ = std::make_shared<const MetricsSeries>(*live_);
}

}  // namespace genmon::orchestrator
