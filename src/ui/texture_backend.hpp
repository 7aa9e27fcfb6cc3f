#pragma once
// The UI asks the platform for textures through this interface, so views stay free of GL
// and tests can count uploads. Every call happens on the UI thread.
#include <imgui.h>

#include "model/image.hpp"

namespace genmon::ui {

class TextureBackend {
public:
    virtual ~TextureBackend() = default;
    virtual ImTextureID create(const model::Image& image) = 0;
    virtual void destroy(ImTextureID id) = 0;
};

}  // namespace genmon::ui
