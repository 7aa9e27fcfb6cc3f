#pragma once
// Golden-image comparison with tolerance: a per-channel threshold (anti-aliasing noise) and a
// maximum share of differing pixels. The diff image shows the actual frame dimmed to grey with
// every differing pixel in magenta, so a person sees at once where it changed.
#include <cstddef>

#include "model/image.hpp"

namespace genmon::platform {

struct DiffOptions {
    int channelThreshold = 24;     // a pixel differs when any channel moves by more than this
    double maxDifferingShare = 0.0005;  // pass while at most this share of pixels differ
};

struct DiffResult {
    bool sameSize = false;
    size_t differingPixels = 0;
    size_t totalPixels = 0;
    int maxChannelDelta = 0;
    bool pass = false;
    model::Image diff;  // empty when the sizes differ
    double differingShare() const {
        return totalPixels ? static_cast<double>(differingPixels) / static_cast<double>(totalPixels) : 1.0;
    }
};

DiffResult compareImages(const model::Image& expected, const model::Image& actual, const DiffOptions& options);

}  // namespace genmon::platform
