#include "ui/texture_cache.hpp"

#include <iterator>

namespace genmon::ui {
namespace {
// Failed uploads are cached (with no bytes) so a broken image is not re-uploaded every frame;
// this cap keeps such entries from piling up when the byte budget never triggers.
constexpr size_t kMaxEntries = 4096;

size_t imageBytes(const model::Image& image) {
    if (image.width <= 0 || image.height <= 0) return 0;
    return static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 4u;
}
}  // namespace

ImTextureID TextureCache::get(const model::ImagePtr& image) {
    if (!backend_ || !image) return nullptr;
    const model::Image* key = image.get();
    if (auto it = entries_.find(key); it != entries_.end()) {
        Entry& e = it->second;
        e.lastUsedFrame = frame_;
        lru_.splice(lru_.begin(), lru_, e.lru);  // O(1) move to the front
        return e.texture;
    }
    if (image->width <= 0 || image->height <= 0 ||
        image->rgba.size() < imageBytes(*image))
        return nullptr;  // nothing valid to upload; never hand the backend a short buffer

    Entry e;
    e.image = image;  // the entry keeps the image alive, so its address cannot be reused
    e.texture = backend_->create(*image);
    e.bytes = e.texture ? imageBytes(*image) : 0;
    e.lastUsedFrame = frame_;
    lru_.push_front(key);
    e.lru = lru_.begin();
    bytes_ += e.bytes;
    const ImTextureID texture = e.texture;
    entries_.emplace(key, std::move(e));
    return texture;
}

void TextureCache::endFrame() {
    // A texture whose image nobody else holds any more (its result left the snapshot) can never
    // be drawn again: it goes at once, so GL memory follows what is listed, not the budget.
    for (auto it = lru_.rbegin(); it != lru_.rend();) {
        auto entry = entries_.find(*it);
        if (entry != entries_.end() && entry->second.lastUsedFrame != frame_ && entry->second.image.use_count() == 1) {
            if (entry->second.texture && backend_) backend_->destroy(entry->second.texture);
            bytes_ -= entry->second.bytes;
            entries_.erase(entry);
            it = std::make_reverse_iterator(lru_.erase(std::next(it).base()));
        } else {
            ++it;
        }
    }
    // Oldest first, and never a texture drawn this frame: its draw command still refers to it.
    while (!lru_.empty() && (bytes_ > budget_ || entries_.size() > kMaxEntries)) {
        const model::Image* oldest = lru_.back();
        auto it = entries_.find(oldest);
        if (it == entries_.end()) {  // cannot happen; keep the list consistent regardless
            lru_.pop_back();
            continue;
        }
        if (it->second.lastUsedFrame == frame_) break;  // everything older was used this frame too
        if (it->second.texture && backend_) backend_->destroy(it->second.texture);
        bytes_ -= it->second.bytes;
        entries_.erase(it);
        lru_.pop_back();
    }
    ++frame_;
}

void TextureCache::clear() {
    for (auto& [key, e] : entries_)
        if (e.texture && backend_) backend_->destroy(e.texture);
    entries_.clear();
    lru_.clear();
    bytes_ = 0;
}

}  // namespace genmon::ui
