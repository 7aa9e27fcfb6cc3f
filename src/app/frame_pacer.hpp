#pragma once
// When to draw (the power-aware loop of Tracy and ImHex): after input, a few frames at full
// rate so hover effects and layout settle; after new content, one frame; otherwise sleep until
// an event, a published snapshot, or the moment the picture's clock texts (ages, elapsed,
// countdowns) need refreshing. A publish that only refreshed data ages (contentVersion
// unchanged) waits for that moment instead of costing a frame at once.
#include <algorithm>
#include <cstdint>

namespace genmon::app {

class FramePacer {
public:
    static constexpr int kFramesAfterInput = 3;

    // Whether this wake-up needs a frame.
    bool shouldDraw(uint64_t contentVersion, bool input, double nowSeconds) {
        if (input) activeFrames_ = std::max(activeFrames_, kFramesAfterInput);
        if (contentVersion != lastContent_) {
            lastContent_ = contentVersion;
            activeFrames_ = std::max(activeFrames_, 1);
        }
        return activeFrames_ > 0 || nowSeconds - lastDraw_ >= idleRefresh_;
    }
    // After drawing: wantsFullRate keeps animating (toasts); idleRefresh is how long the
    // picture stays true without a redraw.
    void drew(double nowSeconds, bool wantsFullRate, double idleRefreshSeconds) {
        lastDraw_ = nowSeconds;
        idleRefresh_ = idleRefreshSeconds;
        if (wantsFullRate) activeFrames_ = std::max(activeFrames_, 2);
        if (activeFrames_ > 0) --activeFrames_;
    }
    // How long to wait for events before asking again (0: draw at once, vsync paces it).
    double waitSeconds(double nowSeconds) const {
        if (activeFrames_ > 0) return 0;
        return std::max(0.001, lastDraw_ + idleRefresh_ - nowSeconds);
    }

private:
    int activeFrames_ = kFramesAfterInput;
    uint64_t lastContent_ = ~uint64_t{0};
    double lastDraw_ = -1e9;
    double idleRefresh_ = 1.0;
};

}  // namespace genmon::app
