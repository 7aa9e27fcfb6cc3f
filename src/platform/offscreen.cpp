#include "platform/offscreen.hpp"

#include <glad/gl.h>
// glad first, then EGL without its own GL prototypes.
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <cstdlib>
#include <cstring>
#include <string>

#ifndef EGL_PLATFORM_SURFACELESS_MESA
#define EGL_PLATFORM_SURFACELESS_MESA 0x31DD
#endif

namespace genmon::platform {

struct OffscreenRenderer::Egl {
    EGLDisplay display = EGL_NO_DISPLAY;
    EGLContext context = EGL_NO_CONTEXT;
    ~Egl() {
        if (display != EGL_NO_DISPLAY) {
            eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
            if (context != EGL_NO_CONTEXT) eglDestroyContext(display, context);
            eglTerminate(display);
        }
    }
};

namespace {
std::string eglError(const char* what) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s failed (EGL error 0x%04x)", what, static_cast<unsigned>(eglGetError()));
    return buf;
}
}  // namespace

model::Outcome<std::unique_ptr<OffscreenRenderer>> OffscreenRenderer::create(int width, int height) {
    using model::Error;
    using model::ErrorKind;
    if (width < 16 || height < 16 || width > 8192 || height > 8192)
        return Error::make(ErrorKind::InvalidArgument, "offscreen size must be between 16x16 and 8192x8192");
    // Same pixels everywhere: Mesa's llvmpipe, never softpipe or a GPU driver.
    setenv("LIBGL_ALWAYS_SOFTWARE", "1", 0);
    setenv("GALLIUM_DRIVER", "llvmpipe", 0);
    setenv("EGL_PLATFORM", "surfaceless", 0);

    auto self = std::unique_ptr<OffscreenRenderer>(new OffscreenRenderer());
    self->egl_ = std::make_unique<Egl>();
    auto& egl = *self->egl_;
    auto getPlatformDisplay =
        reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
    if (!getPlatformDisplay)
        return Error::make(ErrorKind::Internal, "EGL has no eglGetPlatformDisplayEXT (install libegl-mesa0)");
    egl.display = getPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
    if (egl.display == EGL_NO_DISPLAY)
        return Error::make(ErrorKind::Internal, "no EGL surfaceless display (install libegl-mesa0 and libgl1-mesa-dri)");
    EGLint major = 0, minor = 0;
    if (!eglInitialize(egl.display, &major, &minor)) {
        egl.display = EGL_NO_DISPLAY;
        return Error::make(ErrorKind::Internal, eglError("eglInitialize"));
    }
    if (!eglBindAPI(EGL_OPENGL_API)) return Error::make(ErrorKind::Internal, eglError("eglBindAPI(OpenGL)"));
    const EGLint configAttribs[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                    EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8,
                                    EGL_NONE};
    EGLConfig config = nullptr;
    EGLint count = 0;
    if (!eglChooseConfig(egl.display, configAttribs, &config, 1, &count) || count < 1)
        return Error::make(ErrorKind::Internal, eglError("eglChooseConfig"));
    const EGLint contextAttribs[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                                     EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
    egl.context = eglCreateContext(egl.display, config, EGL_NO_CONTEXT, contextAttribs);
    if (egl.context == EGL_NO_CONTEXT) return Error::make(ErrorKind::Internal, eglError("eglCreateContext(GL 3.3 core)"));
    if (!eglMakeCurrent(egl.display, EGL_NO_SURFACE, EGL_NO_SURFACE, egl.context))
        return Error::make(ErrorKind::Internal, eglError("eglMakeCurrent(surfaceless)"));
    if (!gladLoadGL(reinterpret_cast<GLADloadfunc>(eglGetProcAddress)))
        return Error::make(ErrorKind::Internal, "cannot load OpenGL 3.3 functions through EGL");

    self->width_ = width;
    self->height_ = height;
    GLuint fbo = 0, color = 0;
    glGenFramebuffers(1, &fbo);
    glGenRenderbuffers(1, &color);
    glBindRenderbuffer(GL_RENDERBUFFER, color);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color);
    self->fbo_ = fbo;
    self->color_ = color;
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
        return Error::make(ErrorKind::Internal, "offscreen framebuffer is incomplete");
    if (!ImGui_ImplOpenGL3_Init("#version 330 core"))
        return Error::make(ErrorKind::Internal, "ImGui OpenGL3 backend failed to initialise");
    return self;
}

OffscreenRenderer::~OffscreenRenderer() {
    if (egl_ && egl_->context != EGL_NO_CONTEXT) {
        ImGui_ImplOpenGL3_Shutdown();
        const GLuint fbo = fbo_, color = color_;
        if (fbo) glDeleteFramebuffers(1, &fbo);
        if (color) glDeleteRenderbuffers(1, &color);
    }
}

void OffscreenRenderer::newFrame(float deltaTime) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(width_), static_cast<float>(height_));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.DeltaTime = deltaTime > 0 ? deltaTime : 1.0f / 60.0f;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
}

void OffscreenRenderer::render(const float clearColor[4]) {
    ImGui::Render();
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glViewport(0, 0, width_, height_);
    glClearColor(clearColor[0], clearColor[1], clearColor[2], clearColor[3]);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glFinish();
}

model::Image OffscreenRenderer::capture() const {
    model::Image img;
    img.width = width_;
    img.height = height_;
    const size_t stride = static_cast<size_t>(width_) * 4;
    std::vector<uint8_t> flipped(stride * static_cast<size_t>(height_));
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, flipped.data());
    img.rgba.resize(flipped.size());
    for (int y = 0; y < height_; ++y)  // GL's origin is bottom-left; PNG rows go top down
        std::memcpy(img.rgba.data() + static_cast<size_t>(y) * stride,
                    flipped.data() + static_cast<size_t>(height_ - 1 - y) * stride, stride);
    for (size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;  // opaque: the clear colour is
    return img;
}

const char* OffscreenRenderer::rendererName() const {
    return reinterpret_cast<const char*>(glGetString(GL_RENDERER));
}

}  // namespace genmon::platform
