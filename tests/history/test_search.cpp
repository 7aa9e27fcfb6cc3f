// Issue 18.4: search over the stored jobs, one case per query term, newest first with a limit;
// and the same answers from SQLite (FTS5 and the indexes) as from matches() in memory.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>

#include "history/history_store.hpp"
#include "history_test_util.hpp"

using namespace genmon;
using namespace genmon::histtest;
using history::RunStatus;

namespace {

history::JobRecord make(const std::string& id, RunStatus status, int64_t created, const char* prompt, const char* negative,
                        const char* sampler, int w, int h, int steps, int64_t seed, const char* error = nullptr,
                        const char* backendUrl = "http://127.0.0.1:8000/api/v1") {
    history::JobRecord r;
    r.backendUrl = backendUrl;
    r.backend = history::backendName(backendUrl);
    r.jobId = id;
    r.status = status;
    r.createdMicros = created;
    if (prompt) r.params.prompt = prompt;
    if (negative) r.params.negativePrompt = negative;
    if (sampler) r.params.sampler = sampler;
    if (w) r.params.width = w;
    if (h) r.params.height = h;
    if (steps) r.params.steps = steps;
    r.params.seed = seed;
    if (error) r.error = error;
    return r;
}

int64_t localTime(int y, int mo, int d, int h) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm)) * 1'000'000;
}

// Six jobs, each named by the last letter of its id.
std::vector<history::JobRecord> sample() {
    return {
        make("3fa2c1d0-aaaa", RunStatus::Succeeded, kNow - 30 * kMinute, "a lighthouse at dusk <lora:film_grain:0.8>",
             "blurry", "DPM++ 2M Karras", 512, 768, 30, 42),
        make("3fa29999-bbbb", RunStatus::Failed, kNow - 3 * kHour, "a castle in fog <lora:Detail_Tweaker:1>", nullptr,
             "Euler a", 512, 512, 20, 7, "CUDA out of memory", "http://gpu.example:8782/v1"),
        make("77aa-cccc", RunStatus::Cancelled, kNow - 2 * kDay, "lighthouse keeper portrait", "lowres, blurry", "Euler", 768,
             768, 30, -1),
        make("d0d0-dddd", RunStatus::Queued, kNow - 10 * kMinute, "a harbour at night <lora:film_grain:0.3> <lora:neon:1>",
             nullptr, "DPM++ 2M", 512, 768, 25, 42),
        make("eeee-eeee", RunStatus::Failed, localTime(2026, 11, 25, 10), "out of memory test prompt", nullptr, "Euler a",
             1024, 1024, 50, 99, "SDNext backend not configured"),
        make("ffff-ffff", RunStatus::Running, kNow - kMinute, nullptr, nullptr, nullptr, 0, 0, 0, 5),
    };
}

struct Fixture {
    Fixture() : dir(freshDir("search")) {
        store = openStore(optionsFor(dir / "h.sqlite3"));
        for (const auto& r : sample()) store->record(r);
        REQUIRE(store->flush());
    }
    // The first letters of the ids found, newest first: "fda".
    std::string ids(std::string_view text, size_t limit = 100) {
        auto parsed = history::parseQuery(text);
        REQUIRE_MESSAGE(parsed, text << ": " << parsed.error.message());
        history::SearchOptions o;
        o.limit = limit;
        o.nowMicros = kNow;
        auto found = store->search(*parsed.query, o);
        REQUIRE_MESSAGE(found, found.error().message);
        std::string out;
        for (const auto& r : found.value()) out += r.jobId.back();
        // The in-memory matcher agrees on every query here.
        std::string memory;
        auto all = sample();
        std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.createdMicros > b.createdMicros; });
        for (const auto& r : all)
            if (history::matches(*parsed.query, r, kNow) && memory.size() < limit) memory += r.jobId.back();
        CHECK_MESSAGE(out == memory, "SQL and matches() differ for " << text);
        return out;
    }
    fs::path dir;
    std::unique_ptr<history::HistoryStore> store;
};

}  // namespace

TEST_CASE("issue 18.4: an empty query lists every job newest first, up to the limit") {
    Fixture f;
    CHECK(f.ids("") == "fdabce");
    CHECK(f.ids("", 2) == "fd");
}

TEST_CASE("issue 18.4: free words match prompt, negative prompt and error, whole or by their start") {
    Fixture f;
    CHECK(f.ids("lighthouse") == "ac");
    CHECK(f.ids("LIGHT") == "ac");
    CHECK(f.ids("blurry") == "ac");       // the negative prompt
    CHECK(f.ids("cuda") == "b");          // the error text
    CHECK(f.ids("out of memory") == "be");  // all three words, anywhere in the job
    CHECK(f.ids("lighthouse dusk") == "a");
    CHECK(f.ids("nothing-like-this") == "");
}

TEST_CASE("issue 18.4: a quoted phrase matches its words in order, in full") {
    Fixture f;
    CHECK(f.ids("\"at dusk\"") == "a");
    CHECK(f.ids("\"dusk at\"") == "");
    CHECK(f.ids("\"light\"") == "");  // quoted: whole words only
    CHECK(f.ids("\"out of memory\"") == "be");
}

TEST_CASE("issue 18.4: -word excludes jobs that contain it") {
    Fixture f;
    CHECK(f.ids("-blurry") == "fdbe");
    CHECK(f.ids("lighthouse -keeper") == "a");
    CHECK(f.ids("-\"at dusk\" lighthouse") == "c");
}

TEST_CASE("issue 18.4: id: matches the start of the job id, several mean either") {
    Fixture f;
    CHECK(f.ids("id:3fa2") == "ab");
    CHECK(f.ids("id:3fa2c") == "a");
    CHECK(f.ids("id:3fa2c id:77") == "ac");
    CHECK(f.ids("id:zz") == "");
    CHECK(f.ids("-id:3fa2") == "fdce");
}

TEST_CASE("issue 18.4: status: takes one or several states and the aliases") {
    Fixture f;
    CHECK(f.ids("status:failed") == "be");
    CHECK(f.ids("status:failed,cancelled") == "bce");
    CHECK(f.ids("status:failed status:cancelled") == "bce");
    CHECK(f.ids("status:active") == "fd");
    CHECK(f.ids("status:completed") == "a");
    CHECK(f.ids("status:finished") == "abce");
    CHECK(f.ids("-status:failed") == "fdac");
}

TEST_CASE("issue 18.4: lora: matches a tag's name exactly in any case, several must all be there") {
    Fixture f;
    CHECK(f.ids("lora:film_grain") == "da");
    CHECK(f.ids("lora:FILM_GRAIN") == "da");
    CHECK(f.ids("lora:film") == "");
    CHECK(f.ids("lora:film_grain lora:neon") == "d");
    CHECK(f.ids("lora:detail_tweaker") == "b");
    CHECK(f.ids("-lora:film_grain") == "fbce");
}

TEST_CASE("issue 18.4: sampler: size: seed: steps: match the parameters") {
    Fixture f;
    CHECK(f.ids("sampler:euler") == "bce");
    CHECK(f.ids("sampler:\"DPM++ 2M\"") == "da");
    CHECK(f.ids("sampler:karras") == "a");
    CHECK(f.ids("sampler:100%") == "");  // LIKE's wildcards are plain text here
    CHECK(f.ids("-sampler:euler") == "fda");  // a job without a sampler is not excluded
    CHECK(f.ids("size:512x768") == "da");
    CHECK(f.ids("size:512x768 size:768x768") == "dac");
    CHECK(f.ids("seed:42") == "da");
    CHECK(f.ids("seed:-1") == "c");
    CHECK(f.ids("steps:30") == "ac");
    CHECK(f.ids("steps:30 -size:768x768") == "a");
}

TEST_CASE("issue 18.4: error: searches the error text only") {
    Fixture f;
    CHECK(f.ids("error:memory") == "b");  // e has the words in its prompt, not its error
    CHECK(f.ids("error:\"out of memory\"") == "b");
    CHECK(f.ids("error:configured") == "e");
    CHECK(f.ids("status:failed -error:cuda") == "e");
}

TEST_CASE("issue 18.4: backend: matches the name or part of the URL") {
    Fixture f;
    CHECK(f.ids("backend:gpu.example:8782") == "b");
    CHECK(f.ids("backend:GPU.EXAMPLE") == "b");
    CHECK(f.ids("backend:127.0.0.1:8000") == "fdace");
    CHECK(f.ids("backend:/api/v1") == "fdace");
}

TEST_CASE("issue 18.4: since: and until: take durations and local dates") {
    Fixture f;
    CHECK(f.ids("since:2h") == "fda");
    CHECK(f.ids("until:2h") == "bce");
    CHECK(f.ids("since:1d until:2h") == "b");
    CHECK(f.ids("since:15m") == "fd");
    CHECK(f.ids("since:2026-11-26") == "fdabc");
    CHECK(f.ids("until:2026-11-25") == "e");  // a date alone includes that day
    CHECK(f.ids("until:2026-11-25T09:00") == "");
}

TEST_CASE("issue 18.4: terms combine: status:failed lora:x since:2h and friends") {
    Fixture f;
    CHECK(f.ids("status:failed sampler:euler since:1d") == "b");
    CHECK(f.ids("status:failed lora:detail_tweaker since:4h") == "b");
    CHECK(f.ids("status:failed lora:detail_tweaker since:2h") == "");
    CHECK(f.ids("lighthouse status:cancelled,succeeded size:768x768") == "c");
}

TEST_CASE("issue 18.4: the FTS index follows updates: a new error is found, the old one is not") {
    Fixture f;
    auto r = sample()[1];
    r.error = "sampler crashed";
    f.store->record(r);
    REQUIRE(f.store->flush());
    auto found = [&](std::string_view text) {
        history::SearchOptions o;
        o.nowMicros = kNow;
        auto hits = f.store->search(*history::parseQuery(text).query, o);
        REQUIRE(hits);
        return hits->size();
    };
    CHECK(found("error:crashed") == 1);
    CHECK(found("crashed") == 1);
    CHECK(found("cuda") == 0);
    CHECK(found("error:memory") == 0);
    CHECK(found("castle") == 1);  // the prompt, unchanged, is still found
}

TEST_CASE("issue 18.4: SQLite and matches() agree on random queries over random jobs") {
    const auto dir = freshDir("search-agree");
    auto store = openStore(optionsFor(dir / "h.sqlite3"));
    std::mt19937 rng(1804);
    auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
    const std::vector<std::string> words = {"lighthouse", "castle", "dusk", "fog", "harbour", "night", "neon", "keeper",
                                            "portrait", "red", "blue", "cat", "dog", "out", "of", "memory"};
    const std::vector<std::string> loras = {"film_grain", "neon", "Detail", "detail", "style_v2"};
    const std::vector<std::string> samplers = {"Euler", "Euler a", "DPM++ 2M", "DPM++ 2M Karras", "UniPC"};
    const std::vector<std::string> urls = {"http://127.0.0.1:8000/api/v1", "http://gpu.example:8782/v1", "https://b3:9/x"};
    const std::vector<std::string> errors = {"CUDA out of memory", "SDNext backend not configured", "timeout after 600 s"};
    std::vector<history::JobRecord> all;
    for (int i = 0; i < 400; ++i) {
        history::JobRecord r;
        r.backendUrl = pick(urls);
        r.backend = history::backendName(r.backendUrl);
        char id[32];
        std::snprintf(id, sizeof id, "%08x-%04d", static_cast<unsigned>(rng()), i);
        r.jobId = id;
        r.status = history::kAllRunStatuses[rng() % 6];
        r.createdMicros = kNow - static_cast<int64_t>(rng() % (10 * 24)) * kHour - i;
        if (rng() % 8) {
            std::string p;
            for (int w = 0, n = 2 + static_cast<int>(rng() % 6); w < n; ++w) p += pick(words) + " ";
            for (int l = 0, n = static_cast<int>(rng() % 3); l < n; ++l) p += "<lora:" + pick(loras) + ":0.5> ";
            r.params.prompt = p;
        }
        if (rng() % 3 == 0) r.params.negativePrompt = pick(words) + " " + pick(words);
        if (rng() % 6) r.params.sampler = pick(samplers);
        if (rng() % 6) {
            r.params.width = 512 + 256 * static_cast<int>(rng() % 3);
            r.params.height = 512 + 256 * static_cast<int>(rng() % 3);
        }
        if (rng() % 6) r.params.steps = 20 + 5 * static_cast<int>(rng() % 3);
        if (rng() % 6) r.params.seed = static_cast<int64_t>(rng() % 5) - 1;
        if (r.status == RunStatus::Failed || rng() % 10 == 0) r.error = pick(errors);
        all.push_back(r);
        store->record(r);
    }
    REQUIRE(store->flush());
    // The same file searched with the other plan for words: walking the jobs newest first and
    // testing the FTS5 row set, as a search does when over wordsBySetAbove jobs match.
    auto walking = optionsFor(dir / "h.sqlite3");
    walking.writer = false;
    walking.wordsBySetAbove = 0;
    auto walker = openStore(walking);
    std::vector<std::function<std::string()>> terms = {
        [&] { return pick(words); },
        [&] { const auto w = pick(words); return w.substr(0, 1 + rng() % w.size()); },
        [&] { return "\"" + pick(words) + " " + pick(words) + "\""; },
        [&] { return "-" + pick(words); },
        [&] { return "id:" + pick(all).jobId.substr(0, 1 + rng() % 3); },
        [&] { return std::string("status:") + std::string(history::runStatusName(history::kAllRunStatuses[rng() % 6])); },
        [&] { return std::string("status:active"); },
        [&] { return "lora:" + pick(loras); },
        [&] { return "-lora:" + pick(loras); },
        [&] { return "sampler:\"" + pick(samplers).substr(0, 3 + rng() % 3) + "\""; },
        [&] { return "-sampler:euler"; },
        [&] { return "size:" + std::to_string(512 + 256 * (rng() % 3)) + "x" + std::to_string(512 + 256 * (rng() % 3)); },
        [&] { return "seed:" + std::to_string(static_cast<int>(rng() % 5) - 1); },
        [&] { return "-seed:0"; },
        [&] { return "steps:" + std::to_string(20 + 5 * (rng() % 3)); },
        [&] { return "error:" + std::string(rng() % 2 ? "memory" : "\"not configured\""); },
        [&] { return "-error:cuda"; },
        [&] { return "backend:" + history::backendName(pick(urls)); },
        [&] { return "since:" + std::to_string(1 + rng() % 200) + "h"; },
        [&] { return "until:" + std::to_string(1 + rng() % 200) + "h"; },
        [&] { return "-since:" + std::to_string(1 + rng() % 100) + "h"; },
    };
    int nonEmpty = 0;
    for (int q = 0; q < 300; ++q) {
        std::string text;
        for (int t = 0, n = 1 + static_cast<int>(rng() % 3); t < n; ++t) text += pick(terms)() + " ";
        auto parsed = history::parseQuery(text);
        REQUIRE_MESSAGE(parsed, text << ": " << parsed.error.message());
        history::SearchOptions o;
        o.limit = 1000;
        o.nowMicros = kNow;
        auto found = store->search(*parsed.query, o);
        REQUIRE_MESSAGE(found, text << ": " << found.error().message);
        std::set<std::string> sqlIds, memoryIds;
        for (const auto& r : found.value()) sqlIds.insert(r.jobId);
        for (const auto& r : all)
            if (history::matches(*parsed.query, r, kNow)) memoryIds.insert(r.jobId);
        CHECK_MESSAGE(sqlIds == memoryIds, text << ": SQL found " << sqlIds.size() << ", matches() " << memoryIds.size());
        if (!sqlIds.empty()) ++nonEmpty;
        // Newest first.
        for (size_t i = 1; i < found->size(); ++i) CHECK(found.value()[i - 1].atMicros() >= found.value()[i].atMicros());
        // The other plan: the same jobs in the same order, also when cut by a limit.
        auto walked = walker->search(*parsed.query, o);
        REQUIRE(walked);
        REQUIRE(walked->size() == found->size());
        for (size_t i = 0; i < found->size(); ++i) CHECK(walked.value()[i].jobId == found.value()[i].jobId);
        o.limit = 7;
        auto firstFound = store->search(*parsed.query, o), firstWalked = walker->search(*parsed.query, o);
        REQUIRE(firstFound->size() == firstWalked->size());
        for (size_t i = 0; i < firstFound->size(); ++i) CHECK(firstFound.value()[i].jobId == firstWalked.value()[i].jobId);
    }
    CHECK(nonEmpty > 100);  // the queries really select something
}
