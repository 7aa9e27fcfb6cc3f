#include "platform/window.hpp"

#include <glad/gl.h>
// glad first: GLFW must not pull in the system GL header.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "platform/damage.hpp"
#include "platform/glx_present.hpp"
#include "platform/input_latch.hpp"

namespace genmon::platform {
namespace {
std::string g_lastGlfwError;
std::atomic<bool> g_glfwReady{false};
std::atomic<bool> g_wakeWanted{true};  // set by the UI loop, read by the worker's wake()
bool g_input = false;  // set by GLFW callbacks on the UI thread, read by the frame pacer
InputLatch g_latch;    // the same: presses kept until a frame has shown them (issue 14.6)
bool g_exposed = false;  // the X server asked for the picture again (a full present)

static_assert(sizeof(ImGuiIO::KeysDown) / sizeof(bool) == InputLatch::kKeys, "ImGui 1.86's io.KeysDown[512]");
static_assert(sizeof(ImGuiIO::MouseDown) / sizeof(bool) == InputLatch::kButtons, "ImGui 1.86's io.MouseDown[5]");

// Installed before ImGui's backend, which chains to them: they note that input arrived, and
// keys and buttons go to the latch (whose view replaces the backend's at each new frame).
void noteButton(GLFWwindow* w, int button, int action, int) {
    g_input = true;
    double x = 0, y = 0;
    glfwGetCursorPos(w, &x, &y);
    g_latch.button(button, action == GLFW_PRESS, static_cast<float>(x), static_cast<float>(y));
}
void noteKey(GLFWwindow*, int key, int, int action, int) {
    g_input = true;
    g_latch.key(key, action != GLFW_RELEASE);  // a repeat is still down
}
void noteChar(GLFWwindow*, unsigned) { g_input = true; }
void noteScroll(GLFWwindow*, double, double) { g_input = true; }
void noteCursor(GLFWwindow*, double, double) { g_input = true; }
void noteFlag(GLFWwindow*, int) { g_input = true; }
void noteSize(GLFWwindow*, int, int) { g_input = true; }
void noteRefresh(GLFWwindow*) {
    g_input = true;
    g_exposed = true;
}

void onGlfwError(int code, const char* description) {
    g_lastGlfwError = std::string(description ? description : "unknown") + " (GLFW error " + std::to_string(code) + ")";
}
}  // namespace

void applyInputLatch(InputLatch& latch, ImGuiIO& io) {
    float x = io.MousePos.x, y = io.MousePos.y;
    if (latch.applyTo(io.KeysDown, io.MouseDown, &x, &y)) io.MousePos = ImVec2(x, y);
    io.KeyCtrl = io.KeysDown[GLFW_KEY_LEFT_CONTROL] || io.KeysDown[GLFW_KEY_RIGHT_CONTROL];
    io.KeyShift = io.KeysDown[GLFW_KEY_LEFT_SHIFT] || io.KeysDown[GLFW_KEY_RIGHT_SHIFT];
    io.KeyAlt = io.KeysDown[GLFW_KEY_LEFT_ALT] || io.KeysDown[GLFW_KEY_RIGHT_ALT];
    io.KeySuper = io.KeysDown[GLFW_KEY_LEFT_SUPER] || io.KeysDown[GLFW_KEY_RIGHT_SUPER];
}

bool displayAvailable() {
    const char* display = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    return (display && *display) || (wayland && *wayland);
}

model::Outcome<std::unique_ptr<Window>> Window::open(const WindowOptions& options) {
    if (!displayAvailable()) return model::Error::make(model::ErrorKind::InvalidArgument, "no display");
    glfwSetErrorCallback(onGlfwError);
    if (!glfwInit()) return model::Error::make(model::ErrorKind::Internal, "cannot open a window: " + g_lastGlfwError);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    // WM_CLASS "genmon": what genmon.desktop's StartupWMClass names (GLFW would use the title).
    glfwWindowHintString(GLFW_X11_CLASS_NAME, "genmon");
    glfwWindowHintString(GLFW_X11_INSTANCE_NAME, "genmon");
    GLFWwindow* w = glfwCreateWindow(options.width, options.height, options.title.c_str(), nullptr, nullptr);
    if (!w) {
        std::string why = g_lastGlfwError;
        glfwTerminate();
        return model::Error::make(model::ErrorKind::Internal, "cannot create an OpenGL 3.3 window: " + why);
    }
    if (!options.icons.empty()) {
        std::vector<GLFWimage> icons;
        for (const model::Image& image : options.icons)
            icons.push_back({image.width, image.height, const_cast<unsigned char*>(image.rgba.data())});  // GLFW copies
        glfwSetWindowIcon(w, static_cast<int>(icons.size()), icons.data());
    }
    glfwMakeContextCurrent(w);
    glfwSwapInterval(options.vsync ? 1 : 0);
    if (!gladLoadGL(reinterpret_cast<GLADloadfunc>(glfwGetProcAddress))) {
        glfwDestroyWindow(w);
        glfwTerminate();
        return model::Error::make(model::ErrorKind::Internal, "cannot load OpenGL 3.3 functions");
    }
    glfwSetMouseButtonCallback(w, noteButton);
    glfwSetKeyCallback(w, noteKey);
    glfwSetCharCallback(w, noteChar);
    glfwSetScrollCallback(w, noteScroll);
    glfwSetCursorPosCallback(w, noteCursor);
    glfwSetCursorEnterCallback(w, noteFlag);
    glfwSetWindowFocusCallback(w, noteFlag);
    glfwSetFramebufferSizeCallback(w, noteSize);
    glfwSetWindowRefreshCallback(w, noteRefresh);
    ImGui_ImplGlfw_InitForOpenGL(w, true);  // chains to the callbacks above
    ImGui_ImplOpenGL3_Init("#version 330 core");
    g_glfwReady = true;
    auto win = std::unique_ptr<Window>(new Window(w));
    win->lastTitle_ = options.title;
    win->partial_ = makePartial(w);
    return win;
}

// Partial redraw (issue 14.1) only where a frame costs CPU: Mesa's software renderers. A GPU
// draws a whole frame for next to nothing and its swap chain does not keep the back buffer.
struct Window::Partial {
    DamageTracker tracker;
    std::unique_ptr<SubBufferPresenter> presenter;
    int width = 0, height = 0;  // the framebuffer the back buffer holds
    double share = 1;           // of the last frame's pixels, the share drawn
    // GENMON_PARTIAL_REDRAW=verify: every partial frame is drawn whole too and compared (slow;
    // for checking a long run in a real window).
    bool verify = false;
    uint64_t frames = 0, mismatches = 0;
    std::vector<unsigned char> partialPixels, wholePixels;

    void check(ImDrawData* data, const float clearColor[4]) {
        ++frames;
        const size_t bytes = static_cast<size_t>(width) * static_cast<size_t>(height) * 4;
        partialPixels.resize(bytes);
        wholePixels.resize(bytes);
        glPixelStorei(GL_PACK_ALIGNMENT, 1);
        glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, partialPixels.data());
        renderDrawData(data, nullptr, clearColor);
        glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, wholePixels.data());
        size_t differ = 0;
        int x0 = width, y0 = height, x1 = -1, y1 = -1;  // where, in window coordinates (y down)
        for (size_t i = 0; i < bytes; i += 4)
            if (std::memcmp(&partialPixels[i], &wholePixels[i], 4) != 0) {
                ++differ;
                const int x = static_cast<int>(i / 4 % static_cast<size_t>(width));
                const int y = height - 1 - static_cast<int>(i / 4 / static_cast<size_t>(width));
                x0 = std::min(x0, x);
                x1 = std::max(x1, x);
                y0 = std::min(y0, y);
                y1 = std::max(y1, y);
            }
        if (differ == 0) return;
        ++mismatches;
        std::fprintf(stderr,
                     "genmon: partial redraw differs from a full one in %zu pixels within (%d,%d)-(%d,%d) (frame %llu, "
                     "%llu such frames)\n",
                     differ, x0, y0, x1, y1, static_cast<unsigned long long>(frames),
                     static_cast<unsigned long long>(mismatches));
    }
};

std::unique_ptr<Window::Partial> Window::makePartial(GLFWwindow* w) {
    const char* env = std::getenv("GENMON_PARTIAL_REDRAW");
    if (env && std::string_view(env) == "0") return nullptr;
    const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    const std::string_view r = renderer ? renderer : "";
    if (r.find("llvmpipe") == std::string_view::npos && r.find("softpipe") == std::string_view::npos) return nullptr;
    auto presenter = SubBufferPresenter::forWindow(w);
    if (!presenter) return nullptr;
    auto p = std::make_unique<Partial>();
    p->presenter = std::move(presenter);
    p->verify = env && std::string_view(env) == "verify";
    return p;
}

Window::Window(GLFWwindow* w) : window_(w) {}

bool Window::partialRedraw() const { return partial_ != nullptr; }
double Window::lastDrawnShare() const { return partial_ ? partial_->share : 1.0; }
void Window::invalidate() {
    if (partial_) partial_->tracker.invalidate();
}

Window::~Window() {
    g_glfwReady = false;
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    glfwDestroyWindow(window_);
    glfwTerminate();
}

bool Window::shouldClose() const { return glfwWindowShouldClose(window_); }
void Window::requestClose() { glfwSetWindowShouldClose(window_, GLFW_TRUE); }
bool Window::focused() const { return glfwGetWindowAttrib(window_, GLFW_FOCUSED) != 0; }
bool Window::iconified() const { return glfwGetWindowAttrib(window_, GLFW_ICONIFIED) != 0; }

void Window::setTitle(const std::string& title) {
    if (title == lastTitle_) return;  // the title is set from every frame; only changes reach X
    lastTitle_ = title;
    glfwSetWindowTitle(window_, title.c_str());
}

void Window::waitEvents(double timeoutSeconds) {
    if (timeoutSeconds <= 0)
        glfwPollEvents();
    else
        glfwWaitEventsTimeout(timeoutSeconds);
}

int Window::refreshRate() const {
    GLFWmonitor* monitor = glfwGetPrimaryMonitor();
    const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
    return mode ? mode->refreshRate : 0;
}

Window::Input Window::takeInput() {
    Input in{g_input, g_latch.anyHeld()};
    g_input = false;
    return in;
}

bool Window::inputOwed() const { return g_latch.needsFrame() || g_latch.anyHeld(); }

void Window::newFrame() {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    // The backend set keys and buttons as they are at this instant; the latch adds the taps
    // that came and went since the last frame.
    applyInputLatch(g_latch, ImGui::GetIO());
    ImGui::NewFrame();
}

void Window::render(const float clearColor[4]) {
    ImGui::Render();
    ImDrawData* data = ImGui::GetDrawData();
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    if (!partial_) {
        renderDrawData(data, nullptr, clearColor);
        glfwSwapBuffers(window_);
        return;
    }
    // The back buffer still holds the last frame: draw and present only what changed.
    Partial& p = *partial_;
    if (w != p.width || h != p.height || g_exposed) p.tracker.invalidate();
    p.width = w;
    p.height = h;
    g_exposed = false;
    const Damage damage = p.tracker.update(*data);
    renderDrawData(data, &damage, clearColor);
    if (p.verify && !damage.full) p.check(data, clearColor);
    if (damage.full) {
        p.presenter->present(0, 0, w, h);
        p.share = 1;
        return;
    }
    const ImVec2 off = data->DisplayPos, scale = data->FramebufferScale;
    double drawn = 0;
    for (const auto& r : damage.rects) {
        const int x0 = static_cast<int>((r.x0 - off.x) * scale.x), x1 = static_cast<int>((r.x1 - off.x) * scale.x);
        const int y0 = static_cast<int>((r.y0 - off.y) * scale.y), y1 = static_cast<int>((r.y1 - off.y) * scale.y);
        p.presenter->present(x0, h - y1, x1 - x0, y1 - y0);
        drawn += static_cast<double>(x1 - x0) * (y1 - y0);
    }
    p.share = w > 0 && h > 0 ? drawn / (static_cast<double>(w) * h) : 0;
}

void Window::wake() {
    if (g_glfwReady && g_wakeWanted) glfwPostEmptyEvent();
}

void Window::setWakeWanted(bool wanted) { g_wakeWanted = wanted; }

}  // namespace genmon::platform
