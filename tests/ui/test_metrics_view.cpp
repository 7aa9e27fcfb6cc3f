// Live metrics (issue 10): the Metrics panel, the UI's own frame-time ring, the fixture keys
// and the saved panel settings.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "app/fixture.hpp"
#include "app/settings_store.hpp"
#include "ui/frame_times.hpp"
#include "ui_harness.hpp"

using namespace genmon;
using namespace genmon::test;
using orchestrator::Metric;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A snapshot whose metrics end at kNow: queue depth 1..60 (60 s ago .. now), one reconnect
// 30 s ago, no job finished yet.
orchestrator::SnapshotPtr withMetrics() {
    auto s = std::make_shared<orchestrator::Snapshot>(*snapshotOf({}));
    auto m = std::make_shared<orchestrator::MetricsSeries>();
    m->newestSampleMicros = kNow;
    for (int i = 1; i <= 60; ++i) {
        (*m)[Metric::QueueDepth].push(i);
        (*m)[Metric::DurationP50Seconds].push(kNaN);
        (*m)[Metric::Reconnects].push(i == 30 ? 1 : 0);
    }
    m->reconnectsTotal = 1;
    s->metrics = m;
    return s;
}

}  // namespace

TEST_CASE("issue 10 metrics: the panel opens from the state and the window choice switches between 1 5 and 10 minutes") {
    UiHarness h(withMetrics());
    CHECK_FALSE(h.drawn("metrics.header"));
    h.state().showMetrics = true;
    h.frame(2);
    REQUIRE(h.drawn("metrics.header"));
    CHECK(h.state().metricsWindowMinutes == 5);
    h.clickItem("metrics.window:1");
    CHECK(h.state().metricsWindowMinutes == 1);
    h.clickItem("metrics.window:10");
    CHECK(h.state().metricsWindowMinutes == 10);
    CHECK(h.app->idleRefreshSeconds(*h.snap, h.now, 0) == 1.0);  // the sparklines move every second
}

TEST_CASE("issue 10 metrics: a series without data says so instead of drawing a zero line") {
    SUBCASE("no sample yet") {
        UiHarness h(snapshotOf({}));
        h.state().showMetrics = true;
        h.frame(2);
        CHECK(h.item("metrics.spark:queue").text == "no samples yet");
        CHECK(h.item("metrics.value:queue").text.empty());
    }
    SUBCASE("samples, but no job finished yet") {
        UiHarness h(withMetrics());
        h.state().showMetrics = true;
        h.frame(2);
        CHECK(h.item("metrics.spark:p50").text == "no completions yet");
        CHECK(h.item("metrics.spark:queue").text.empty());  // this one draws its line
        CHECK(h.item("metrics.value:queue").text == "60 jobs");
        CHECK(h.item("metrics.range:queue").text == "min 1 job   max 60 jobs");
        CHECK(h.item("metrics.value:reconnects").text == "1 reconnect total");
        CHECK(h.item("metrics.range:reconnects").text == "1 reconnect in 5 min");
    }
}

TEST_CASE("issue 10 metrics: hovering a sparkline tells the value at that second") {
    UiHarness h(withMetrics());
    h.state().showMetrics = true;
    h.state().metricsWindowMinutes = 1;
    h.frame(2);
    const auto spark = h.item("metrics.spark:queue");
    // The right edge is now; 12 s ago is 12/60 of the plot's width to the left (0.25 em padding).
    const float pad = 0.25f * 15.0f;
    const float left = spark.min.x + pad, right = spark.max.x - pad;
    ImGui::GetIO().MousePos = ImVec2(right - (right - left) * 12.0f / 60.0f, spark.center().y);
    h.frame(2);
    CHECK(h.item("metrics.tooltip:queue").text == "12 s ago: 48 jobs");
    ImGui::GetIO().MousePos = ImVec2(right, spark.center().y);
    h.frame(2);
    CHECK(h.item("metrics.tooltip:queue").text == "0 s ago: 60 jobs");
    const auto p50 = h.item("metrics.spark:p50");
    ImGui::GetIO().MousePos = p50.center();
    h.frame(2);
    CHECK(h.item("metrics.tooltip:p50").text == "30 s ago: no completions yet");
}

TEST_CASE("issue 10 metrics: the UI frame-time ring keeps the slowest frame of each second and leaves idle seconds empty") {
    ui::FrameTimeRing ring;
    ring.add(kNow, 2.0);
    ring.add(kNow + 400'000, 5.0);  // same second: the slower one counts
    ring.add(kNow + 900'000, 1.0);
    CHECK(ring.seconds().size() == 0);  // the second is still open
    ring.add(kNow + 1'200'000, 3.0);
    REQUIRE(ring.seconds().size() == 1);
    CHECK(ring.seconds().newest() == 5.0);
    ring.add(kNow + 4'100'000, 1.5);  // seconds 2 and 3 drew nothing
    REQUIRE(ring.seconds().size() == 4);
    CHECK(ring.seconds().ago(3) == 5.0);
    CHECK(ring.seconds().ago(2) == 3.0);
    CHECK(std::isnan(ring.seconds().ago(1)));
    CHECK(std::isnan(ring.seconds().ago(0)));
    CHECK(ring.newestSampleMicros() == kNow + 4'000'000);

    // The App shell feeds it every frame, on the UI thread.
    UiHarness h(snapshotOf({}));
    const size_t before = h.state().frameTimes.seconds().size();
    h.now += 1'000'000;
    h.frame();
    h.now += 1'000'000;
    h.frame();
    CHECK(h.state().frameTimes.seconds().size() == before + 2);
    CHECK(h.state().frameTimes.seconds().newest() >= 0);
}

TEST_CASE("issue 10 metrics: a fixture carries the series and the frame times and old fixtures have none") {
    const std::string json = R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z",
        "metrics": {"newestSecondsAgo": 2, "series": {"queueDepth": [3, 4, 5], "durationP50": [null, 12.5],
                    "reconnects": [0, 1, 0]}, "uiFrameMillis": [1.5, null, 2.5], "totals": {"completions": 7}},
        "ui": {"panels": {"metrics": true}, "metricsWindow": 10}})";
    auto f = app::parseFixture(json);
    REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.error().message));
    const auto& m = *f->snapshot->metrics;
    CHECK(m.newestSampleMicros == f->nowMicros - 2'000'000);
    CHECK(m[Metric::QueueDepth].size() == 3);
    CHECK(m[Metric::QueueDepth].newest() == 5);
    CHECK(std::isnan(m[Metric::DurationP50Seconds].ago(1)));
    CHECK(m[Metric::DurationP50Seconds].newest() == 12.5);
    CHECK(m[Metric::WsMessagesPerSecond].size() == 0);
    CHECK(m.reconnectsTotal == 1);  // by default the sum of the series
    CHECK(m.completionsTotal == 7);
    CHECK(f->ui.showMetrics);
    CHECK(f->ui.metricsWindowMinutes == 10);
    CHECK(f->ui.frameTimes.seconds().size() == 3);
    CHECK(std::isnan(f->ui.frameTimes.seconds().ago(1)));

    auto old = app::parseFixture(R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z"})");
    REQUIRE(old.ok());
    CHECK(old->snapshot->metrics == nullptr);
    CHECK_FALSE(old->ui.showMetrics);

    auto bad = app::parseFixture(R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z",
        "metrics": {"series": {"queueDepth": [1, "two"]}}})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("metrics.series.queueDepth") != std::string::npos);
    auto badWindow = app::parseFixture(R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z", "ui": {"metricsWindow": 3}})");
    REQUIRE_FALSE(badWindow.ok());
    CHECK(badWindow.error().message.find("ui.metricsWindow") != std::string::npos);
}

TEST_CASE("issue 10 metrics: the Metrics panel and its window are saved with the other panels") {
    ui::UiState ui;
    ui.showMetrics = true;
    ui.metricsWindowMinutes = 10;
    app::Settings s;
    app::captureSettings(ui, s);
    const auto loaded = app::decodeSettings(app::encodeSettings(s));
    CHECK(loaded.warning.empty());
    ui::UiState back;
    app::applySettings(loaded.settings, back);
    CHECK(back.showMetrics);
    CHECK(back.metricsWindowMinutes == 10);
    // Files written before the Metrics panel existed keep it closed, at 5 minutes.
    const auto older = app::decodeSettings(R"({"version": 1, "panels": {"queue": true}})");
    CHECK_FALSE(older.settings.showMetrics);
    CHECK(older.settings.metricsWindowMinutes == 5);
}
