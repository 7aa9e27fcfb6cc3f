#pragma once
// Live metrics (issue 10): genmon watching itself, as Tracy's connection panel does.
//
// The worker counts events as they happen (a socket message, a reconnect, a finished job: one
// increment each) and, once a second, closes that second: one sample per series. Every series
// is a fixed ring of the last 600 seconds; nothing allocates after construction. The snapshot
// shares one immutable copy of all rings, replaced only when a second closes, so a publish
// copies a pointer, never the samples.
//
// UI frame time is not here: it is measured on the UI thread and stays there (ui/metrics_view).
//
// Issue 17.4: the recorder also keeps genmon's cumulative counts for the Prometheus exposition
// (CumulativeMetrics, below): counters and histograms since genmon started, which never go back.
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "orchestrator/job_history.hpp"

namespace genmon::orchestrator {

inline constexpr size_t kMetricSeconds = 600;  // 10 minutes at one sample a second
inline constexpr int64_t kMetricSampleMicros = 1'000'000;

// One value per second, oldest first, over the last kMetricSeconds. NaN marks a second that has
// no value (no job has finished yet, so there is no duration to take a percentile of), which is
// not the same as a real zero.
class SecondRing {
public:
    static constexpr size_t capacity() noexcept { return kMetricSeconds; }
    void push(double value) noexcept {
        values_[next_] = value;
        next_ = (next_ + 1) % kMetricSeconds;
        if (size_ < kMetricSeconds) ++size_;
    }
    void clear() noexcept { next_ = size_ = 0; }
    size_t size() const noexcept { return size_; }
    // secondsAgo 0 is the newest sample; NaN beyond what was recorded.
    double ago(size_t secondsAgo) const noexcept {
        if (secondsAgo >= size_) return std::numeric_limits<double>::quiet_NaN();
        return values_[(next_ + kMetricSeconds - 1 - secondsAgo) % kMetricSeconds];
    }
    double newest() const noexcept { return ago(0); }

private:
    std::array<double, kMetricSeconds> values_{};
    size_t next_ = 0;
    size_t size_ = 0;
};

enum class Metric : uint8_t {
    QueueDepth,            // jobs queued + processing at the end of the second
    JobsPerMinute,         // jobs completed in the trailing 60 s
    DurationP50Seconds,    // running time of jobs completed in the trailing 5 min (NaN: none)
    DurationP95Seconds,
    WsMessagesPerSecond,   // socket messages delivered to the orchestrator during the second
    ParseMillisPerSecond,  // time spent decoding JSON (HTTP bodies and socket frames) in the second
    SnapshotAgeSeconds,    // end of the second minus the newest data's arrival (NaN: no data yet)
    Reconnects,            // socket reconnects completed during the second
};
inline constexpr size_t kMetricCount = 8;

// Every series at one moment. Immutable once published.
struct MetricsSeries {
    int64_t newestSampleMicros = 0;  // the end of the second the newest samples describe
    uint64_t reconnectsTotal = 0;    // since the orchestrator started
    uint64_t completionsTotal = 0;
    uint64_t wsMessagesTotal = 0;
    std::array<SecondRing, kMetricCount> rings;

    const SecondRing& operator[](Metric m) const noexcept { return rings[static_cast<size_t>(m)]; }
    SecondRing& operator[](Metric m) noexcept { return rings[static_cast<size_t>(m)]; }
};
using MetricsSeriesPtr = std::shared_ptr<const MetricsSeries>;

// Cumulative decode effort of one transport (its JSON decoder's own tally).
struct ParseTotals {
    uint64_t decodes = 0;
    int64_t nanos = 0;
};

// What the worker reads when a second closes.
struct MetricsInputs {
    size_t queueDepth = 0;
    int64_t newestDataMicros = 0;  // max of the jobs' and the status' arrival times; 0: never
    ParseTotals parse;             // the current transport's totals so far
};

// ---- Cumulative counts (issue 17.4: the Prometheus exposition) -------------------------------
//
// genmon's own counts for one backend since it started. They only grow: reconnects, initialize
// retries, a backend restart or a new URL reset nothing here (Prometheus takes a counter that
// goes down for a restart of genmon itself).

// Bucket upper bounds in seconds for job run and queue-wait times: image generation takes from
// half a second to many minutes.
inline constexpr std::array<double, 11> kJobSecondsBuckets{0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600};

struct SecondsHistogram {
    // Observations per bucket (not cumulative); the last one holds those above the last bound.
    std::array<uint64_t, kJobSecondsBuckets.size() + 1> counts{};
    double sum = 0;
    uint64_t count = 0;
    void observe(double seconds) noexcept;
};

// Immutable once published; the snapshot shares one until something counted changes.
struct CumulativeMetrics {
    // Jobs that left the local queue, by outcome. Vanished ("unknown"): no longer listed and no
    // message said how it ended within kUnknownOutcomeGraceMicros.
    std::array<uint64_t, 4> jobsFinished{};
    SecondsHistogram runSeconds;        // completed jobs whose running time is known
    SecondsHistogram queueWaitSeconds;  // jobs that ran: from created_at to the start of the run
    uint64_t socketMessages = 0;        // WebSocket messages delivered to the orchestrator
    uint64_t reconnects = 0;            // the socket connected again after having been connected
    double parseSeconds = 0;            // time spent decoding JSON, every transport of this backend
    uint64_t parses = 0;                // decode calls

    uint64_t finished(JobOutcome o) const noexcept { return jobsFinished[static_cast<size_t>(o)]; }
};
using CumulativeMetricsPtr = std::shared_ptr<const CumulativeMetrics>;

// Worker-owned: every call on the worker thread.
class MetricsRecorder {
public:
    static constexpr int64_t kJobsPerMinuteWindowMicros = 60 * kMetricSampleMicros;
    static constexpr int64_t kDurationWindowMicros = 5 * 60 * kMetricSampleMicros;
    // The newest finished jobs' durations, at most this many: a busy backend's percentiles come
    // from its latest completions instead of every job of the last five minutes.
    static constexpr size_t kDurationReservoir = 256;

    MetricsRecorder();

    // ---- counted at event time: O(1), no allocation ----
    void noteMessage() noexcept {
        ++pendingMessages_;
        ++live_->wsMessagesTotal;
        ++cumulative_.socketMessages;
        cumulativeChanged_ = true;
    }
    void noteReconnect() noexcept {
        ++pendingReconnects_;
        ++live_->reconnectsTotal;
        ++cumulative_.reconnects;
        cumulativeChanged_ = true;
    }
    // A job completed; runSeconds is its running time when known (not its time in the queue).
    void noteCompletion(int64_t atMicros, std::optional<double> runSeconds) noexcept;
    // A new transport counts its decode time from zero.
    void transportChanged() noexcept { parseBaseline_ = {}; }

    // ---- cumulative counts (issue 17.4) ----
    // How long a job that left the queue without a word may wait for the message that says how it
    // ended (the socket's final message can come a monitor tick after the listing dropped it).
    static constexpr int64_t kUnknownOutcomeGraceMicros = 30 * kMetricSampleMicros;
    static constexpr size_t kMaxUnsettled = 1024;  // beyond this the oldest counts as unknown at once
    // A job left the local queue (the entry the job history gets). A known outcome is counted now,
    // with its run and queue-wait times; a job that vanished waits for noteLateOutcome, so each
    // job counts once, under its real outcome when genmon learns it.
    void noteDeparture(const JobLifecycle& entry, std::optional<double> serverRunSeconds, int64_t nowMicros);
    // A completion or error message about a job that is no longer in the local queue: settles it
    // when it vanished recently (otherwise nothing: it was counted when it left).
    void noteLateOutcome(std::string_view jobId, JobOutcome outcome, std::optional<double> serverRunSeconds);
    // The counts as they are, one immutable copy shared until something counted changes.
    CumulativeMetricsPtr cumulative();

    // ---- once a second ----
    // Seconds are counted from the first call; start() there, then call sample() when
    // nextSampleMicros() is reached. Each call closes every second that ended by nowMicros: the
    // newest takes the counts since the last sample, seconds that were skipped (a busy worker) get
    // the idle values (zero messages, zero reconnects), never a gap. Returns true when a second
    // closed and series() changed.
    void start(int64_t nowMicros) noexcept;
    bool started() const noexcept { return nextSampleMicros_ != 0; }
    int64_t nextSampleMicros() const noexcept { return nextSampleMicros_; }
    bool sample(int64_t nowMicros, const MetricsInputs& inputs);

    // The latest closed seconds, shared by every snapshot until the next one closes (null until
    // the first second closed).
    MetricsSeriesPtr series() const noexcept { return published_; }

private:
    void closeSecond(int64_t endMicros, const MetricsInputs& inputs, bool newest);
    double percentile(double p, int64_t endMicros);
    void publish();
    void countOutcome(JobOutcome outcome, const JobLifecycle& entry, std::optional<double> serverRunSeconds);
    void expireUnsettled(int64_t nowMicros);

    struct Finished {
        int64_t atMicros = 0;
        double seconds = 0;
    };

    std::unique_ptr<MetricsSeries> live_;  // the worker's rings, written once a second
    MetricsSeriesPtr published_;

    int64_t nextSampleMicros_ = 0;
    uint64_t pendingMessages_ = 0;
    uint64_t pendingReconnects_ = 0;
    ParseTotals parseBaseline_;
    // Completions per closed second, the last 60 seconds (jobs per minute).
    std::array<uint32_t, 60> completedPerSecond_{};
    size_t completedAt_ = 0;
    uint32_t pendingCompletions_ = 0;
    // Durations of the newest completions, oldest overwritten first.
    std::array<Finished, kDurationReservoir> finished_{};
    size_t finishedNext_ = 0, finishedSize_ = 0;
    std::array<double, kDurationReservoir> scratch_{};  // the percentile's working copy

    CumulativeMetrics cumulative_;
    CumulativeMetricsPtr cumulativePublished_;
    bool cumulativeChanged_ = true;
    struct Unsettled {
        JobLifecycle entry;  // as it left, Vanished
        int64_t leftAtMicros = 0;
    };
    std::vector<Unsettled> unsettled_;  // oldest first, at most kMaxUnsettled
};

}  // namespace genmon::orchestrator
