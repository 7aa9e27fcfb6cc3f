#pragma once
// The interactive window: GLFW + glad + the ImGui GLFW/OpenGL3 backends.
// The ImGui context must exist before open(); the window installs its backends into it.
#include <memory>
#include <string>
#include <vector>

#include "model/error.hpp"
#include "model/image.hpp"

struct GLFWwindow;
struct ImGuiIO;

namespace genmon::platform {

class InputLatch;

// What each new frame does after ImGui's GLFW backend (issue 14.6): the latch's keys and
// buttons replace the backend's instant view in io (taps shorter than a frame included), the
// modifiers follow them, and a latched click is placed where it was pressed. UI tests call it
// to deliver taps exactly as the window does.
void applyInputLatch(InputLatch& latch, ImGuiIO& io);

struct WindowOptions {
    std::string title = "genmon";
    int width = 1440;
    int height = 900;
    bool vsync = true;
    // The window icon, RGBA, one picture per size (the window manager picks the one it needs);
    // empty: the window manager's default.
    std::vector<model::Image> icons;
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

    // The display's refresh rate in Hz as GLFW reports it (0: unknown).
    int refreshRate() const;

    // Blocks until input arrives, wake() is called, or the timeout passes (0: just poll).
    void waitEvents(double timeoutSeconds);
    struct Input {
        bool arrived = false;  // the person did something (pointer, keys, scroll, resize) since the last call
        bool held = false;     // a key or mouse button is held down
    };
    Input takeInput();
    // Input still needs frames: a latched tap's release not shown yet, or a key or button held.
    bool inputOwed() const;
    // Starts a frame; key and button presses shorter than a frame are shown for exactly one
    // frame (platform/input_latch.hpp), the release on the next.
    void newFrame();
    // Draws and presents the frame. With Mesa's software renderer only what changed since the
    // last frame is drawn and presented (platform/damage.hpp); GENMON_PARTIAL_REDRAW=0 turns
    // that off, GENMON_PARTIAL_REDRAW=verify also draws each such frame whole and reports on
    // stderr any pixel that differs.
    void render(const float clearColor[4]);
    bool partialRedraw() const;
    // Of the last frame's pixels, the share that was drawn (1 without partial redraw).
    double lastDrawnShare() const;
    // The next frame is drawn whole (textures were replaced under ids the draw data reuses).
    void invalidate();

    // Thread-safe: makes waitEvents return (the worker calls it after publishing), unless the
    // loop said a wake-up is of no use now (a frame is already due soon and will show the latest
    // snapshot): then it does nothing, and no X event travels for it.
    static void wake();
    // The loop, before it waits: whether wake() should wake it. After turning it on, the loop
    // must look at the snapshot once more before sleeping (a publish may have come while off).
    static void setWakeWanted(bool wanted);

private:
    struct Partial;
    static std::unique_ptr<Partial> makePartial(GLFWwindow* w);
    explicit Window(GLFWwindow* w);
    GLFWwindow* window_;
    std::string lastTitle_;
    std::unique_ptr<Partial> partial_;
};

}  // namespace genmon::platform
