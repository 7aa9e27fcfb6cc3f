#pragma once
// Shared by the history tests (issue 18): a fresh folder per test, records to store, and a raw
// SQLite connection for looking at (or damaging) the file the way another program would.
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "history/history_store.hpp"
#include "test_support.hpp"

namespace genmon::histtest {

namespace fs = std::filesystem;

// 2026-12-01 12:00:00 UTC: "now" for tests with a fixed clock.
inline constexpr int64_t kNow = 1'796'126'400'000'000;
inline constexpr int64_t kMinute = 60'000'000;
inline constexpr int64_t kHour = 60 * kMinute;
inline constexpr int64_t kDay = 24 * kHour;

// An empty folder of its own under the test output folder ("<name>-<pid>-<n>"). Folders left by
// test processes that have ended are removed first, so runs do not pile up databases.
inline fs::path freshDir(const std::string& name) {
    static std::atomic<int> counter{0};
    const fs::path root = test::outputDir() / "history";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        const std::string n = entry.path().filename().string();
        const size_t last = n.rfind('-'), before = last == std::string::npos ? last : n.rfind('-', last - 1);
        if (before == std::string::npos) continue;
        const long pid = std::strtol(n.c_str() + before + 1, nullptr, 10);
        if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0) fs::remove_all(entry.path(), ec);
    }
    const fs::path dir = root / (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// "j" + std::to_string(i) without the operator GCC 12's -Wrestrict misfires on at -O3.
inline std::string numbered(std::string prefix, long long i) {
    prefix += std::to_string(i);
    return prefix;
}

inline history::HistoryOptions optionsFor(const fs::path& db) {
    history::HistoryOptions o;
    o.path = db;
    o.batchInterval = std::chrono::milliseconds(20);
    return o;
}

inline std::unique_ptr<history::HistoryStore> openStore(const history::HistoryOptions& o) {
    auto opened = history::HistoryStore::open(o);
    if (!opened) FAIL("cannot open the history: " << opened.error().message);
    return std::move(opened).value();
}

// A finished job with every parameter set.
inline history::JobRecord job(const std::string& id, history::RunStatus status = history::RunStatus::Succeeded,
                              int64_t createdMicros = kNow - kHour) {
    history::JobRecord r;
    r.backend = "127.0.0.1:8000";
    r.backendUrl = "http://127.0.0.1:8000/api/v1";
    r.jobId = id;
    r.status = status;
    r.createdMicros = createdMicros;
    if (status != history::RunStatus::Queued) r.startedMicros = createdMicros + 2'000'000;
    if (history::isFinal(status)) r.finishedMicros = createdMicros + 12'000'000;
    r.params.prompt = "a lighthouse at dusk, <lora:film_grain:0.8>";
    r.params.negativePrompt = "blurry";
    r.params.sampler = "DPM++ 2M";
    r.params.width = 512;
    r.params.height = 768;
    r.params.steps = 20;
    r.params.cfg = 7.0;
    r.params.seed = 42;
    r.params.batchSize = 1;
    r.params.nIter = 1;
    if (status == history::RunStatus::Failed) r.error = "CUDA out of memory";
    return r;
}

// A connection of our own, as another program (or a test making a file by hand) would have.
class RawDb {
public:
    explicit RawDb(const fs::path& path) {
        REQUIRE(sqlite3_open(path.string().c_str(), &db_) == SQLITE_OK);
        sqlite3_busy_timeout(db_, 5000);
    }
    ~RawDb() { sqlite3_close(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;
    void exec(const std::string& sql) {
        char* err = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
        const std::string msg = err ? err : "";
        sqlite3_free(err);
        REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << msg);
    }
    // The first column of the first row, as text ("" for none).
    std::string text(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        REQUIRE_MESSAGE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK, sql << ": " << sqlite3_errmsg(db_));
        std::string out;
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        return out;
    }
    int64_t integer(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        REQUIRE_MESSAGE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK, sql << ": " << sqlite3_errmsg(db_));
        int64_t out = 0;
        if (sqlite3_step(st) == SQLITE_ROW) out = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return out;
    }
    sqlite3* get() { return db_; }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace genmon::histtest
