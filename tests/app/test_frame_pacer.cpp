// Issue 14.1, frames cost what they show: the pacer's policy, driven by an injected clock (no
// sleeps, no timing assertions). Issue 6 item 8's rules (sleep when idle, input and new content
// wake the loop) still hold. The CPU it saves is measured by scripts/bench (figures 7, 7w, 10).
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "app/frame_pacer.hpp"

using genmon::app::FrameCause;
using genmon::app::FramePacer;

namespace {

// runWindow's loop on a simulated clock: wait as the pacer says (or until the next external
// happening), then ask it; every frame drawn is recorded with its start time and cause.
struct LoopSim {
    struct Frame {
        double at;
        FrameCause cause;
    };
    FramePacer pacer;
    double now = 0;
    uint64_t content = 1;
    std::vector<Frame> frames;
    // What the App and the window report after each frame (defaults: nothing moves).
    std::function<bool(double)> animating = [](double) { return false; };
    std::function<bool(double)> inputOwed = [](double) { return false; };
    double idleRefresh = 2.0;
    double frameCost = 0.004;  // a frame takes time: spacing is start to start

    explicit LoopSim(FramePacer p = FramePacer{}) : pacer(p) {}

    // Runs until `until`; happenings: times at which input arrives, or content changes.
    void run(double until, const std::vector<double>& inputs = {}, const std::vector<double>& publishes = {},
             bool held = false) {
        size_t in = 0, pub = 0;
        while (now < until) {
            double next = now + pacer.waitSeconds(now);
            if (in < inputs.size()) next = std::min(next, inputs[in]);
            if (pub < publishes.size()) next = std::min(next, publishes[pub]);
            now = std::max(now, std::min(next, until));
            bool input = false;
            while (in < inputs.size() && inputs[in] <= now) {
                input = true;
                ++in;
            }
            while (pub < publishes.size() && publishes[pub] <= now) {
                ++content;
                ++pub;
            }
            const FrameCause cause = pacer.shouldDraw({content, input, held, false}, now);
            if (cause == FrameCause::None) {
                if (now >= until) break;
                continue;
            }
            frames.push_back({now, cause});
            pacer.drew(now, cause, animating(now), inputOwed(now), idleRefresh);
            now += frameCost;
        }
    }
    size_t count(FrameCause c) const {
        return static_cast<size_t>(std::count_if(frames.begin(), frames.end(), [c](const Frame& f) { return f.cause == c; }));
    }
    double minSpacing() const {
        double m = 1e9;
        for (size_t i = 1; i < frames.size(); ++i) m = std::min(m, frames[i].at - frames[i - 1].at);
        return m;
    }
};

std::vector<double> every(double step, double from, double to) {
    std::vector<double> t;
    for (double x = from; x < to; x += step) t.push_back(x);
    return t;
}

}  // namespace

TEST_CASE("issue 14.1: never more than 60 frames a second, whatever asks (input storm, animation, 250 publishes/s)") {
    LoopSim sim;
    sim.frameCost = 0.001;  // a cheap frame: without the cap the loop would run far above 60
    sim.animating = [](double) { return true; };
    sim.run(2.0, every(0.001, 0, 2.0), every(0.004, 0, 2.0), /*held=*/true);
    CHECK(sim.frames.size() <= 2 * 60 + 1);
    CHECK(sim.frames.size() >= 2 * 60 - 2);  // and it does run at the full rate while asked to
    CHECK(sim.minSpacing() >= 1.0 / 60 - 1e-9);
}

TEST_CASE("issue 14.1: the cap follows a slower display, never a faster one") {
    LoopSim slow(FramePacer(30));
    slow.animating = [](double) { return true; };
    slow.run(1.0);
    CHECK(slow.minSpacing() >= 1.0 / 30 - 1e-9);
    CHECK(slow.frames.size() <= 31);
    LoopSim fast(FramePacer(144));
    fast.animating = [](double) { return true; };
    fast.run(1.0);
    CHECK(fast.minSpacing() >= 1.0 / 60 - 1e-9);
    CHECK(FramePacer(0).minInterval() == doctest::Approx(1.0 / 60));  // unknown rate: 60
}

TEST_CASE("issue 14.1: frames caused only by data are at most N a second (default 10, a setting)") {
    LoopSim sim;
    sim.run(0.5);  // the start-up frames settle first
    sim.frames.clear();
    sim.run(10.5, {}, every(0.004, 0.5, 10.5));  // the worker publishes 250 times a second
    CHECK(sim.frames.size() <= 10 * 10 + 1);
    CHECK(sim.frames.size() >= 10 * 10 - 2);  // data is not starved either
    CHECK(sim.count(FrameCause::Data) == sim.frames.size());
    CHECK(sim.minSpacing() >= 0.1 - 1e-9);

    LoopSim two;
    two.pacer.setDataRate(2);
    two.run(0.5);
    two.frames.clear();
    two.run(10.5, {}, every(0.004, 0.5, 10.5));
    CHECK(two.frames.size() <= 2 * 10 + 1);
    CHECK(two.minSpacing() >= 0.5 - 1e-9);
}

TEST_CASE("issue 14.1: input draws at the full rate, three frames, then the loop sleeps until the clock refresh") {
    LoopSim sim;
    sim.run(5.0);
    sim.frames.clear();
    sim.run(10.0, {5.0});
    REQUIRE(sim.frames.size() >= 3);
    CHECK(sim.count(FrameCause::Input) == FramePacer::kFramesAfterInput);
    CHECK(sim.frames[2].at - sim.frames[0].at == doctest::Approx(2.0 / 60));
    // Then nothing until the clock texts need a refresh (2 s after the last frame).
    CHECK(sim.frames[3].cause == FrameCause::Clock);
    CHECK(sim.frames[3].at - sim.frames[2].at == doctest::Approx(2.0));
}

TEST_CASE("issue 14.1: animation runs at the full rate only while it lasts") {
    LoopSim sim;
    sim.run(1.0);
    sim.frames.clear();
    sim.animating = [](double t) { return t < 1.5; };  // a toast fading for half a second
    sim.run(1.0 + 1e-9, {1.0});                       // it starts with some input
    sim.run(5.0);
    const size_t during = static_cast<size_t>(
        std::count_if(sim.frames.begin(), sim.frames.end(), [](const LoopSim::Frame& f) { return f.at <= 1.5 + 1.0 / 60; }));
    CHECK(during >= 29);
    CHECK(during <= 32);
    // After it: only the clock refresh, every 2 s.
    CHECK(sim.frames.size() - during <= 2);
    CHECK(sim.count(FrameCause::Animation) >= 25);
}

TEST_CASE("issue 14.1: a picture that changes by nothing costs a frame only when its clock texts do") {
    LoopSim sim;
    sim.run(60.0);
    // The start-up frames, then one frame every 2 s (the "updated 3 s ago" texts).
    CHECK(sim.count(FrameCause::Clock) == doctest::Approx(30).epsilon(0.05));
    CHECK(sim.frames.size() <= 3 + 31);
    // A refresh that the App says is needed sooner (a countdown) is still a data frame: capped.
    LoopSim eager;
    eager.idleRefresh = 0.001;
    eager.run(10.0);
    CHECK(eager.frames.size() <= 3 + 10 * 10 + 1);
}

TEST_CASE("issue 14.1: notifications arriving with no new content still draw, at the data rate") {
    FramePacer p;
    double t = 0;
    while (p.shouldDraw({1, false, false, false}, t) != FrameCause::None) {  // settle
        p.drew(t, FrameCause::Input, false, false, 2.0);
        t += 1.0 / 60;
    }
    t += 0.5;
    CHECK(p.shouldDraw({1, false, false, /*events=*/true}, t) == FrameCause::Data);
}

TEST_CASE("issue 14.6: the pacer draws the frames the input latch owes (a tap's release), at the full rate") {
    LoopSim sim;
    sim.run(3.0);
    sim.frames.clear();
    // After the input frames, the latch still owes frames until 3.2 (a release to show, a key held).
    sim.inputOwed = [](double t) { return t < 3.2; };
    sim.run(4.0, {3.0});
    const size_t owed = static_cast<size_t>(
        std::count_if(sim.frames.begin(), sim.frames.end(), [](const LoopSim::Frame& f) { return f.at <= 3.2 + 1.0 / 60; }));
    CHECK(owed >= 12);
    CHECK(sim.minSpacing() >= 1.0 / 60 - 1e-9);
}

TEST_CASE("issue 6 pacing: new content draws exactly one frame, a freshness-only publish none") {
    FramePacer p;
    double t = 10.0;
    for (FrameCause c; (c = p.shouldDraw({7, false, false, false}, t)) != FrameCause::None; t += 0.02) p.drew(t, c, false, false, 2.0);
    t += 0.5;
    CHECK(p.shouldDraw({7, false, false, false}, t) == FrameCause::None);  // same content version: wait
    CHECK(p.shouldDraw({8, false, false, false}, t) == FrameCause::Data);  // new content: one frame
    p.drew(t, FrameCause::Data, false, false, 2.0);
    CHECK(p.shouldDraw({8, false, false, false}, t + 0.2) == FrameCause::None);
    CHECK(p.waitSeconds(t + 0.2) == doctest::Approx(1.8));
}

TEST_CASE("issue 14.1: a publish wakes the loop only when that can bring a frame sooner") {
    FramePacer p;
    double t = 0;
    for (FrameCause c; (c = p.shouldDraw({1, false, false, false}, t)) != FrameCause::None; t += 0.02) p.drew(t, c, false, false, 2.0);
    CHECK(p.wakeUseful());  // only the clock refresh is due: new data would be drawn sooner
    t += 0.05;
    CHECK(p.shouldDraw({2, false, false, false}, t) == FrameCause::None);  // new data, its slot not reached yet
    CHECK_FALSE(p.wakeUseful());  // a frame is due at the slot and will show whatever came meanwhile
    CHECK(p.lastContentVersion() == 2);
    t += p.waitSeconds(t);
    const FrameCause c = p.shouldDraw({5, false, false, false}, t);
    REQUIRE(c == FrameCause::Data);
    p.drew(t, c, false, false, 2.0);
    CHECK(p.wakeUseful());
    p.drew(t + 0.1, FrameCause::Data, /*animating=*/true, false, 2.0);
    CHECK_FALSE(p.wakeUseful());  // full rate: a frame comes within 1/60 s anyway
}

TEST_CASE("issue 16.2: while the snapshot is behind (the worker held the lock), wakes stay on and the loop looks again within 2 ms") {
    FramePacer p;
    double t = 0;
    for (FrameCause c; (c = p.shouldDraw({1, false, false, false}, t)) != FrameCause::None; t += 0.02) p.drew(t, c, false, false, 2.0);
    // Data is dirty and its slot not reached: wakes are off, the loop sleeps to the slot.
    t += 0.01;
    CHECK(p.shouldDraw({2, false, false, false}, t) == FrameCause::None);
    CHECK_FALSE(p.wakeUseful());
    t += p.waitSeconds(t) + 0.001;
    REQUIRE(p.shouldDraw({2, false, false, false}, t) == FrameCause::Data);
    p.drew(t, FrameCause::Data, false, false, 2.0);
    CHECK(p.waitSeconds(t) == doctest::Approx(2.0));  // idle: only the clock refresh

    // The next look finds the lock held: the frame would show version 2 again, while the worker
    // may be publishing 3 (the last one). Wakes must stay on and the wait be short, whatever
    // the clock refresh says.
    t += 0.05;
    CHECK(p.shouldDraw({2, false, false, false, /*snapshotBehind=*/true}, t) == FrameCause::None);
    CHECK(p.wakeUseful());
    CHECK(p.waitSeconds(t) <= FramePacer::kBehindRetrySeconds);
    // Even when a data frame is due soon (wakes would otherwise be off).
    FramePacer q;
    double u = 0;
    for (FrameCause c; (c = q.shouldDraw({1, false, false, false}, u)) != FrameCause::None; u += 0.02) q.drew(u, c, false, false, 2.0);
    CHECK(q.shouldDraw({2, false, false, false}, u + 0.01) == FrameCause::None);
    q.setSnapshotBehind(true);  // the loop's second look before sleeping failed too
    CHECK(q.wakeUseful());
    CHECK(q.waitSeconds(u + 0.01) <= FramePacer::kBehindRetrySeconds);

    // The retry finds the lock free and version 3: one data frame, then back to the clock.
    t += p.waitSeconds(t);
    const FrameCause c = p.shouldDraw({3, false, false, false, false}, t + 0.1);
    CHECK(c == FrameCause::Data);
    p.drew(t + 0.1, c, false, false, 2.0);
    CHECK_FALSE(p.snapshotBehind());
    CHECK(p.waitSeconds(t + 0.1) == doctest::Approx(2.0));
}
