#pragma once
// genmon's own frame time for the Prometheus exposition (issue 17.4): the UI thread observes each
// drawn frame, a scrape reads the counts from its own thread. Lock-free: relaxed atomics, one
// increment per frame; the count a scrape reports is the sum of the buckets it read, so the
// +Inf bucket and _count always agree (the sum may lag by the frame being written).
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>

namespace genmon::exporter {

// Upper bounds in seconds: from well under a 60 Hz frame to a stall a person notices.
inline constexpr std::array<double, 10> kFrameSecondsBuckets{0.0005, 0.001, 0.002, 0.004, 0.008,
                                                             0.016,  0.033, 0.066, 0.25,  1.0};

struct FrameCounts {
    std::array<uint64_t, kFrameSecondsBuckets.size() + 1> counts{};  // per bucket, the last above 1 s
    double sum = 0;
};

class FrameHistogram {
public:
    void observe(double seconds) noexcept {
        if (!std::isfinite(seconds) || seconds < 0) return;
        size_t i = 0;
        while (i < kFrameSecondsBuckets.size() && seconds > kFrameSecondsBuckets[i]) ++i;
        counts_[i].fetch_add(1, std::memory_order_relaxed);
        sumNanos_.fetch_add(static_cast<uint64_t>(std::llround(seconds * 1e9)), std::memory_order_relaxed);
    }
    FrameCounts read() const noexcept {
        FrameCounts c;
        for (size_t i = 0; i < c.counts.size(); ++i) c.counts[i] = counts_[i].load(std::memory_order_relaxed);
        c.sum = static_cast<double>(sumNanos_.load(std::memory_order_relaxed)) / 1e9;
        return c;
    }

private:
    std::array<std::atomic<uint64_t>, kFrameSecondsBuckets.size() + 1> counts_{};
    std::atomic<uint64_t> sumNanos_{0};
};

}  // namespace genmon::exporter
