// ResultsModule: the results utilities of the contract (spec §5) and the resultsModule.spec and
// store history-limit assertions of §7.3.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "fake_transport.hpp"
#include "orchestrator/results_module.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;

namespace {
std::vector<model::ResultPtr> many(int n, const std::string& prefix = "r") {
    std::vector<model::ResultPtr> out;
    for (int i = 0; i < n; ++i)
        out.push_back(std::make_shared<const model::GenerationResult>(makeResult(prefix + std::to_string(i))));
    return out;
}
model::ResultPtr one(const std::string& id) { return std::make_shared<const model::GenerationResult>(makeResult(id)); }
}  // namespace

TEST_CASE("spec 5.1: the defaults are limit 10, max 200, 50 while showing history") {
    ResultsModule r;
    CHECK(r.historyLimit() == 10);
    CHECK(r.results()->empty());
    CHECK(kDefaultHistoryLimit == 10);
    CHECK(kMaxResults == 200);
    CHECK(kHistoryLimitWhenShowing == 50);
}

TEST_CASE("spec 5.3: setHistoryLimit clamps 0, negative, NaN and infinity to 10, fractions floor, more than 200 to 200") {
    CHECK(effectiveHistoryLimit(0) == 10);
    CHECK(effectiveHistoryLimit(-5) == 10);
    CHECK(effectiveHistoryLimit(std::numeric_limits<double>::quiet_NaN()) == 10);
    CHECK(effectiveHistoryLimit(std::numeric_limits<double>::infinity()) == 10);
    CHECK(effectiveHistoryLimit(0.5) == 1);
    CHECK(effectiveHistoryLimit(3.9) == 3);
    CHECK(effectiveHistoryLimit(200) == 200);
    CHECK(effectiveHistoryLimit(201) == 200);
    CHECK(effectiveHistoryLimit(1e12) == 200);
    ResultsModule r;
    r.setHistoryLimit(-1);
    CHECK(r.historyLimit() == 10);
    r.setHistoryLimit(500);
    CHECK(r.historyLimit() == 200);
}

TEST_CASE("spec 7.3 store: 8 results then setHistoryLimit(3) leaves 3, and addResult prepends the new one and keeps 3") {
    ResultsModule r;
    r.setResults(many(8));
    REQUIRE(r.results()->size() == 8);
    r.setHistoryLimit(3);
    CHECK(ids(*r.results()) == std::vector<std::string>{"r0", "r1", "r2"});
    r.addResult(one("fresh"));
    CHECK(ids(*r.results()) == std::vector<std::string>{"fresh", "r0", "r1"});
}

TEST_CASE("spec 7.3 store: with limit 50, 60 results leave 50, with MAX_RESULTS+10, setResults is capped at 200") {
    ResultsModule r;
    r.setHistoryLimit(50);
    r.setResults(many(60));
    CHECK(r.results()->size() == 50);
    CHECK(r.results()->front()->id == "r0");
    CHECK(r.results()->back()->id == "r49");
    r.setHistoryLimit(kMaxResults + 10);
    r.setResults(many(250));
    CHECK(r.results()->size() == 200);
    r.setResults(many(120));
    CHECK(r.results()->size() == 120);  // min(200, n)
}

TEST_CASE("spec 7.3 resultsModule: setResults keeps 2, limit 1 keeps 1, 205 results with limit 210 are capped at 200") {
    ResultsModule r;
    r.setResults(many(2));
    CHECK(r.results()->size() == 2);
    r.setHistoryLimit(1);
    r.setResults(many(2));
    CHECK(r.results()->size() == 1);
    r.setHistoryLimit(210);
    r.setResults(many(205));
    CHECK(r.results()->size() == 200);
}

TEST_CASE("spec 7.3 resultsModule: createResultFromCompletion takes the first image, keeps created_at and uses result_id as id") {
    model::CompletionMessage m;
    m.job_id = "job-1";
    m.result_id = "res-1";
    m.image_base64 = "aGVsbG8=";  // images[0] (decision 6: base64 is decoded, not kept)
    m.created_at = "2026-11-26T07:06:38";
    m.prompt = "a cat";
    m.width = 512;
    const auto r = ResultsModule::fromCompletion(m, 42'000'000);
    CHECK(r.id == "res-1");
    CHECK(r.job_id == "job-1");
    CHECK(r.result_id == "res-1");
    CHECK(r.imageSource == model::ImageSource::Base64);
    CHECK(r.created_at == model::Timestamp::parse("2026-11-26T07:06:38"));
    CHECK(r.prompt == "a cat");
    CHECK(r.width == 512);

    model::CompletionMessage bare;
    bare.job_id = "job-2";
    bare.image_path = "/data/out.png";
    const auto b = ResultsModule::fromCompletion(bare, 42'000'000);
    CHECK(b.id == "job-2");  // result_id ?? job_id
    CHECK(b.imageSource == model::ImageSource::ServerPath);
    CHECK(b.image_path == "/data/out.png");
    CHECK(b.created_at.micros == 42'000'000);  // created_at ?? now
}

TEST_CASE("spec 5.3: addResult prepends and trims, a result already listed moves to the top instead of doubling") {
    ResultsModule r;
    r.setResults(many(3));
    r.addResult(one("r2"));
    CHECK(ids(*r.results()) == std::vector<std::string>{"r2", "r0", "r1"});
    r.addResult(nullptr);
    CHECK(r.results()->size() == 3);
}

TEST_CASE("spec 5.3: removeResult keeps only results with a different id, unknown ids are ignored") {
    ResultsModule r;
    r.setResults(many(3));
    const auto before = r.results();
    CHECK(r.removeResult("r1"));
    CHECK(ids(*r.results()) == std::vector<std::string>{"r0", "r2"});
    CHECK_FALSE(r.removeResult("nope"));
    CHECK(ids(*r.results()) == std::vector<std::string>{"r0", "r2"});
    CHECK(before->size() == 3);  // the old list is untouched (new list per change)
}

TEST_CASE("spec 5.3: resetResults empties the list and restores limit 10") {
    ResultsModule r;
    r.setHistoryLimit(50);
    r.setResults(many(20));
    r.resetResults();
    CHECK(r.results()->empty());
    CHECK(r.historyLimit() == 10);
}

TEST_CASE("spec 7.3 store: each results mutation produces a new list reference and leaves the old one as it was") {
    ResultsModule r;
    r.setResults(many(2));
    const auto a = r.results();
    r.addResult(one("x"));
    const auto b = r.results();
    CHECK(a != b);
    CHECK(a->size() == 2);
    CHECK(b->size() == 3);
    auto replaced = std::make_shared<model::GenerationResult>(*r.find("r0"));
    replaced->imageState = model::ImageState::Ready;
    CHECK(r.replaceResult(replaced));
    CHECK(r.results() != b);
    CHECK((*b)[1]->imageState == model::ImageState::None);
    CHECK(r.find("r0")->imageState == model::ImageState::Ready);
    CHECK(ids(*r.results()) == ids(*b));  // same order
    CHECK_FALSE(r.replaceResult(one("unknown")));
}
