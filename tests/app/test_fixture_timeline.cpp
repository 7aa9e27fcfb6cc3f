// Issue 10: the fixture keys for the timeline and the ETA (docs/fixtures.md): history,
// etaSamples, ui.panels.timeline and ui.timeline.
#include <doctest/doctest.h>

#include <string>

#include "app/fixture.hpp"
#include "app/settings_store.hpp"

using namespace genmon;

namespace {
std::string withNow(const std::string& rest) {
    std::string json = R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z")";
    json += rest;
    json += "}";
    return json;
}
}  // namespace

TEST_CASE("issue 10 fixtures: history and etaSamples build the timeline's lifecycles and the ETA model") {
    const auto f = app::parseFixture(withNow(R"(,
        "history": [
          {"id": "a", "prompt": "first", "outcome": "completed", "queuedSecondsAgo": 100, "startedSecondsAgo": 90,
           "finishedSecondsAgo": 60, "sampler": "Euler", "width": 512, "height": 512, "steps": 20},
          {"id": "b", "outcome": "failed", "queuedSecondsAgo": 50, "finishedSecondsAgo": 40, "error": "CUDA out of memory"}
        ],
        "etaSamples": [{"sampler": "Euler", "width": 512, "height": 512, "steps": 20, "seconds": 30, "count": 4}],
        "ui": {"panels": {"timeline": true}, "timeline": {"minutes": 30, "live": false, "endSecondsAgo": 120}})"));
    REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.error().message));
    const auto& snap = *f->snapshot;
    REQUIRE(snap.jobHistory);
    REQUIRE(snap.jobHistory->size() == 2);
    const auto& a = (*snap.jobHistory)[0];
    CHECK(a.job->uiId == "a");
    CHECK(a.outcome == orchestrator::JobOutcome::Completed);
    CHECK(f->nowMicros - a.finishedAtMicros == 60'000'000);
    CHECK(a.finishedAtMicros - a.startedAtMicros == 30'000'000);
    CHECK(a.learned);
    const auto& b = (*snap.jobHistory)[1];
    CHECK(b.outcome == orchestrator::JobOutcome::Failed);
    CHECK(b.startedAtMicros == 0);  // it never ran
    CHECK(b.error == "CUDA out of memory");
    // 1 run from the history + 4 samples, all 30 s.
    REQUIRE(snap.etaModel);
    CHECK(snap.etaModel->learnedJobs() == 5);
    const auto est = snap.etaModel->runEstimate(orchestrator::EtaKey{"Euler", 512, 512, 20});
    REQUIRE(est);
    CHECK(est->seconds == doctest::Approx(30.0));
    CHECK(f->ui.showTimeline);
    CHECK(f->ui.timelineWindowMinutes == 30);
    CHECK(f->ui.timelineSpanSeconds == doctest::Approx(1800));
    CHECK_FALSE(f->ui.timelineLive);
    CHECK(f->nowMicros - f->ui.timelineEndMicros == 120'000'000);
}

TEST_CASE("issue 10 fixtures: old fixtures learn nothing and bad timeline keys name the field") {
    const auto plain = app::parseFixture(withNow(""));
    REQUIRE(plain.ok());
    CHECK(plain->snapshot->jobHistory == nullptr);
    CHECK(plain->snapshot->etaModel == nullptr);
    CHECK_FALSE(plain->ui.showTimeline);

    auto error = [](const std::string& json) {
        const auto f = app::parseFixture(json);
        return f.ok() ? std::string("(no error)") : f.error().message;
    };
    CHECK(error(withNow(R"(, "history": [{"id": "x", "outcome": "exploded", "finishedSecondsAgo": 1}])"))
              .find("history[0].outcome") != std::string::npos);
    CHECK(error(withNow(R"(, "history": [{"id": "x"}])")).find("finishedSecondsAgo") != std::string::npos);
    CHECK(error(withNow(R"(, "history": [{"id": "x", "startedSecondsAgo": 5, "finishedSecondsAgo": 9}])"))
              .find("queued <= started <= finished") != std::string::npos);
    CHECK(error(withNow(R"(, "etaSamples": [{"steps": 0, "seconds": 3}])")).find("etaSamples[0]") != std::string::npos);
    CHECK(error(withNow(R"(, "ui": {"timeline": {"minutes": 7}})")).find("ui.timeline.minutes") != std::string::npos);
}

TEST_CASE("issue 10 settings: the timeline panel and its window are saved and a bad window falls back to 10") {
    ui::UiState st;
    st.showTimeline = true;
    st.timelineWindowMinutes = 30;
    app::Settings saved;
    app::captureSettings(st, saved);
    const auto loaded = app::decodeSettings(app::encodeSettings(saved));
    CHECK(loaded.warning.empty());
    ui::UiState restored;
    app::applySettings(loaded.settings, restored);
    CHECK(restored.showTimeline);
    CHECK(restored.timelineWindowMinutes == 30);
    CHECK(restored.timelineSpanSeconds == doctest::Approx(1800));
    const auto odd = app::decodeSettings(R"({"timelineWindowMinutes": 7, "panels": {"timeline": false}})");
    CHECK(odd.settings.timelineWindowMinutes == 10);
    CHECK_FALSE(odd.settings.showTimeline);
}
