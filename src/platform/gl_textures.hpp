#pragma once
// GL texture creation for the UI's texture cache. Called on the UI thread only.
#include <cstdint>

#include "model/image.hpp"
#include "ui/texture_backend.hpp"

namespace genmon::platform {

class GlTextureBackend final : public ui::TextureBackend {
public:
    ImTextureID create(const model::Image& image) override;
    void destroy(ImTextureID id) override;
    // Moves on every create and destroy: GL reuses texture names, so a new picture can arrive
    // under an old id (the window's partial redraw then draws the next frame whole).
    uint64_t changes() const { return changes_; }

private:
    uint64_t changes_ = 0;
};

}  // namespace genmon::platform
