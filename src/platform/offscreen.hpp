#pragma once
// Offscreen rendering with no X server: EGL surfaceless (Mesa) + a framebuffer object of a
// fixed size, running the same ImGui/OpenGL3 code as the window. Deterministic by
// construction: the caller sets DeltaTime; display size is fixed; llvmpipe is pinned.
#include <memory>

#include "model/error.hpp"
#include "model/image.hpp"

namespace genmon::platform {

class OffscreenRenderer {
public:
    // Installs the OpenGL3 backend into the current ImGui context.
    static model::Outcome<std::unique_ptr<OffscreenRenderer>> create(int width, int height);
    ~OffscreenRenderer();
    OffscreenRenderer(const OffscreenRenderer&) = delete;
    OffscreenRenderer& operator=(const OffscreenRenderer&) = delete;

    int width() const { return width_; }
    int height() const { return height_; }

    void newFrame(float deltaTime);
    void render(const float clearColor[4]);
    // The last rendered frame, rows top to bottom.
    model::Image capture() const;
    // Renderer string of the GL context, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
    const char* rendererName() const;

private:
    OffscreenRenderer() = default;
    struct Egl;
    std::unique_ptr<Egl> egl_;
    unsigned fbo_ = 0, color_ = 0;
    int width_ = 0, height_ = 0;
};

}  // namespace genmon::platform
