// Issue 15.3: the one field-reading style. A field table finds each of its names (whatever its
// length and its neighbours of the same length) and nothing else; the table's rule decides what
// a null or a value of the wrong type does, with the same texts in every payload.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/json_read.hpp"
#include "protocol_test_util.hpp"

using namespace genmon::protocol;
using namespace genmon::protocol::detail;
using genmon::test::joined;

namespace {

struct Target {
    std::optional<int> a, bb, cc, dd;
    std::optional<std::string> text;
    int others = 0;
};

constexpr auto kTable = fieldTable<Target>(
    {
        {"dd", Rule::Warn, kIntegerOrNull, [](In& in, Target& t) { return in.integer(t.dd); }},
        {"a", Rule::Reject, kIntegerOrNull, [](In& in, Target& t) { return in.integer(t.a); }},
        {"cc", Rule::Require, "an integer", [](In& in, Target& t) { return in.integer(t.cc); }},
        {"bb", Rule::Quiet, "", [](In& in, Target& t) { return in.integer(t.bb); }},
        {"a_much_longer_field_name_here", Rule::Warn, kStringOrNull,
         [](In& in, Target& t) { return in.text(t.text); }},
    },
    {"", Rule::Quiet, "", [](In&, Target& t) {
         ++t.others;
         return Read::Ok;
     }});

// Reads one object through kTable; the warnings and the entry's drop reason come back.
struct ReadBack {
    bool ok = false;
    Target target;
    std::vector<std::string> warnings;
    std::string reason;
};
ReadBack readThrough(const std::string& json) {
    ReaderCore core{DecodeLimits{}};
    ReadBack out;
    const std::string body = genmon::test::withSlack(json);
    auto r = core.run<int>(body, "test", [&](od::document& doc) -> genmon::model::Outcome<int> {
        od::object obj;
        std::string problem;
        if (!core.rootObject(doc, obj, "test", problem)) return decodeError(problem);
        const Notes notes{out.warnings, core.droppedWarnings, "entry"};
        out.ok = core.readFields<kTable>(obj, out.target, notes, "p.", &out.reason);
        return 0;
    });
    out.ok = out.ok && r.ok();
    return out;
}

}  // namespace

TEST_CASE("issue 15.3: a field table finds every name of every length, and only those") {
    for (std::string_view name : {"a", "bb", "cc", "dd", "a_much_longer_field_name_here"}) {
        CAPTURE(name);
        const size_t row = fieldIndex<kTable>(name);
        REQUIRE(row < kTable.size);
        CHECK(kTable.rows[row].name == name);
    }
    for (std::string_view miss : {"", "b", "ab", "ba", "ccc", "d", "A", "a_much_longer_field_name_herE",
                                  "a_much_longer_field_name_here!", "a_much_longer_fielD_name_here"})
        CHECK_MESSAGE(fieldIndex<kTable>(miss) == kTable.size, miss);
}

TEST_CASE("issue 15.3: the rule decides: Warn ignores with a warning, Reject and Require drop, Quiet skips") {
    const auto good = readThrough(R"({"a":1,"bb":2,"cc":3,"dd":4,"zz":5,"yy":6})");
    CHECK(good.ok);
    CHECK(good.target.a == 1);
    CHECK(good.target.bb == 2);
    CHECK(good.target.cc == 3);
    CHECK(good.target.dd == 4);
    CHECK(good.target.others == 2);  // the table's handler for other keys
    CHECK(good.warnings.empty());
    CHECK(good.reason.empty());

    const auto warned = readThrough(R"({"dd":"x","bb":"y","cc":3})");
    CHECK(warned.ok);
    const std::vector<std::string> expected{"entry: p.dd must be an integer or null, got string \"x\"; ignored"};
    CHECK_MESSAGE(warned.warnings == expected, joined(warned.warnings));
    CHECK(warned.reason.empty());  // Quiet: bb skipped without a word

    const auto rejected = readThrough(R"({"a":"one","cc":"three"})");
    CHECK(rejected.ok);
    CHECK(rejected.reason == "p.a must be an integer or null, got string \"one\"");  // the first reason wins
    CHECK(rejected.warnings.empty());

    CHECK(readThrough(R"({"a":null,"dd":null,"bb":null})").reason.empty());  // null is fine but for Require
    CHECK(readThrough(R"({"cc":null})").reason == "p.cc must be an integer, got null");
}

TEST_CASE("issue 15.3: a broken document stops the field walk and fails the payload") {
    const auto broken = readThrough(R"({"a":1,"dd":[1,2})");
    CHECK_FALSE(broken.ok);
}

TEST_CASE("issue 16.3: integers parse first and fall back to the typed path for 20.0, strings, null and bare words") {
    const ReadBack ok = readThrough(R"({"cc":-7,"dd":20.0,"bb":2147483647})");
    REQUIRE(ok.ok);
    CHECK(ok.reason.empty());
    CHECK(ok.target.cc == -7);
    CHECK(ok.target.dd == 20);
    CHECK(ok.target.bb == 2147483647);
    for (const char* raw : {"20.5", "\"20\"", "1e30", "2147483648", "true", "{}", "[1]"}) {
        CAPTURE(raw);
        const ReadBack wrong = readThrough(std::string(R"({"cc":1,"dd":)") + raw + "}");
        REQUIRE(wrong.ok);
        CHECK_FALSE(wrong.target.dd);
        CHECK(wrong.warnings.size() == 1);
    }
    const ReadBack null = readThrough(R"({"cc":1,"dd":null})");
    CHECK(null.ok);
    CHECK(null.warnings.empty());
    const ReadBack bare = readThrough(R"({"cc":1,"dd":NaN})");
    CHECK_FALSE(bare.target.dd);
}
