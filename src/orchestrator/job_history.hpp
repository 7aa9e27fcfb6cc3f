#pragma once
// Issue 10, item 2: the lifecycles of jobs that left the local queue (finished, failed,
// cancelled, or simply no longer listed), for the timeline. Jobs still in the queue are not
// here: the timeline draws them from the snapshot's lists (their run start is on the Job).
//
// Worker-owned JobHistoryLog, published as an immutable JobHistory (shared_ptr<const>) that is
// replaced only when a job leaves the queue. Entries are in the order they left, in chunks of
// kHistoryChunk: appending copies at most the last chunk, publishing copies chunk pointers.
// Bounded: at most about maxEntries, and nothing that ended more than `retention` ago.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "model/job.hpp"

namespace genmon::orchestrator {

inline constexpr size_t kHistoryChunk = 64;
inline constexpr size_t kDefaultHistoryEntries = 2000;
inline constexpr int64_t kDefaultHistoryRetentionMicros = 60LL * 60 * 1'000'000;  // the timeline's widest window
// Issue 18.3: with a history database the timeline reaches back days (its 7-day window); the
// stored past and this session's departures are kept that long, and at most this many.
inline constexpr size_t kStoredHistoryEntries = 20000;
inline constexpr int64_t kStoredHistoryRetentionMicros = 7LL * 24 * 60 * 60 * 1'000'000;

enum class JobOutcome : uint8_t {
    Completed,
    Failed,
    Cancelled,  // by this genmon
    Vanished,   // no longer listed, with no word on how it ended (cancelled elsewhere, missed message)
};
const char* outcomeName(JobOutcome o) noexcept;

struct JobLifecycle {
    model::JobPtr job;             // the last version seen: ids, prompt, params, error
    int64_t queuedAtMicros = 0;    // worker's clock (the server's created_at, which it shares)
    int64_t startedAtMicros = 0;   // 0: it never ran
    int64_t finishedAtMicros = 0;  // when it ended (or left the queue)
    JobOutcome outcome = JobOutcome::Completed;
    bool startObserved = false;    // genmon saw it start (else the server's start time)
    bool learned = false;          // its run taught the ETA estimator
    bool cancelIgnored = false;    // genmon cancelled it, the backend ran it anyway (spec §9.7)
    model::Text error;             // why it failed, when the job itself does not say
    model::Text resultId;          // the completion message's result id, when it had one (issue 18)
};

class JobHistory {
public:
    size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    // Oldest departure first.
    const JobLifecycle& operator[](size_t i) const { return (*chunks_[i / kHistoryChunk])[i % kHistoryChunk]; }
    // The newest entry for this uiId or backendId; null when none. Scans from the newest: for
    // clicks and lookups, never per row per frame.
    const JobLifecycle* findNewest(std::string_view id) const;

private:
    friend class JobHistoryLog;
    std::vector<std::shared_ptr<const std::vector<JobLifecycle>>> chunks_;
    size_t size_ = 0;
};

class JobHistoryLog {
public:
    explicit JobHistoryLog(size_t maxEntries = kDefaultHistoryEntries,
                           int64_t retentionMicros = kDefaultHistoryRetentionMicros)
        : maxEntries_(maxEntries), retention_(retentionMicros) {}

    // Appends a departure; drops the oldest chunks past the bounds (nowMicros: the worker's clock).
    void append(JobLifecycle entry, int64_t nowMicros);
    // A late word on a job already recorded as Vanished (the completion message after the listing
    // dropped it): sets its outcome, and, unless its run was learned already, offers the entry
    // to learn(), which answers whether it learned from it. False when no such entry is recent.
    bool settle(std::string_view id, JobOutcome outcome, const std::function<bool(const JobLifecycle&)>& learn,
                std::string_view error = {});
    void clear();
    // New bounds, applied from the next append (a wider window keeps what is there).
    void setBounds(size_t maxEntries, int64_t retentionMicros) noexcept {
        maxEntries_ = maxEntries;
        retention_ = retentionMicros;
    }
    int64_t retentionMicros() const noexcept { return retention_; }
    size_t size() const noexcept { return size_; }
    // The published history; the same pointer until the next change.
    std::shared_ptr<const JobHistory> view() const;

private:
    std::vector<JobLifecycle>& mutableChunk(size_t index);

    size_t maxEntries_;
    int64_t retention_;
    std::vector<std::shared_ptr<std::vector<JobLifecycle>>> chunks_;
    mutable std::vector<bool> shared_;  // chunk i is reachable from a published view: copy before changing
    size_t size_ = 0;
    mutable std::shared_ptr<const JobHistory> view_;
};

}  // namespace genmon::orchestrator
