#pragma once
// GPU textures for result thumbnails, keyed by the decoded image they show. Created and
// deleted only on the UI thread, least recently used first out, under a byte budget.
#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "model/image.hpp"
#include "ui/texture_backend.hpp"

namespace genmon::ui {

class TextureCache {
public:
    explicit TextureCache(TextureBackend* backend, size_t budgetBytes = 48u << 20)
        : backend_(backend), budget_(budgetBytes) {}
    ~TextureCache() { clear(); }
    TextureCache(const TextureCache&) = delete;
    TextureCache& operator=(const TextureCache&) = delete;

    // The texture for an image, uploading it on first use. Null when there is no backend
    // (headless tests) or no image.
    ImTextureID get(const model::ImagePtr& image);
    // Deletes textures not used for a few frames beyond the budget. Call once per frame.
    void endFrame();
    void clear();
    size_t bytes() const { return bytes_; }
    size_t count() const { return entries_.size(); }

private:
    struct Entry {
        model::ImagePtr image;  // keeps the pixels' identity stable while the texture lives
        ImTextureID texture = nullptr;
        size_t bytes = 0;
        uint64_t lastUsedFrame = 0;
        std::list<const model::Image*>::iterator lru;
    };
    TextureBackend* backend_;
    size_t budget_;
    size_t bytes_ = 0;
    uint64_t frame_ = 0;
    std::unordered_map<const model::Image*, Entry> entries_;
    std::list<const model::Image*> lru_;  // front: most recently used
};

}  // namespace genmon::ui
