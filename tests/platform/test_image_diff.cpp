// Issue 7, "the comparator has its own tests": identical images pass, a one-pixel-row shift
// fails, a difference under the threshold passes; sizes must match; the diff marks changes.
#include <doctest/doctest.h>

#include "platform/image_diff.hpp"

using namespace genmon;

namespace {
// A picture with structure: horizontal bands of text-like alternating rows.
model::Image striped(int w, int h, int shift = 0) {
    model::Image img;
    img.width = w;
    img.height = h;
    img.rgba.resize(static_cast<size_t>(w) * h * 4);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const int sy = y + shift;
            const bool ink = (sy / 2) % 3 == 0 && (x / 3) % 4 != 0;
            uint8_t* p = &img.rgba[(static_cast<size_t>(y) * w + x) * 4];
            p[0] = ink ? 230 : 20, p[1] = ink ? 230 : 24, p[2] = ink ? 230 : 30, p[3] = 255;
        }
    return img;
}
}  // namespace

TEST_CASE("issue 7 comparator: identical images pass with zero differing pixels") {
    const auto a = striped(64, 48);
    const auto r = platform::compareImages(a, a, {});
    CHECK(r.sameSize);
    CHECK(r.pass);
    CHECK(r.differingPixels == 0);
    CHECK(r.maxChannelDelta == 0);
}

TEST_CASE("issue 7 comparator: a one-pixel-row shift fails") {
    const auto a = striped(64, 48);
    const auto b = striped(64, 48, 1);
    const auto r = platform::compareImages(a, b, {});
    CHECK_FALSE(r.pass);
    CHECK(r.differingPixels > r.totalPixels / 10);
    // The diff marks changed pixels in magenta and dims the rest.
    size_t magenta = 0;
    for (size_t p = 0; p < r.totalPixels; ++p)
        if (r.diff.rgba[p * 4] == 255 && r.diff.rgba[p * 4 + 1] == 0 && r.diff.rgba[p * 4 + 2] == 255) ++magenta;
    CHECK(magenta == r.differingPixels);
}

TEST_CASE("issue 7 comparator: a difference under the per-channel threshold passes") {
    const auto a = striped(64, 48);
    auto b = a;
    for (size_t i = 0; i < b.rgba.size(); i += 4) b.rgba[i] = static_cast<uint8_t>(b.rgba[i] > 10 ? b.rgba[i] - 10 : 0);
    platform::DiffOptions strict;
    strict.channelThreshold = 5;
    CHECK_FALSE(platform::compareImages(a, b, strict).pass);
    platform::DiffOptions tolerant;
    tolerant.channelThreshold = 12;
    const auto r = platform::compareImages(a, b, tolerant);
    CHECK(r.pass);
    CHECK(r.maxChannelDelta == 10);
}

TEST_CASE("issue 7 comparator: a few differing pixels pass only within the allowed share") {
    const auto a = striped(100, 100);
    auto b = a;
    for (int i = 0; i < 5; ++i) b.rgba[static_cast<size_t>(i * 997) * 4] ^= 0xFF;  // 5 pixels of 10,000
    platform::DiffOptions o;
    o.maxDifferingShare = 0.001;  // 10 pixels allowed
    CHECK(platform::compareImages(a, b, o).pass);
    o.maxDifferingShare = 0.0001;  // 1 pixel allowed
    CHECK_FALSE(platform::compareImages(a, b, o).pass);
}

TEST_CASE("issue 7 comparator: images of different sizes never pass") {
    const auto r = platform::compareImages(striped(64, 48), striped(64, 47), {});
    CHECK_FALSE(r.sameSize);
    CHECK_FALSE(r.pass);
}
