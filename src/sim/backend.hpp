#pragma once
// The sim's model of the upstream backend: the DeliveryJob table, the RQ workers, the WebSocket
// job monitors and the status collector, as a discrete-event simulation over a clock that is
// either the steady clock or driven by hand. Events due at the same instant run in a fixed
// order, so a seed and a sequence of calls always give the same jobs, timestamps and messages.
// Thread-safe (one mutex); knows nothing about sockets.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "model/error.hpp"
#include "model/generation_request.hpp"
#include "protocol/wire.hpp"
#include "sim/images.hpp"
#include "sim/rng.hpp"
#include "sim/sim_server.hpp"

namespace genmon::sim {

// The query options of /generate and /queue-generation that change what is stored (§2.4).
struct DeliveryOptions {
    bool saveImages = true;
    std::string returnFormat = "base64";  // base64, file_path, url
};

// A WebSocket message for the subscribers of one job.
struct WsOutgoing {
    std::string jobId;
    std::shared_ptr<const std::string> text;
};

enum class CancelOutcome : uint8_t { Cancelled, NotCancellable, NotFound };

// Scenario defaults resolved against the options (SimOptions' unset knobs filled in).
struct ScenarioPlan {
    int workers = 1;
    double failRate = 0.0;
    int arrivalIntervalMs = 0;
    int initialResults = 0;
    int initialFailed = 0;
    int initialPending = 0;
    int burstJobs = 0;
    int queueDepth = 0;  // arrivals only while fewer jobs wait or run (0: no bound)
    bool gpu = true;
    bool modelsLoaded = true;
};
model::Outcome<ScenarioPlan> planScenario(const SimOptions& options);

class Backend {
public:
    Backend(const SimOptions& options, const ScenarioPlan& plan);

    // Clock.
    int64_t wallMicros() const;  // the sim's "now" as Unix microseconds
    void advance(int64_t micros);
    void sync();  // run every event that the clock has reached
    std::optional<int64_t> microsUntilNextEvent();

    // HTTP operations; each first catches up with the clock. Bodies are JSON text.
    std::string systemStatusJson();
    std::string activeJobsJson(int limit);
    std::string resultsJson(int limit, int offset);
    std::optional<std::string> jobDetailJson(const std::string& id);
    std::string queueGeneration(const model::GenerationRequest& request, const DeliveryOptions& delivery);
    // Immediate mode: renders in the request, stores no job. deferredMonitor reproduces
    // upstream's /generate?mode=deferred, which also starts a monitor for the unknown id.
    // An error is the 500 upstream answers: its text is the pydantic message (spec §9.15).
    model::Outcome<std::string> generateImmediateJson(const model::GenerationRequest& request,
                                                      const DeliveryOptions& delivery, bool deferredMonitor);
    CancelOutcome cancel(const std::string& id);
    bool remove(const std::string& id);
    int removeMany(const std::vector<std::string>& ids);
    // The PNG of a succeeded job, or the 404 title upstream gives.
    std::variant<std::shared_ptr<const EncodedImage>, std::string> download(const std::string& id);

    // WebSocket messages built for one connection.
    std::string connectedMessage();
    std::string subscriptionConfirmedMessage(const std::optional<std::vector<std::string>>& jobIds);
    // Messages for subscribers produced since the last call, in order.
    std::vector<WsOutgoing> takeOutbox();

    // Test helpers.
    model::Status finish(const std::string& id, bool ok);
    std::vector<SimJobInfo> jobs();

private:
    enum class Raw : uint8_t { Pending, Running, Succeeded, Failed, Cancelled };
    // Where the job is on the RQ side, which a cancel does not change upstream (spec §2.5).
    enum class Stage : uint8_t { Waiting, Rendering, Done };
    struct Job {
        uint64_t seq = 0;
        std::string id;
        model::GenerationRequest params;
        DeliveryOptions delivery;
        int64_t actualSeed = 0;
        Raw status = Raw::Pending;  // the DB row's status
        Stage stage = Stage::Waiting;
        int64_t created = 0;  // sim microseconds (negative: before the sim started)
        std::optional<int64_t> started, finished;  // the DB's started_at and finished_at
        std::optional<int64_t> ended;      // when the worker stopped rendering it
        std::optional<int64_t> cancelled;  // when a cancel marked the row
        int64_t duration = 0;  // rendering time when it succeeds
        bool willFail = false;
        double failAt = 1.0;  // share of the duration at which a failing job fails
        std::string error;
        uint64_t monitor = 0;  // 0: not monitored
        std::optional<int> rating;
        bool favorite = false;
    };
    enum class EventKind : uint8_t { Finish, Arrival, Pickup, Tick };  // order at equal times

    int64_t clockNow() const;
    std::string wallIso(int64_t simMicros, bool withOffset) const;
    void runUntil(int64_t target);
    std::optional<std::pair<int64_t, EventKind>> nextEvent() const;
    std::optional<int64_t> pickupTime() const;

    Job& createJob(const model::GenerationRequest& request, const DeliveryOptions& delivery, int64_t created);
    model::GenerationRequest randomRequest();
    void seedScenario();
    void startMonitor(const std::string& jobId, int64_t firstTick);
    void stopMonitor(Job& job);
    void dropMonitor(uint64_t monitorSeq);
    void startJob(Job& job, int64_t at);
    void leaveQueue(Job& job);  // out of pending_ or running_; call before changing its timing
    void finishJob(Job& job, int64_t at);  // succeeded or failed (willFail) at `at`
    void tick(uint64_t monitorSeq, int64_t at);
    void announce(Job& job);  // generation_started + the monitor's first progress_update
    void forget(Job& job);
    void prune();
    Job* find(const std::string& id);
    double progressAt(const Job& job, int64_t at) const;  // the job's own fraction
    double renderedShare(const Job& job, int64_t at) const;
    double globalProgress(int64_t at) const;  // SDNext's /sdapi/v1/progress: the oldest running job's
    size_t workload() const { return pending_.size() + running_.size(); }
    int64_t finishTime(const Job& job) const;
    std::string newUuid();
    std::shared_ptr<const EncodedImage> imageOf(const Job& job);
    std::string imageUrl(const Job& job);
    void emit(const std::string& jobId, std::string text);

    std::string startedMessage(const std::string& jobId, const model::GenerationRequest& params, int64_t at) const;
    std::string progressMessage(const Job* job, const std::string& jobId, int64_t at);
    std::string completeMessage(Job& job, int64_t at);
    protocol::wire::StoredResult storedResult(const Job& job);
    std::string envelope(std::string_view type, int64_t at, const std::string& data) const;

    mutable std::mutex mutex_;
    const SimOptions options_;
    const ScenarioPlan plan_;
    const int64_t epoch_;       // wall microseconds at sim time 0
    const int64_t steadyStart_;  // steady-clock microseconds at sim time 0
    int64_t offset_ = 0;         // added by advance()
    int64_t now_ = 0;            // the time up to which events have run
    int64_t uptimeAtStart_ = 0;
    Rng rng_;

    std::map<uint64_t, Job> jobs_;  // by creation order
    std::unordered_map<std::string, uint64_t> seqById_;
    uint64_t nextSeq_ = 1;
    std::set<uint64_t> pending_;
    std::set<std::pair<int64_t, uint64_t>> running_;  // (finish time, seq)
    std::set<std::pair<int64_t, uint64_t>> done_;      // (finish time, seq): succeeded, failed, cancelled
    std::map<uint64_t, std::pair<std::string, int64_t>> monitors_;  // seq -> (job id, next tick)
    std::set<std::pair<int64_t, uint64_t>> ticks_;                  // (next tick, monitor seq)
    uint64_t nextMonitor_ = 1;
    std::deque<uint64_t> ghostMonitors_;  // monitors of ids that are not jobs, oldest first
    std::optional<int64_t> nextArrival_;
    bool arrivalHeld_ = false;  // an arrival waits for the queue to drop below its depth
    uint64_t connections_ = 0;

    ImageCache images_;
    std::vector<WsOutgoing> outbox_;
};

}  // namespace genmon::sim
