// Issue 18.1-18.3: the history database over real files: where it lives, what a row keeps, the
// upsert as a job advances, restarts, and the writer thread's queue and batches.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "history/history_store.hpp"
#include "history_test_util.hpp"

using namespace genmon;
using namespace genmon::histtest;
using history::RunStatus;

namespace {

bool waitUntil(const std::function<bool()>& pred, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
}

history::JobRecord stored(const history::HistoryStore& store, const std::string& id, const std::string& backend = "127.0.0.1:8000") {
    auto found = store.find(backend, id);
    REQUIRE(found);
    REQUIRE_MESSAGE(found.value(), "job " << id << " is not stored");
    return *found.value();
}

class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("issue 18.1: the default file is $XDG_STATE_HOME/genmon/history.sqlite3, else ~/.local/state/genmon") {
    const auto dir = freshDir("default-path");
    {
        ScopedEnv state("XDG_STATE_HOME", (dir / "state").string());
        CHECK(history::defaultHistoryPath() == dir / "state" / "genmon" / "history.sqlite3");
        // The folder is made; the file is SQLite in WAL mode with genmon's mark and version 2.
        history::HistoryOptions o;
        auto store = openStore(o);
        CHECK(store->path() == dir / "state" / "genmon" / "history.sqlite3");
        CHECK(fs::exists(store->path()));
        RawDb raw(store->path());
        CHECK(raw.text("PRAGMA journal_mode") == "wal");
        CHECK(raw.integer("PRAGMA user_version") == 2);
        CHECK(raw.integer("PRAGMA application_id") == 0x67656E6D);
        CHECK(raw.integer("PRAGMA auto_vacuum") == 2);  // incremental: the size cap can give pages back
    }
    {
        ScopedEnv state("XDG_STATE_HOME", "relative/not/allowed");
        ScopedEnv home("HOME", (dir / "home").string());
        CHECK(history::defaultHistoryPath() == dir / "home" / ".local" / "state" / "genmon" / "history.sqlite3");
    }
}

TEST_CASE("issue 18.7: a restart keeps every job with all it carried") {
    const auto dir = freshDir("restart");
    const auto db = dir / "history.sqlite3";
    const RunStatus statuses[] = {RunStatus::Queued, RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed,
                                  RunStatus::Cancelled, RunStatus::Left};
    std::vector<history::JobRecord> written;
    {
        auto store = openStore(optionsFor(db));
        for (int i = 0; i < 1200; ++i) {
            auto r = job("job-" + std::to_string(i), statuses[i % 6], kNow - (1200 - i) * kMinute);
            r.params.seed = i;
            r.params.prompt = "prompt number " + std::to_string(i) + " <lora:l" + std::to_string(i % 7) + ":0.5>";
            if (i % 10 == 0) r.thumbnail = history::Thumbnail{2, 1, {1, 2, 3, 4, 5, 6, 7, 8}};
            if (i % 50 == 1) r.rerunOf = "job-" + std::to_string(i - 1);
            if (r.status == RunStatus::Succeeded) r.resultId = "result-" + std::to_string(i);
            written.push_back(r);
            store->record(r);
        }
        // No flush: close() commits what is queued.
    }
    auto store = openStore(optionsFor(db));
    CHECK(store->countJobs().value() == 1200);
    for (const auto& w : written) {
        const auto r = stored(*store, w.jobId);
        CHECK(r.status == w.status);
        CHECK(r.backendUrl == w.backendUrl);
        CHECK(r.createdMicros == w.createdMicros);
        CHECK(r.startedMicros == w.startedMicros);
        CHECK(r.finishedMicros == w.finishedMicros);
        CHECK(r.error == w.error);
        CHECK(r.params == w.params);
        CHECK(r.resultId == w.resultId);
        CHECK(r.rerunOf == w.rerunOf);
        CHECK(r.thumbnail == w.thumbnail);
        CHECK(r.loras() == w.loras());
        CHECK(r.seenMicros > 0);
    }
    CHECK(store->integrityCheck().value() == "ok");
}

TEST_CASE("issue 18.2: a job's lifecycle is one row, each step adding what it learned") {
    const auto dir = freshDir("lifecycle");
    auto store = openStore(optionsFor(dir / "h.sqlite3"));
    auto queued = job("j1", RunStatus::Queued);
    store->record(queued);
    history::JobRecord running;  // a progress message knows little: id, status, start
    running.backend = queued.backend;
    running.jobId = "j1";
    running.status = RunStatus::Running;
    running.startedMicros = kNow - 50 * kMinute;
    store->record(running);
    history::JobRecord done = running;
    done.status = RunStatus::Succeeded;
    done.startedMicros = 0;
    done.finishedMicros = kNow - 49 * kMinute;
    done.resultId = "r1";
    done.thumbnail = history::Thumbnail{1, 1, {9, 9, 9, 255}};
    store->record(done);
    REQUIRE(store->flush());
    CHECK(store->countJobs().value() == 1);
    const auto r = stored(*store, "j1");
    CHECK(r.status == RunStatus::Succeeded);
    CHECK(r.params == queued.params);  // kept from the first step
    CHECK(r.backendUrl == queued.backendUrl);
    CHECK(r.createdMicros == queued.createdMicros);
    CHECK(r.startedMicros == kNow - 50 * kMinute);
    CHECK(r.finishedMicros == kNow - 49 * kMinute);
    CHECK(*r.resultId == "r1");
    CHECK(r.thumbnail->rgba == std::vector<uint8_t>{9, 9, 9, 255});
    // The same job id on another backend is another job.
    auto other = job("j1", RunStatus::Failed);
    other.backend = "gpu2:8000";
    store->record(other);
    REQUIRE(store->flush());
    CHECK(store->countJobs().value() == 2);
    CHECK(stored(*store, "j1", "gpu2:8000").status == RunStatus::Failed);
}

TEST_CASE("issue 18.3: records are written in the order they came, final states and updates alike") {
    const auto dir = freshDir("order");
    auto o = optionsFor(dir / "h.sqlite3");
    o.batchInterval = std::chrono::hours(1);  // all of them in one batch, at the flush
    auto store = openStore(o);
    // Each record's error replaces the one before: the last one recorded must be the one kept.
    for (int i = 0; i < 50; ++i) {
        auto r = job("ordered", i % 2 ? RunStatus::Failed : RunStatus::Running);
        r.error = numbered("word ", i);
        store->record(r);
    }
    REQUIRE(store->flush());
    CHECK(*stored(*store, "ordered").error == "word 49");
    CHECK(stored(*store, "ordered").status == RunStatus::Failed);
}

TEST_CASE("issue 18.2: a late non-final update never revives a finished job, a final one corrects it") {
    const auto dir = freshDir("final-wins");
    auto store = openStore(optionsFor(dir / "h.sqlite3"));
    store->record(job("a", RunStatus::Failed));
    store->record(job("a", RunStatus::Running));  // a stale listing arriving late
    store->record(job("b", RunStatus::Cancelled));
    store->record(job("b", RunStatus::Succeeded));  // upstream: a cancelled pending job ran anyway
    store->record(job("c", RunStatus::Left));
    store->record(job("c", RunStatus::Succeeded));  // the completion after the listing dropped it
    REQUIRE(store->flush());
    CHECK(stored(*store, "a").status == RunStatus::Failed);
    CHECK(stored(*store, "b").status == RunStatus::Succeeded);
    CHECK(stored(*store, "c").status == RunStatus::Succeeded);
}

TEST_CASE("issue 18.3: record() does not wait for the disk: it returns while another process holds the write lock") {
    const auto dir = freshDir("never-blocks");
    const auto db = dir / "h.sqlite3";
    auto o = optionsFor(db);
    o.busyTimeoutMs = 120000;
    o.batchInterval = std::chrono::milliseconds(1);
    auto store = openStore(o);
    REQUIRE(store->maintain());  // the maintenance at start is over: only records are waiting below
    RawDb other(db);
    other.exec("BEGIN IMMEDIATE");  // the writer's next BEGIN IMMEDIATE waits on this lock
    store->record(job("first"));
    REQUIRE(waitUntil([&] { return store->stats().queued == 0; }));  // taken by the writer, which now waits
    for (int i = 0; i < 100; ++i) store->record(job("more-" + std::to_string(i)));
    const auto st = store->stats();
    CHECK(st.recorded == 101);
    CHECK(st.written == 0);
    CHECK(st.queued == 100);
    other.exec("COMMIT");
    REQUIRE(store->flush());
    CHECK(store->stats().written == 101);
    CHECK(store->countJobs().value() == 101);
}

TEST_CASE("issue 18.3: a full queue drops the oldest non-final update and never a final state") {
    const auto dir = freshDir("full-queue");
    auto o = optionsFor(dir / "h.sqlite3");
    o.queueCapacity = 10;
    o.batchInterval = std::chrono::hours(1);  // nothing is written until the flush
    o.batchRows = 1000000;
    auto store = openStore(o);
    for (int i = 0; i < 10; ++i) store->record(job("active-" + std::to_string(i), RunStatus::Running));
    for (int i = 0; i < 11; ++i) store->record(job("final-" + std::to_string(i), RunStatus::Failed));
    store->record(job("late-active", RunStatus::Queued));  // full of final states: this one goes
    auto st = store->stats();
    CHECK(st.dropped == 11);
    CHECK(st.queued == 11);  // over capacity by final states only
    CHECK(st.written == 0);
    REQUIRE(store->flush());
    CHECK(store->countJobs().value() == 11);
    for (int i = 0; i < 11; ++i) CHECK(stored(*store, "final-" + std::to_string(i)).status == RunStatus::Failed);
    CHECK_FALSE(store->find("127.0.0.1:8000", "active-0").value());
    CHECK_FALSE(store->find("127.0.0.1:8000", "late-active").value());
}

TEST_CASE("issue 18.3: the writer commits in batches of at most batchRows, and flush commits the rest at once") {
    const auto dir = freshDir("batches");
    auto o = optionsFor(dir / "h.sqlite3");
    o.batchInterval = std::chrono::hours(1);  // only a full batch (or a flush) is written
    o.batchRows = 500;
    std::mutex m;
    std::vector<history::CommitInfo> commits;
    o.onCommit = [&](const history::CommitInfo& c) {
        std::lock_guard lk(m);
        commits.push_back(c);
    };
    auto store = openStore(o);
    for (int i = 0; i < 1000; ++i) store->record(job("b-" + std::to_string(i)));
    REQUIRE(waitUntil([&] { return store->stats().written == 1000; }));
    store->record(job("b-last"));
    CHECK(store->stats().written == 1000);  // one record waits for its batch (an hour here)
    REQUIRE(store->flush());
    CHECK(store->stats().written == 1001);
    std::lock_guard lk(m);
    REQUIRE(commits.size() == 3);
    CHECK(commits[0].rows == 500);
    CHECK(commits[1].rows == 500);
    CHECK(commits[2].rows == 1);
    CHECK(commits[2].totalWritten == 1001);
    CHECK(store->stats().batches == 3);
}

TEST_CASE("issue 18.3: after close, record() is refused and queries say the history is closed") {
    const auto dir = freshDir("closed");
    auto store = openStore(optionsFor(dir / "h.sqlite3"));
    store->record(job("x"));
    store->close();
    store->record(job("y"));
    CHECK(store->stats().failed == 1);
    CHECK(store->stats().written == 1);
    const auto r = store->countJobs();
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("closed") != std::string::npos);
}

TEST_CASE("issue 18.1: a store opened for reading only has no writer and needs the file to exist") {
    const auto dir = freshDir("read-only");
    history::HistoryOptions o = optionsFor(dir / "missing.sqlite3");
    o.createIfMissing = false;
    o.writer = false;
    auto missing = history::HistoryStore::open(o);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("no history database at") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "missing.sqlite3"));
    {
        auto w = openStore(optionsFor(dir / "h.sqlite3"));
        w->record(job("r"));
    }
    o.path = dir / "h.sqlite3";
    auto reader = openStore(o);
    CHECK(reader->countJobs().value() == 1);
    reader->record(job("ignored"));
    CHECK(reader->stats().failed == 1);
    CHECK_FALSE(reader->maintain());
}
