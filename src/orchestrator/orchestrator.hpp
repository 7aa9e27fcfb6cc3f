#pragma once
// GenerationOrchestrator: the facade of the contract (seeds/generation-orchestrator-facade-
// contract.md) in C++. State is owned by the worker (the Executor); every action posts a task
// there and answers through a future. Reading goes through the published Snapshot only and
// never calls the transport. No timer or socket exists before initialize().
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/generation_request.hpp"
#include "orchestrator/event_queue.hpp"
#include "orchestrator/eta_estimator.hpp"
#include "orchestrator/executor.hpp"
#include "orchestrator/image_loader.hpp"
#include "orchestrator/job_history.hpp"
#include "orchestrator/lifecycle_sink.hpp"
#include "orchestrator/metrics.hpp"
#include "orchestrator/publisher.hpp"
#include "orchestrator/queue_forecast.hpp"
#include "orchestrator/queue_module.hpp"
#include "orchestrator/reply.hpp"
#include "orchestrator/results_module.hpp"
#include "orchestrator/snapshot_buffer.hpp"
#include "orchestrator/system_status_module.hpp"
#include "orchestrator/transport.hpp"

namespace genmon::orchestrator {

// Decision 3 and spec §6.3; every interval configurable.
struct PollSettings {
    int queueWhileSocketDownMs = 2000;
    int queueWhileSocketUpMs = 10000;
    int statusMs = 10000;
    int optimisticGraceMs = 20000;   // decision 4
    int activeJobsLimit = 200;       // decision 10: ask for the most the backend lists
    int resultsRefreshDelayMs = 250; // after a job completes (decision 5), coalesced
    int publishCoalesceMs = 4;       // at most one snapshot per few ms under load
    int maxConcurrentImageLoads = 4;
};

inline constexpr size_t kStoredMatchesShown = 200;  // issue 18.2: stored search matches in a snapshot

struct OrchestratorOptions {
    double historyLimit = kDefaultHistoryLimit;
    BackendConfig backend;
    PollSettings polls;
    bool usePush = true;  // the progress WebSocket (decision 1); polling continues regardless
    // Issue 18: the history that records every job seen and gives back the past; null: none.
    std::shared_ptr<LifecycleSink> lifecycleSink;
    size_t storedRunsForEta = 500;  // finished runs read back at initialize for the learned ETA
};

struct StartedGeneration {
    std::string jobId;  // the backend's id (delivery_id or job_id)
    model::JobStatus status = model::JobStatus::Queued;
};

// clearQueue never fails as a whole (§7.1): it reports each outcome.
struct ClearQueueReport {
    size_t requested = 0;
    size_t cancelled = 0;
    std::vector<std::string> failures;  // "<id>: <server text>"
};

// Issue 18: "Retry failed" re-runs each job on its own and reports each outcome.
struct RunAgainReport {
    size_t requested = 0;
    std::vector<std::string> queued;    // the new jobs' ids
    std::vector<std::string> failures;  // "<old id>: <why>"
};

class GenerationOrchestrator final : private UpdateSink {
public:
    GenerationOrchestrator(Executor& worker, TransportFactory factory, SnapshotBuffer& buffer, EventQueue& events);
    ~GenerationOrchestrator() override;
    GenerationOrchestrator(const GenerationOrchestrator&) = delete;
    GenerationOrchestrator& operator=(const GenerationOrchestrator&) = delete;

    // ---- reading: the published snapshot; no transport call, no watcher, no mutation ----
    SnapshotPtr snapshot() const { return buffer_.acquire(); }
    JobList jobs() const { return snapshot()->jobs; }
    JobList activeJobs() const { return snapshot()->activeJobs; }
    JobList sortedActiveJobs() const { return snapshot()->sortedActiveJobs; }
    std::shared_ptr<const ResultList> recentResults() const { return snapshot()->recentResults; }
    std::shared_ptr<const model::SystemStatus> systemStatus() const { return snapshot()->systemStatus; }
    bool isConnected() const { return snapshot()->isConnected; }
    bool queueManagerActive() const { return snapshot()->queueManagerActive; }
    int historyLimit() const { return snapshot()->historyLimit; }
    int pollIntervalMs() const { return snapshot()->pollIntervalMs; }
    bool systemStatusReady() const { return snapshot()->systemStatusReady; }
    std::optional<model::Timestamp> systemStatusLastUpdated() const { return snapshot()->systemStatusLastUpdated; }
    bool systemStatusApiAvailable() const { return snapshot()->systemStatusApiAvailable; }
    bool isActive() const { return snapshot()->isActive; }
    // Utilities that only read: answered from the snapshot.
    bool isJobCancellable(std::string_view id) const;
    std::vector<model::JobPtr> getCancellableJobs() const;

    // ---- data loading and transport actions ----
    StatusFuture loadSystemStatusData();
    StatusFuture loadActiveJobsData();
    StatusFuture loadRecentResults(bool notifySuccess = false);
    StatusFuture refreshAllData();
    StatusFuture handleBackendUrlChange(BackendConfig backend);
    // rerunOf: the job this one runs again (issue 18, "Run again"); the history links the two.
    std::future<model::Outcome<StartedGeneration>> startGeneration(
        model::GenerationRequest request, model::GenerationMode mode = model::GenerationMode::Deferred,
        std::string rerunOf = {});
    // Issue 18: re-queues a job's exact parameters (deferred) under a new job that the history
    // links to the old one. The parameters come from the queue, the jobs that left it, or the
    // history (LifecycleSink::storedParams); NotFound when none knows them.
    std::future<model::Outcome<StartedGeneration>> runAgain(std::string jobId);
    std::future<model::Outcome<RunAgainReport>> runAgainAll(std::vector<std::string> jobIds);
    StatusFuture cancelJob(std::string id);
    std::future<model::Outcome<ClearQueueReport>> clearQueue();
    StatusFuture deleteResult(std::string resultId);

    // ---- queue and result utilities, run on the worker ----
    StatusFuture enqueueJob(model::Job job);
    StatusFuture setJobs(std::vector<model::Job> jobs);
    StatusFuture ingestQueue(std::vector<model::Job> jobs);
    StatusFuture updateJob(std::string id, JobUpdate update);  // unknown id: NotFound
    StatusFuture removeJob(std::string id);
    StatusFuture clearCompletedJobs();
    StatusFuture handleProgressMessage(model::ProgressMessage m);
    StatusFuture handleCompletionMessage(model::CompletionMessage m);
    StatusFuture handleErrorMessage(model::ErrorMessage m);
    StatusFuture setResults(std::vector<model::GenerationResult> results);
    StatusFuture addResult(model::GenerationResult result);
    StatusFuture removeResult(std::string id);
    StatusFuture setHistoryLimit(double limit);
    StatusFuture resetResults();

    // ---- genmon additions ----
    StatusFuture setQueueView(QueueViewSpec spec);  // filter and sort, kept by the worker
    StatusFuture pauseTransport();                  // §7.1: stop polling and the socket
    StatusFuture resumeTransport();                 // refreshAll, then socket and polling
    StatusFuture setPollSettings(PollSettings polls);

private:
    // ---- lifecycle: only the manager reaches it (contract: "invoked exactly once per lifecycle
    // via the orchestrator manager"); a consumer's reference cannot destroy behind its back ----
    friend class OrchestratorManager;
    StatusFuture initialize(OrchestratorOptions options);
    // The same, answering through a callback on the worker (the manager's continuation).
    void initializeThen(OrchestratorOptions options, Callback<model::Unit> then);
    StatusFuture cleanup();     // tears down the transport, keeps cached data
    StatusFuture destroy();     // cleanup + resetState
    StatusFuture resetState();  // clears queue, results, status; transport untouched

    // Worker-side implementation. Everything below runs on worker_ only.
    template <class T, class Fn>
    std::future<model::Outcome<T>> run(Fn&& fn);

    void doInitialize(OrchestratorOptions options, Callback<model::Unit> reply);
    void doCleanup();
    void doResetState();
    void refreshStatus(Callback<model::Unit> done, bool fromPoll);
    void refreshJobs(Callback<model::Unit> done);
    void refreshResults(bool notify, Callback<model::Unit> done);
    void keepLocalResults(std::vector<model::ResultPtr>& serverList) const;
    void refreshAll(Callback<model::Unit> done);
    void startTimers();
    void stopTimers();
    void scheduleQueuePoll();
    void scheduleStatusPoll();
    void scheduleResultsRefresh();
    void requestImages();
    void doStartGeneration(model::GenerationRequest request, model::GenerationMode mode, std::string rerunOf,
                           Callback<StartedGeneration> reply);
    model::Outcome<model::GenerationParams> paramsToRunAgain(const std::string& jobId);
    void doCancel(const std::string& id, Callback<model::Unit> done, bool notify);
    void noteCompletion(int64_t atMicros);
    // Issue 10: a job left the local queue. Its lifecycle goes to the history, and a finished run
    // teaches the ETA estimator. outcome nullopt: from the job's last status (Vanished if active).
    void recordDeparture(const model::JobPtr& job, std::optional<JobOutcome> outcome, int64_t nowMicros,
                         std::optional<double> serverRunSeconds = std::nullopt, std::string_view error = {},
                         std::string_view resultId = {});
    // A late message settled a departed job: the history hears the new outcome.
    void settleDeparture(std::string_view jobId, JobOutcome outcome, std::optional<double> serverRunSeconds,
                         std::string_view error = {}, std::string_view resultId = {});
    // Issue 18: once per backend, the timeline's last hour and the ETA's runs from the history.
    void seedFromHistory();
    // After a listing (or setJobs) replaced the queue: every job of `before` that is gone left.
    void recordDepartures(const std::vector<model::JobPtr>& before, int64_t nowMicros);
    std::vector<model::JobPtr> queuedJobsNow() const;
    bool learnRun(const JobLifecycle& entry, std::optional<double> serverRunSeconds);
    // Live metrics: a job's running time starts when it is first seen processing and ends when
    // it completes (counted once, also when both a progress and a completion message say so).
    static std::optional<double> runSecondsOf(const model::Job& job, int64_t atMicros);
    void scheduleMetricsSample();
    void notify(NotificationKind kind, std::string message, std::string detail = {}, std::string jobId = {});
    void markDirty();
    void publishNow();
    void buildSnapshot(Snapshot& s, int64_t nowMicros);
    void scheduleForecast();
    bool current(uint64_t epoch) const { return epoch == epoch_ && transport_ != nullptr; }

    // What the socket says, as one Update applied with one switch (issue 15.1); the contract's
    // handle*Message utilities apply the same way.
    void apply(Update update) override;
    void onProgress(const model::ProgressMessage& m);
    void onCompletion(const model::CompletionMessage& m);
    void onJobError(const model::ErrorMessage& m);
    void onStarted(const model::StartedMessage& m);
    void onQueueUpdate(std::vector<model::Job> jobs);
    void onSystemStatus(const model::SystemStatusPatch& patch);
    void onConnection(const ConnectionInfo& info);

    Executor& worker_;
    TransportFactory factory_;
    SnapshotBuffer& buffer_;
    EventQueue& events_;

    // ---- worker-owned state ----
    QueueModule queue_;
    JobHistoryLog history_;  // issue 10: jobs that left the queue, for the timeline
    EtaEstimator eta_;       // issue 10: learned from finished runs
    ResultsModule results_;
    SystemStatusModule status_;
    std::unique_ptr<Transport> transport_;
    OrchestratorOptions options_;
    ConnectionInfo connection_;
    bool isActive_ = false;
    bool queueManagerActive_ = false;
    bool paused_ = false;
    bool statusPollStopped_ = false;  // after a 404, until a backend change or manual refresh
    bool everConnected_ = false;
    int pollIntervalMs_ = 10000;
    uint64_t epoch_ = 0;  // bumped when the transport changes; stale callbacks are ignored
    TimerId queueTimer_ = 0, statusTimer_ = 0, resultsTimer_ = 0;
    bool jobsInFlight_ = false, statusInFlight_ = false, resultsInFlight_ = false;
    int64_t jobsUpdatedAt_ = 0, resultsUpdatedAt_ = 0, statusUpdatedAt_ = 0;
    std::string lastRefreshError_;
    int64_t serverQueueLength_ = 0;
    std::deque<int64_t> completions_;  // completion times, last 5 minutes
    uint64_t localIdCounter_ = 0;
    MetricsRecorder metrics_;
    TimerId metricsTimer_ = 0;
    std::shared_ptr<const StoredMatches> storedMatches_;  // issue 18.2: the queue search's stored jobs
    std::shared_ptr<const StoredMatches> searchStored(const std::string& filter);
    std::string seededFor_;
    std::shared_ptr<const StoredThroughput> storedThroughput_;  // issue 18.3, re-read at most every 30 s
    void refreshStoredThroughput(int64_t nowMicros, bool force);  // issue 18: the backend whose stored past was read (empty: none yet)
    QueueForecaster forecaster_;  // issue 14.4: when each active job will be done
    TimerId forecastTimer_ = 0;
    int64_t forecastDueMicros_ = 0;
    ImageLoader images_;   // writes into results_
    Publisher publisher_;  // last: built from the state above
};

}  // namespace genmon::orchestrator
