#pragma once
// The interactive window: GLFW + glad + the ImGui GLFW/OpenGL3 backends.
// The ImGui context must exist before open(); the window installs its backends into it.
#include <memory>
#include <string>

#include "model/error.hpp"

struct GLFWwindow;

namespace genmon::platform {

struct WindowOptions {
    std::string title = "genmon";
    int width = 1440;
    int height = 900;
    bool vsync = true;
};

// True when DISPLAY or WAYLAND_DISPLAY names a display to open a window on.
bool displayAvailable();

class Window {
public:
    // Fails with a readable error when there is no display (exit code 2 in main).
    static model::Outcome<std::unique_ptr<Window>> open(const WindowOptions& options);
    ~Window();
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    bool shouldClose() const;
    void requestClose();
    void setTitle(const std::string& title);
    bool focused() const;
    bool iconified() const;

    // Blocks until input arrives, wake() is called, or the timeout passes (0: just poll).
    void waitEvents(double timeoutSeconds);
    // Whether a person did anything (pointer, keys, scroll, resize) since the last call.
    bool takeInput();
    void newFrame();
    void render(const float clearColor[4]);

    // Thread-safe: makes waitEvents return (the worker calls it after publishing).
    static void wake();

private:
    explicit Window(GLFWwindow* w) : window_(w) {}
    GLFWwindow* window_;
    std::string lastTitle_;
};

}  // namespace genmon::platform
