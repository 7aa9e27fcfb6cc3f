#pragma once
// The results' images (decision 6): the base64 text that came with a result, else a download;
// decoded to a thumbnail through the transport, at most a few at a time; the decoded images
// cached by result id across refreshes. Worker-only. It writes the image state into the
// results module and tells the store what changed through its hooks.
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/image.hpp"
#include "model/result.hpp"
#include "orchestrator/results_module.hpp"
#include "orchestrator/transport.hpp"

namespace genmon::orchestrator {

class ImageLoader {
public:
    struct Hooks {
        std::function<void(const model::GenerationResult&, const model::Image&)> loaded;  // a new image
        std::function<void()> changed;  // a result's image state changed: publish
    };
    ImageLoader(ResultsModule& results, Hooks hooks) : results_(results), hooks_(std::move(hooks)) {}

    // Every result without an image state is queued and marked Loading; then loads start up to
    // maxConcurrent in flight. Nothing without a transport.
    void request(Transport* transport, int maxConcurrent);
    // The image text that came with a result (a listing, a completion, an immediate answer).
    void keepBase64(const std::string& resultId, std::string text) { pendingBase64_[resultId] = std::move(text); }
    // A refresh's result: Ready from the cache, still Loading, or its text kept for later.
    void prepare(model::GenerationResult& result, std::optional<std::string>& base64);
    // The cache follows the list: a result no longer listed takes its image with it.
    void pruneToResults();
    void forget(const std::string& resultId) { cache_.erase(resultId); }
    // The transport goes (cleanup, a backend change): answers on their way are ignored.
    void stop();
    // resetState: the texts and the cache go too.
    void reset();

private:
    void onImage(const std::string& resultId, model::Outcome<model::ImagePtr> image);

    ResultsModule& results_;
    Hooks hooks_;
    Transport* transport_ = nullptr;
    int maxConcurrent_ = 4;
    uint64_t generation_ = 0;  // bumped by stop(): a stale answer is ignored
    std::unordered_map<std::string, std::string> pendingBase64_;
    std::map<std::string, model::ImagePtr> cache_;  // by result id, survives refreshes
    std::vector<std::string> queue_;
    int inFlight_ = 0;
};

}  // namespace genmon::orchestrator
