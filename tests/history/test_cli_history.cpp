// Issue 18.6: the script commands with the real genmon binary: exit 0 with the matches, 1 when
// none match, 2 on a bad query with the reason; the export writes every job as a JSON line.
#include <doctest/doctest.h>

#include "app/process_util.hpp"
#include "history/history_store.hpp"
#include "history_test_util.hpp"

#if defined(GENMON_EXE)

using namespace genmon;
using namespace genmon::histtest;
using history::RunStatus;

namespace {

struct Run {
    proctest::Exit exit;
    std::string out, err;
};

Run genmonWith(std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), GENMON_EXE);
    proctest::Process p(args, name);
    Run r;
    r.exit = p.wait(std::chrono::seconds(60));
    r.out = p.out();
    r.err = p.err();
    return r;
}

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

fs::path storedHistory(const std::string& name) {
    const auto p = freshDir(name) / "history.sqlite3";
    auto store = openStore(optionsFor(p));
    auto failed = job("3fa2c1d0-1111", RunStatus::Failed, model::systemNowMicros() - 30 * kMinute);
    failed.params.prompt = "a lighthouse at dusk <lora:film_grain:0.8>";
    store->record(failed);
    auto ok = job("77aa0000-2222", RunStatus::Succeeded, model::systemNowMicros() - 3 * kHour);
    ok.params.prompt = "a castle \"quoted\"\nsecond line";
    ok.thumbnail = history::Thumbnail{1, 1, {10, 20, 30, 255}};
    store->record(ok);
    store->record(job("d0d0-3333", RunStatus::Cancelled, model::systemNowMicros() - 2 * kDay));
    return p;
}

}  // namespace

TEST_CASE("issue 18.6: --history-search prints the matching jobs and exits 0") {
    const auto db = storedHistory("cli-search");
    auto r = genmonWith({"--history-search", "status:failed lora:film_grain since:2h", "--history-db", db.string()}, "cli-search");
    CHECK(r.exit.exited);
    CHECK(r.exit.code == 0);
    CHECK(r.out.find("STATUS") != std::string::npos);
    CHECK(r.out.find("3fa2c1d0") != std::string::npos);
    CHECK(r.out.find("error: CUDA out of memory") != std::string::npos);
    CHECK(r.out.find("1 job, newest first") != std::string::npos);
    CHECK(r.out.find("77aa0000") == std::string::npos);
    CHECK(r.err.empty());
    // Everything, newest first; --limit cuts it and says so.
    r = genmonWith({"--history-search", "", "--history-db", db.string(), "--limit", "2"}, "cli-search-all");
    CHECK(r.exit.code == 0);
    CHECK(r.out.find("3fa2c1d0") < r.out.find("77aa0000"));
    CHECK(r.out.find("d0d0") == std::string::npos);
    CHECK(r.out.find("2 jobs, newest first (--limit N shows more)") != std::string::npos);
}

TEST_CASE("issue 18.6: --history-search --json prints one JSON object per matching job") {
    const auto db = storedHistory("cli-json");
    auto r = genmonWith({"--history-search", "-status:cancelled", "--json", "--history-db", db.string()}, "cli-json");
    CHECK(r.exit.code == 0);
    REQUIRE(lines(r.out) == 2);
    const std::string first = r.out.substr(0, r.out.find('\n'));
    CHECK(first.rfind("{\"backend\":\"127.0.0.1:8000\"", 0) == 0);
    CHECK(first.find("\"job_id\":\"3fa2c1d0-1111\"") != std::string::npos);
    CHECK(first.find("\"status\":\"failed\"") != std::string::npos);
    CHECK(first.find("\"sampler_name\":\"DPM++ 2M\"") != std::string::npos);
    CHECK(first.find("\"loras\":[{\"name\":\"film_grain\",\"weight\":0.8}]") != std::string::npos);
    CHECK(first.find("\"error\":\"CUDA out of memory\"") != std::string::npos);
    CHECK(first.find("thumbnail") == std::string::npos);
    // The prompt's quote and newline are escaped: still one line per job.
    CHECK(r.out.find("a castle \\\"quoted\\\"\\nsecond line") != std::string::npos);
}

TEST_CASE("issue 18.6: --history-search exits 1 when nothing matches and when there is no history yet") {
    const auto db = storedHistory("cli-none");
    auto r = genmonWith({"--history-search", "zeppelin", "--history-db", db.string()}, "cli-none");
    CHECK(r.exit.exited);
    CHECK(r.exit.code == 1);
    CHECK(r.out.empty());
    CHECK(r.err.find("no stored job matches 'zeppelin'") != std::string::npos);
    const auto missing = db.parent_path() / "missing.sqlite3";
    r = genmonWith({"--history-search", "x", "--history-db", missing.string()}, "cli-missing");
    CHECK(r.exit.code == 1);
    CHECK(r.err.find("no history database at " + missing.string()) != std::string::npos);
    CHECK_FALSE(fs::exists(missing));  // a search never creates one
}

TEST_CASE("issue 18.6: --history-search exits 2 on a bad query with the reason, and on a damaged file") {
    const auto db = storedHistory("cli-bad");
    auto r = genmonWith({"--history-search", "lighthouse status:faild", "--history-db", db.string()}, "cli-bad");
    CHECK(r.exit.exited);
    CHECK(r.exit.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "genmon: bad query 'lighthouse status:faild': at character 19: unknown status 'faild' (queued, running, "
                   "succeeded, failed, cancelled, left; active, finished)\n");
    const auto text = db.parent_path() / "notes.txt";
    { std::ofstream(text) << "these are my notes, not a database\n"; }
    r = genmonWith({"--history-search", "x", "--history-db", text.string()}, "cli-damaged");
    CHECK(r.exit.code == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.find("is a text file, not an SQLite database") != std::string::npos);
    // Usage mistakes are exit 2 too, with the argument named.
    r = genmonWith({"--history-search", "x", "--demo"}, "cli-usage");
    CHECK(r.exit.code == 2);
    CHECK(r.err.find("--history-search is a command of its own") != std::string::npos);
    r = genmonWith({"--json"}, "cli-usage-json");
    CHECK(r.exit.code == 2);
    CHECK(r.err.find("--json goes with --history-search") != std::string::npos);
}

TEST_CASE("issue 18.6: --history-export writes the whole history, one job per line, thumbnails included") {
    const auto db = storedHistory("cli-export");
    const auto out = db.parent_path() / "export.jsonl";
    auto r = genmonWith({"--history-export", out.string(), "--history-db", db.string()}, "cli-export");
    CHECK(r.exit.code == 0);
    CHECK(r.out.find("exported 3 jobs to " + out.string()) != std::string::npos);
    const std::string text = test::readFile(out);
    REQUIRE(lines(text) == 3);
    // Oldest first; the thumbnail as base64 of its RGBA bytes (10 20 30 255 -> ChQe/w==).
    CHECK(text.find("d0d0-3333") < text.find("77aa0000-2222"));
    CHECK(text.find("77aa0000-2222") < text.find("3fa2c1d0-1111"));
    CHECK(text.find("\"thumbnail\":{\"width\":1,\"height\":1,\"rgba_base64\":\"ChQe/w==\"}") != std::string::npos);
    CHECK(text.find("\"thumbnail\":null") != std::string::npos);
    // A folder that does not exist: exit 1, one line, no file.
    r = genmonWith({"--history-export", (db.parent_path() / "no" / "such" / "x.jsonl").string(), "--history-db", db.string()},
                   "cli-export-fail");
    CHECK(r.exit.code == 1);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.find("cannot write") != std::string::npos);
}

#endif  // GENMON_EXE
