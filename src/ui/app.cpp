// The shell (issue 15.4): one frame of the window from one snapshot. It keeps the list of views
// (ui/views.cpp) and draws each open one where it belongs; the menu bar, status bar, toasts,
// dialogs and keyboard are in app_menu.cpp, app_status_bar.cpp, app_toasts.cpp,
// app_dialogs.cpp and app_keys.cpp.
#include "ui/app.hpp"

#include <imgui.h>

#include <algorithm>
#include <chrono>

#include "ui/app_shell.hpp"
#include "ui/default_layout.hpp"
#include "ui/fleet_scope.hpp"
#include "ui/fonts.hpp"
#include "ui/frame_context.hpp"
#include "ui/texture_cache.hpp"
#include "ui/theme.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

using namespace shell;
using orchestrator::ConnectionPhase;
using orchestrator::Snapshot;

namespace {
constexpr double kDialogDimSeconds = 0.25;  // ImGui dims behind a modal over ~1/6 s
}  // namespace

// ---- App ----------------------------------------------------------------------------------------

App::App(CommandSink& commands, TextureBackend* textures)
    : commands_(commands),
      textures_(std::make_unique<TextureCache>(textures)),
      views_(makeViews()),
      fleet_(std::make_unique<FleetView>()),
      merger_(std::make_unique<FleetMerger>()) {}

App::~App() = default;

void App::releaseTextures() { textures_->clear(); }

std::string App::windowTitle(const Snapshot& s) {
    std::string t = "genmon \xE2\x80\x94 ";
    t += std::to_string(s.counts.processing) + " running, " + std::to_string(s.counts.queued) + " queued";
    if (s.counts.failed > 0) t += ", " + std::to_string(s.counts.failed) + " failed";
    if (s.isActive && s.connection.phase == ConnectionPhase::Disconnected) t += " \xE2\x80\x94 disconnected";
    if (!s.isActive && s.connection.phase == ConnectionPhase::Disconnected) t += " \xE2\x80\x94 backend unreachable";
    return t;
}

double App::idleRefreshSeconds(const Snapshot& snap, int64_t now, int64_t initRetryAt) const {
    const bool countdown = (snap.connection.phase == ConnectionPhase::Reconnecting && snap.connection.nextRetryAtMicros > now) ||
                           (snap.connection.phase == ConnectionPhase::Disconnected && initRetryAt > now);
    double refresh = 2.0;  // data ages ("updated 3 s ago"): two seconds is close enough
    if (state_.showMetrics) refresh = 1.0;  // the sparklines move every second
    if (state_.showTimeline && state_.timelineLive) refresh = 1.0;  // the lanes move with the clock
    // "retry in 5 s", elapsed times (all backends: any backend's running job)
    if (countdown || snap.counts.processing > 0 || runningShown_ > 0) refresh = 1.0;
    // A success toast sits still until its fade starts: nothing to draw before that moment.
    for (const Toast& t : state_.toasts)
        if (!t.sticky) {
            const int64_t fadeAt = t.createdMicros + kSuccessToastMicros;
            refresh = std::min(refresh, std::max(0.0, static_cast<double>(fadeAt - now) / 1e6));
        }
    return refresh;
}

void App::frame(const FrameInput& in) {
    const auto frameStart = std::chrono::steady_clock::now();  // the Metrics view's UI frame time
    // Issue 17.2: in all-backends mode the views draw every backend's lists (remade only when a
    // backend published); with one backend, or focused on one, the snapshot as it comes.
    const bool all = state_.allBackends && in.fleet.size() > 1;
    if (all != keysScoped_) rescopeKeys(in.fleet, all);
    const MergedFleet* merged = all ? &merger_->get(in.fleet) : nullptr;
    scope_ = merged ? merged->scope.get() : nullptr;
    runningShown_ = merged ? merged->snapshot->counts.processing : 0;
    const Snapshot& snap = merged ? *merged->snapshot : *in.snapshot;
    const float em = fonts().size;
    if (probe_) probe_->items.clear();
    if (!themeApplied_ || appliedTheme_ != state_.theme) {
        applyTheme(state_.theme, em);
        appliedTheme_ = state_.theme;
        themeApplied_ = true;
    }
    for (const auto& e : in.events) pushToast(state_, e.kind, e.message, e.detail, e.atMicros ? e.atMicros : in.nowMicros);
    fleetRows_ = &in.fleet;
    handleShortcuts(snap);
    drawMenuBar(snap);
    placePanels();

    FrameContext ctx{snap, in.nowMicros, commands_, state_, *textures_, em, probe_, scope_, in.exchanges, &in.fleet};
    if (!in.fleet.empty()) {
        // Above the panels, across the window (placePanels moved them down by its height).
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, vp->Pos.y + ImGui::GetFrameHeight()), ImGuiCond_FirstUseEver);
        ImGui::SetNextWindowSize(ImVec2(vp->Size.x, fleetPanelHeight(in.fleet.size())), ImGuiCond_FirstUseEver);
        if (ImGui::Begin("Fleet", nullptr, ImGuiWindowFlags_NoCollapse)) fleet_->draw(ctx, in.fleet);
        ImGui::End();
    }
    for (const auto& view : views_) {
        bool& open = view->open(state_);
        if (!open) continue;
        view->placeOnAppearing(em);
        if (ImGui::Begin(view->title(), &open, view->windowFlags())) {
            if (const auto panel = view->keyboardPanel(); panel && ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows))
                state_.focus = *panel;
            view->draw(ctx);
        }
        ImGui::End();
    }
    state_.applyDefaultLayout = false;

    drawStatusBar(*in.snapshot, in.nowMicros, in.nextInitRetryAtMicros);  // all backends: the fleet segment sums
    const bool toastFading = drawToasts(in.nowMicros);
    drawConfirmation();
    drawConnect();
    drawHelp();
    drawAbout();
    fleetRows_ = nullptr;  // in.fleet ends with the frame
    scope_ = nullptr;
    textures_->endFrame();
    // Real animation only: a toast fading out, ImGui dimming the window behind a new dialog.
    const bool modal = state_.confirm.kind != Confirmation::Kind::None || state_.showConnect;
    if (!modal)
        modalSince_ = -1;
    else if (modalSince_ < 0)
        modalSince_ = ImGui::GetTime();
    wantsFullRate_ = toastFading || (modal && ImGui::GetTime() - modalSince_ < kDialogDimSeconds);
    state_.frameTimes.add(in.nowMicros,
                          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - frameStart).count());
}

// The default layout (ui/default_layout.hpp, its numbers from assets/layout/default.json);
// "Reset layout" applies it again. Panels can be moved and resized afterwards (ImGui's ini keeps
// that in the user's config folder).
void App::placePanels() {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float em = fonts().size;
    const float statusBar = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    // From the viewport, not WorkPos: ImGui 1.86 reserves the menu bar in the work area only
    // from the next frame on, and the default layout is placed on the first one.
    const float menuBar = ImGui::GetFrameHeight();
    // Issue 17.2: with a fleet, its panel takes the top; with one backend it is 0.
    const float fleet = fleetRows_ && !fleetRows_->empty() ? fleetPanelHeight(fleetRows_->size()) : 0.0f;
    const ImVec2 origin(vp->Pos.x, vp->Pos.y + menuBar + fleet);
    const ImVec2 size(vp->Size.x, vp->Size.y - menuBar - statusBar - fleet);
    const ImGuiCond cond = state_.applyDefaultLayout ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
    auto place = [&](const char* name, const PanelPlace& at) {
        ImGui::SetNextWindowPos(at.pos, cond);
        ImGui::SetNextWindowSize(at.size, cond);
        ImGui::Begin(name, nullptr, ImGuiWindowFlags_NoCollapse);
        ImGui::End();
    };
    const DefaultPlaces places = defaultPlaces(defaultLayout(), origin, size, em);
    for (const auto& view : views_)
        if (const auto at = view->layoutPlace(places); at && view->open(state_)) place(view->title(), *at);
}

}  // namespace genmon::ui
