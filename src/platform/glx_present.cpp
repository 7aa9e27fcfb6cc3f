#include "platform/glx_present.hpp"

#define GLFW_INCLUDE_NONE
#include <GL/glx.h>  // Display, GLXWindow, GLXDrawable (this file includes no glad)
#include <GLFW/glfw3.h>

// GLFW's native access (glfw3native.h also needs Xrandr's headers, which Debian's GLFW package
// does not pull in); the declarations are GLFW's own.
extern "C" {
Display* glfwGetX11Display(void);
GLXWindow glfwGetGLXWindow(GLFWwindow* window);
}

namespace genmon::platform {

struct SubBufferPresenter::Native {
    Display* display = nullptr;
    GLXDrawable drawable = 0;
    void (*copySubBuffer)(Display*, GLXDrawable, int, int, int, int) = nullptr;
};

SubBufferPresenter::SubBufferPresenter(std::unique_ptr<Native> n) : native_(std::move(n)) {}
SubBufferPresenter::~SubBufferPresenter() = default;

std::unique_ptr<SubBufferPresenter> SubBufferPresenter::forWindow(GLFWwindow* window) {
    if (!glfwExtensionSupported("GLX_MESA_copy_sub_buffer")) return nullptr;
    auto n = std::make_unique<Native>();
    n->display = glfwGetX11Display();
    n->drawable = glfwGetGLXWindow(window);
    n->copySubBuffer = reinterpret_cast<void (*)(Display*, GLXDrawable, int, int, int, int)>(
        glfwGetProcAddress("glXCopySubBufferMESA"));
    if (!n->display || !n->drawable || !n->copySubBuffer) return nullptr;
    return std::unique_ptr<SubBufferPresenter>(new SubBufferPresenter(std::move(n)));
}

void SubBufferPresenter::present(int x, int y, int width, int height) {
    if (width > 0 && height > 0) native_->copySubBuffer(native_->display, native_->drawable, x, y, width, height);
}

}  // namespace genmon::platform
