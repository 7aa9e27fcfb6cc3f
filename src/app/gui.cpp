#include "app/gui.hpp"

#include <GLFW/glfw3.h>  // key codes only: the offscreen harness maps keys like the GLFW backend
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "app/assets.hpp"
#include "app/frame_pacer.hpp"
#include "app/ui_probe_file.hpp"
#include "platform/gl_textures.hpp"
#include "platform/offscreen.hpp"
#include "platform/window.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"

namespace genmon::app {
namespace {

constexpr float kClear[4] = {0.06f, 0.07f, 0.09f, 1.0f};

// The themes, the default layout and (for the window) the icon from assets/, each problem one
// line on stderr. Screenshots leave the person's theme.json out, as they leave settings.json out.
Assets loadAndInstallAssets(const AssetOptions& options) {
    Assets assets = loadAssets(options);
    for (const auto& w : assets.warnings) std::fprintf(stderr, "genmon: warning: %s\n", w.c_str());
    installAssets(assets);
    return assets;
}

// One ImGui context with genmon's fonts, alive for the run.
struct ImGuiContextScope {
    explicit ImGuiContextScope(const char* iniPath) {
        IMGUI_CHECKVERSION();
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = iniPath;
        io.ConfigInputTextCursorBlink = false;  // steady pixels in screenshots
        io.ConfigWindowsMoveFromTitleBarOnly = true;
        if (const auto& f = ui::loadFonts(15.0f); !f.warning.empty()) std::fprintf(stderr, "genmon: warning: %s\n", f.warning.c_str());
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

namespace {

// GENMON_FRAME_STATS=1: how many frames the window drew and why, on stderr, at most once a
// second (on wake-ups that happen anyway: it adds none) and at exit. For benchmarks and for a
// person asking why genmon uses CPU: "genmon frame-stats: t=12.004 frames=123 input=3 ...".
class FrameStats {
public:
    FrameStats(double start, bool partial) : start_(start), lastPrint_(start), partial_(partial) {
        const char* env = std::getenv("GENMON_FRAME_STATS");
        enabled_ = env && *env && std::string_view(env) != "0";
    }
    void wake() { ++wakeups_; }
    void drew(FrameCause cause, double drawnShare) {
        ++frames_;
        ++byCause_[static_cast<size_t>(cause)];
        drawnShares_ += drawnShare;
    }
    void maybePrint(double now, bool final = false) {
        if (!enabled_ || (!final && now - lastPrint_ < 1.0)) return;
        lastPrint_ = now;
        std::fprintf(stderr, "genmon frame-stats: t=%.3f frames=%llu", now - start_, static_cast<unsigned long long>(frames_));
        for (auto c : {FrameCause::Input, FrameCause::Animation, FrameCause::Data, FrameCause::Clock})
            std::fprintf(stderr, " %s=%llu", frameCauseName(c), static_cast<unsigned long long>(byCause_[static_cast<size_t>(c)]));
        // pixels: the frames' drawn share of the window, summed (partial redraw: below frames).
        std::fprintf(stderr, " wakeups=%llu pixels=%.2f partial=%d%s\n", static_cast<unsigned long long>(wakeups_),
                     drawnShares_, partial_ ? 1 : 0, final ? " final" : "");
        std::fflush(stderr);
    }

private:
    bool enabled_ = false;
    double start_, lastPrint_;
    bool partial_;
    double drawnShares_ = 0;
    uint64_t frames_ = 0, wakeups_ = 0;
    uint64_t byCause_[5] = {};
};

}  // namespace

model::Status runWindow(FrameSource& source, ui::CommandSink& commands, const WindowRun& run) {
    ImGuiContextScope imgui(run.iniPath.empty() ? nullptr : run.iniPath.c_str());
    AssetOptions wanted;
    wanted.userTheme = true;
    wanted.icons = true;
    platform::WindowOptions options;
    options.icons = loadAndInstallAssets(wanted).icons;
    auto window = platform::Window::open(options);
    if (!window) return window.error();
    platform::Window& win = *window.value();
    platform::GlTextureBackend textures;
    ui::App app(commands, &textures);
    if (run.prepare) run.prepare(app.state());
    const auto probeFile = UiProbeFile::fromEnvironment();  // real-window tests only (GENMON_UI_PROBE)
    if (probeFile) app.setProbe(probeFile->probe());
    auto seconds = [] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    };
    // The loop paces itself (issue 14.1): swapping does not wait for vsync under Xvfb, VNC or
    // many compositors, so a frame is never drawn before the pacer says so.
    FramePacer pacer(win.refreshRate(), app.state().dataFramesPerSecond);
    FrameStats stats(seconds(), win.partialRedraw());
    uint64_t reusedTextureIds = textures.reusedIds();
    std::vector<orchestrator::Event> events;  // drained at every wake-up, shown by the next frame
    while (!win.shouldClose() && !(run.quitRequested && run.quitRequested())) {
        // Publishes wake the loop only when that can bring a frame sooner (up to 250 a second
        // otherwise, each an X event and a thread switch for nothing).
        const bool wakeUseful = pacer.wakeUseful();
        platform::Window::setWakeWanted(wakeUseful);
        double wait = pacer.waitSeconds(seconds());
        if (wakeUseful && wait > 0) {
            // Wakes were off until now: look once more, or a publish made meanwhile would wait
            // for the clock refresh.
            for (auto& e : source.drainEvents()) events.push_back(std::move(e));
            const bool newer = source.snapshot()->contentVersion != pacer.lastContentVersion();
            pacer.setSnapshotBehind(source.behind());
            if (!events.empty() || newer) wait = 0;
            else wait = std::min(wait, pacer.waitSeconds(seconds()));
        }
        win.waitEvents(wait);
        stats.wake();
        pacer.setDataRate(app.state().dataFramesPerSecond);
        for (auto& e : source.drainEvents()) events.push_back(std::move(e));
        const auto snap = source.snapshot();
        const auto input = win.takeInput();
        const double wokeAt = seconds();
        const FrameCause cause =
            pacer.shouldDraw({snap->contentVersion, input.arrived, input.held, !events.empty(), source.behind()}, wokeAt);
        stats.maybePrint(wokeAt);
        if (cause == FrameCause::None) continue;
        const int64_t retryAt = source.nextInitRetryAtMicros ? source.nextInitRetryAtMicros() : 0;
        const int64_t now = source.nowMicros();
        win.newFrame();
        const auto frameStart = std::chrono::steady_clock::now();
        auto fleet = source.fleet ? source.fleet() : std::vector<ui::FleetRow>{};
        const std::string title = fleet.empty() ? ui::App::windowTitle(*snap) : ui::fleetWindowTitle(fleet, now);
        app.frame({snap, now, std::move(events), retryAt, source.inspected(), std::move(fleet)});
        if (run.onFrameSeconds)
            run.onFrameSeconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - frameStart).count());
        events.clear();
        // A moved or resized panel is on disk seconds later, not only at exit: a crash or a
        // SIGKILL keeps the layout (ImGui asks IniSavingRate seconds after the last change).
        if (ImGuiIO& io = ImGui::GetIO(); io.WantSaveIniSettings && run.saveLayout) {
            run.saveLayout();
            io.WantSaveIniSettings = false;
        }
        win.setTitle(title);
        if (textures.reusedIds() != reusedTextureIds) win.invalidate();  // a new picture under an old id
        reusedTextureIds = textures.reusedIds();
        win.render(kClear);
        if (probeFile) probeFile->frameDrawn(app.state(), *snap, title);  // once on screen
        // Frames are spaced from start to start: the cap holds whatever a frame costs.
        pacer.drew(wokeAt, cause, app.wantsFullRate(), win.inputOwed(), app.idleRefreshSeconds(*snap, now, retryAt));
        stats.drew(cause, win.lastDrawnShare());
    }
    stats.maybePrint(seconds(), true);
    if (run.finish) run.finish(app.state());
    app.releaseTextures();
    return model::okStatus();
}

model::Outcome<model::Image> renderOffscreen(FrameSource& source, ui::CommandSink& commands, const OffscreenRun& run) {
    ImGuiContextScope imgui(nullptr);  // no ini: the layout is always the default one
    loadAndInstallAssets({});
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
                   source.nextInitRetryAtMicros ? source.nextInitRetryAtMicros() : 0, source.inspected(),
                   source.fleet ? source.fleet() : std::vector<ui::FleetRow>{}});
        renderer.value()->render(kClear);
    }
    model::Image image = renderer.value()->capture();
    app.releaseTextures();
    return image;
}

}  // namespace genmon::app
