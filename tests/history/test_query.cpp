// Issue 18.4: the query language parsed into a value; every term, and bad queries as errors
// with a reason and a position.
#include <doctest/doctest.h>

#include <ctime>

#include "history/query.hpp"

using namespace genmon::history;

namespace {
Query parsed(std::string_view text) {
    auto p = parseQuery(text);
    REQUIRE_MESSAGE(p, text << ": " << p.error.message());
    return *p.query;
}
QueryError refused(std::string_view text) {
    auto p = parseQuery(text);
    REQUIRE_MESSAGE(!p, text << " should be refused");
    return p.error;
}
int64_t localMidnight(int y, int m, int d) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm)) * 1'000'000;
}
}  // namespace

TEST_CASE("issue 18.4: free words, quoted phrases and -word") {
    const Query q = parsed("  lighthouse \"at dusk\" -blurry ");
    REQUIRE(q.terms.size() == 3);
    CHECK(q.terms[0].field == QueryField::Words);
    CHECK(q.terms[0].text == "lighthouse");
    CHECK_FALSE(q.terms[0].phrase);
    CHECK(q.terms[0].position == 2);
    CHECK(q.terms[1].text == "at dusk");
    CHECK(q.terms[1].phrase);
    CHECK(q.terms[2].text == "blurry");
    CHECK(q.terms[2].negated);
    CHECK(parsed("").empty());
}

TEST_CASE("issue 18.4: every key term parses into its value") {
    const Query q = parsed(
        "id:3fa2 status:failed,cancelled lora:film_grain sampler:\"DPM++ 2M\" size:512x768 seed:-1 steps:30 "
        "error:oom backend:gpu.local since:1h30m until:2026-11-30");
    REQUIRE(q.terms.size() == 11);
    CHECK(q.terms[0].field == QueryField::Id);
    CHECK(q.terms[0].text == "3fa2");
    CHECK(q.terms[1].field == QueryField::Status);
    CHECK(q.terms[1].statuses == std::vector<RunStatus>{RunStatus::Failed, RunStatus::Cancelled});
    CHECK(q.terms[2].field == QueryField::Lora);
    CHECK(q.terms[2].text == "film_grain");
    CHECK(q.terms[3].field == QueryField::Sampler);
    CHECK(q.terms[3].text == "DPM++ 2M");
    CHECK(q.terms[4].width == 512);
    CHECK(q.terms[4].height == 768);
    CHECK(q.terms[5].number == -1);
    CHECK(q.terms[6].number == 30);
    CHECK(q.terms[7].field == QueryField::Error);
    CHECK(q.terms[7].text == "oom");
    CHECK(q.terms[8].text == "gpu.local");
    CHECK(q.terms[9].time == TimeBound{true, 90 * 60'000'000LL});
    CHECK(q.terms[9].field == QueryField::Since);
    CHECK(q.terms[10].field == QueryField::Until);
    const Query u = parsed("until:2026-11-30 since:2026-11-30T14:05");
    // A date alone as an upper bound includes that day; times are local.
    CHECK(u.terms[0].time == TimeBound{false, localMidnight(2026, 12, 1)});
    CHECK(u.terms[1].time == TimeBound{false, localMidnight(2026, 11, 30) + (14 * 60 + 5) * 60'000'000LL});
}

TEST_CASE("issue 18.4: status aliases, durations and -term on any key") {
    CHECK(parsed("status:active").terms[0].statuses == std::vector<RunStatus>{RunStatus::Queued, RunStatus::Running});
    CHECK(parsed("status:finished").terms[0].statuses.size() == 4);
    CHECK(parsed("status:completed|canceled").terms[0].statuses ==
          std::vector<RunStatus>{RunStatus::Succeeded, RunStatus::Cancelled});
    CHECK(parsed("STATUS:Pending").terms[0].statuses == std::vector<RunStatus>{RunStatus::Queued});
    CHECK(parsed("since:45s").terms[0].time.micros == 45'000'000);
    CHECK(parsed("since:7d").terms[0].time.micros == 7 * 86'400'000'000LL);
    CHECK(parsed("since:2w").terms[0].time.micros == 14 * 86'400'000'000LL);
    const Query n = parsed("-status:failed -lora:x -\"a b\"");
    CHECK(n.terms[0].negated);
    CHECK(n.terms[1].negated);
    CHECK(n.terms[2].negated);
    CHECK(n.terms[2].phrase);
    // Text with a colon that is not a key is a word (prompt weights such as (masterpiece:1.2)).
    CHECK(parsed("(masterpiece:1.2)").terms[0].field == QueryField::Words);
    CHECK(parsed("\"style:anime\"").terms[0].text == "style:anime");
}

TEST_CASE("issue 18.4: a bad query is refused with a readable reason and where it is") {
    auto e = refused("lighthouse status:faild");
    CHECK(e.position == 18);
    CHECK(e.reason.find("unknown status 'faild'") != std::string::npos);
    CHECK(e.message().rfind("at character 19: unknown status", 0) == 0);
    e = refused("status:failed,bogus");
    CHECK(e.position == 14);
    e = refused("stauts:failed");
    CHECK(e.position == 0);
    CHECK(e.reason.find("unknown term 'stauts:'") != std::string::npos);
    CHECK(e.reason.find("quotes") != std::string::npos);
    e = refused("a \"never closed");
    CHECK(e.position == 2);
    CHECK(e.reason.find("never closed") != std::string::npos);
    e = refused("size:512");
    CHECK(e.reason.find("width x height") != std::string::npos);
    e = refused("seed:abc");
    CHECK(e.reason.find("whole number") != std::string::npos);
    e = refused("steps:-3");
    CHECK(e.reason.find("steps") != std::string::npos);
    e = refused("since:yesterday");
    CHECK(e.position == 6);
    CHECK(e.reason.find("duration") != std::string::npos);
    e = refused("until:2026-02-30");
    CHECK(e.reason.find("not a time") != std::string::npos);
    e = refused("a - b");
    CHECK(e.position == 2);
    CHECK(e.reason.find("lone '-'") != std::string::npos);
    e = refused("lora:");
    CHECK(e.reason.find("needs a value") != std::string::npos);
    e = refused("+++");
    CHECK(e.reason.find("no letters or digits") != std::string::npos);
    e = refused("error:\"!!\"");
    CHECK(e.reason.find("no letters or digits") != std::string::npos);
}

TEST_CASE("issue 18.4: the hint names the main terms and the help lists every one") {
    for (const char* t : {"status:failed", "lora:", "since:"}) CHECK(kSearchHint.find(t) != std::string_view::npos);
    for (const char* k : {"id:", "status:", "lora:", "sampler:", "size:", "seed:", "steps:", "error:", "backend:", "since:",
                          "until:", "\"a phrase\"", "-word"})
        CHECK_MESSAGE(searchHelp().find(k) != std::string_view::npos, k);
}

TEST_CASE("issue 18.4: words are split and folded as FTS5's unicode61 tokenizer does for ASCII") {
    CHECK(searchTokens("A Lighthouse, at-dusk <lora:film_grain:0.8>") ==
          std::vector<std::string>{"a", "lighthouse", "at", "dusk", "lora", "film", "grain", "0", "8"});
    CHECK(searchTokens("--- ").empty());
}
