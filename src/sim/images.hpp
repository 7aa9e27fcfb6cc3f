#pragma once
// The pictures the sim "renders": a deterministic, colourful PNG per (seed, prompt), so that every
// result has a real image that differs visibly from its neighbours. Encoding is the costly part,
// so encoded images are cached (bounded; a miss renders the same bytes again).
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace genmon::sim {

// A square RGB PNG: a palette hashed from the prompt; gradient, stripes and circles placed by
// the seed and the prompt.
std::vector<uint8_t> renderPng(int64_t seed, std::string_view prompt, int size);

struct EncodedImage {
    std::vector<uint8_t> png;
    std::string base64;  // raw base64 without a data: prefix, as image_url carries it
};

class ImageCache {
public:
    ImageCache(int imageSize, size_t capacity) : imageSize_(imageSize), capacity_(capacity) {}

    // The image of job `key`, rendered from its seed and prompt on a miss.
    std::shared_ptr<const EncodedImage> get(const std::string& key, int64_t seed, std::string_view prompt);
    // Renders without caching (immediate /generate: no job keeps it).
    std::shared_ptr<const EncodedImage> render(int64_t seed, std::string_view prompt) const;
    void erase(const std::string& key);

private:
    const int imageSize_;
    const size_t capacity_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const EncodedImage>> images_;
    std::deque<std::string> order_;  // insertion order, for eviction
};

}  // namespace genmon::sim
