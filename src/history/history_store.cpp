#include "history/history_store.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>

#include "history/schema.hpp"
#include "history/search_sql.hpp"
#include "history/sqlite.hpp"
#include "model/timestamp.hpp"

namespace genmon::history {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

fs::path defaultHistoryPath() {
    const char* state = std::getenv("XDG_STATE_HOME");
    // XDG: a relative path in the variable is invalid and is ignored.
    if (state && *state == '/') return fs::path(state) / "genmon" / "history.sqlite3";
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : ".") / ".local" / "state" / "genmon" / "history.sqlite3";
}

namespace {

constexpr int kMaxAttempts = 3;  // a batch that fails (busy, disk full) is tried this often
constexpr size_t kDeleteChunk = 2000;

model::Error unusable(const std::string& path, const std::string& why) {
    return model::Error::make(model::ErrorKind::Decode, "history database " + path + " " + why +
                                                            ": move it away or choose another with --history-db");
}

// A failed call while opening: damage gets the same one line whichever call found it.
model::Error openError(const sql::Connection& db, const std::string& path, const char* step) {
    const int code = sqlite3_extended_errcode(db.get());
    if (sql::isDamage(code)) return unusable(path, std::string("is damaged or not a database (") + sqlite3_errmsg(db.get()) + ")");
    return sql::error(db.get(), "history database " + path + ": " + step);
}

// The first bytes of a file that should be SQLite's: nullopt when they are, else what they look like.
std::optional<std::string> notSqlite(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    char head[16] = {};
    in.read(head, sizeof head);
    const auto n = static_cast<size_t>(in.gcount());
    static constexpr char kMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f', 'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
    if (n == sizeof head && std::equal(head, head + 16, kMagic)) return std::nullopt;
    bool text = n > 0;
    for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(head[i]);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') text = false;
    }
    if (n < sizeof head) return "is too short to be an SQLite database (" + std::to_string(n) + " bytes)";
    return text ? std::string("is a text file, not an SQLite database") : std::string("is not an SQLite database");
}

}  // namespace

// The records waiting for the writer, in the order they came. Final states and other updates
// are kept apart so that dropping the oldest update when full is O(1), never a scan; the
// writer takes them in their order (by sequence number) from the fronts of both.
struct PendingRecord {
    JobRecord record;
    uint64_t seq = 0;
    Clock::time_point at;
    int attempts = 0;
};

class RecordQueue {
public:
    bool empty() const noexcept { return finals_.empty() && updates_.empty(); }
    size_t size() const noexcept { return finals_.size() + updates_.size(); }
    void push(PendingRecord r) { (isFinal(r.record.status) ? finals_ : updates_).push_back(std::move(r)); }
    // Back at the front (a batch to try again): its records are older than any still here.
    void pushFront(PendingRecord r) { (isFinal(r.record.status) ? finals_ : updates_).push_front(std::move(r)); }
    const PendingRecord& front() const { return older() ? finals_.front() : updates_.front(); }
    PendingRecord popFront() {
        auto& from = older() ? finals_ : updates_;
        PendingRecord r = std::move(from.front());
        from.pop_front();
        return r;
    }
    bool dropOldestUpdate() {
        if (updates_.empty()) return false;
        updates_.pop_front();
        return true;
    }
    void clear() {
        finals_.clear();
        updates_.clear();
    }

private:
    bool older() const { return updates_.empty() || (!finals_.empty() && finals_.front().seq < updates_.front().seq); }
    std::deque<PendingRecord> finals_, updates_;
};

// Rows of jobs_fts that a search's words matched, as a bitmap over row ids: filled from FTS5
// before the query, tested by genmon_fts_hit(slot, id) inside it (search_sql.hpp).
struct RowSet {
    std::vector<uint64_t> bits;
    size_t count = 0;
    void clear() {
        bits.clear();
        count = 0;
    }
    void add(int64_t id) {
        if (id < 0) return;
        const auto i = static_cast<uint64_t>(id);
        if (i / 64 >= bits.size()) bits.resize(i / 64 + 1024, 0);
        bits[i / 64] |= uint64_t{1} << (i % 64);
        ++count;
    }
    bool has(int64_t id) const {
        if (id < 0) return false;
        const auto i = static_cast<uint64_t>(id);
        return i / 64 < bits.size() && (bits[i / 64] >> (i % 64) & 1);
    }
};

void ftsHitFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
    const auto* sets = static_cast<const RowSet*>(sqlite3_user_data(ctx));
    const int slot = sqlite3_value_int(argv[0]);
    sqlite3_result_int(ctx, slot >= 0 && slot < 2 && sets[slot].has(sqlite3_value_int64(argv[1])) ? 1 : 0);
}

struct HistoryStore::State {
    HistoryOptions options;
    fs::path path;
    std::string pathText;

    int64_t now() const { return options.clock ? options.clock() : model::systemNowMicros(); }

    // Reading: one connection, one query at a time.
    mutable std::mutex readMutex;
    sql::Connection reader;
    bool readerOpen = true;
    mutable RowSet ftsHits[2];  // for genmon_fts_hit: 0 the words that must match, 1 those that must not

    // Writing: the writer thread owns writerDb and recordWriter.
    sql::Connection writerDb;
    std::optional<schema::RecordWriter> recordWriter;
    std::thread thread;

    using Item = PendingRecord;
    mutable std::mutex m;
    std::condition_variable wake;  // the writer
    std::condition_variable done;  // flush() and maintain() waiting for the writer
    RecordQueue queue;
    uint64_t nextSeq = 1;
    bool inFlight = false;
    int flushWaiters = 0;
    bool stopping = false;
    bool closed = false;
    bool broken = false;
    Clock::time_point retryAfter{};
    Clock::time_point nextMaintenance{};
    bool maintenanceWanted = false;
    uint64_t maintenanceRuns = 0;
    std::optional<model::Outcome<MaintenanceReport>> lastMaintenance;
    HistoryStats stats;

    void run();
    bool batchDue(Clock::time_point now) const {
        if (queue.empty() || broken) return false;
        if (stopping || flushWaiters > 0 || queue.size() >= options.batchRows) return true;
        return now >= std::max(queue.front().at + options.batchInterval, retryAfter);
    }
    // Commits a batch; the SQLite code and the error when it fails.
    std::optional<std::pair<int, model::Error>> writeBatch(const std::vector<Item>& batch);
    model::Outcome<MaintenanceReport> maintainNow();
    model::Outcome<int64_t> usedBytes() const;
};

void HistoryStore::State::run() {
    std::unique_lock lk(m);
    while (true) {
        const auto now = Clock::now();
        if (batchDue(now)) {
            std::vector<Item> batch;
            const size_t n = std::min(queue.size(), options.batchRows);
            batch.reserve(n);
            for (size_t i = 0; i < n; ++i) batch.push_back(queue.popFront());
            inFlight = true;
            lk.unlock();
            auto failure = writeBatch(batch);
            CommitInfo info;
            if (!failure) {
                lk.lock();
                stats.written += batch.size();
                ++stats.batches;
                info = CommitInfo{batch.size(), stats.written};
                lk.unlock();
                if (options.onCommit) options.onCommit(info);
            }
            lk.lock();
            if (failure) {
                stats.lastError = failure->second.message;
                if (sql::isDamage(failure->first)) {
                    broken = true;
                    stats.lastError = "history database " + pathText + " is damaged (" + failure->second.message +
                                      "); history is off until genmon starts again";
                    stats.failed += batch.size();
                } else {
                    // Back at the front, in order, for another try after a pause.
                    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
                        if (++it->attempts >= kMaxAttempts)
                            ++stats.failed;
                        else
                            queue.pushFront(std::move(*it));
                    }
                    retryAfter = Clock::now() + options.batchInterval;
                }
            }
            inFlight = false;
            done.notify_all();
            continue;
        }
        if (broken && !queue.empty()) {
            stats.failed += queue.size();
            queue.clear();
            done.notify_all();
            continue;
        }
        if (maintenanceWanted || (!stopping && !broken && now >= nextMaintenance)) {
            maintenanceWanted = false;
            lk.unlock();
            auto report = maintainNow();
            lk.lock();
            if (!report) stats.lastError = report.error().message;
            lastMaintenance = std::move(report);
            ++maintenanceRuns;
            nextMaintenance = Clock::now() + options.maintenanceInterval;
            done.notify_all();
            continue;
        }
        if (stopping && queue.empty()) break;
        if (broken) {  // nothing is due any more: only close() or a request wakes it
            wake.wait(lk);
            continue;
        }
        auto until = nextMaintenance;
        if (!queue.empty()) until = std::min(until, std::max(queue.front().at + options.batchInterval, retryAfter));
        wake.wait_until(lk, until);
    }
}

std::optional<std::pair<int, model::Error>> HistoryStore::State::writeBatch(const std::vector<Item>& batch) {
    auto fail = [&](model::Error e) {
        return std::make_optional(std::make_pair(sqlite3_extended_errcode(writerDb.get()), std::move(e)));
    };
    auto tx = sql::Transaction::begin(writerDb);
    if (!tx) return fail(tx.error());
    const int64_t t = now();
    for (const Item& item : batch)
        if (auto st = recordWriter->write(item.record, t); !st)
            return std::make_optional(std::make_pair(recordWriter->lastCode(), st.error()));
    if (auto st = tx->commit(); !st) return fail(st.error());
    return std::nullopt;
}

model::Outcome<int64_t> HistoryStore::State::usedBytes() const {
    auto pages = writerDb.queryInt("PRAGMA page_count");
    auto freePages = writerDb.queryInt("PRAGMA freelist_count");
    auto size = writerDb.queryInt("PRAGMA page_size");
    if (!pages || !freePages || !size) return sql::error(writerDb.get(), "history: cannot read the database size");
    return (pages.value() - freePages.value()) * size.value();
}

model::Outcome<MaintenanceReport> HistoryStore::State::maintainNow() {
    MaintenanceReport report;
    auto before = usedBytes();
    if (!before) return before.error();
    report.bytesBefore = before.value();
    // Deletes in chunks, each its own transaction, so another writer never waits long.
    auto deleteChunks = [&](const std::string& select, int64_t bound, uint64_t& counter, size_t most) -> model::Status {
        auto st = writerDb.prepare("DELETE FROM jobs WHERE id IN (" + select + ")");
        if (!st) return st.error();
        // A read first: no write lock is taken (and no other writer kept waiting) for nothing.
        auto any = writerDb.prepare("SELECT EXISTS (" + select + ")");
        if (!any) return any.error();
        any->bind(1, bound).bind(2, int64_t{1});
        const int rc = any->step();
        if (rc != SQLITE_ROW) return sql::error(writerDb.get(), "history: cannot look for old jobs");
        if (any->int64(0) == 0) return model::okStatus();
        size_t left = most;
        while (left > 0) {
            auto tx = sql::Transaction::begin(writerDb);
            if (!tx) return tx.error();
            st->bind(1, bound).bind(2, static_cast<int64_t>(std::min(left, kDeleteChunk)));
            if (st->step() != SQLITE_DONE) return sql::error(writerDb.get(), "history: cannot delete old jobs");
            st->reset();
            const auto n = static_cast<size_t>(sqlite3_changes(writerDb.get()));
            if (auto c = tx->commit(); !c) return c;
            counter += n;
            left -= std::min(left, n);
            if (n < kDeleteChunk) break;
        }
        return model::okStatus();
    };
    if (options.retentionDays > 0) {
        const int64_t cutoff = now() - static_cast<int64_t>(options.retentionDays) * kDayMicros;
        if (auto st = deleteChunks("SELECT id FROM jobs WHERE updated_us < ?1 LIMIT ?2", cutoff, report.expired, SIZE_MAX); !st)
            return st.error();
    }
    if (options.maxBytes > 0) {
        // The oldest finished jobs go first, about a twentieth of them a round, until the used
        // pages fit (FTS5 merges its segments so the deletions free pages too).
        for (int round = 0; round < 100; ++round) {
            auto used = usedBytes();
            if (!used) return used.error();
            if (used.value() <= options.maxBytes) break;
            auto rows = writerDb.queryInt("SELECT count(*) FROM jobs");
            if (!rows) return rows.error();
            const size_t chunk = std::max<size_t>(100, static_cast<size_t>(rows.value() / 20));
            const uint64_t beforeRound = report.capped;
            if (auto st = deleteChunks("SELECT id FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled', 'left') "
                                       "AND end_us <= ?1 ORDER BY end_us LIMIT ?2",
                                       now(), report.capped, chunk);
                !st)
                return st.error();
            if (report.capped == beforeRound) break;  // nothing finished is left to delete
            if (auto st = writerDb.exec("INSERT INTO jobs_fts (jobs_fts) VALUES ('optimize')"); !st) return st.error();
        }
    }
    if (report.expired + report.capped > 0) {
        if (options.maxBytes <= 0 && report.expired > 0)
            if (auto st = writerDb.exec("INSERT INTO jobs_fts (jobs_fts) VALUES ('optimize')"); !st) return st.error();
        if (auto st = writerDb.exec("PRAGMA incremental_vacuum"); !st) return st.error();
        writerDb.exec("PRAGMA wal_checkpoint(PASSIVE)");  // best effort: shrinks the file when no reader holds it
    }
    auto after = usedBytes();
    if (!after) return after.error();
    report.bytesAfter = after.value();
    return report;
}

// ---- open and close ----

model::Outcome<std::unique_ptr<HistoryStore>> HistoryStore::open(HistoryOptions options) {
    auto state = std::make_unique<State>();
    state->path = options.path.empty() ? defaultHistoryPath() : options.path;
    state->pathText = state->path.string();
    const std::string& p = state->pathText;
    std::error_code ec;
    const bool exists = fs::exists(state->path, ec);
    if (!exists && !options.createIfMissing)
        return model::Error::make(model::ErrorKind::NotFound,
                                  "no history database at " + p + " (genmon writes one while it watches a backend)");
    if (exists && fs::is_directory(state->path, ec)) return unusable(p, "is a folder");
    if (exists && fs::file_size(state->path, ec) > 0)
        if (auto what = notSqlite(state->path)) return unusable(p, *what);
    if (!exists && state->path.has_parent_path()) {
        fs::create_directories(state->path.parent_path(), ec);
        if (ec)
            return model::Error::make(model::ErrorKind::Internal, "cannot create the folder " +
                                                                      state->path.parent_path().string() +
                                                                      " for the history: " + ec.message());
    }

    const int flags = SQLITE_OPEN_READWRITE | (options.createIfMissing ? SQLITE_OPEN_CREATE : 0);
    auto opened = sql::Connection::open(p, flags | SQLITE_OPEN_NOMUTEX, options.busyTimeoutMs);
    if (!opened) return opened.error();
    sql::Connection db = std::move(opened).value();
    // Nothing is written before the file is known to be an empty one or genmon's.
    if (auto st = schema::checkUsable(db, p); !st) return st.error();
    // Incremental vacuum must be chosen before the first table exists; on an older file it is
    // a no-op until the VACUUM below.
    if (!db.exec("PRAGMA auto_vacuum = INCREMENTAL")) return openError(db, p, "cannot set auto_vacuum");
    {
        // Switching a new file to WAL needs it to itself for a moment, and SQLite answers "busy"
        // at once rather than waiting when another genmon is opening it too: try again, up to
        // the busy timeout.
        const auto giveUp = Clock::now() + std::chrono::milliseconds(options.busyTimeoutMs);
        while (true) {
            auto mode = db.prepare("PRAGMA journal_mode = WAL");
            if (!mode) return openError(db, p, "cannot switch to WAL mode");
            const int rc = mode->step();
            if (rc == SQLITE_ROW) {
                if (mode->text(0) != "wal")
                    return model::Error::make(model::ErrorKind::Internal, "history database " + p +
                                                                              ": cannot use WAL mode (journal mode " +
                                                                              mode->text(0) + ")");
                break;
            }
            if ((rc & 0xff) != SQLITE_BUSY || Clock::now() >= giveUp) return openError(db, p, "cannot switch to WAL mode");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    if (!db.exec("PRAGMA synchronous = NORMAL")) return openError(db, p, "cannot set synchronous");
    // A batch touches pages all over the indexes (job ids are random); with SQLite's default
    // 2 MB cache it spills them to the WAL mid-transaction and writes them again and again.
    db.exec("PRAGMA cache_size = -32768");
    // Statement journals (FTS5 flushing its terms inside an insert) stay in memory instead of
    // temporary files written and deleted by the hundred per batch.
    db.exec("PRAGMA temp_store = MEMORY");
    if (auto st = schema::migrate(db, p, options.clock ? options.clock() : model::systemNowMicros()); !st) return st.error();
    if (auto av = db.queryInt("PRAGMA auto_vacuum"); av && av.value() != 2)
        db.exec("PRAGMA auto_vacuum = INCREMENTAL; VACUUM");  // best effort: once, for a migrated file

    auto readerOpened = sql::Connection::open(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, options.busyTimeoutMs);
    if (!readerOpened) return readerOpened.error();
    state->reader = std::move(readerOpened).value();
    if (!state->reader.exec("PRAGMA query_only = 1")) return openError(state->reader, p, "cannot open for reading");
    state->reader.exec("PRAGMA cache_size = -32768");
    state->reader.exec("PRAGMA temp_store = MEMORY");
    if (sqlite3_create_function_v2(state->reader.get(), sql_search::kFtsHitFunction, 2, SQLITE_UTF8, state->ftsHits,
                                   ftsHitFunction, nullptr, nullptr, nullptr) != SQLITE_OK)
        return sql::error(state->reader.get(), "history: cannot register the search function");
    // Reads the jobs table's index through once: a damaged file is found here, not in a view.
    if (auto n = state->reader.queryInt("SELECT count(*) FROM jobs"); !n) return openError(state->reader, p, "cannot read the jobs");

    if (options.writer) {
        state->writerDb = std::move(db);
        auto writer = schema::RecordWriter::prepare(state->writerDb);
        if (!writer) return writer.error();
        state->recordWriter = std::move(writer).value();
    }
    state->options = std::move(options);
    state->nextMaintenance = Clock::now();
    auto store = std::unique_ptr<HistoryStore>(new HistoryStore(std::move(state)));
    if (store->s_->options.writer) store->s_->thread = std::thread([s = store->s_.get()] { s->run(); });
    return store;
}

HistoryStore::HistoryStore(std::unique_ptr<State> state) : s_(std::move(state)) {}

HistoryStore::~HistoryStore() { close(); }

const fs::path& HistoryStore::path() const noexcept { return s_->path; }

void HistoryStore::close() {
    {
        std::lock_guard lk(s_->m);
        if (s_->closed) return;
        s_->closed = true;
        s_->stopping = true;
    }
    s_->wake.notify_all();
    if (s_->thread.joinable()) s_->thread.join();
    s_->recordWriter.reset();
    s_->writerDb.close();
    std::lock_guard rl(s_->readMutex);
    s_->reader.close();
    s_->readerOpen = false;
}

// ---- writing ----

void HistoryStore::record(JobRecord record) {
    std::unique_lock lk(s_->m);
    State& s = *s_;
    if (s.closed || s.broken || !s.options.writer) {
        ++s.stats.failed;
        return;
    }
    if (s.queue.size() >= s.options.queueCapacity) {
        if (s.queue.dropOldestUpdate()) {
            ++s.stats.dropped;
        } else if (!isFinal(record.status)) {
            ++s.stats.dropped;
            return;
        }
    }
    s.queue.push(State::Item{std::move(record), s.nextSeq++, Clock::now(), 0});
    ++s.stats.recorded;
    const bool wakeWriter = s.queue.size() == 1 || s.queue.size() == s.options.batchRows;
    lk.unlock();
    if (wakeWriter) s.wake.notify_one();
}

model::Status HistoryStore::flush() {
    State& s = *s_;
    std::unique_lock lk(s.m);
    if (s.closed || !s.options.writer) return model::okStatus();
    const uint64_t ticket = s.nextSeq - 1;
    const uint64_t failedBefore = s.stats.failed;
    ++s.flushWaiters;
    s.wake.notify_one();
    s.done.wait(lk, [&] { return !s.inFlight && (s.queue.empty() || s.queue.front().seq > ticket); });
    --s.flushWaiters;
    if (s.stats.failed > failedBefore)
        return model::Error::make(model::ErrorKind::Internal, "history: " + std::to_string(s.stats.failed - failedBefore) +
                                                                  " records could not be written: " + s.stats.lastError);
    return model::okStatus();
}

HistoryStats HistoryStore::stats() const {
    std::lock_guard lk(s_->m);
    HistoryStats st = s_->stats;
    st.queued = s_->queue.size();
    return st;
}

model::Outcome<MaintenanceReport> HistoryStore::maintain() {
    State& s = *s_;
    std::unique_lock lk(s.m);
    if (s.closed || !s.options.writer)
        return model::Error::make(model::ErrorKind::InvalidArgument, "history: opened for reading only, nothing to maintain");
    const uint64_t target = s.maintenanceRuns + 1;
    s.maintenanceWanted = true;
    s.wake.notify_one();
    s.done.wait(lk, [&] { return s.maintenanceRuns >= target || s.closed; });
    if (!s.lastMaintenance) return model::Error::make(model::ErrorKind::Cancelled, "history: closed before maintenance ran");
    return *s.lastMaintenance;
}

// ---- reading ----

namespace {

model::Error closedError() { return model::Error::make(model::ErrorKind::Cancelled, "history: the database is closed"); }

void bindAll(sql::Statement& st, const std::vector<sql_search::Value>& values) {
    int i = 1;
    for (const auto& v : values) {
        if (const auto* n = std::get_if<int64_t>(&v))
            st.bind(i++, *n);
        else
            st.bind(i++, std::get<std::string>(v));
    }
}

template <class Fn>
model::Status eachRow(const sql::Connection& db, sql::Statement& st, Fn&& fn) {
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) fn(st);
    if (rc != SQLITE_DONE) return sql::error(db.get(), "history: the query failed");
    return model::okStatus();
}

model::Status fillRowSet(const sql::Connection& db, const std::string& expression, RowSet& set) {
    set.clear();
    if (expression.empty()) return model::okStatus();
    auto st = db.prepare("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?1");
    if (!st) return st.error();
    st->bind(1, expression);
    return eachRow(db, st.value(), [&](const sql::Statement& row) { set.add(row.int64(0)); });
}

model::Outcome<std::vector<JobRecord>> searchWhere(const sql::Connection& db, RowSet* ftsHits, size_t wordsBySetAbove,
                                                   const Query& query, const SearchOptions& o, int64_t now,
                                                   const char* extra) {
    // The words first, into row sets; how many matched decides the plan (search_sql.hpp).
    const auto fts = sql_search::ftsExpressions(query);
    if (auto st = fillRowSet(db, fts.all, ftsHits[0]); !st) return st.error();
    if (auto st = fillRowSet(db, fts.any, ftsHits[1]); !st) return st.error();
    const bool bySet = !fts.all.empty() && ftsHits[0].count > wordsBySetAbove;
    if (!fts.all.empty() && ftsHits[0].count == 0) return std::vector<JobRecord>{};
    const auto cond = sql_search::where(query, now, bySet);
    std::string sql = std::string("SELECT ") + schema::kRecordColumns;
    if (o.thumbnails) sql += std::string(", ") + schema::kThumbColumns;
    sql += " FROM jobs j";
    if (o.thumbnails) sql += " LEFT JOIN thumbs t ON t.job = j.id";
    sql += " WHERE " + cond.sql;
    if (extra) sql += std::string(" AND ") + extra;
    sql += " ORDER BY j.at_us DESC, j.id DESC LIMIT ?" + std::to_string(cond.values.size() + 1);
    auto st = db.prepare(sql);
    if (!st) return st.error();
    bindAll(st.value(), cond.values);
    st->bind(static_cast<int>(cond.values.size() + 1), static_cast<int64_t>(o.limit));
    std::vector<JobRecord> out;
    if (auto r = eachRow(db, st.value(), [&](const sql::Statement& row) { out.push_back(schema::readRecord(row, o.thumbnails)); });
        !r)
        return r.error();
    return out;
}

}  // namespace

model::Outcome<std::vector<JobRecord>> HistoryStore::search(const Query& query, const SearchOptions& options) const {
    std::lock_guard lk(s_->readMutex);
    if (!s_->readerOpen) return closedError();
    return searchWhere(s_->reader, s_->ftsHits, s_->options.wordsBySetAbove, query, options,
                       options.nowMicros ? options.nowMicros : s_->now(), nullptr);
}

model::Outcome<std::vector<JobRecord>> HistoryStore::failedJobs(const Query& query, const SearchOptions& options) const {
    std::lock_guard lk(s_->readMutex);
    if (!s_->readerOpen) return closedError();
    return searchWhere(s_->reader, s_->ftsHits, s_->options.wordsBySetAbove, query, options,
                       options.nowMicros ? options.nowMicros : s_->now(), "j.status = 'failed'");
}

model::Outcome<std::optional<JobRecord>> HistoryStore::find(std::string_view backend, std::string_view jobId) const {
    std::lock_guard lk(s_->readMutex);
    if (!s_->readerOpen) return closedError();
    auto st = s_->reader.prepare(std::string("SELECT ") + schema::kRecordColumns + ", " + schema::kThumbColumns +
                                 " FROM jobs j LEFT JOIN thumbs t ON t.job = j.id WHERE j.backend = ?1 AND j.job_id = ?2");
    if (!st) return st.error();
    st->bind(1, backend).bind(2, jobId);
    std::optional<JobRecord> found;
    if (auto r = eachRow(s_->reader, st.value(), [&](const sql::Statement& row) { found = schema::readRecord(row, true); }); !r)
        return r.error();
    return found;
}

model::Outcome<std::vector<RunSample>> HistoryStore::runSamples(const RunKey& key, size_t newest) const {
    std::lock_guard lk(s_->readMutex);
    if (!s_->readerOpen) return closedError();
    std::string sql =
        "SELECT backend, job_id, started_us, finished_us, steps FROM jobs WHERE status = 'succeeded' AND "
        "started_us IS NOT NULL AND finished_us IS NOT NULL AND finished_us > started_us";
    int n = 0;
    if (key.sampler) sql += " AND sampler = ?" + std::to_string(++n);
    if (key.width) sql += " AND width = ?" + std::to_string(++n);
    if (key.height) sql += " AND height = ?" + std::to_string(++n);
    if (key.steps) sql += " AND steps = ?" + std::to_string(++n);
    sql += " ORDER BY finished_us DESC LIMIT ?" + std::to_string(++n);
    auto st = s_->reader.prepare(sql);
    if (!st) return st.error();
    int i = 0;
    if (key.sampler) st->bind(++i, *key.sampler);
    if (key.width) st->bind(++i, *key.width);
    if (key.height) st->bind(++i, *key.height);
    if (key.steps) st->bind(++i, *key.steps);
    st->bind(++i, static_cast<int64_t>(newest));
    std::vector<RunSample> out;
    if (auto r = eachRow(s_->reader, st.value(),
                         [&](const sql::Statement& row) {
                             out.push_back(RunSample{row.text(0), row.text(1), row.int64(2), row.int64(3), row.optInt(4)});
                         });
        !r)
        return r.error();
    return out;
}

model::Outcome<std::vector<JobRecord>> HistoryStore::jobsOverlapping(int64_t fromMicros, int64_t toMicros, size_t limit) const {
    std::lock_guard lk(s_->readMutex);
    if (!s_->readerOpen) return closedError();
    auto st = s_->reader.prepare(std::string("SELECT ") + schema::kRecordColumns +
                                 " FROM jobs j WHERE j.end_us >= ?1 AND j.at_us < ?2 ORDER BY j.at_us, j.id LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, fromMicros).bind(2, toMicros).bind(3, static_cast<int64_t>(limit));
    std::vector<JobRecord> out;
    if (auto r = eachRow(s_->reader, st.value(), [&](const sql::Statement& row) { out.push_back(schema::readRecord(row, false)); });
        !r)
        return r.error();
    return out;
}

model::Outcome<std::vector<ThroughputBucket>> HistoryStore::throughput(int64_t fromMicros, int64_t toMicros,
                                                                       int64_t bucketMicros, int64_t alignMicros) const {
    if (bucketMicros <= 0 || toMicros <= fromMicros)
        return model::Error::make(model::ErrorKind::InvalidArgument, "history: throughput needs a range and a bucket width");
    auto floorDiv = [](int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); };
    const int64_t first = floorDiv(fromMicros - alignMicros, bucketMicros);
    const int64_t last = floorDiv(toMicros - 1 - alignMicros, bucketMicros);
    if (last - first + 1 > 100000)
        return model::Error::make(model::ErrorKind::InvalidArgument, "history: more than 100,000 throughput buckets asked for");
    std::vector<ThroughputBucket> out(static_cast<size_t>(last - first + 1));
    for (size_t i = 0; i < out.size(); ++i) out[i].startMicros = alignMicros + (first + static_cast<int64_t>(i)) * bucketMicros;
    std::lock_guard lk(s_->readMutex);
    if (!s_->readerOpen) return closedError();
    // A finished job counts where it ended (its finish time, else when it was last seen).
    auto st = s_->reader.prepare(
        "SELECT end_us, status, CASE WHEN started_us IS NOT NULL AND finished_us > started_us "
        "THEN finished_us - started_us END FROM jobs WHERE end_us >= ?1 AND end_us < ?2 AND "
        "status IN ('succeeded', 'failed', 'cancelled', 'left')");
    if (!st) return st.error();
    st->bind(1, fromMicros).bind(2, toMicros);
    if (auto r = eachRow(s_->reader, st.value(),
                         [&](const sql::Statement& row) {
                             const int64_t k = floorDiv(row.int64(0) - alignMicros, bucketMicros) - first;
                             if (k < 0 || k >= static_cast<int64_t>(out.size())) return;
                             ThroughputBucket& b = out[static_cast<size_t>(k)];
                             switch (runStatusFromName(row.text(1)).value_or(RunStatus::Left)) {
                                 case RunStatus::Succeeded: ++b.succeeded; break;
                                 case RunStatus::Failed: ++b.failed; break;
                                 case RunStatus::Cancelled: ++b.cancelled; break;
                                 default: ++b.left; break;
                             }
                             if (!row.isNull(2)) {
                                 ++b.timedRuns;
                                 b.timedRunSeconds += static_cast<double>(row.int64(2)) / 1e6;
                             }
                         });
        !r)
        return r.error();
    return out;
}

model::Status HistoryStore::forEachJob(const std::function<void(const JobRecord&)>& visit) const {
    std::lock_guard lk(s_->readMutex);
    if (!s_->readerOpen) return closedError();
    auto st = s_->reader.prepare(std::string("SELECT ") + schema::kRecordColumns + ", " + schema::kThumbColumns +
                                 " FROM jobs j LEFT JOIN thumbs t ON t.job = j.id ORDER BY j.at_us, j.id");
    if (!st) return st.error();
    return eachRow(s_->reader, st.value(), [&](const sql::Statement& row) { visit(schema::readRecord(row, true)); });
}

model::Outcome<int64_t> HistoryStore::countJobs() const {
    std::lock_guard lk(s_->readMutex);
    if (!s_->readerOpen) return closedError();
    return s_->reader.queryInt("SELECT count(*) FROM jobs");
}

model::Outcome<std::string> HistoryStore::integrityCheck() const {
    std::lock_guard lk(s_->readMutex);
    if (!s_->readerOpen) return closedError();
    auto st = s_->reader.prepare("PRAGMA integrity_check");
    if (!st) return st.error();
    if (st->step() != SQLITE_ROW) return sql::error(s_->reader.get(), "history: integrity check");
    return st->text(0);
}

}  // namespace genmon::history
