#pragma once
// The frame-stable, immutable state the UI draws from (contract: "Reactive State").
// Built on the worker off-lock with structural sharing; handed out as
// std::shared_ptr<const Snapshot>, so nothing reachable from it can be changed.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/names.hpp"
#include "model/result.hpp"
#include "model/system_status.hpp"
#include "model/timestamp.hpp"
#include "orchestrator/eta_estimator.hpp"
#include "orchestrator/job_history.hpp"
#include "orchestrator/job_list.hpp"
#include "orchestrator/metrics.hpp"
#include "orchestrator/queue_forecast.hpp"

namespace genmon::orchestrator {

using ResultList = std::vector<model::ResultPtr>;

// The transport phase of the spec §3.2 telemetry; the enum and its names live in the model.
using model::ConnectionPhase;
using model::phaseName;

struct ConnectionInfo {
    friend bool operator==(const ConnectionInfo&, const ConnectionInfo&) = default;
    ConnectionPhase phase = ConnectionPhase::Idle;
    std::string lastError;                 // readable, empty when none
    int reconnectAttempt = 0;
    int64_t nextRetryAtMicros = 0;         // when reconnecting: when the next attempt starts
    int64_t lastConnectedAtMicros = 0;
    int64_t lastDisconnectedAtMicros = 0;
    std::string socketUrl;                 // ws://... (never carries the API key)
};

// What the queue view asked for (filter text and sort); the worker keeps the matching rows
// ordered incrementally so the UI never filters or sorts per frame.
enum class QueueSortColumn : uint8_t { Default, Status, Prompt, Progress, Created, Id };
struct QueueViewSpec {
    std::string filter;  // case-insensitive substring over prompt, ids and status
    QueueSortColumn column = QueueSortColumn::Default;
    bool descending = false;
    friend bool operator==(const QueueViewSpec&, const QueueViewSpec&) = default;
};

struct QueueCountsLocal {
    size_t queued = 0, processing = 0, completed = 0, failed = 0;
};

// Issue 18: the stored jobs of this backend that match the queue's search (the history's query
// language), newest first, without the ones the queue holds now. finishedAtMicros is 0 for a
// job whose end the history never saw; its job's status is the last one stored.
// Issue 18.3: finished jobs per hour and per day, from the history (every backend it holds).
struct ThroughputBin {
    int64_t startMicros = 0;
    uint32_t succeeded = 0, failed = 0, cancelled = 0, left = 0;
    uint32_t finished() const noexcept { return succeeded + failed + cancelled + left; }
};
struct StoredThroughput {
    std::vector<ThroughputBin> hours;  // the last 24 hours, oldest first
    std::vector<ThroughputBin> days;   // the last 14 local days, oldest first
    int64_t readAtMicros = 0;
};

struct StoredMatches {
    std::string filter;           // the search they answer
    std::string error;            // why the search is not valid, one line ("" when it is)
    std::vector<JobLifecycle> jobs;
    bool more = false;            // the limit cut the list
};

struct Snapshot {
    uint64_t version = 0;         // every publish
    uint64_t contentVersion = 0;  // only when something a person sees changed (not data ages)
    int64_t builtAtMicros = 0;

    // ---- the thirteen state keys of the contract ----
    JobList jobs;              // raw queue contents in insertion order
    JobList activeJobs;        // queued or processing, insertion order
    JobList sortedActiveJobs;  // the whole local queue in the §4.6 order
    std::shared_ptr<const ResultList> recentResults = std::make_shared<const ResultList>();
    std::shared_ptr<const model::SystemStatus> systemStatus = std::make_shared<const model::SystemStatus>();
    bool isConnected = false;
    bool queueManagerActive = false;
    int historyLimit = 10;
    int pollIntervalMs = 10000;
    bool systemStatusReady = false;
    std::optional<model::Timestamp> systemStatusLastUpdated;
    bool systemStatusApiAvailable = true;
    bool isActive = false;

    // ---- genmon's own additions ----
    ConnectionInfo connection;
    std::shared_ptr<const model::SystemMetrics> systemMetrics;  // null until a payload carries them
    std::string backendUrl;
    bool simulatedBackend = false;
    bool insecureTls = false;
    std::string replayName;  // non-empty: the data comes from this recording (--replay)
    // When each kind of data last arrived successfully (0 = never): the UI shows its age.
    int64_t jobsUpdatedAtMicros = 0;
    int64_t resultsUpdatedAtMicros = 0;
    int64_t statusUpdatedAtMicros = 0;
    std::string lastRefreshError;  // the latest failed refresh, readable; cleared by a success
    QueueCountsLocal counts;
    // The server lists at most 200 active jobs (decision 10): how many it says exist.
    int64_t serverQueueLength = 0;
    double jobsPerMinute = 0;      // completions over the last 5 minutes
    QueueViewSpec queueViewSpec;
    JobList queueView;             // sortedActiveJobs filtered and sorted per queueViewSpec
    // Issue 10: jobs that left the queue (the timeline) and the learned ETA model. Both are
    // replaced only when a job leaves the queue; null means empty / nothing learned.
    std::shared_ptr<const JobHistory> jobHistory;
    std::shared_ptr<const EtaModel> etaModel;
    // Issue 14: when each active job will be done, and the whole queue. Recomputed by the worker
    // when the active set or the model changes, else once a second while jobs are active; null
    // when nothing is active. Absolute worker-clock times: the UI only subtracts its `now`.
    // Not part of sameContent: what triggers a recompute (lists, model) is content already, and
    // the once-a-second refresh moves numbers the UI redraws with its clock texts anyway.
    std::shared_ptr<const QueueForecast> queueForecast;
    // Live metrics (issue 10): the last 10 minutes, one sample a second; replaced once a second,
    // shared by the snapshots in between. Null until the first second closed.
    MetricsSeriesPtr metrics;
    // Issue 17.4: genmon's counts since it started (Prometheus); replaced when a count changes.
    CumulativeMetricsPtr cumulative;
    // Issue 18: what the queue's search found in the history; null without a history or a search.
    std::shared_ptr<const StoredMatches> storedMatches;
    // Issue 18.3: per-hour and per-day throughput from the history; null without a history.
    std::shared_ptr<const StoredThroughput> storedThroughput;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// True when b shows what a shows (the publisher's contentVersion): the worker compares by
// identity, which holds because unchanged lists keep their storage. Not compared, on purpose:
// version, contentVersion, builtAtMicros; the freshness times ("updated 3 s ago": jobs/results/
// statusUpdatedAtMicros, systemStatusLastUpdated); counts (follow the lists); queueForecast (see above); metrics and
// cumulative (a second closing is not news: the Metrics panel redraws once a second itself).
inline bool sameContent(const Snapshot& a, const Snapshot& b) noexcept {
    return a.jobs.sameAs(b.jobs) && a.activeJobs.sameAs(b.activeJobs) && a.sortedActiveJobs.sameAs(b.sortedActiveJobs) &&
           a.queueView.sameAs(b.queueView) && a.recentResults == b.recentResults && a.systemStatus == b.systemStatus &&
           a.systemMetrics == b.systemMetrics && a.isConnected == b.isConnected &&
           a.queueManagerActive == b.queueManagerActive && a.historyLimit == b.historyLimit &&
           a.pollIntervalMs == b.pollIntervalMs && a.systemStatusReady == b.systemStatusReady &&
           a.systemStatusApiAvailable == b.systemStatusApiAvailable && a.isActive == b.isActive &&
           a.connection == b.connection && a.backendUrl == b.backendUrl && a.simulatedBackend == b.simulatedBackend &&
           a.insecureTls == b.insecureTls && a.replayName == b.replayName && a.lastRefreshError == b.lastRefreshError &&
           a.serverQueueLength == b.serverQueueLength && a.jobsPerMinute == b.jobsPerMinute &&
           a.queueViewSpec == b.queueViewSpec && a.jobHistory == b.jobHistory && a.etaModel == b.etaModel &&
           a.storedMatches == b.storedMatches && a.storedThroughput == b.storedThroughput;
}
// A new field changes this size: put the field in sameContent above, or in its list of the ones
// not compared, then update the number (x86-64, libstdc++).
static_assert(sizeof(Snapshot) == 712, "Snapshot changed: classify the new field in sameContent, then update this size");

}  // namespace genmon::orchestrator
