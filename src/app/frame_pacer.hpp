#pragma once
// When to draw (issue 14.1: frames cost what they show; the power-aware loops of Tracy and
// ImHex). The loop asks after every wake-up (an event, a published snapshot, a timeout):
//   - never two frames closer than 1 / maxFps (60, or the display's rate when lower), whatever
//     vsync does: Xvfb, VNC and many compositors have none, and swapping then returns at once;
//   - input and real animation (a toast fading, a dialog dimming in, a key or button held) at
//     that full rate, only while they last: three frames after input so hover and layout
//     settle, then as long as the App or the input latch says something still moves;
//   - frames caused only by data (a new contentVersion, the clock texts' refresh) at most
//     dataFps a second (a setting, default 10): a burst of 250 publishes a second is 10 frames;
//   - otherwise nothing: sleep until an event, or until the picture's clock texts (ages,
//     elapsed times, countdowns) need their refresh. A toast that just sits there costs nothing.
//   - issue 16.2: when the last look at the snapshot found the worker holding the buffer's lock
//     (the frame drew the previous snapshot), publish wake-ups stay on and the loop looks again
//     within kBehindRetrySeconds: the publisher wakes it after unlocking, and the retry covers a
//     lock held by another reader (the metrics server), so no publish waits for the clock refresh.
// Time is passed in (seconds on any monotonic clock), so tests drive it without sleeping.
#include <algorithm>
#include <cstdint>

namespace genmon::app {

// Why a frame was drawn (counted by the window loop: GENMON_FRAME_STATS).
enum class FrameCause : uint8_t { None, Input, Animation, Data, Clock };

inline const char* frameCauseName(FrameCause c) {
    switch (c) {
        case FrameCause::None: return "none";
        case FrameCause::Input: return "input";
        case FrameCause::Animation: return "animation";
        case FrameCause::Data: return "data";
        case FrameCause::Clock: return "clock";
    }
    return "none";
}

class FramePacer {
public:
    static constexpr int kFramesAfterInput = 3;
    static constexpr double kMaxFps = 60;
    static constexpr double kDefaultDataFps = 10;
    static constexpr double kBehindRetrySeconds = 0.002;

    // displayHz: the display's refresh rate when GLFW knows it (0: unknown). The cap is 60
    // frames a second, or the display's rate when it is lower.
    explicit FramePacer(double displayHz = 0, double dataFps = kDefaultDataFps) {
        setDisplayRate(displayHz);
        setDataRate(dataFps);
    }
    void setDisplayRate(double hz) { minInterval_ = 1.0 / (hz >= 1 && hz < kMaxFps ? hz : kMaxFps); }
    // Frames caused only by data: at most fps a second (clamped to 1..the full rate).
    void setDataRate(double fps) { dataInterval_ = std::max(minInterval_, 1.0 / std::clamp(fps, 1.0, kMaxFps)); }
    double minInterval() const { return minInterval_; }
    double dataInterval() const { return dataInterval_; }

    // What a wake-up brought. input: the person did something (pointer, keys, scroll, resize);
    // held: a key or button is held down. (What the input latch owes comes through drew().)
    struct Wake {
        uint64_t contentVersion = 0;
        bool input = false;
        bool held = false;
        bool events = false;  // notifications arrived (toasts): data, like new content
        bool snapshotBehind = false;  // the snapshot is the previous one: the lock was taken
    };

    // Notes what the wake-up brought and answers whether a frame is due now, and why
    // (FrameCause::None: not yet; waitSeconds says how long).
    FrameCause shouldDraw(const Wake& w, double now) {
        if (w.input) owedFullRate_ = std::max(owedFullRate_, kFramesAfterInput);
        held_ = w.held;
        behind_ = w.snapshotBehind;
        if (w.contentVersion != lastContent_ || w.events) {
            lastContent_ = w.contentVersion;
            dataDirty_ = true;
        }
        const Due due = next();
        return now >= due.at ? due.cause : FrameCause::None;
    }

    // After drawing. animating: something on screen moves by itself (App::wantsFullRate);
    // inputOwed: the input latch still owes a frame (a tap's release) or input is held;
    // idleRefreshSeconds: how long the picture's clock texts stay true.
    void drew(double now, FrameCause cause, bool animating, bool inputOwed, double idleRefreshSeconds) {
        lastDraw_ = now;
        idleRefresh_ = idleRefreshSeconds;
        animating_ = animating;
        dataDirty_ = false;  // this frame showed the latest data, whatever caused it
        if (cause == FrameCause::Input && owedFullRate_ > 0) --owedFullRate_;
        if (inputOwed) owedFullRate_ = std::max(owedFullRate_, 1);
    }

    // Whether a published snapshot should wake the loop: not while a frame is already due within
    // the data interval (new data, input, animation), since that frame shows the latest snapshot
    // anyway; yes while only the clock refresh is due (new data may be worth a frame sooner).
    // And always while the snapshot is behind: the publisher holding the lock wakes the loop.
    bool wakeUseful() const { return behind_ || next().cause == FrameCause::Clock; }
    uint64_t lastContentVersion() const { return lastContent_; }

    // The loop's second look before it sleeps (wakes were off until then) may find the lock
    // taken as well.
    void setSnapshotBehind(bool behind) { behind_ = behind; }
    bool snapshotBehind() const { return behind_; }

    // How long to wait for events before asking again (0: a frame is due now). Never more than
    // an hour: a picture whose clock texts never go stale still wakes up now and then; never
    // more than kBehindRetrySeconds while the snapshot is behind.
    double waitSeconds(double now) const {
        const double wait = std::clamp(next().at - now, 0.0, kLongestSleep);
        return behind_ ? std::min(wait, kBehindRetrySeconds) : wait;
    }

private:
    static constexpr double kLongestSleep = 3600;

    struct Due {
        FrameCause cause;
        double at;
    };
    // The next frame owed and its cause: input and animation at the full rate, new data at the
    // data rate, else the clock texts' refresh (itself a data frame: never above the data rate).
    Due next() const {
        if (owedFullRate_ > 0 || held_) return {FrameCause::Input, lastDraw_ + minInterval_};
        if (animating_) return {FrameCause::Animation, lastDraw_ + minInterval_};
        if (dataDirty_) return {FrameCause::Data, lastDraw_ + dataInterval_};
        return {FrameCause::Clock, lastDraw_ + std::max(idleRefresh_, dataInterval_)};
    }

    double minInterval_ = 1.0 / kMaxFps;
    double dataInterval_ = 1.0 / kDefaultDataFps;
    int owedFullRate_ = kFramesAfterInput;  // the first frames settle the layout
    bool held_ = false;
    bool behind_ = false;
    bool animating_ = false;
    bool dataDirty_ = true;
    uint64_t lastContent_ = ~uint64_t{0};
    double lastDraw_ = -1e9;
    double idleRefresh_ = 1.0;
};

}  // namespace genmon::app
