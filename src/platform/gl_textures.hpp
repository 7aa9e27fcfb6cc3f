#pragma once
// GL texture creation for the UI's texture cache. Called on the UI thread only.
#include <cstdint>
#include <unordered_set>

#include "model/image.hpp"
#include "ui/texture_backend.hpp"

namespace genmon::platform {

class GlTextureBackend final : public ui::TextureBackend {
public:
    ImTextureID create(const model::Image& image) override;
    void destroy(ImTextureID id) override;
    // Counts the textures created under a name GL had given out before: a new picture under an
    // old id looks unchanged to the partial redraw, which then draws the next frame whole. (A new
    // id is a change the damage tracker sees by itself.)
    uint64_t reusedIds() const { return reusedIds_; }

private:
    std::unordered_set<unsigned> everUsed_;
    uint64_t reusedIds_ = 0;
};

}  // namespace genmon::platform
