#pragma once
// Issue 14, item 4: when each active job will be done, not only how long its own run takes.
//
// The worker simulates the backend's workers taking jobs in the order it runs them: the running
// jobs first (each holds a worker until its remaining time is up: the server's eta_seconds, else
// learned), then the queued jobs oldest first. RQ (upstream) and genmon-sim run the queue FIFO;
// the §4.6 display order lists queued jobs newest first, so the forecast walks that part of
// sortedActiveJobs backwards. The backend reports no worker count (active_workers is the number
// of running jobs), so, as in issue 10, the jobs running now are the workers, at least one. A
// queued job goes to the worker that is free first; for one worker that is "the sum of the work
// ahead, plus its own run".
//
// Three schedules run side by side: the estimates, their low ends and their high ends (errors
// move together when the load changes, so ranges add up and widen down the line). A job without
// a basis takes no time in them: everything after it is then a lower bound and says so
// (aheadUnknown). A job gets no forecast ("—") only when neither its own run nor the work ahead
// of it can be estimated (a job of unknown length whose start the known work puts less than
// 0.1 s away has nothing worth saying either: "at least 0.0 s").
//
// The result is immutable and published in the Snapshot (shared_ptr<const QueueForecast>), with
// absolute times on the worker's clock, so the UI subtracts `now` and does nothing else. It costs
// O(active jobs); QueueForecaster decides when to pay it (never on a plain progress tick).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/job.hpp"
#include "orchestrator/eta_estimator.hpp"
#include "orchestrator/job_history.hpp"
#include "orchestrator/job_list.hpp"

namespace genmon::orchestrator {

// One active job's forecast. Times are worker-clock microseconds.
struct JobForecast {
    uint64_t seq = 0;            // the job (Job::seq), with its uiId to be sure
    model::Text uiId;
    bool running = false;
    bool ownKnown = false;       // own has a value
    EtaEstimate own;             // queued: its whole run; running: what is left of it
    int64_t startsAtMicros = 0;  // queued: when a worker takes it; running: when it started (or made-at)
    int64_t doneAtMicros = 0;
    int64_t doneLowAtMicros = 0;
    int64_t doneHighAtMicros = 0;
    uint32_t ahead = 0;          // jobs that run before it, the running ones included
    uint32_t aheadUnknown = 0;   // of those, jobs without an estimate
    // The times are a lower bound: something ahead, or its own run, has no estimate.
    bool lowerBound() const noexcept { return aheadUnknown > 0 || !ownKnown; }
};

// When the last active job is done. estimated == 0: no basis at all (no number).
struct QueueDrainForecast {
    int64_t atMicros = 0;
    int64_t lowAtMicros = 0;
    int64_t highAtMicros = 0;
    size_t estimated = 0;  // active jobs with an estimate
    size_t unknown = 0;    // active jobs without one (the drain time is then a lower bound)
    size_t workers = 1;
};

class QueueForecast {
public:
    int64_t madeAtMicros() const noexcept { return madeAt_; }
    size_t workers() const noexcept { return drain_.workers; }
    const QueueDrainForecast& drain() const noexcept { return drain_; }
    // The job's forecast, or null: not active when the forecast was made, or no basis at all.
    // A binary search by seq: the views ask only for the rows they draw.
    const JobForecast* find(const model::Job& job) const noexcept;
    const std::vector<JobForecast>& entries() const noexcept { return entries_; }  // by seq

private:
    friend std::shared_ptr<const QueueForecast> forecastQueue(const JobList&, const EtaModel*, int64_t);
    int64_t madeAt_ = 0;
    QueueDrainForecast drain_;
    std::vector<JobForecast> entries_;
};

// The forecast of every active job in sortedActiveJobs (§4.6 order) at nowMicros. model may be
// null (nothing learned: only the server's estimates count). O(active jobs); the worker calls it
// through QueueForecaster, fixtures and tests directly.
std::shared_ptr<const QueueForecast> forecastQueue(const JobList& sortedActiveJobs, const EtaModel* model,
                                                   int64_t nowMicros);

// Where the job's own estimate comes from: "learned from 14 jobs like this", "the server's
// estimate", "no estimate of its own run". The same words in the UI and in --dump-snapshot.
std::string ownBasisText(const JobForecast& f);

// Worker side: when the forecast is worth recomputing. A change of the active set or order
// (the counts, a job leaving: the history pointer) or of the ETA model recomputes it at once for
// a queue of up to kImmediateJobs (the real backend lists at most 200), else at most once per
// kMicrosPerActiveJob per active job (a burst of changes on a 10,000-job queue: every 200 ms, a
// bounded share of the worker); otherwise once a second while jobs are active, because remaining
// times move. A progress tick alone changes none of these inputs. A change these inputs miss
// (a listing that swaps one job for another) shows within that second.
class QueueForecaster {
public:
    static constexpr int64_t kTickMicros = 1'000'000;
    static constexpr size_t kImmediateJobs = 256;
    static constexpr int64_t kMicrosPerActiveJob = 20;  // 30-60x the measured cost per job (bench 3f)

    struct Inputs {
        const JobList* sortedActiveJobs = nullptr;
        size_t queued = 0;
        size_t processing = 0;
        std::shared_ptr<const EtaModel> model;
        std::shared_ptr<const JobHistory> history;  // identity only: replaced when a job leaves
    };
    // The forecast to publish at nowMicros: the last one unless a recompute is due.
    std::shared_ptr<const QueueForecast> get(const Inputs& in, int64_t nowMicros);
    // When the next recompute falls due (the orchestrator's timer), or 0 when none will be.
    int64_t nextDueMicros() const noexcept;
    uint64_t recomputes() const noexcept { return recomputes_; }
    void reset();

private:
    int64_t minGap() const noexcept;

    std::shared_ptr<const QueueForecast> forecast_;
    std::shared_ptr<const EtaModel> model_;
    std::shared_ptr<const JobHistory> history_;
    size_t queued_ = 0, processing_ = 0;
    bool stale_ = false;       // an input changed since the last recompute
    bool computed_ = false;
    int64_t madeAt_ = 0;
    uint64_t recomputes_ = 0;
};

}  // namespace genmon::orchestrator
