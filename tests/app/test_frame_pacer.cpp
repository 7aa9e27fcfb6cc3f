// Issue 6 item 8, frame pacing: wait on events when idle; input or new content wakes the loop;
// full rate only while input settles. (Its CPU cost is measured by scripts/bench, figure 7.)
#include <doctest/doctest.h>

#include "app/frame_pacer.hpp"

using genmon::app::FramePacer;

TEST_CASE("issue 6 pacing: after input, three frames at full rate, then sleep until the idle refresh") {
    FramePacer p;
    double t = 100.0;
    int drawn = 0;
    CHECK(p.shouldDraw(1, true, t));
    for (int i = 0; i < 10 && p.shouldDraw(1, false, t); ++i) {
        p.drew(t, false, 2.0);
        ++drawn;
        t += 0.016;
        if (p.waitSeconds(t) > 0) break;
    }
    CHECK(drawn == FramePacer::kFramesAfterInput);
    CHECK(p.waitSeconds(t) == doctest::Approx(2.0 - 0.016).epsilon(0.01));
    CHECK_FALSE(p.shouldDraw(1, false, t + 1.0));  // nothing changed, the picture is still true
    CHECK(p.shouldDraw(1, false, t + 2.0));        // the clock texts need a refresh
}

TEST_CASE("issue 6 pacing: new content draws exactly one frame, a freshness-only publish none") {
    FramePacer p;
    double t = 10.0;
    while (p.shouldDraw(7, false, t)) {
        p.drew(t, false, 2.0);
        t += 0.016;
    }
    CHECK_FALSE(p.shouldDraw(7, false, t + 0.1));  // same content version: wait
    CHECK(p.shouldDraw(8, false, t + 0.2));        // new content: one frame
    p.drew(t + 0.2, false, 2.0);
    CHECK_FALSE(p.shouldDraw(8, false, t + 0.3));
    CHECK(p.waitSeconds(t + 0.3) > 1.5);
}

TEST_CASE("issue 6 pacing: something animating keeps the loop at full rate") {
    FramePacer p;
    double t = 0;
    for (int i = 0; i < 20; ++i) {
        REQUIRE(p.shouldDraw(1, false, t));
        p.drew(t, /*wantsFullRate=*/true, 2.0);
        CHECK(p.waitSeconds(t) == 0);
        t += 0.016;
    }
}
