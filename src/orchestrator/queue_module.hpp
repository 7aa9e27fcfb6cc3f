#pragma once
// The queue half of the contract's utilities (enqueueJob, setJobs, ingestQueue, updateJob,
// removeJob, clearCompletedJobs, isJobCancellable, getCancellableJobs, handle*Message), with the
// semantics of spec §4.4-4.6 and decisions 2, 4 and 11.
//
// Worker-owned. Jobs are indexed by id (either key) and kept in four ordered, persistent lists
// (insertion order, active, §4.6 order, the UI's filtered view), each updated incrementally:
// one job changing costs O(log n) plus one chunk, never a copy or re-sort of the whole queue.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/job.hpp"
#include "model/messages.hpp"
#include "orchestrator/job_list.hpp"
#include "orchestrator/snapshot.hpp"

namespace genmon::orchestrator {

// Fields updateJob may change; absent fields keep their values (§4.5: merge, keep the keys).
struct JobUpdate {
    std::optional<model::JobStatus> status;
    std::optional<uint8_t> progress;  // already normalised
    std::optional<int> current_step;
    std::optional<int> total_steps;
    std::optional<double> eta_seconds;
    std::optional<model::Text> message;
    std::optional<model::Text> error;
    std::optional<model::Text> prompt;
};

class QueueModule {
public:
    QueueModule();

    // ---- contract utilities ----
    // Replaces the job with the same uiId (first) or backendId (second) in place, keeping its
    // position; otherwise appends. Fills in missing keys and times (§4.4, §4.5).
    void enqueueJob(model::Job job, int64_t nowMicros);
    // Full replace in the given order (§4.5 setJobs). Duplicate ids keep the first entry.
    void setJobs(std::vector<model::Job> jobs, int64_t nowMicros);
    // A server listing: full replace, except optimistic entries the server does not list yet,
    // which stay until graceMicros after they were seeded (decision 4). What only the
    // WebSocket knows survives for a job whose status the listing confirms: /jobs/active
    // reports progress 0 while a worker runs (§2.2) and has no steps or ETA. A listing that
    // changes nothing leaves the queue (and its revision) untouched. Returns true on a change.
    bool ingestQueue(std::vector<model::Job> jobs, int64_t nowMicros, int64_t graceMicros);
    // Unknown ids are ignored (returns false).
    bool updateJob(std::string_view id, const JobUpdate& update, int64_t nowMicros);
    // Removes every job whose uiId or backendId is id. Returns how many.
    size_t removeJob(std::string_view id);
    // Local only: drops completed and failed jobs (§4.3). Returns how many.
    size_t clearCompletedJobs();
    bool isJobCancellable(std::string_view id) const;
    std::vector<model::JobPtr> getCancellableJobs() const;  // in §4.6 order
    void handleProgressMessage(const model::ProgressMessage& m, int64_t nowMicros);
    void handleCompletionMessage(const model::CompletionMessage& m);
    void handleErrorMessage(const model::ErrorMessage& m);
    void resetQueue();

    // ---- lookups and views ----
    model::JobPtr find(std::string_view id) const;  // by uiId, then backendId
    size_t size() const noexcept { return byUiId_.size(); }
    JobList jobs() const { return inserted_.view(); }
    JobList activeJobs() const { return active_.view(); }
    JobList sortedActiveJobs() const { return sorted_.view(); }
    JobList queueView() const;
    const QueueViewSpec& viewSpec() const noexcept { return spec_; }
    // Rebuilds the view once (worker, not per frame). matcher (issue 18.2): the filter as a
    // search, which replaces the plain substring match; null keeps the substring match.
    void setViewSpec(QueueViewSpec spec, std::function<bool(const model::Job&)> matcher = {});
    QueueCountsLocal counts() const noexcept { return counts_; }
    // Every job in insertion order, without making a view (a view would mark every chunk shared).
    template <class Fn>
    void forEachJob(Fn&& fn) const {
        inserted_.forEachPtr(std::forward<Fn>(fn));
    }
    // Bumped by every change; the orchestrator publishes when it moved.
    uint64_t revision() const noexcept { return revision_; }
    // Issue 18: called with each job that appears or whose status or server id changes (the
    // history records those steps). Progress alone does not call it: the hot path stays a
    // comparison of two fields.
    void setOnStatusSeen(std::function<void(const model::JobPtr&)> onSeen) { onSeen_ = std::move(onSeen); }

private:
    // A job by its uiId, with where it was last seen in the lists it is kept in place in.
    struct Slot {
        model::JobPtr job;
        OrderedJobIndex::Hint inserted, active, sorted;
    };
    void add(model::JobPtr job);
    void replace(const model::JobPtr& before, model::JobPtr after, Slot* slot = nullptr);
    void apply(const model::JobPtr& existing, const JobUpdate& update, int64_t nowMicros,
               Slot* slot = nullptr);  // updateJob, found
    void drop(const model::JobPtr& job);
    void count(const model::Job& j, int delta);
    bool matchesView(const model::Job& j) const;
    void rebuildView();
    model::JobPtr normalise(model::Job job, uint64_t seq, int64_t nowMicros) const;
    // Issue 10: a new version of a running job keeps the time its run started.
    static void carryRunStart(const model::Job& known, model::Job& incoming, int64_t nowMicros);
    std::vector<model::JobPtr> prepare(std::vector<model::Job> jobs, int64_t nowMicros);
    void install(const std::vector<model::JobPtr>& stored);

    OrderedJobIndex inserted_;  // by seq
    OrderedJobIndex active_;    // queued/processing, by seq
    OrderedJobIndex sorted_;    // §4.6
    OrderedJobIndex view_;      // filter + user sort; unused while the spec is the default
    QueueViewSpec spec_;
    std::string filterLower_;
    std::function<bool(const model::Job&)> matcher_;
    // Keys are views into the mapped job's own id text, which lives as long as the entry.
    std::unordered_map<std::string_view, Slot> byUiId_;
    std::unordered_map<std::string_view, model::JobPtr> byBackendId_;  // only where it differs
    QueueCountsLocal counts_;
    uint64_t nextSeq_ = 1;
    uint64_t revision_ = 0;
    std::function<void(const model::JobPtr&)> onSeen_;
};

}  // namespace genmon::orchestrator
