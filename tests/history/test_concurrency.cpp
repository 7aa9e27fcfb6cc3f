// Issue 18.1 / 18.3 / 18.7: two genmon processes (and two stores in one process) writing one
// database at once, and a writer killed with SIGKILL in the middle of its batches.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include "app/process_util.hpp"
#include "history/history_store.hpp"
#include "history_test_util.hpp"

using namespace genmon;
using namespace genmon::histtest;
using history::RunStatus;

namespace {

// Every "committed N" line of the child's stdout; the last is what it knew was on disk.
std::vector<uint64_t> commitsSeen(const std::string& out) {
    std::vector<uint64_t> v;
    std::istringstream in(out);
    std::string word;
    uint64_t n = 0;
    while (in >> word)
        if (word == "committed" && in >> n) v.push_back(n);
    return v;
}

// The indexes of prefix-<i> stored for backend `prefix`.
std::set<long long> storedIndexes(RawDb& raw, const std::string& prefix) {
    std::set<long long> out;
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw.get(), "SELECT job_id FROM jobs WHERE backend = ?1", -1, &st, nullptr) == SQLITE_OK);
    sqlite3_bind_text(st, 1, prefix.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const std::string id = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        out.insert(std::stoll(id.substr(prefix.size() + 1)));
    }
    sqlite3_finalize(st);
    return out;
}

void checkWholeFile(const fs::path& p) {
    RawDb raw(p);
    CHECK(raw.text("PRAGMA integrity_check") == "ok");
    raw.exec("INSERT INTO jobs_fts (jobs_fts) VALUES ('integrity-check')");
}

}  // namespace

TEST_CASE("issue 18.7: two genmon processes write one database at once, nothing lost, nothing damaged") {
    const auto dir = freshDir("two-processes");
    const auto db = (dir / "h.sqlite3").string();
    const std::string exe = GENMON_HISTORY_WRITER_EXE;
    // Small batches and short intervals: many transactions contend for the lock.
    proctest::Process a({exe, "--db", db, "--prefix", "alpha", "--count", "4000", "--batch-rows", "50", "--interval-ms", "2",
                         "--shared", "200", "--shared-status", "running"},
                        "history-writer-a");
    proctest::Process b({exe, "--db", db, "--prefix", "beta", "--count", "4000", "--batch-rows", "50", "--interval-ms", "2",
                         "--shared", "200", "--shared-status", "succeeded"},
                        "history-writer-b");
    const auto ea = a.wait(std::chrono::seconds(120));
    const auto eb = b.wait(std::chrono::seconds(120));
    INFO("alpha: " << a.out() << a.err());
    INFO("beta: " << b.out() << b.err());
    CHECK(ea.exited);
    CHECK(ea.code == 0);
    CHECK(eb.exited);
    CHECK(eb.code == 0);
    CHECK(a.out().find("done written=4200 failed=0 dropped=0") != std::string::npos);
    CHECK(b.out().find("done written=4200 failed=0 dropped=0") != std::string::npos);
    CHECK(commitsSeen(a.out()).size() > 10);  // many transactions each, interleaved
    checkWholeFile(dir / "h.sqlite3");
    RawDb raw(dir / "h.sqlite3");
    CHECK(storedIndexes(raw, "alpha").size() == 4000);
    CHECK(storedIndexes(raw, "beta").size() == 4000);
    // Both wrote the shared jobs; whatever the order, the final state won.
    CHECK(raw.integer("SELECT count(*) FROM jobs WHERE backend = 'shared'") == 200);
    CHECK(raw.integer("SELECT count(*) FROM jobs WHERE backend = 'shared' AND status = 'succeeded'") == 200);
    CHECK(raw.integer("SELECT count(*) FROM job_loras WHERE name = 'helper'") == 8000);
}

TEST_CASE("issue 18.7: SIGKILL in the middle of the batches loses at most the last batch") {
    const auto dir = freshDir("kill-9");
    const auto p = dir / "h.sqlite3";
    const std::string exe = GENMON_HISTORY_WRITER_EXE;
    constexpr int kBatchRows = 300;
    for (int round = 0; round < 3; ++round) {
        // 200,000 jobs recorded as fast as the child can: the queue always holds more than a
        // batch, so the writer goes from one full transaction to the next and the kill lands in
        // the middle of one.
        const std::string prefix = numbered("k", round);
        proctest::Process child({exe, "--db", p.string(), "--prefix", prefix, "--count", "200000", "--batch-rows",
                                 std::to_string(kBatchRows), "--interval-ms", "5"},
                                "history-writer-kill");
        const size_t wanted = 15 + static_cast<size_t>(round) * 10;
        REQUIRE_MESSAGE(proctest::waitFor([&] { return commitsSeen(child.out()).size() >= wanted; }, std::chrono::seconds(60)),
                        child.err());
        child.signal(SIGKILL);
        const auto e = child.wait();
        CHECK(e.signal == SIGKILL);
        const auto commits = commitsSeen(child.out());
        REQUIRE_FALSE(commits.empty());
        const uint64_t reported = commits.back();

        checkWholeFile(p);
        RawDb raw(p);
        const auto stored = storedIndexes(raw, prefix);
        // Whole batches in order: the stored jobs are exactly the first K recorded.
        REQUIRE_FALSE(stored.empty());
        CHECK(*stored.begin() == 0);
        CHECK(static_cast<size_t>(*stored.rbegin()) + 1 == stored.size());
        // Everything the child saw committed is there; beyond it, at most the batch that was
        // committing when the signal came (its line not yet written).
        CHECK(stored.size() >= reported);
        CHECK(stored.size() <= reported + kBatchRows);
        // After the first (taken when the first records were 5 ms old), every commit was a full
        // batch: the writer never waited for records.
        for (size_t i = 1; i < commits.size(); ++i) CHECK(commits[i] - commits[i - 1] == kBatchRows);
        MESSAGE("round " << round << ": " << commits.size() << " commits seen, last " << reported << ", stored "
                         << stored.size());
    }
    // The file is still a good history: genmon opens it and writes on.
    auto store = openStore(optionsFor(p));
    store->record(job("after-the-kill"));
    REQUIRE(store->flush());
    CHECK(store->find("127.0.0.1:8000", "after-the-kill").value());
}

TEST_CASE("issue 18.7: two stores in one process write and search concurrently") {
    const auto dir = freshDir("two-stores");
    const auto p = dir / "h.sqlite3";
    auto o = optionsFor(p);
    o.batchRows = 200;
    o.batchInterval = std::chrono::milliseconds(5);
    auto s1 = openStore(o);
    auto s2 = openStore(o);
    std::atomic<bool> writing{true};
    std::atomic<int> searchFailures{0}, searches{0};
    std::thread reader([&] {
        auto q = history::parseQuery("status:failed id:both-1 lora:film_grain").query;
        while (writing) {
            if (!s1->search(*q) || !s2->search(*q)) ++searchFailures;
            ++searches;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
    auto writer = [&](history::HistoryStore& s, const std::string& backend) {
        for (int i = 0; i < 1500; ++i) {
            auto r = job(backend + "-" + std::to_string(i));
            r.backend = backend;
            s.record(r);
            // Running and failed by turns, running last: the failure must stay.
            auto sharedJob = job(numbered("both-", i % 100), (i / 100) % 2 ? RunStatus::Failed : RunStatus::Running);
            s.record(sharedJob);
        }
    };
    std::thread w1([&] { writer(*s1, "one"); });
    std::thread w2([&] { writer(*s2, "two"); });
    w1.join();
    w2.join();
    REQUIRE(s1->flush());
    REQUIRE(s2->flush());
    writing = false;
    reader.join();
    CHECK(searchFailures == 0);
    CHECK(searches > 0);
    CHECK(s1->stats().failed + s2->stats().failed == 0);
    CHECK(s1->countJobs().value() == 3100);
    auto failed = s1->search(*history::parseQuery("id:both- status:failed").query, {1000});
    CHECK(failed->size() == 100);  // the final state won every race
    s1.reset();
    s2.reset();
    checkWholeFile(p);
}

TEST_CASE("issue 18.1: several first starts at once create the schema once") {
    const auto dir = freshDir("first-starts");
    const auto p = dir / "h.sqlite3";
    std::vector<std::thread> threads;
    std::atomic<int> opened{0};
    std::vector<std::string> errors(6);
    for (int i = 0; i < 6; ++i)
        threads.emplace_back([&, i] {
            auto s = history::HistoryStore::open(optionsFor(p));
            if (s) {
                ++opened;
                s.value()->record(job(numbered("first-", i)));
            } else {
                errors[static_cast<size_t>(i)] = s.error().message;
            }
        });
    for (auto& t : threads) t.join();
    for (const auto& e : errors) CHECK_MESSAGE(e.empty(), e);
    CHECK(opened == 6);
    RawDb raw(p);
    CHECK(raw.integer("PRAGMA user_version") == 2);
    CHECK(raw.integer("SELECT count(*) FROM jobs") == 6);
    CHECK(raw.text("PRAGMA integrity_check") == "ok");
}
