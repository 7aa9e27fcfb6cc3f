#include "platform/window.hpp"

#include <glad/gl.h>
// glad first: GLFW must not pull in the system GL header.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <atomic>
#include <cstdlib>

namespace genmon::platform {
namespace {
std::string g_lastGlfwError;
std::atomic<bool> g_glfwReady{false};
bool g_input = false;  // set by GLFW callbacks on the UI thread, read by the frame pacer

// Installed before ImGui's backend, which chains to them: they only note that input arrived.
void noteInput(GLFWwindow*, int, int, int) { g_input = true; }
void noteKey(GLFWwindow*, int, int, int, int) { g_input = true; }
void noteChar(GLFWwindow*, unsigned) { g_input = true; }
void noteScroll(GLFWwindow*, double, double) { g_input = true; }
void noteCursor(GLFWwindow*, double, double) { g_input = true; }
void noteFlag(GLFWwindow*, int) { g_input = true; }
void noteSize(GLFWwindow*, int, int) { g_input = true; }
void noteRefresh(GLFWwindow*) { g_input = true; }

void onGlfwError(int code, const char* description) {
    g_lastGlfwError = std::string(description ? description : "unknown") + " (GLFW error " + std::to_string(code) + ")";
}
}  // namespace

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
    GLFWwindow* w = glfwCreateWindow(options.width, options.height, options.title.c_str(), nullptr, nullptr);
    if (!w) {
        std::string why = g_lastGlfwError;
        glfwTerminate();
        return model::Error::make(model::ErrorKind::Internal, "cannot create an OpenGL 3.3 window: " + why);
    }
    glfwMakeContextCurrent(w);
    glfwSwapInterval(options.vsync ? 1 : 0);
    if (!gladLoadGL(reinterpret_cast<GLADloadfunc>(glfwGetProcAddress))) {
        glfwDestroyWindow(w);
        glfwTerminate();
        return model::Error::make(model::ErrorKind::Internal, "cannot load OpenGL 3.3 functions");
    }
    glfwSetMouseButtonCallback(w, noteInput);
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
    return win;
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

bool Window::takeInput() {
    const bool seen = g_input;
    g_input = false;
    return seen;
}

void Window::newFrame() {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
}

void Window::render(const float clearColor[4]) {
    ImGui::Render();
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(clearColor[0], clearColor[1], clearColor[2], clearColor[3]);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glfwSwapBuffers(window_);
}

void Window::wake() {
    if (g_glfwReady) glfwPostEmptyEvent();
}

}  // namespace genmon::platform
