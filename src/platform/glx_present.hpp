#pragma once
// Presents part of the back buffer (GLX_MESA_copy_sub_buffer), for the software renderer's
// partial redraw (platform/damage.hpp): only the rectangles that changed travel to the X
// server, and the back buffer keeps the whole picture for the next frame (the extension copies
// and never swaps). Kept apart from window.cpp: the X11 and GLX headers define names (Status,
// None, Bool) that clash with the project's and with glad.
#include <memory>

struct GLFWwindow;

namespace genmon::platform {

class SubBufferPresenter {
public:
    // Null when the window's context is not GLX or the extension is missing.
    static std::unique_ptr<SubBufferPresenter> forWindow(GLFWwindow* window);
    ~SubBufferPresenter();
    // A rectangle of the back buffer to the window, in framebuffer pixels, origin bottom-left.
    void present(int x, int y, int width, int height);

private:
    struct Native;
    explicit SubBufferPresenter(std::unique_ptr<Native> n);
    std::unique_ptr<Native> native_;
};

}  // namespace genmon::platform
