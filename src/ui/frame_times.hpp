#pragma once
// The UI thread's own frame times for the Metrics view (issue 10): the slowest frame of each
// second over the last 10 minutes. Filled by the App shell every frame and read by the Metrics
// view on the same thread; it never goes to the worker. Allocation-free.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "orchestrator/metrics.hpp"

namespace genmon::ui {

class FrameTimeRing {
public:
    // A frame drawn at nowMicros took frameMillis. A second closes when a frame of a later second
    // comes; a second in which nothing was drawn (the frame pacer slept) has no value (NaN), which
    // is not a 0 ms frame.
    void add(int64_t nowMicros, double frameMillis) {
        constexpr int64_t second = orchestrator::kMetricSampleMicros;
        if (openStart_ == 0 || nowMicros < openStart_) {  // the first frame, or the clock went back
            openStart_ = nowMicros;
            openWorst_ = frameMillis;
            return;
        }
        const int64_t elapsed = (nowMicros - openStart_) / second;
        if (elapsed == 0) {
            openWorst_ = std::isnan(openWorst_) ? frameMillis : std::max(openWorst_, frameMillis);
            return;
        }
        ring_.push(openWorst_);
        const int64_t idle = std::min<int64_t>(elapsed - 1, static_cast<int64_t>(orchestrator::kMetricSeconds));
        for (int64_t i = 0; i < idle; ++i) ring_.push(std::numeric_limits<double>::quiet_NaN());
        openStart_ += elapsed * second;
        openWorst_ = frameMillis;
    }

    // Fixtures: closed seconds, oldest first (NaN: nothing drawn), the newest ending at endMicros.
    void assign(const std::vector<double>& millis, int64_t endMicros) {
        ring_.clear();
        for (double v : millis) ring_.push(v);
        openStart_ = endMicros;
        openWorst_ = std::numeric_limits<double>::quiet_NaN();
    }

    const orchestrator::SecondRing& seconds() const noexcept { return ring_; }
    // The end of the newest closed second (0: none yet).
    int64_t newestSampleMicros() const noexcept { return ring_.size() ? openStart_ : 0; }

private:
    orchestrator::SecondRing ring_;
    int64_t openStart_ = 0;  // the open second is [openStart_, openStart_ + 1 s)
    double openWorst_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace genmon::ui
