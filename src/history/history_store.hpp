#pragma once
// Issue 18: the history database. Every job genmon sees, per backend, kept across restarts in
// one SQLite file (Debian's libsqlite3, C API), searchable (query.hpp), with the queries the
// timeline, the metrics view, the learned ETA and "Retry failed" need.
//
// Threads and guarantees
//   - record() is for the worker: it appends to a bounded in-memory queue and returns; it never
//     touches the disk and never waits for the writer. When the queue is full the oldest
//     non-final update is dropped (stats().dropped counts them); a final state (succeeded,
//     failed, cancelled, left) is never dropped, so the queue may exceed its capacity by final
//     states only.
//   - A writer thread of the store's own commits the queue in batched transactions: when the
//     oldest queued record is batchInterval old (250 ms) or batchRows (500) are waiting. A
//     SIGKILL or a crash loses what was not committed yet: at most the last batch (WAL mode,
//     synchronous=NORMAL: a committed batch survives the process; a power cut may lose the
//     last batches, never corrupt the file).
//   - flush() waits until everything recorded before it is committed; close() (and the
//     destructor) flushes, stops the writer and closes the file.
//   - Queries run on a reading connection of their own (WAL: they never wait for the writer);
//     they are synchronous and take milliseconds, so call them from a worker task, not from
//     the UI thread's frame. They see what is committed (call flush() first to see the latest).
//   - Two genmon processes may share one file: writes take the lock at BEGIN IMMEDIATE and
//     wait up to busyTimeoutMs for each other; the schema migration runs in one transaction
//     that re-reads the version, so two first starts do not both create it.
//   - A file that is not SQLite, is damaged, belongs to another program or has a newer schema
//     version makes open() return one readable line (an Error) and nothing else happens: the
//     caller runs without history. A database that fails later (the disk is full, a page is
//     damaged) stops the writer with one line in stats().lastError; record() then drops.
//
// Retention (default 90 days, by the time a job was last seen) and the size cap (default
// 512 MiB: the oldest finished jobs go first, then the freed pages are returned with an
// incremental vacuum) run at start and every maintenanceInterval on the writer thread.
//
// What uses what (app::HistorySink, app/history_sink.hpp, for the orchestrator):
//   timeline across restarts   jobsOverlapping(now - 1 h, now): the jobs that ended in it
//   per-hour / per-day metrics throughput(from, to, kHourMicros or kDayMicros, local offset)
//   ETA after a restart        search(backend: status:succeeded, 500 newest): runs with a start
//   Run again                  find(backend, jobId) -> its params; the new job recorded with
//                              rerunOf = the old id
//   search field, Retry failed parseQuery(text) -> search(query) over this backend's jobs;
//                              matches() for the live jobs
//   runSamples() and failedJobs() answer the same questions more narrowly (tests, scripts).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "history/query.hpp"
#include "history/record.hpp"
#include "model/error.hpp"

namespace genmon::history {

inline constexpr int64_t kHourMicros = 3'600'000'000;
inline constexpr int64_t kDayMicros = 24 * kHourMicros;

// $XDG_STATE_HOME/genmon/history.sqlite3, else ~/.local/state/genmon/history.sqlite3.
std::filesystem::path defaultHistoryPath();

struct CommitInfo {
    uint64_t rows = 0;          // records in this transaction
    uint64_t totalWritten = 0;  // records committed since open, this one included
};

struct HistoryOptions {
    std::filesystem::path path;  // empty: defaultHistoryPath()
    bool createIfMissing = true;  // false: a missing file is an error (the script commands)
    bool writer = true;           // false: queries only; no writer thread, no maintenance
    int retentionDays = 90;       // 0 keeps everything
    int64_t maxBytes = 512LL << 20;  // size cap of the database's used pages; 0: none
    size_t queueCapacity = 20000;
    std::chrono::milliseconds batchInterval{250};
    size_t batchRows = 500;
    int busyTimeoutMs = 5000;
    std::chrono::milliseconds maintenanceInterval{10 * 60 * 1000};
    // When more jobs than this match a search's words, the search walks the jobs newest first
    // and stops at the limit instead of sorting every match (search_sql.hpp).
    size_t wordsBySetAbove = 1000;
    std::function<int64_t()> clock;  // epoch micros (tests move it); default: the system clock
    std::function<void(const CommitInfo&)> onCommit;  // on the writer thread after each commit
};

struct HistoryStats {
    uint64_t recorded = 0;  // record() calls taken into the queue
    uint64_t written = 0;   // records committed
    uint64_t dropped = 0;   // non-final updates dropped because the queue was full
    uint64_t failed = 0;    // records that could not be written (after retries, or history broke)
    uint64_t batches = 0;   // transactions committed
    size_t queued = 0;      // waiting now
    std::string lastError;  // the latest failure, one line; empty while all is well
};

struct SearchOptions {
    size_t limit = 100;
    int64_t nowMicros = 0;   // for since:/until: durations; 0: the store's clock
    bool thumbnails = false;
};

// A key of the ETA's samples; an empty field matches anything (the coarser levels).
struct RunKey {
    std::optional<std::string> sampler;
    std::optional<int> width, height, steps;
};
struct RunSample {
    std::string backend;
    std::string jobId;
    int64_t startedMicros = 0;
    int64_t finishedMicros = 0;
    std::optional<int> steps;
    double seconds() const noexcept { return static_cast<double>(finishedMicros - startedMicros) / 1e6; }
};

// Jobs that finished in [startMicros, startMicros + width), by their finish time.
struct ThroughputBucket {
    int64_t startMicros = 0;
    uint32_t succeeded = 0, failed = 0, cancelled = 0, left = 0;
    uint32_t timedRuns = 0;        // finished runs whose start was known
    double timedRunSeconds = 0;    // their summed running time
    uint32_t finished() const noexcept { return succeeded + failed + cancelled + left; }
    double failureRate() const noexcept { return finished() ? static_cast<double>(failed) / finished() : 0.0; }
};

struct MaintenanceReport {
    uint64_t expired = 0;  // rows past the retention
    uint64_t capped = 0;   // oldest finished rows deleted for the size cap
    int64_t bytesBefore = 0, bytesAfter = 0;  // used pages x page size
};

class HistoryStore {
public:
    static model::Outcome<std::unique_ptr<HistoryStore>> open(HistoryOptions options);
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    const std::filesystem::path& path() const noexcept;

    // ---- writing (the worker) ----
    void record(JobRecord record);
    model::Status flush();
    void close();
    HistoryStats stats() const;
    // Retention and the size cap, now, on the writer thread; waits for it.
    model::Outcome<MaintenanceReport> maintain();

    // ---- reading (any thread but the UI's) ----
    // Newest first (by created_at, else first seen), at most options.limit.
    model::Outcome<std::vector<JobRecord>> search(const Query& query, const SearchOptions& options = {}) const;
    model::Outcome<std::optional<JobRecord>> find(std::string_view backend, std::string_view jobId) const;
    // Succeeded runs with a known start and finish, newest first.
    model::Outcome<std::vector<RunSample>> runSamples(const RunKey& key, size_t newest) const;
    // Jobs whose time [at, end] meets [fromMicros, toMicros), oldest first, at most limit.
    model::Outcome<std::vector<JobRecord>> jobsOverlapping(int64_t fromMicros, int64_t toMicros,
                                                           size_t limit = 20000) const;
    // Dense buckets from the one holding fromMicros up to toMicros; buckets start at
    // alignMicros + k * bucketMicros (alignMicros: e.g. minus the local UTC offset for days).
    model::Outcome<std::vector<ThroughputBucket>> throughput(int64_t fromMicros, int64_t toMicros, int64_t bucketMicros,
                                                             int64_t alignMicros = 0) const;
    // Failed jobs matching the query, newest first, with their params (for "Retry failed").
    model::Outcome<std::vector<JobRecord>> failedJobs(const Query& query, const SearchOptions& options = {}) const;
    // Every stored job, oldest first, with its thumbnail (the export).
    model::Status forEachJob(const std::function<void(const JobRecord&)>& visit) const;
    model::Outcome<int64_t> countJobs() const;
    // "ok", or SQLite's first complaint (PRAGMA integrity_check: reads the whole file).
    model::Outcome<std::string> integrityCheck() const;

    struct State;

private:
    explicit HistoryStore(std::unique_ptr<State> state);
    std::unique_ptr<State> s_;
};

}  // namespace genmon::history
