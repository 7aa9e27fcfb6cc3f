#include "orchestrator/image_loader.hpp"

#include <algorithm>

namespace genmon::orchestrator {

void ImageLoader::request(Transport* transport, int maxConcurrent) {
    if (!transport) return;
    transport_ = transport;
    maxConcurrent_ = maxConcurrent;
    // Hold the list: replaceResult below swaps in a new one and may free this one.
    const std::shared_ptr<const ResultList> list = results_.results();
    for (const auto& r : *list) {
        if (r->imageState != model::ImageState::None) continue;
        if (std::find(queue_.begin(), queue_.end(), r->id) == queue_.end()) queue_.push_back(r->id);
        auto loading = std::make_shared<model::GenerationResult>(*r);
        loading->imageState = model::ImageState::Loading;
        results_.replaceResult(std::move(loading));
    }
    const uint64_t generation = generation_;
    while (inFlight_ < maxConcurrent_ && !queue_.empty()) {
        const std::string id = queue_.front();
        queue_.erase(queue_.begin());
        ++inFlight_;
        auto done = [this, id, generation](model::Outcome<model::ImagePtr> img) {
            if (generation != generation_) return;
            --inFlight_;
            onImage(id, std::move(img));
            request(transport_, maxConcurrent_);
        };
        auto pending = pendingBase64_.find(id);
        if (pending != pendingBase64_.end()) {
            std::string text = std::move(pending->second);
            pendingBase64_.erase(pending);
            transport_->decodeImage(std::move(text), done);
        } else {
            transport_->downloadImage(id, done);
        }
    }
}

void ImageLoader::prepare(model::GenerationResult& result, std::optional<std::string>& base64) {
    auto cached = cache_.find(result.id);
    if (cached != cache_.end()) {
        result.thumbnail = cached->second;
        result.imageState = model::ImageState::Ready;
    } else if (const auto shown = results_.find(result.id); shown && shown->imageState == model::ImageState::Loading) {
        // Still loading: keep that state, or the image would be asked for twice. (A failed
        // image is tried again by a refresh.)
        result.imageState = model::ImageState::Loading;
    } else if (base64) {
        pendingBase64_[result.id] = std::move(*base64);
    }
}

void ImageLoader::pruneToResults() {
    // Up to 256 KiB each; an all-day busy backend used to keep 250 of them.
    for (auto it = cache_.begin(); it != cache_.end();) it = results_.find(it->first) ? std::next(it) : cache_.erase(it);
}

void ImageLoader::stop() {
    ++generation_;
    transport_ = nullptr;
    queue_.clear();
    inFlight_ = 0;
}

void ImageLoader::reset() {
    pendingBase64_.clear();
    cache_.clear();
}

void ImageLoader::onImage(const std::string& resultId, model::Outcome<model::ImagePtr> image) {
    const auto r = results_.find(resultId);
    if (!r) return;
    auto next = std::make_shared<model::GenerationResult>(*r);
    if (image.ok() && image.value()) {
        next->thumbnail = image.value();
        next->imageState = model::ImageState::Ready;
        cache_[resultId] = image.value();
        while (cache_.size() > static_cast<size_t>(kMaxResults) + 50) cache_.erase(cache_.begin());
        if (hooks_.loaded) hooks_.loaded(*r, *image.value());
    } else {
        next->imageState = model::ImageState::Failed;
        next->imageError = image.ok() ? "no image" : image.error().message;
    }
    results_.replaceResult(std::move(next));
    if (hooks_.changed) hooks_.changed();
}

}  // namespace genmon::orchestrator
