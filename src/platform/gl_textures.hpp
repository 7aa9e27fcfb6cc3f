#pragma once
// GL texture creation for the UI's texture cache. Called on the UI thread only.
#include "model/image.hpp"
#include "ui/texture_backend.hpp"

namespace genmon::platform {

class GlTextureBackend final : public ui::TextureBackend {
public:
    ImTextureID create(const model::Image& image) override;
    void destroy(ImTextureID id) override;
};

}  // namespace genmon::platform
