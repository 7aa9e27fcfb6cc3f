#include "app/gui.hpp"

#include <GLFW/glfw3.h>  // key codes only: the offscreen harness maps keys like the GLFW backend
#include <imgui.h>

#include <chrono>

#include "app/frame_pacer.hpp"
#include "platform/gl_textures.hpp"
#include "platform/offscreen.hpp"
#include "platform/window.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"

namespace genmon::app {
namespace {

constexpr float kClear[4] = {0.06f, 0.07f, 0.09f, 1.0f};

// One ImGui context with genmon's fonts, alive for the run.
struct ImGuiContextScope {
    explicit ImGuiContextScope(const char* iniPath) {
        IMGUI_CHECKVERSION();
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = iniPath;
        io.ConfigInputTextCursorBlink = false;  // steady pixels in screenshots
        io.ConfigWindowsMoveFromTitleBarOnly = true;
        ui::loadFonts(15.0f);
    }
    ~ImGuiContextScope() { ImGui::DestroyContext(); }
};

}  // namespace

void mapKeysLikeGlfw() {
    ImGuiIO& io = ImGui::GetIO();
    const std::pair<ImGuiKey, int> keys[] = {
        {ImGuiKey_Tab, GLFW_KEY_TAB},         {ImGuiKey_LeftArrow, GLFW_KEY_LEFT}, {ImGuiKey_RightArrow, GLFW_KEY_RIGHT},
        {ImGuiKey_UpArrow, GLFW_KEY_UP},      {ImGuiKey_DownArrow, GLFW_KEY_DOWN}, {ImGuiKey_PageUp, GLFW_KEY_PAGE_UP},
        {ImGuiKey_PageDown, GLFW_KEY_PAGE_DOWN}, {ImGuiKey_Home, GLFW_KEY_HOME}, {ImGuiKey_End, GLFW_KEY_END},
        {ImGuiKey_Insert, GLFW_KEY_INSERT},   {ImGuiKey_Delete, GLFW_KEY_DELETE}, {ImGuiKey_Backspace, GLFW_KEY_BACKSPACE},
        {ImGuiKey_Space, GLFW_KEY_SPACE},     {ImGuiKey_Enter, GLFW_KEY_ENTER},   {ImGuiKey_Escape, GLFW_KEY_ESCAPE},
        {ImGuiKey_KeyPadEnter, GLFW_KEY_KP_ENTER}, {ImGuiKey_A, GLFW_KEY_A},      {ImGuiKey_C, GLFW_KEY_C},
        {ImGuiKey_V, GLFW_KEY_V},             {ImGuiKey_X, GLFW_KEY_X},           {ImGuiKey_Y, GLFW_KEY_Y},
        {ImGuiKey_Z, GLFW_KEY_Z},
    };
    for (const auto& [k, code] : keys) io.KeyMap[k] = code;
}

FrameSource emptySource() {
    auto snap = std::make_shared<const orchestrator::Snapshot>();
    return {[snap] { return snap; }, [] { return kFixedNowMicros; }, [] { return std::vector<orchestrator::Event>{}; },
            {}};
}

model::Status runWindow(FrameSource& source, ui::CommandSink& commands, const WindowRun& run) {
    ImGuiContextScope imgui(run.iniPath.empty() ? nullptr : run.iniPath.c_str());
    auto window = platform::Window::open({});
    if (!window) return window.error();
    platform::GlTextureBackend textures;
    ui::App app(commands, &textures);
    if (run.prepare) run.prepare(app.state());
    FramePacer pacer;
    auto seconds = [] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    };
    while (!window.value()->shouldClose() && !(run.quitRequested && run.quitRequested())) {
        window.value()->waitEvents(pacer.waitSeconds(seconds()));
        const auto snap = source.snapshot();
        if (!pacer.shouldDraw(snap->contentVersion, window.value()->takeInput(), seconds())) continue;
        const int64_t retryAt = source.nextInitRetryAtMicros ? source.nextInitRetryAtMicros() : 0;
        const int64_t now = source.nowMicros();
        window.value()->newFrame();
        const auto frameStart = std::chrono::steady_clock::now();
        app.frame({snap, now, source.drainEvents(), retryAt, source.exchanges});
        if (run.onFrameSeconds)
            run.onFrameSeconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - frameStart).count());
        window.value()->setTitle(ui::App::windowTitle(*snap));
        window.value()->render(kClear);
        pacer.drew(seconds(), app.wantsFullRate(), app.idleRefreshSeconds(*snap, now, retryAt));
    }
    if (run.finish) run.finish(app.state());
    app.releaseTextures();
    return model::okStatus();
}

model::Outcome<model::Image> renderOffscreen(FrameSource& source, ui::CommandSink& commands, const OffscreenRun& run) {
    ImGuiContextScope imgui(nullptr);  // no ini: the layout is always the default one
    mapKeysLikeGlfw();
    auto renderer = platform::OffscreenRenderer::create(run.width, run.height);
    if (!renderer) return renderer.error();
    platform::GlTextureBackend textures;
    ui::App app(commands, &textures);
    if (run.prepare) run.prepare(app.state());
    const int frames = std::max(2, run.frames);
    for (int i = 0; i < frames; ++i) {
        if (run.stopRequested && run.stopRequested()) break;
        if (run.beforeFrame) run.beforeFrame(i);
        renderer.value()->newFrame(1.0f / 60.0f);
        app.frame({source.snapshot(), source.nowMicros(), source.drainEvents(),
                   source.nextInitRetryAtMicros ? source.nextInitRetryAtMicros() : 0, source.exchanges});
        renderer.value()->render(kClear);
    }
    model::Image image = renderer.value()->capture();
    app.releaseTextures();
    return image;
}

}  // namespace genmon::app
