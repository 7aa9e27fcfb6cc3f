#include "sim/images.hpp"

#include <stb_image_write.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "protocol/base64.hpp"
#include "sim/rng.hpp"

namespace genmon::sim {
namespace {

constexpr float kPi = 3.14159265358979f;

struct Rgb {
    float r, g, b;
};

Rgb hsv(float hueDegrees, float s, float v) {
    const float h = std::fmod(std::fmod(hueDegrees, 360.0f) + 360.0f, 360.0f) / 60.0f;
    const float c = v * s;
    const float x = c * (1.0f - std::fabs(std::fmod(h, 2.0f) - 1.0f));
    const float m = v - c;
    Rgb out{};
    switch (static_cast<int>(h) % 6) {
        case 0: out = {c, x, 0}; break;
        case 1: out = {x, c, 0}; break;
        case 2: out = {0, c, x}; break;
        case 3: out = {0, x, c}; break;
        case 4: out = {x, 0, c}; break;
        default: out = {c, 0, x}; break;
    }
    return {out.r + m, out.g + m, out.b + m};
}

Rgb mix(Rgb a, Rgb b, float t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }

uint8_t toByte(float v) { return static_cast<uint8_t>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f); }

struct Circle {
    float cx, cy, radius, alpha;
    bool ring;
    Rgb colour;
};

void appendBytes(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    const auto* bytes = static_cast<const uint8_t*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

std::vector<uint8_t> renderPng(int64_t seed, std::string_view prompt, int size) {
    size = std::clamp(size, 8, 2048);
    const uint64_t promptHash = hashText(prompt);

    // The palette comes from the prompt alone, so one prompt keeps its colours across seeds.
    Rng palette(promptHash);
    static constexpr std::array<std::array<float, 4>, 4> kSchemes{{
        {0, 30, 60, 180},    // analogous + complement
        {0, 120, 240, 60},   // triad
        {0, 150, 210, 30},   // split complement
        {0, 20, 40, 200},    // warm run + cool accent
    }};
    const float baseHue = static_cast<float>(palette.uniform(0, 360));
    const auto& scheme = kSchemes[palette.below(kSchemes.size())];
    std::array<Rgb, 4> colours{};
    for (size_t i = 0; i < colours.size(); ++i)
        colours[i] = hsv(baseHue + scheme[i], static_cast<float>(palette.uniform(0.5, 0.9)),
                         static_cast<float>(palette.uniform(0.55, 0.98)));
    const Rgb skyTop = mix(colours[0], Rgb{0.05f, 0.05f, 0.12f}, 0.45f);
    const Rgb skyBottom = colours[1];

    // The layout comes from seed and prompt together.
    Rng layout(mixSeed(promptHash, static_cast<uint64_t>(seed)));
    const float gradientAngle = static_cast<float>(layout.uniform(0, 2 * kPi));
    const float stripeAngle = static_cast<float>(layout.uniform(0, kPi));
    const float stripeFrequency = static_cast<float>(layout.uniform(5, 16)) * 2 * kPi / static_cast<float>(size);
    const float stripeAlpha = static_cast<float>(layout.uniform(0.12, 0.3));
    std::vector<Circle> circles(static_cast<size_t>(layout.range(3, 7)));
    for (auto& c : circles) {
        c.cx = static_cast<float>(layout.uniform(0.1, 0.9)) * static_cast<float>(size);
        c.cy = static_cast<float>(layout.uniform(0.1, 0.9)) * static_cast<float>(size);
        c.radius = static_cast<float>(layout.uniform(0.05, 0.26)) * static_cast<float>(size);
        c.alpha = static_cast<float>(layout.uniform(0.55, 0.92));
        c.ring = layout.chance(0.3);
        c.colour = colours[1 + layout.below(3)];
    }

    const float half = static_cast<float>(size) / 2.0f;
    const float gx = std::cos(gradientAngle), gy = std::sin(gradientAngle);
    const float sx = std::cos(stripeAngle), sy = std::sin(stripeAngle);
    std::vector<uint8_t> pixels(static_cast<size_t>(size) * static_cast<size_t>(size) * 3);
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            const float px = static_cast<float>(x) + 0.5f, py = static_cast<float>(y) + 0.5f;
            const float t = std::clamp(((px - half) * gx + (py - half) * gy) / static_cast<float>(size) + 0.5f, 0.0f, 1.0f);
            Rgb c = mix(skyTop, skyBottom, t);
            const float wave = std::sin((px * sx + py * sy) * stripeFrequency);
            c = mix(c, colours[2], stripeAlpha * std::clamp((wave - 0.2f) * 4.0f, 0.0f, 1.0f));
            for (const auto& circle : circles) {
                const float dx = px - circle.cx, dy = py - circle.cy;
                if (std::fabs(dx) > circle.radius + 1.0f || std::fabs(dy) > circle.radius + 1.0f) continue;
                const float d = std::sqrt(dx * dx + dy * dy);
                float coverage = std::clamp(circle.radius - d + 0.5f, 0.0f, 1.0f);  // 1 px antialiasing
                if (circle.ring) coverage *= std::clamp(d - circle.radius * 0.7f + 0.5f, 0.0f, 1.0f);
                if (coverage > 0.0f) c = mix(c, circle.colour, coverage * circle.alpha);
            }
            // A soft vignette gives the frame some depth.
            const float r = std::hypot(px - half, py - half) / half;
            c = mix(c, Rgb{0, 0, 0}, std::clamp((r - 0.75f) * 0.6f, 0.0f, 0.35f));
            uint8_t* p = &pixels[(static_cast<size_t>(y) * static_cast<size_t>(size) + static_cast<size_t>(x)) * 3];
            p[0] = toByte(c.r);
            p[1] = toByte(c.g);
            p[2] = toByte(c.b);
        }
    }

    std::vector<uint8_t> png;
    png.reserve(pixels.size() / 4);
    stbi_write_png_to_func(appendBytes, &png, size, size, 3, pixels.data(), size * 3);
    return png;
}

std::shared_ptr<const EncodedImage> ImageCache::render(int64_t seed, std::string_view prompt) const {
    auto image = std::make_shared<EncodedImage>();
    image->png = renderPng(seed, prompt, imageSize_);
    image->base64 = protocol::base64Encode(image->png);
    return image;
}

std::shared_ptr<const EncodedImage> ImageCache::get(const std::string& key, int64_t seed, std::string_view prompt) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = images_.find(key); it != images_.end()) return it->second;
    }
    auto image = render(seed, prompt);  // outside the lock: rendering takes milliseconds
    std::lock_guard lock(mutex_);
    if (auto [it, inserted] = images_.emplace(key, image); !inserted) return it->second;
    order_.push_back(key);
    while (images_.size() > capacity_ && !order_.empty()) {
        images_.erase(order_.front());
        order_.pop_front();
    }
    return image;
}

void ImageCache::erase(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (images_.erase(key) == 0) return;
    order_.erase(std::find(order_.begin(), order_.end(), key));
}

}  // namespace genmon::sim
