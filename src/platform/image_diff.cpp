#include "platform/image_diff.hpp"

#include <algorithm>
#include <cstdlib>

namespace genmon::platform {

DiffResult compareImages(const model::Image& expected, const model::Image& actual, const DiffOptions& options) {
    DiffResult r;
    r.sameSize = expected.width == actual.width && expected.height == actual.height &&
                 expected.rgba.size() == actual.rgba.size() &&
                 actual.rgba.size() == static_cast<size_t>(actual.width) * static_cast<size_t>(actual.height) * 4;
    if (!r.sameSize) return r;
    r.totalPixels = static_cast<size_t>(actual.width) * static_cast<size_t>(actual.height);
    r.diff.width = actual.width;
    r.diff.height = actual.height;
    r.diff.rgba.resize(actual.rgba.size());
    for (size_t p = 0; p < r.totalPixels; ++p) {
        const uint8_t* e = &expected.rgba[p * 4];
        const uint8_t* a = &actual.rgba[p * 4];
        int delta = 0;
        for (int c = 0; c < 4; ++c) delta = std::max(delta, std::abs(int(e[c]) - int(a[c])));
        r.maxChannelDelta = std::max(r.maxChannelDelta, delta);
        uint8_t* d = &r.diff.rgba[p * 4];
        if (delta > options.channelThreshold) {
            ++r.differingPixels;
            d[0] = 255, d[1] = 0, d[2] = 255, d[3] = 255;
        } else {
            const auto grey = static_cast<uint8_t>((int(a[0]) * 3 + int(a[1]) * 6 + int(a[2])) / 10 / 3);
            d[0] = d[1] = d[2] = grey;
            d[3] = 255;
        }
    }
    r.pass = r.differingShare() <= options.maxDifferingShare;
    return r;
}

}  // namespace genmon::platform
