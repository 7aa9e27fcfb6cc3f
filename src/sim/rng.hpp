#pragma once
// The sim's only source of randomness: SplitMix64, seeded explicitly, so that a seed replays the
// same jobs, images and faults. Distributions are computed here rather than with <random>'s,
// whose output differs between standard libraries.
#include <cmath>
#include <cstdint>
#include <string_view>

namespace genmon::sim {

class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // [0, n); n > 0.
    uint64_t below(uint64_t n) { return next() % n; }
    int range(int lo, int hi) { return lo + static_cast<int>(below(static_cast<uint64_t>(hi - lo + 1))); }
    bool chance(double p) { return p > 0.0 && uniform() < p; }
    // Exponentially distributed with the given mean: gaps between independent arrivals.
    double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

private:
    uint64_t state_;
};

// A stable 64-bit hash (FNV-1a) for deriving seeds from text, e.g. a palette from a prompt.
inline uint64_t hashText(std::string_view text, uint64_t basis = 0xcbf29ce484222325ull) {
    uint64_t h = basis;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

// Mixes two values into one seed (for per-second metric noise and per-job streams).
inline uint64_t mixSeed(uint64_t a, uint64_t b) { return Rng(a ^ (b * 0x9e3779b97f4a7c15ull)).next(); }

}  // namespace genmon::sim
