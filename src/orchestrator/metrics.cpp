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
    expireUnsettled(nowMicros);
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
        if (in.parse.decodes != parseBaseline_.decodes) {
            cumulative_.parseSeconds += parseMillis / 1e3;
            cumulative_.parses += in.parse.decodes - parseBaseline_.decodes;
            cumulativeChanged_ = true;
        }
        parseBaseline_ = in.parse;
    }
    s[Metric::ParseMillisPerSecond].push(parseMillis);

    s[Metric::SnapshotAgeSeconds].push(
        in.newestDataMicros > 0 ? static_cast<double>(std::max<int64_t>(0, endMicros - in.newestDataMicros)) / 1e6
                                : kNaN);
}

// ---- cumulative counts (issue 17.4) ----

void SecondsHistogram::observe(double seconds) noexcept {
    if (!std::isfinite(seconds) || seconds < 0) return;
    // Prometheus buckets are "less than or equal": a 0.5 s run belongs to le="0.5".
    const auto bound = std::lower_bound(kJobSecondsBuckets.begin(), kJobSecondsBuckets.end(), seconds);
    ++counts[static_cast<size_t>(bound - kJobSecondsBuckets.begin())];
    sum += seconds;
    ++count;
}

namespace {
bool sameJob(const JobLifecycle& e, std::string_view id) {
    return e.job && !id.empty() && (e.job->uiId == id || e.job->backendId == id);
}
}  // namespace

void MetricsRecorder::countOutcome(JobOutcome outcome, const JobLifecycle& e, std::optional<double> serverRunSeconds) {
    ++cumulative_.jobsFinished[static_cast<size_t>(outcome)];
    cumulativeChanged_ = true;
    if (outcome != JobOutcome::Completed) return;
    // The run as the ETA learns it: the server's total_duration, else the start genmon saw to the
    // end; never the time in the queue, never a run whose start was not seen (too short).
    if (serverRunSeconds && *serverRunSeconds > 0)
        cumulative_.runSeconds.observe(*serverRunSeconds);
    else if (e.startObserved && e.startedAtMicros > 0 && e.finishedAtMicros > e.startedAtMicros)
        cumulative_.runSeconds.observe(static_cast<double>(e.finishedAtMicros - e.startedAtMicros) / 1e6);
}

void MetricsRecorder::noteDeparture(const JobLifecycle& e, std::optional<double> serverRunSeconds, int64_t now) {
    if (!e.job) return;
    // Back in the queue after it vanished (relisted): that departure was not an end.
    std::erase_if(unsettled_, [&](const Unsettled& u) {
        return sameJob(u.entry, e.job->uiId.view()) || sameJob(u.entry, e.job->backendId.view());
    });
    // The wait is known once the job ran and its creation time is the server's.
    if (e.startedAtMicros > 0 && e.job->created_at.valid && e.startedAtMicros >= e.queuedAtMicros) {
        cumulative_.queueWaitSeconds.observe(static_cast<double>(e.startedAtMicros - e.queuedAtMicros) / 1e6);
        cumulativeChanged_ = true;
    }
    if (e.outcome != JobOutcome::Vanished) return countOutcome(e.outcome, e, serverRunSeconds);
    if (unsettled_.size() >= kMaxUnsettled) {
        countOutcome(JobOutcome::Vanished, unsettled_.front().entry, std::nullopt);
        unsettled_.erase(unsettled_.begin());
    }
    unsettled_.push_back(Unsettled{e, now});
}

void MetricsRecorder::noteLateOutcome(std::string_view id, JobOutcome outcome, std::optional<double> serverRunSeconds) {
    for (auto it = unsettled_.begin(); it != unsettled_.end(); ++it) {
        if (!sameJob(it->entry, id)) continue;
        countOutcome(outcome, it->entry, serverRunSeconds);
        unsettled_.erase(it);
        return;
    }
}

void MetricsRecorder::expireUnsettled(int64_t now) {
    size_t expired = 0;
    while (expired < unsettled_.size() && now - unsettled_[expired].leftAtMicros >= kUnknownOutcomeGraceMicros) {
        countOutcome(JobOutcome::Vanished, unsettled_[expired].entry, std::nullopt);
        ++expired;
    }
    unsettled_.erase(unsettled_.begin(), unsettled_.begin() + static_cast<std::ptrdiff_t>(expired));
}

CumulativeMetricsPtr MetricsRecorder::cumulative() {
    if (cumulativeChanged_ || !cumulativePublished_) {
        cumulativePublished_ = std::make_shared<const CumulativeMetrics>(cumulative_);
        cumulativeChanged_ = false;
    }
    return cumulativePublished_;
}

void MetricsRecorder::publish() {
    // A fresh copy each second (about 40 KB): recycling copies the UI might still be reading
    // would need a use_count() check plus a fence, which ThreadSanitizer cannot follow.
    published_ = std::make_shared<const MetricsSeries>(*live_);
}

}  // namespace genmon::orchestrator
