#pragma once
// Issue 18: where the orchestrator tells a history about every job it sees, and where it reads
// back what an earlier session saw. The orchestrator knows nothing of SQLite: the app wires
// this interface to history::HistoryStore (app/history_sink.hpp); tests may give their own.
//
// Every call comes from the worker. The writing calls must not block (the store queues them
// for its own writer thread); loadPast is a query of milliseconds, made once per backend at
// initialize (and after a backend change), never inside a frame.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "model/image.hpp"
#include "model/job.hpp"
#include "model/result.hpp"
#include "orchestrator/eta_estimator.hpp"
#include "orchestrator/job_history.hpp"
#include "orchestrator/snapshot.hpp"
#include "orchestrator/transport.hpp"

namespace genmon::orchestrator {

// What a history remembers of one backend.
struct StoredPast {
    std::vector<JobLifecycle> lifecycles;          // jobs that ended in the range asked, oldest first
    std::vector<std::pair<EtaKey, double>> runs;   // finished runs (key, seconds), oldest first
};

class LifecycleSink {
public:
    virtual ~LifecycleSink() = default;
    // A job appeared in the local queue, or its status (or id) changed. Local placeholders
    // (a generation the server has not answered yet) are not reported.
    virtual void jobSeen(const model::Job& job, const BackendConfig& backend) = 0;
    // A job left the local queue, or a late message settled how it ended (the entry's outcome).
    virtual void jobLeft(const JobLifecycle& entry, const BackendConfig& backend) = 0;
    // A result's image arrived (decoded on the worker): the history keeps a small thumbnail of it
    // with the job that made it. Optional: a sink without pictures ignores it.
    virtual void resultImage(const model::GenerationResult& result, const model::Image& image, const BackendConfig& backend) {
        (void)result, (void)image, (void)backend;
    }
    // The backend took a re-run ("Run again") of oldJobId under newJobId.
    virtual void jobRerun(std::string_view newJobId, std::string_view oldJobId, const BackendConfig& backend) = 0;
    // The parameters stored for a job of this backend ("Run again" on a job this session did
    // not see); nullopt when unknown. A query: the worker may call it, the UI thread may not.
    virtual std::optional<model::GenerationParams> storedParams(std::string_view jobId, const BackendConfig& backend) = 0;
    // The queue filter as a search (issue 18.2): a predicate for the live jobs, or null when the
    // text is not in the search language (then the queue keeps its plain substring filter).
    virtual std::function<bool(const model::Job&)> queueFilter(std::string_view filter, const BackendConfig& backend) = 0;
    // The stored jobs of this backend that match the filter, newest first, at most limit; null
    // when the filter is empty. A query: from the worker only.
    virtual std::shared_ptr<StoredMatches> searchStored(std::string_view filter, const BackendConfig& backend,
                                                        size_t limit) = 0;
    // Finished jobs per hour (24) and per local day (14) up to nowMicros; null when unreadable.
    virtual std::shared_ptr<const StoredThroughput> loadThroughput(int64_t nowMicros) = 0;
    // What an earlier session saw of this backend: lifecycles that ended in [sinceMicros, now]
    // (for the timeline) and up to maxRuns finished runs (for the learned ETA).
    virtual StoredPast loadPast(const BackendConfig& backend, int64_t sinceMicros, size_t maxRuns) = 0;
};

}  // namespace genmon::orchestrator
