// Hostile input (issue 9): DecodeLimits (depth, list sizes), garbage bodies, and a
// deterministic mutation sweep over every capture. The rule under test: every decoder returns
// a value or a readable error, never crashes, never throws.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "protocol/decode.hpp"
#include "protocol/json_read.hpp"
#include "protocol_fixtures.hpp"
#include "protocol_test_util.hpp"

using namespace genmon;
using namespace genmon::protocol;
using genmon::test::cat;
using genmon::test::sv;

namespace {

constexpr int64_t kReceived = 1'800'000'000'000'000;

// xorshift64*: the same "random" bytes on every run.
struct Rng {
    uint64_t state;
    uint64_t next() {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1Dull;
    }
    size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
};

// Every entry point once; returns how many accepted the body.
int decodeEverywhere(Decoder& decoder, const std::string& body) {
    int accepted = 0;
    accepted += decoder.activeJobs(body, kReceived).ok();
    accepted += decoder.results(body, kReceived).ok();
    accepted += decoder.systemStatus(body).ok();
    accepted += decoder.generateResponse(body).ok();
    accepted += decoder.queueGenerationResponse(body).ok();
    accepted += decoder.cancelResponse(body).ok();
    accepted += decoder.jobDetail(body, kReceived).ok();
    accepted += decoder.wsMessage(body, kReceived).ok();
    const std::string message = errorMessageFromBody(500, "Internal Server Error", body);
    CHECK_FALSE(message.empty());
    return accepted;
}

std::string nestedArrays(size_t depth) { return cat(std::string(depth, '['), std::string(depth, ']')); }

}  // namespace

TEST_CASE("issue 9: a 10 MiB body of random bytes is an error everywhere, not a crash") {
    Rng rng{0x9E3779B97F4A7C15ull};
    std::string garbage(10u << 20, '\0');
    for (char& c : garbage) c = static_cast<char>(rng.next() >> 56);
    Decoder decoder;
    CHECK(decodeEverywhere(decoder, garbage) == 0);
    auto jobs = decoder.activeJobs(garbage, kReceived);
    REQUIRE_FALSE(jobs.ok());
    CHECK(jobs.error().message.rfind("active jobs: ", 0) == 0);
    CHECK(errorMessageFromBody(502, "Bad Gateway", garbage).size() < 160);
}

TEST_CASE("issue 9: a 10 MiB body of plausible JSON-ish text is an error everywhere, not a crash") {
    Rng rng{42};
    const char alphabet[] = "{}[]\":,0123456789.eE-+ truefalsnl\\abc";
    std::string text(10u << 20, ' ');
    for (char& c : text) c = alphabet[rng.below(sizeof alphabet - 1)];
    Decoder decoder;
    CHECK(decodeEverywhere(decoder, text) == 0);
}

TEST_CASE("issue 9: JSON nested deeper than maxDepth is refused with a clear error") {
    Decoder decoder;  // maxDepth 64
    // [ {"id":..., "deep": [[...]] } ]: root array + job object + k arrays.
    auto jobWithDepth = [](size_t total) {
        return cat(R"([{"id":"x","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00","deep":)",
                   nestedArrays(total - 2), "}]");
    };
    auto atLimit = decoder.activeJobs(jobWithDepth(64), kReceived);
    REQUIRE_MESSAGE(atLimit.ok(), test::why(atLimit));
    CHECK(atLimit->value.size() == 1);

    auto beyond = decoder.activeJobs(jobWithDepth(65), kReceived);
    REQUIRE_FALSE(beyond.ok());
    CHECK(beyond.error().kind == model::ErrorKind::TooLarge);
    CHECK(beyond.error().message == "active jobs: JSON nested deeper than 64 levels; refused");

    // Brackets inside strings are text, not nesting.
    auto inString = decoder.activeJobs(
        cat(R"([{"id":"x","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00","prompt":")",
            std::string(1000, '['), R"(\"[[[\\"}])"),
        kReceived);
    REQUIRE_MESSAGE(inString.ok(), test::why(inString));
    REQUIRE(inString->value.front().prompt);
    CHECK(sv(*inString->value.front().prompt) == cat(std::string(1000, '['), "\"[[[\\"));

    const std::string tenMiB(10u << 20, '[');
    for (const auto& message :
         {decoder.systemStatus(tenMiB).error().message, decoder.wsMessage(tenMiB, 0).error().message,
          decoder.results(tenMiB).error().message}) {
        CHECK(message.find("nested deeper than 64 levels") != std::string::npos);
    }
}

TEST_CASE("issue 16.3: the depth defence's bracket count and structural walk agree with the byte scan") {
    Rng rng{0x16'03'2026};
    // The vectorised count of '[' and '{' bytes against a plain loop, across every tail length
    // and past the 255-step counter flush (4080 bytes).
    const char noise[] = "{}[]\"\\ a:,{[";
    for (size_t length : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{263}, size_t{4079},
                          size_t{4080}, size_t{4081}, size_t{10000}}) {
        std::string text(length, ' ');
        for (char& c : text) c = noise[rng.below(sizeof noise - 1)];
        size_t opens = 0;
        for (char c : text) opens += c == '[' || c == '{';
        for (size_t limit : {size_t{0}, size_t{3}, opens > 0 ? opens - 1 : 0, opens, opens + 1}) {
            CAPTURE(length);
            CAPTURE(limit);
            CHECK(detail::opensAtMost(text, limit) == (opens <= limit));
        }
    }
    // Valid JSON with brackets in strings and escapes: stage 1's structurals give the same
    // answer as the string-aware byte scan, at every limit around the real depth.
    simdjson::ondemand::parser parser;
    for (int round = 0; round < 200; ++round) {
        const size_t target = 1 + rng.below(80);  // the document's real depth
        std::string valid;
        std::vector<char> open;
        for (size_t i = 0; i < target; ++i) {
            const bool object = rng.below(2) != 0;
            valid += object ? R"({"k[{":)" : R"(["v]}[\"",)";
            open.push_back(object ? '}' : ']');
        }
        valid += "1";
        while (!open.empty()) {
            valid += open.back();
            open.pop_back();
        }
        const simdjson::padded_string padded(valid);
        simdjson::ondemand::document doc;
        REQUIRE(parser.iterate(padded).get(doc) == simdjson::SUCCESS);
        for (size_t limit : {target - 1, target, target + 1, size_t{64}}) {
            CAPTURE(valid);
            CAPTURE(limit);
            CHECK(detail::structuralsNestDeeperThan(doc, limit) == detail::nestsDeeperThan(valid, limit));
            CHECK(detail::structuralsNestDeeperThan(doc, limit) == (target > limit));
        }
    }
}

TEST_CASE("issue 9: maxDepth is configurable") {
    DecodeLimits limits;
    limits.maxDepth = 3;
    Decoder decoder(limits);
    const std::string base = R"("id":"x","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00")";
    CHECK(decoder.activeJobs(cat("[{", base, R"(,"params":{}}])"), kReceived).ok());
    auto deeper = decoder.activeJobs(cat("[{", base, R"(,"params":{"a":[1]}}])"), kReceived);
    REQUIRE_FALSE(deeper.ok());
    CHECK(deeper.error().message == "active jobs: JSON nested deeper than 3 levels; refused");
}

TEST_CASE("issue 9: jobs beyond maxJobs are left out with one warning") {
    DecodeLimits limits;
    limits.maxJobs = 2;
    Decoder decoder(limits);
    std::string body = "[";
    for (int i = 0; i < 5; ++i) {
        if (i > 0) body += ",";
        body += cat(R"({"id":")", std::to_string(i),
                    R"(","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"})");
    }
    body += "]";
    auto decoded = decoder.activeJobs(body, kReceived);
    REQUIRE(decoded.ok());
    REQUIRE(decoded->value.size() == 2);
    CHECK(sv(decoded->value[0].uiId) == "0");
    CHECK(sv(decoded->value[1].uiId) == "1");
    REQUIRE(decoded->warnings.size() == 1);
    CHECK(decoded->warnings[0] == "3 more active jobs beyond the limit of 2 were left out");
}

TEST_CASE("issue 9: a decoder stays usable after any error") {
    Decoder decoder;
    const std::string good = R"([{"id":"x","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"}])";
    for (const std::string& bad : {std::string("[{"), std::string("\xff\xff"), std::string(100, '['), std::string("{}"),
                                   std::string("[1,2,3]x"), std::string("\0\0\0", 3)}) {
        CHECK_FALSE(decoder.activeJobs(bad, kReceived).ok());
        auto again = decoder.activeJobs(good, kReceived);
        REQUIRE(again.ok());
        CHECK(again->value.size() == 1);
    }
}

TEST_CASE("issue 9: mutated captures never crash any decoder") {
    // Every capture's body (and every WebSocket message), cut, flipped and spliced.
    std::vector<std::string> seeds;
    for (const auto& entry : std::filesystem::directory_iterator(test::fixturesDir() / "upstream")) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("ws_", 0) == 0) {
            for (const auto& m : test::wsFixture(name)) seeds.push_back(m.json);
        } else if (name != "health_GET.json") {
            seeds.push_back(test::minifiedJson(test::httpFixture(name).body));
        }
    }
    REQUIRE(seeds.size() > 20);
    const std::string structural = "{}[]\":,\\ntfe-.0";
    Rng rng{7};
    Decoder decoder;
    size_t decodes = 0;
    for (const std::string& seed : seeds) {
        for (int round = 0; round < 40; ++round) {
            std::string body = seed;
            const int edits = 1 + static_cast<int>(rng.below(4));
            for (int e = 0; e < edits && !body.empty(); ++e) {
                const size_t at = rng.below(body.size());
                switch (rng.below(5)) {
                    case 0: body[at] = structural[rng.below(structural.size())]; break;
                    case 1: body.erase(at, 1 + rng.below(8)); break;
                    case 2: body.insert(at, 1, structural[rng.below(structural.size())]); break;
                    case 3: body.resize(at); break;
                    default: body[at] = static_cast<char>(rng.next() >> 56); break;
                }
            }
            decodeEverywhere(decoder, body);
            decodes += 9;
        }
    }
    CHECK(decodes > 8000);
}

TEST_CASE("issue 9: every prefix of every capture decodes to a value or an error") {
    Decoder decoder;
    for (const char* name : {"jobs_active_GET_running.json", "results_GET.json", "system_status_GET_busy.json",
                             "job_GET_running.json", "generate_POST_immediate.json"}) {
        CAPTURE(name);
        const std::string body = test::minifiedJson(test::httpFixture(name).body);
        for (size_t cut = 0; cut < body.size(); ++cut) decodeEverywhere(decoder, body.substr(0, cut));
    }
}

TEST_CASE("issue 9: a huge list of invalid entries keeps 100 warnings and counts the rest") {
    std::string body = "[";
    for (int i = 0; i < 200000; ++i) body += i == 0 ? "{\"id\":null}" : ",{\"id\":null}";
    body += "]";
    Decoder decoder;
    auto decoded = decoder.activeJobs(body, kReceived);
    REQUIRE(decoded.ok());
    CHECK(decoded->value.empty());
    REQUIRE(decoded->warnings.size() == 101);
    CHECK(decoded->warnings[0].rfind("active job #0: ", 0) == 0);
    CHECK(decoded->warnings[99].rfind("active job #99: ", 0) == 0);
    CHECK(decoded->warnings[100] == "active jobs: 199900 more warnings were left out");
}

TEST_CASE("issue 16.1: the parse timer samples small bodies one in 16, times every large one, counts every call") {
    Decoder decoder;
    const std::string frame = R"({"type":"progress_update","data":{"job_id":"j","progress":0.5}})";
    auto first = decoder.wsMessage(frame, kReceived);
    REQUIRE(first.ok());
    CHECK(decoder.tally().decodes == 1);
    CHECK(decoder.tally().timed == 1);  // the first small call is timed, so the metric moves at once
    const int64_t afterFirst = decoder.tally().nanos;
    CHECK(afterFirst > 0);
    for (int i = 1; i < 160; ++i) REQUIRE(decoder.wsMessage(frame, kReceived).ok());
    CHECK(decoder.tally().decodes == 160);
    CHECK(decoder.tally().timed == 10);
    // Failed calls count too, and bodies of 4 KiB or more are always timed.
    std::string large = "[";
    while (large.size() < 5000) large += R"({"id":"x","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"},)";
    large.back() = ']';
    REQUIRE(decoder.activeJobs(large, kReceived).ok());
    REQUIRE_FALSE(decoder.activeJobs(large + "x", kReceived).ok());
    CHECK(decoder.tally().decodes == 162);
    CHECK(decoder.tally().timed == 12);
    // A sampled call stands for 16: the estimate is at least 16 times the smallest timed call
    // (steady_clock is monotonic, so every timed call adds > 0).
    CHECK(decoder.tally().nanos >= afterFirst + 9 * 16);
}
