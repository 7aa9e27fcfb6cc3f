// Issue 18.1 / 18.7: a damaged or foreign file gives one readable line, and nothing is written
// to it: genmon runs without history rather than crashing or "repairing" someone else's file.
#include <doctest/doctest.h>

#include <fstream>
#include <random>

#include "history/history_store.hpp"
#include "history_test_util.hpp"

using namespace genmon;
using namespace genmon::histtest;

namespace {

void writeFile(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
}

std::string fileBytes(const fs::path& p) { return test::readFile(p); }

// Opens and expects the one line: it names the file and what to do, and holds no newline.
std::string refusal(const fs::path& p) {
    auto opened = history::HistoryStore::open(optionsFor(p));
    REQUIRE_MESSAGE(!opened, p.string() << " should be refused");
    const std::string msg = opened.error().message;
    CHECK(msg.find('\n') == std::string::npos);
    CHECK(msg.find(p.string()) != std::string::npos);
    CHECK(msg.find("--history-db") != std::string::npos);
    return msg;
}

// A real history with some jobs, closed (its WAL folded into the file).
void makeHistory(const fs::path& p, int jobs) {
    auto store = openStore(optionsFor(p));
    for (int i = 0; i < jobs; ++i) store->record(job("j-" + std::to_string(i)));
}

}  // namespace

TEST_CASE("issue 18.7: a file of random bytes gives one line and is left as it was") {
    const auto dir = freshDir("damaged-random");
    const auto p = dir / "h.sqlite3";
    std::mt19937 rng(18);
    std::string bytes(8192, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    writeFile(p, bytes);
    const auto msg = refusal(p);
    CHECK(msg.find("is not an SQLite database") != std::string::npos);
    CHECK(fileBytes(p) == bytes);
    CHECK_FALSE(fs::exists(dir / "h.sqlite3-wal"));
}

TEST_CASE("issue 18.7: a text file gives one line and is left as it was") {
    const auto dir = freshDir("damaged-text");
    const auto p = dir / "notes.txt";
    const std::string text = "these are my notes, not a database\nsecond line\n";
    writeFile(p, text);
    CHECK(refusal(p).find("is a text file, not an SQLite database") != std::string::npos);
    CHECK(fileBytes(p) == text);
    writeFile(p, "SQLite");  // shorter than SQLite's header
    CHECK(refusal(p).find("too short") != std::string::npos);
}

TEST_CASE("issue 18.7: a truncated database gives one line") {
    const auto dir = freshDir("damaged-truncated");
    const auto p = dir / "h.sqlite3";
    makeHistory(p, 3000);
    REQUIRE_FALSE(fs::exists(dir / "h.sqlite3-wal"));
    const auto size = fs::file_size(p);
    REQUIRE(size > 100000);
    fs::resize_file(p, size * 2 / 5);
    const auto before = fileBytes(p);
    CHECK(refusal(p).find("is damaged or not a database (database disk image is malformed)") != std::string::npos);
    CHECK(fileBytes(p) == before);
}

TEST_CASE("issue 18.7: pages overwritten with garbage give one line") {
    const auto dir = freshDir("damaged-pages");
    const auto p = dir / "h.sqlite3";
    makeHistory(p, 3000);
    std::string bytes = fileBytes(p);
    std::mt19937 rng(7);
    for (size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(rng());  // every page but the first
    writeFile(p, bytes);
    CHECK(refusal(p).find("is damaged or not a database") != std::string::npos);
}

TEST_CASE("issue 18.7: a newer schema version gives one line and is not downgraded") {
    const auto dir = freshDir("damaged-newer");
    const auto p = dir / "h.sqlite3";
    makeHistory(p, 10);
    {
        RawDb raw(p);
        raw.exec("PRAGMA user_version = 3");
    }
    const auto msg = refusal(p);
    CHECK(msg.find("has schema version 3, newer than this genmon knows (2)") != std::string::npos);
    RawDb raw(p);
    CHECK(raw.integer("PRAGMA user_version") == 3);
    CHECK(raw.integer("SELECT count(*) FROM jobs") == 10);
}

TEST_CASE("issue 18.7: another program's SQLite database gives one line and is not touched") {
    const auto dir = freshDir("damaged-foreign");
    const auto p = dir / "shop.db";
    {
        RawDb raw(p);
        raw.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x');"
                 "CREATE TABLE orders (id INTEGER PRIMARY KEY)");
    }
    const auto before = fileBytes(p);
    CHECK(refusal(p).find("belongs to another program (tables: customers, orders)") != std::string::npos);
    CHECK(fileBytes(p) == before);
    // A foreign file that happens to use a user_version of its own is foreign too.
    const auto q = dir / "versioned.db";
    {
        RawDb raw(q);
        raw.exec("CREATE TABLE jobs (x); PRAGMA user_version = 1");
    }
    CHECK(refusal(q).find("belongs to another program (tables: jobs)") != std::string::npos);
}

TEST_CASE("issue 18.1: a folder where the file should be gives one line, an empty file becomes a new history") {
    const auto dir = freshDir("damaged-folder");
    fs::create_directories(dir / "h.sqlite3");
    CHECK(refusal(dir / "h.sqlite3").find("is a folder") != std::string::npos);
    writeFile(dir / "empty.sqlite3", "");
    auto store = openStore(optionsFor(dir / "empty.sqlite3"));
    store->record(job("x"));
    REQUIRE(store->flush());
    CHECK(store->countJobs().value() == 1);
}
