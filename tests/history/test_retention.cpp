// Issue 18.1: retention (default 90 days) and the size cap (the oldest finished jobs first, then
// the pages given back), over real files.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "history/history_store.hpp"
#include "history_test_util.hpp"

using namespace genmon;
using namespace genmon::histtest;
using history::RunStatus;

namespace {

size_t hits(const history::HistoryStore& store, std::string_view text) {
    history::SearchOptions o;
    o.limit = 100000;
    auto found = store.search(*history::parseQuery(text).query, o);
    REQUIRE(found);
    return found->size();
}

}  // namespace

TEST_CASE("issue 18.1: jobs not seen for longer than the retention are deleted, with their index entries") {
    const auto dir = freshDir("retention");
    std::atomic<int64_t> now{kNow - 100 * kDay};
    auto o = optionsFor(dir / "h.sqlite3");
    o.clock = [&] { return now.load(); };
    CHECK(o.retentionDays == 90);  // the default
    auto store = openStore(o);
    REQUIRE(store->maintain());  // the run at start is over before the clock moves
    for (int i = 0; i < 300; ++i) {
        auto r = job("old-" + std::to_string(i), RunStatus::Succeeded, now - kHour);
        r.params.prompt = "ancient zeppelin <lora:old_style:1>";
        r.thumbnail = history::Thumbnail{1, 1, {1, 2, 3, 4}};
        store->record(r);
    }
    store->record(job("old-but-seen-again", RunStatus::Queued, now - kHour));
    REQUIRE(store->flush());
    now = kNow;
    store->record(job("old-but-seen-again", RunStatus::Running, kNow - 100 * kDay - kHour));  // updated today
    for (int i = 0; i < 50; ++i) store->record(job("new-" + std::to_string(i), RunStatus::Failed, kNow - kHour));
    REQUIRE(store->flush());
    CHECK(hits(*store, "zeppelin") == 300);

    auto report = store->maintain();
    REQUIRE(report);
    CHECK(report->expired == 300);
    CHECK(store->countJobs().value() == 51);
    CHECK(store->find("127.0.0.1:8000", "old-but-seen-again").value());
    CHECK(hits(*store, "zeppelin") == 0);
    CHECK(hits(*store, "lora:old_style") == 0);
    CHECK(hits(*store, "status:failed") == 50);
    RawDb raw(store->path());
    CHECK(raw.integer("SELECT count(*) FROM thumbs") == 0);  // the side tables follow the jobs
    CHECK(raw.integer("SELECT count(*) FROM job_loras WHERE job NOT IN (SELECT id FROM jobs)") == 0);
    raw.exec("INSERT INTO jobs_fts (jobs_fts) VALUES ('integrity-check')");
}

TEST_CASE("issue 18.1: retention 0 keeps everything, and the writer also runs maintenance by itself") {
    const auto dir = freshDir("retention-periodic");
    std::atomic<int64_t> now{kNow - 200 * kDay};
    auto o = optionsFor(dir / "h.sqlite3");
    o.clock = [&] { return now.load(); };
    o.retentionDays = 0;
    {
        auto store = openStore(o);
        for (int i = 0; i < 20; ++i) store->record(job(numbered("j", i)));
        REQUIRE(store->flush());
        now = kNow;
        CHECK(store->maintain()->expired == 0);
        CHECK(store->countJobs().value() == 20);
    }
    o.retentionDays = 90;
    o.maintenanceInterval = std::chrono::milliseconds(10);
    auto store = openStore(o);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (store->countJobs().value() != 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(store->countJobs().value() == 0);
}

TEST_CASE("issue 18.1: the size cap deletes the oldest finished jobs and gives the pages back") {
    const auto dir = freshDir("size-cap");
    const auto p = dir / "h.sqlite3";
    auto o = optionsFor(p);
    o.retentionDays = 0;
    o.maxBytes = 0;  // no cap while filling
    o.batchRows = 2000;
    {
        auto store = openStore(o);
        std::string filler;
        for (int w = 0; w < 30; ++w) filler += "word" + std::to_string(w) + " ";
        for (int i = 0; i < 12000; ++i) {
            const bool active = i % 1000 == 0;  // 12 jobs still queued, spread over time
            auto r = job("cap-" + std::to_string(i), active ? RunStatus::Queued : RunStatus::Succeeded, kNow - (12000 - i) * kMinute);
            r.params.prompt = "prompt " + std::to_string(i) + " " + filler;
            store->record(r);
        }
        REQUIRE(store->flush());
    }
    const auto before = fs::file_size(p);
    REQUIRE(before > 6 * 1024 * 1024);
    o.maxBytes = 2 * 1024 * 1024;
    o.maintenanceInterval = std::chrono::hours(24);  // the one at start, then only when asked
    {
        auto store = openStore(o);
        auto report = store->maintain();  // the cap was already applied at start: nothing left to do
        REQUIRE(report);
        CHECK(report->bytesAfter <= o.maxBytes);
        const auto left = store->countJobs().value();
        CHECK(left < 12000);
        CHECK(left > 1000);
        for (int i = 0; i < 12000; i += 1000) CHECK(store->find("127.0.0.1:8000", "cap-" + std::to_string(i)).value());
        CHECK(store->find("127.0.0.1:8000", "cap-11999").value());  // the newest stay
        CHECK_FALSE(store->find("127.0.0.1:8000", "cap-1").value());  // the oldest finished go
        CHECK(store->integrityCheck().value() == "ok");
        CHECK(hits(*store, "word7") == static_cast<size_t>(left));
    }
    // Closed: the WAL is folded in and the file shrank to about the cap.
    CHECK(fs::file_size(p) <= static_cast<uintmax_t>(o.maxBytes) + 256 * 1024);
    CHECK(fs::file_size(p) < before / 2);
}
