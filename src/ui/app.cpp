#include "ui/app.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "ui/default_layout.hpp"
#include "ui/detail_view.hpp"
#include "ui/eta_text.hpp"
#include "ui/fleet_scope.hpp"
#include "ui/fonts.hpp"
#include "ui/format.hpp"
#include "ui/frame_context.hpp"
#include "ui/generate_view.hpp"
#include "ui/inspector_view.hpp"
#include "ui/metrics_view.hpp"
#include "ui/notifications_view.hpp"
#include "ui/queue_view.hpp"
#include "ui/results_view.hpp"
#include "ui/settings_view.hpp"
#include "ui/system_view.hpp"
#include "ui/texture_cache.hpp"
#include "ui/theme.hpp"
#include "ui/timeline_view.hpp"

namespace genmon::ui {

using orchestrator::ConnectionPhase;
using orchestrator::NotificationKind;
using orchestrator::Snapshot;

namespace {
constexpr int64_t kSuccessToastMicros = 4'000'000;  // success toasts stay this long, then fade
constexpr int64_t kToastFadeMicros = 400'000;       // the fade itself: drawn at the full rate
constexpr double kDialogDimSeconds = 0.25;          // ImGui dims behind a modal over ~1/6 s

ImVec4 phaseColor(ConnectionPhase p) {
    const Palette& c = palette();
    switch (p) {
        case ConnectionPhase::Connected: return c.ok;
        case ConnectionPhase::Connecting:
        case ConnectionPhase::Reconnecting: return c.warning;
        case ConnectionPhase::Disconnected: return c.error;
        case ConnectionPhase::Idle:
        case ConnectionPhase::Paused: return c.muted;
    }
    return c.muted;
}

// The freshest data of any kind: the status bar's "updated ... ago".
int64_t lastDataMicros(const Snapshot& s) {
    return std::max({s.jobsUpdatedAtMicros, s.statusUpdatedAtMicros, s.resultsUpdatedAtMicros});
}

bool charPressed(ImWchar c) {
    const ImGuiIO& io = ImGui::GetIO();
    for (int i = 0; i < io.InputQueueCharacters.Size; ++i)
        if (io.InputQueueCharacters[i] == c) return true;
    return false;
}

bool keyPressed(ImGuiKey key) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key)); }

// ImGui 1.86 names only a few letter keys. io.KeysDown is indexed by the platform's key codes;
// GLFW's codes for letters are their ASCII capitals, and the offscreen harness uses the same.
bool letterPressed(char upper) { return ImGui::IsKeyPressed(static_cast<int>(upper)); }

struct Shortcut {
    const char* keys;
    const char* what;
};
constexpr Shortcut kShortcuts[] = {
    {"j / Down", "next job (or result)"},
    {"k / Up", "previous job (or result)"},
    {"Enter", "open the selected job's details"},
    {"Space", "select / unselect the job under the cursor"},
    {"c", "cancel the selected jobs (asks first)"},
    {"Delete", "delete the selected result (asks first)"},
    {"/", "filter the queue"},
    {"Esc", "clear the filter, the selection, or close a dialog"},
    {"r", "refresh everything from the backend"},
    {"g", "open the generate form"},
    {"i", "show or hide the request inspector"},
    {"Ctrl+Enter", "submit the generate form"},
    {"?", "show this list"},
};
// Issue 17.2: listed only while genmon watches several backends.
constexpr Shortcut kFleetShortcuts[] = {
    {"0", "all backends in one list (a Backend column)"},
    {"1 - 9", "show that backend alone (its row in Fleet)"},
    {"Ctrl+L", "add a backend to the fleet"},
};
}  // namespace

// ---- App ----------------------------------------------------------------------------------------

App::App(CommandSink& commands, TextureBackend* textures)
    : commands_(commands),
      textures_(std::make_unique<TextureCache>(textures)),
      queue_(std::make_unique<QueueView>()),
      detail_(std::make_unique<DetailView>()),
      results_(std::make_unique<ResultsView>()),
      system_(std::make_unique<SystemView>()),
      generate_(std::make_unique<GenerateView>()),
      settings_(std::make_unique<SettingsView>()),
      inspector_(std::make_unique<InspectorView>()),
      metrics_(std::make_unique<MetricsView>()),
      timeline_(std::make_unique<TimelineView>()),
      notifications_(std::make_unique<NotificationsView>()),
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

    FrameContext ctx{snap, in.nowMicros, commands_, state_, *textures_, em, probe_, scope_};
    auto panel = [&](const char* title, bool& open, Panel which, auto& view) {
        if (!open) return;
        if (ImGui::Begin(title, &open, ImGuiWindowFlags_NoCollapse)) {
            if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) && which != Panel::Detail &&
                which != Panel::System)
                state_.focus = which;
            view.draw(ctx);
        }
        ImGui::End();
    };
    if (!in.fleet.empty()) {
        // Above the panels, across the window (placePanels moved them down by its height).
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, vp->Pos.y + ImGui::GetFrameHeight()), ImGuiCond_FirstUseEver);
        ImGui::SetNextWindowSize(ImVec2(vp->Size.x, fleetPanelHeight(in.fleet.size())), ImGuiCond_FirstUseEver);
        if (ImGui::Begin("Fleet", nullptr, ImGuiWindowFlags_NoCollapse)) fleet_->draw(ctx, in.fleet);
        ImGui::End();
    }
    panel("Queue", state_.showQueue, Panel::Queue, *queue_);
    panel("Job detail", state_.showDetail, Panel::Detail, *detail_);
    panel("Results", state_.showResults, Panel::Results, *results_);
    panel("System", state_.showSystem, Panel::System, *system_);
    panel("Generate", state_.showGenerate, Panel::Generate, *generate_);
    if (state_.showInspector) {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowSize(ImVec2(vp->Size.x * 0.8f, vp->Size.y * 0.6f), ImGuiCond_Appearing);
        ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
        std::string whose;  // a fleet: the focused backend's exchanges
        for (const auto& row : in.fleet)
            if (row.focused) whose = row.name;
        if (ImGui::Begin("Inspector", &state_.showInspector, ImGuiWindowFlags_NoCollapse))
            inspector_->draw(ctx, in.exchanges, whose);
        ImGui::End();
    }
    if (state_.showMetrics) {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowSize(ImVec2(std::min(vp->Size.x * 0.75f, 72 * em), std::min(vp->Size.y * 0.8f, 46 * em)),
                                 ImGuiCond_Appearing);
        ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
        if (ImGui::Begin("Metrics", &state_.showMetrics, ImGuiWindowFlags_NoCollapse)) metrics_->draw(ctx);
        ImGui::End();
    }
    if (state_.showTimeline) {
        // Opens across the whole width under the queue (where the detail and system panels sit in
        // the default layout), so the queue and the results stay in view.
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        const float statusBar = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
        const float menuBar = ImGui::GetFrameHeight();
        const float areaH = vp->Size.y - menuBar - statusBar;
        const float queueH = std::round(areaH * 0.62f);
        ImGui::SetNextWindowSize(ImVec2(vp->Size.x, areaH - queueH), ImGuiCond_Appearing);
        ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, vp->Pos.y + menuBar + queueH), ImGuiCond_Appearing);
        if (ImGui::Begin("Timeline", &state_.showTimeline, ImGuiWindowFlags_NoCollapse)) timeline_->draw(ctx);
        ImGui::End();
    }
    if (state_.showSettings) {
        ImGui::SetNextWindowSize(ImVec2(34 * em, 0), ImGuiCond_Appearing);
        ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
        if (ImGui::Begin("Settings", &state_.showSettings, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings))
            settings_->draw(ctx);
        ImGui::End();
    }
    if (state_.showNotifications) {
        if (state_.toastsOffScreen > 0) state_.toastsOffScreen = 0;  // seen
        ImGui::SetNextWindowSize(ImVec2(46 * em, 26 * em), ImGuiCond_Appearing);
        ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
        if (ImGui::Begin("Notifications", &state_.showNotifications, ImGuiWindowFlags_NoCollapse))
            notifications_->draw(ctx);
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
    if (state_.showQueue) place("Queue", places.queue);
    if (state_.showDetail) place("Job detail", places.detail);
    if (state_.showResults) place("Results", places.results);
    if (state_.showSystem) place("System", places.system);
    if (state_.showGenerate) place("Generate", places.generate);
}

void App::drawMenuBar(const Snapshot& snap) {
    if (!ImGui::BeginMainMenuBar()) return;
    if (ImGui::BeginMenu("Backend")) {
        if (ImGui::MenuItem("Connect to URL...", "Ctrl+L")) {
            state_.connectUrl = snap.backendUrl;
            state_.showConnect = true;
        }
        if (ImGui::BeginMenu("Recent", !state_.urlHistory.empty())) {
            for (const auto& url : state_.urlHistory)
                if (ImGui::MenuItem(url.c_str(), nullptr, url == snap.backendUrl)) commands_.connect(url);
            ImGui::EndMenu();
        }
        if (ImGui::MenuItem("Reconnect")) commands_.reconnect();
        if (ImGui::MenuItem("Refresh everything", "r")) refreshAll();
        ImGui::Separator();
        if (ImGui::MenuItem("Simulated demo backend", nullptr, snap.simulatedBackend)) commands_.startDemo();
        ImGui::Separator();
        if (ImGui::MenuItem("Quit", "Ctrl+Q")) commands_.quit();
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
        ImGui::MenuItem("Queue", nullptr, &state_.showQueue);
        ImGui::MenuItem("Job detail", nullptr, &state_.showDetail);
        ImGui::MenuItem("Results", nullptr, &state_.showResults);
        ImGui::MenuItem("System", nullptr, &state_.showSystem);
        ImGui::MenuItem("Generate", "g", &state_.showGenerate);
        ImGui::MenuItem("Inspector (requests)", "i", &state_.showInspector);
        ImGui::MenuItem("Metrics (genmon itself)", nullptr, &state_.showMetrics);
        ImGui::MenuItem("Timeline", nullptr, &state_.showTimeline);
        ImGui::MenuItem("Notifications", nullptr, &state_.showNotifications);
        if (probe_) probe_->noteLastItem("menu.notifications");
        ImGui::MenuItem("Settings", nullptr, &state_.showSettings);
        if (fleetRows_ && fleetRows_->size() > 1) {  // issue 17.2
            ImGui::Separator();
            ImGui::MenuItem("All backends", "0", &state_.allBackends);
        }
        ImGui::Separator();
        if (ImGui::MenuItem("Dark theme", nullptr, state_.theme == ThemeKind::Dark)) state_.theme = ThemeKind::Dark;
        if (ImGui::MenuItem("Light theme", nullptr, state_.theme == ThemeKind::Light)) state_.theme = ThemeKind::Light;
        ImGui::Separator();
        if (ImGui::MenuItem("Reset layout")) {
            state_.showQueue = state_.showDetail = state_.showResults = state_.showSystem = true;
            state_.applyDefaultLayout = true;
        }
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Help")) {
        if (ImGui::MenuItem("Keyboard shortcuts", "?")) state_.showHelp = true;
        if (ImGui::MenuItem("About genmon")) state_.showAbout = true;
        ImGui::EndMenu();
    }
    // Right side: what is being watched, and whether it is real.
    // A replay says so, with the recording's name: nothing shown is live.
    if (!snap.replayName.empty()) {
        const std::string replayBadge = "REPLAY  " + snap.replayName;
        const float w = ImGui::CalcTextSize(replayBadge.c_str()).x + ImGui::GetStyle().FramePadding.x * 4;
        ImGui::SameLine(ImGui::GetWindowWidth() - w);
        ImGui::PushStyleColor(ImGuiCol_Button, palette().warning);
        ImGui::PushStyleColor(ImGuiCol_Text, palette().chipText);
        ImGui::SmallButton(replayBadge.c_str());
        ImGui::PopStyleColor(2);
        if (probe_) probe_->noteLastItem("menu.replay", replayBadge);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Replaying a recording (--replay): no network; cancel, delete and generate are refused.");
    }
    const char* badge = snap.simulatedBackend && snap.replayName.empty() ? "SIMULATED BACKEND" : nullptr;
    if (badge) {
        const float w = ImGui::CalcTextSize(badge).x + ImGui::GetStyle().FramePadding.x * 4;
        ImGui::SameLine(ImGui::GetWindowWidth() - w);
        ImGui::PushStyleColor(ImGuiCol_Button, palette().accent);
        ImGui::PushStyleColor(ImGuiCol_Text, palette().chipText);
        ImGui::SmallButton(badge);
        ImGui::PopStyleColor(2);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("genmon-sim runs inside this process: the queue, results and images are simulated.");
    }
    ImGui::EndMainMenuBar();
}

void App::drawStatusBar(const Snapshot& snap, int64_t now, int64_t initRetryAt) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float h = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x, vp->WorkPos.y + vp->WorkSize.y - h));
    ImGui::SetNextWindowSize(ImVec2(vp->WorkSize.x, h));
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus;
    if (!ImGui::Begin("##statusbar", nullptr, flags)) {
        ImGui::End();
        return;
    }
    const Palette& c = palette();
    const auto& conn = snap.connection;
    if (fleetRows_ && !fleetRows_->empty()) drawFleetStatus(*fleetRows_, now, probe_, scope_ != nullptr);
    // Connection phase, coloured, with the reconnect countdown.
    ImGui::TextColored(phaseColor(conn.phase), "\xE2\x97\x8F %s", orchestrator::phaseName(conn.phase));
    if (probe_) probe_->noteLastItem("status.phase", orchestrator::phaseName(conn.phase));
    const int64_t retryAt = conn.phase == ConnectionPhase::Reconnecting ? conn.nextRetryAtMicros
                            : conn.phase == ConnectionPhase::Disconnected ? initRetryAt
                                                                          : 0;
    if (retryAt > now) {
        ImGui::SameLine();
        ImGui::TextColored(c.warning, "retry in %.0f s", static_cast<double>(retryAt - now) / 1e6 + 0.49);
        if (conn.reconnectAttempt > 0) {
            ImGui::SameLine();
            ImGui::TextDisabled("(attempt %d)", conn.reconnectAttempt);
        }
    }
    if (!conn.lastError.empty() && conn.phase != ConnectionPhase::Connected) {
        ImGui::SameLine();
        ImGui::TextColored(c.error, "%s", conn.lastError.c_str());
    }
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::TextUnformatted(snap.backendUrl.empty() ? "no backend" : snap.backendUrl.c_str());
    if (snap.insecureTls) {
        ImGui::SameLine();
        ImGui::TextColored(c.error, "INSECURE TLS");
    }
    // Data age: honest about stale data. Amber after two poll periods, red after six.
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    const int64_t last = lastDataMicros(snap);
    const double age = last > 0 ? static_cast<double>(now - last) / 1e6 : 0;
    const double period = std::max(1, snap.pollIntervalMs) / 1000.0;
    enum class Freshness { Fresh, Aging, Stale } freshness = Freshness::Fresh;
    if (last > 0 && age > 6 * period)
        freshness = Freshness::Stale;
    else if (last > 0 && age > 2 * period)
        freshness = Freshness::Aging;
    const ImVec4 ageColor = freshness == Freshness::Stale ? c.error : freshness == Freshness::Aging ? c.warning : c.muted;
    ImGui::TextColored(ageColor, "updated %s", formatAge(last, now).c_str());
    if (probe_)
        probe_->noteLastItem("status.age", std::string(freshness == Freshness::Stale    ? "stale: "
                                                       : freshness == Freshness::Aging ? "aging: "
                                                                                       : "fresh: ") +
                                               "updated " + formatAge(last, now));
    if (!snap.lastRefreshError.empty() && ImGui::IsItemHovered())
        ImGui::SetTooltip("Last refresh failed: %s", snap.lastRefreshError.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::TextColored(c.processing, "%zu running", snap.counts.processing);
    ImGui::SameLine();
    ImGui::TextColored(c.queued, "%zu queued", snap.counts.queued);
    if (snap.counts.failed > 0) {
        ImGui::SameLine();
        ImGui::TextColored(c.failed, "%zu failed", snap.counts.failed);
    }
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::Text("%.1f jobs/min", snap.jobsPerMinute);
    // Issue 14.4: when the whole queue will be done (the worker's forecast), when there is a
    // basis and room for it.
    if (snap.queueForecast && snap.queueForecast->drain().estimated > 0) {
        const auto& drain = snap.queueForecast->drain();
        const std::string full = drainText(drain, now, false), brief = drainText(drain, now, true);
        const ImGuiStyle& style = ImGui::GetStyle();
        const float room = ImGui::GetWindowContentRegionMax().x - (ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x) -
                           ImGui::CalcTextSize("|").x - 2 * style.ItemSpacing.x;
        const std::string* shown = ImGui::CalcTextSize(full.c_str()).x <= room    ? &full
                                   : ImGui::CalcTextSize(brief.c_str()).x <= room ? &brief
                                                                                  : nullptr;
        if (shown) {
            ImGui::SameLine();
            ImGui::TextDisabled("|");
            ImGui::SameLine();
            ImGui::TextUnformatted(shown->c_str());
            if (probe_) probe_->noteLastItem("status.drain", *shown);
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("Until every queued and running job is done: %zu with an estimate, %zu without.\n"
                                  "Assumes %zu worker%s: the jobs running now (one job at a time when one runs).",
                                  drain.estimated, drain.unknown, drain.workers, drain.workers == 1 ? "" : "s");
        }
    }
    const int pending = commands_.pendingCommands();
    if (pending > 0) {
        ImGui::SameLine();
        ImGui::TextColored(c.accent, "%d command%s running", pending, pending == 1 ? "" : "s");
    }
    ImGui::End();
}

bool App::drawToasts(int64_t now) {
    // Success toasts fade after a few seconds; errors and warnings stay until dismissed.
    std::erase_if(state_.toasts, [now](const Toast& t) {
        return !t.sticky && now - t.createdMicros >= kSuccessToastMicros + kToastFadeMicros;
    });
    if (state_.toasts.empty()) return false;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float em = fonts().size;
    const float statusBar = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    float y = vp->WorkPos.y + vp->WorkSize.y - statusBar - 0.5f * em;
    const float right = vp->WorkPos.x + vp->WorkSize.x - 0.8f * em;
    const Palette& c = palette();
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoNav;
    uint64_t dismiss = 0;
    bool fading = false;
    // Stacked up from the corner, oldest at the bottom: the newest is on top, read first.
    for (const Toast& t : state_.toasts) {
        const ImVec4 color = t.kind == NotificationKind::Error     ? c.error
                             : t.kind == NotificationKind::Warning ? c.warning
                             : t.kind == NotificationKind::Success ? c.ok
                                                                   : c.info;
        const int64_t intoFade = now - t.createdMicros - kSuccessToastMicros;
        const float alpha = t.sticky || intoFade <= 0 ? 1.0f : 1.0f - static_cast<float>(intoFade) / kToastFadeMicros;
        fading = fading || alpha < 1.0f;
        char name[32];
        std::snprintf(name, sizeof name, "##toast%llu", static_cast<unsigned long long>(t.id));
        ImGui::SetNextWindowPos(ImVec2(right, y), ImGuiCond_Always, ImVec2(1, 1));
        ImGui::SetNextWindowSizeConstraints(ImVec2(16 * em, 0), ImVec2(30 * em, 12 * em));
        ImGui::PushStyleColor(ImGuiCol_Border, color);
        ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.5f);
        ImGui::PushStyleVar(ImGuiStyleVar_Alpha, std::clamp(alpha, 0.0f, 1.0f));
        ImGui::Begin(name, nullptr, flags);
        ImGui::PushTextWrapPos(28 * em);
        ImGui::TextColored(color, "%s", t.message.c_str());
        if (t.count > 1) {
            ImGui::SameLine();
            ImGui::TextDisabled("\xC3\x97%d", t.count);
        }
        if (probe_) {
            std::string shown = t.message;
            if (t.count > 1) shown += " \xC3\x97" + std::to_string(t.count);
            probe_->noteLastItem("toast:" + std::to_string(t.id), std::move(shown));
        }
        if (!t.detail.empty()) ImGui::TextWrapped("%s", t.detail.c_str());
        ImGui::PopTextWrapPos();
        if (t.sticky) {
            ImGui::SameLine();
            if (ImGui::SmallButton("Dismiss")) dismiss = t.id;
            if (probe_) probe_->noteLastItem("toast.dismiss:" + std::to_string(t.id));
        }
        y -= ImGui::GetWindowHeight() + 0.4f * em;
        ImGui::End();
        ImGui::PopStyleVar(2);
        ImGui::PopStyleColor();
    }
    // Toasts pushed off by newer ones are not gone: say where they are.
    if (state_.toastsOffScreen > 0) {
        ImGui::SetNextWindowPos(ImVec2(right, y), ImGuiCond_Always, ImVec2(1, 1));
        ImGui::SetNextWindowBgAlpha(0.85f);
        ImGui::Begin("##toastsmore", nullptr, flags);
        char label[96];
        std::snprintf(label, sizeof label, "%d more in Notifications", state_.toastsOffScreen);
        if (ImGui::SmallButton(label)) state_.showNotifications = true;
        if (probe_) probe_->noteLastItem("toast.more", label);
        ImGui::End();
    }
    if (dismiss) std::erase_if(state_.toasts, [dismiss](const Toast& t) { return t.id == dismiss; });
    return fading;
}

void App::drawConfirmation() {
    Confirmation& cf = state_.confirm;
    if (cf.kind == Confirmation::Kind::None) return;
    if (!ImGui::IsPopupOpen("Confirm")) ImGui::OpenPopup("Confirm");
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    if (ImGui::BeginPopupModal("Confirm", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::TextUnformatted(cf.what.c_str());
        ImGui::Spacing();
        bool yes = ImGui::Button("Yes");
        if (probe_) probe_->noteLastItem("confirm.yes", cf.what);
        yes = yes || keyPressed(ImGuiKey_Enter);
        ImGui::SameLine();
        bool no = ImGui::Button("No");
        if (probe_) probe_->noteLastItem("confirm.no");
        no = no || keyPressed(ImGuiKey_Escape);
        if (yes) {
            // Issue 17.2: each id to its own backend (all-backends mode), else to the focused one.
            auto sinkFor = [&](size_t i) -> CommandSink& {
                return i < cf.backends.size() && cf.backends[i] >= 0 ? commands_.backend(cf.backends[i]) : commands_;
            };
            switch (cf.kind) {
                case Confirmation::Kind::CancelJobs:
                    for (size_t i = 0; i < cf.ids.size(); ++i) sinkFor(i).cancelJob(cf.ids[i]);
                    state_.selectedJobs.clear();
                    break;
                case Confirmation::Kind::ClearQueue: sinkFor(0).clearQueue(); break;
                case Confirmation::Kind::DeleteResult:
                    for (size_t i = 0; i < cf.ids.size(); ++i) sinkFor(i).deleteResult(cf.ids[i]);
                    break;
                case Confirmation::Kind::RetryFailed: sinkFor(0).runAgainAll(cf.ids); break;  // one backend's jobs
                case Confirmation::Kind::None: break;
            }
        }
        if (yes || no) {
            cf = Confirmation{};
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
    }
}

void App::drawConnect() {
    if (!state_.showConnect) return;
    if (!ImGui::IsPopupOpen("Connect to backend")) ImGui::OpenPopup("Connect to backend");
    const float em = fonts().size;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    if (ImGui::BeginPopupModal("Connect to backend", &state_.showConnect, ImGuiWindowFlags_AlwaysAutoResize)) {
        const bool fleet = fleetRows_ && !fleetRows_->empty();  // issue 17.2: the URL joins the fleet
        ImGui::TextUnformatted(fleet ? "Add a backend to the fleet: [NAME=]URL, e.g. gpu2=http://10.0.0.2:8000/api/v1"
                                     : "Backend base URL (http or https), e.g. http://127.0.0.1:8000/api/v1 or .../v1");
        ImGui::SetNextItemWidth(36 * em);
        if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
        const bool enter = ImGui::InputText("##url", &state_.connectUrl, ImGuiInputTextFlags_EnterReturnsTrue);
        if (!state_.apiKeyHint.empty()) ImGui::TextDisabled("API key: %s", state_.apiKeyHint.c_str());
        for (const auto& url : state_.urlHistory)
            if (ImGui::Selectable(url.c_str())) state_.connectUrl = url;
        if (ImGui::Button(fleet ? "Add" : "Connect") || enter) {
            commands_.connect(state_.connectUrl);
            state_.showConnect = false;
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (ImGui::Button("Cancel") || keyPressed(ImGuiKey_Escape)) {
            state_.showConnect = false;
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
    }
}

void App::drawHelp() {
    if (!state_.showHelp) return;
    const float em = fonts().size;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowBgAlpha(0.97f);
    if (ImGui::Begin("Keyboard shortcuts", &state_.showHelp,
                     ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
        if (ImGui::BeginTable("shortcuts", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
            ImGui::TableSetupColumn("Key", ImGuiTableColumnFlags_WidthFixed, 8 * em);
            ImGui::TableSetupColumn("Action", ImGuiTableColumnFlags_WidthFixed, 22 * em);
            const auto rows = [&](const auto& list) {
                for (const auto& s : list) {
                    ImGui::TableNextRow();
                    ImGui::TableNextColumn();
                    ImGui::TextColored(palette().accent, "%s", s.keys);
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(s.what);
                    if (probe_) probe_->noteLastItem(std::string("help:") + s.keys, s.what);
                }
            };
            rows(kShortcuts);
            if (fleetRows_ && fleetRows_->size() > 1) rows(kFleetShortcuts);
            ImGui::EndTable();
        }
        ImGui::TextDisabled("Shortcuts work when no text field has focus. Esc closes this.");
    }
    ImGui::End();
}

void App::drawAbout() {
    if (!state_.showAbout) return;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    if (ImGui::Begin("About genmon", &state_.showAbout,
                     ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::TextUnformatted("genmon: a monitor for LoRA-manager generation queues");
        ImGui::TextDisabled("Dear ImGui %s, GLFW, glad, libcurl, Boost.Beast, simdjson", IMGUI_VERSION);
    }
    ImGui::End();
}

void App::moveCursor(const Snapshot& snap, int delta) {
    if (state_.focus == Panel::Results) {
        const auto& list = *snap.recentResults;
        if (list.empty()) return;
        int at = -1;
        auto keyOf = [&](size_t i) { return scope_ ? scopedKey(scope_->resultBackend(i), list[i]->id) : list[i]->id; };
        for (size_t i = 0; i < list.size(); ++i)
            if (keyOf(i) == state_.selectedResult) at = static_cast<int>(i);
        at = std::clamp(at < 0 ? 0 : at + delta, 0, static_cast<int>(list.size()) - 1);
        state_.selectedResult = keyOf(static_cast<size_t>(at));
        return;
    }
    const auto& rows = snap.queueView;
    if (rows.empty()) return;
    // One scan per key press, not per frame.
    auto keyOf = [&](size_t i) {
        return scope_ ? scopedKey(scope_->queueRowBackend(i), rows.job(i).uiId.view()) : rows.job(i).uiId.str();
    };
    long at = -1;
    if (!state_.cursorJob.empty())
        for (size_t i = 0; i < rows.size(); ++i)
            if (keyOf(i) == state_.cursorJob) {
                at = static_cast<long>(i);
                break;
            }
    at = std::clamp(at < 0 ? 0L : at + delta, 0L, static_cast<long>(rows.size()) - 1);
    state_.cursorJob = keyOf(static_cast<size_t>(at));
    state_.anchorJob = state_.cursorJob;
    state_.scrollToCursor = true;
}

void App::rescopeKeys(const std::vector<FleetRow>& rows, bool all) {
    // Keys name a job or result of the focused backend when entering the mode ("b/id" then),
    // and only the focused backend's survive leaving it: the selection stays where it was.
    int focused = 0;
    for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i].focused) focused = static_cast<int>(i);
    auto convert = [&](const std::string& key) -> std::string {
        if (key.empty()) return key;
        if (all) return scopedKey(focused, key);
        const ScopedKey k = parseScopedKey(key);
        return k.backend == focused ? k.id : std::string();
    };
    std::set<std::string> selected;
    for (const auto& key : state_.selectedJobs)
        if (std::string c = convert(key); !c.empty()) selected.insert(std::move(c));
    state_.selectedJobs = std::move(selected);
    state_.cursorJob = convert(state_.cursorJob);
    state_.anchorJob = convert(state_.anchorJob);
    state_.detailJob = convert(state_.detailJob);
    state_.selectedResult = convert(state_.selectedResult);
    keysScoped_ = all;
}

void App::refreshAll() {
    if (!scope_) {
        commands_.refreshAll();
        return;
    }
    for (size_t b = 0; b < scope_->backends.size(); ++b) commands_.backend(static_cast<int>(b)).refreshAll();
}

void App::handleShortcuts(const Snapshot& snap) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && letterPressed('Q')) commands_.quit();
    if (io.KeyCtrl && letterPressed('L')) {
        state_.connectUrl = snap.backendUrl;
        state_.showConnect = true;
    }
    // Dialogs and text fields own the keyboard.
    if (io.WantTextInput || state_.confirm.kind != Confirmation::Kind::None || state_.showConnect) return;
    if (keyPressed(ImGuiKey_Escape)) {
        if (state_.showHelp)
            state_.showHelp = false;
        else if (!state_.filter.empty())
            state_.filter.clear();
        else
            state_.selectedJobs.clear();
    }
    if (charPressed('?')) state_.showHelp = !state_.showHelp;
    if (charPressed('/')) {
        state_.showQueue = true;
        state_.focusFilter = true;
    }
    if (charPressed('r')) refreshAll();
    if (charPressed('g')) state_.showGenerate = true;
    if (charPressed('i')) state_.showInspector = !state_.showInspector;
    if (charPressed('j') || keyPressed(ImGuiKey_DownArrow)) moveCursor(snap, +1);
    if (charPressed('k') || keyPressed(ImGuiKey_UpArrow)) moveCursor(snap, -1);
    if (state_.focus == Panel::Queue && !state_.cursorJob.empty()) {
        if (keyPressed(ImGuiKey_Enter)) {
            state_.detailJob = state_.cursorJob;
            state_.showDetail = true;
        }
        if (keyPressed(ImGuiKey_Space)) {
            if (!state_.selectedJobs.erase(state_.cursorJob)) state_.selectedJobs.insert(state_.cursorJob);
        }
    }
    if (charPressed('c')) {
        // The selection, else the job under the cursor; only cancellable ones, by backend id.
        std::set<std::string> wanted = state_.selectedJobs;
        if (wanted.empty() && !state_.cursorJob.empty()) wanted.insert(state_.cursorJob);
        std::vector<std::string> ids;
        std::vector<int> backends;  // all backends: each job's own
        if (scope_) {
            for (const auto& key : wanted) {
                const ScopedKey k = parseScopedKey(key);
                if (k.backend < 0 || k.backend >= static_cast<int>(scope_->backends.size())) continue;
                scope_->snapshot(k.backend).jobs.forEach([&](const model::Job& j) {
                    if (j.uiId == k.id && model::isCancellable(j.status)) {
                        ids.push_back(j.backendId.str());
                        backends.push_back(k.backend);
                    }
                });
            }
        } else if (!wanted.empty()) {
            snap.jobs.forEach([&](const model::Job& j) {
                if (wanted.count(j.uiId.str()) && model::isCancellable(j.status)) ids.push_back(j.backendId.str());
            });
        }
        requestCancel(state_, std::move(ids), std::move(backends), scope_);
    }
    if (keyPressed(ImGuiKey_Delete) && state_.focus == Panel::Results && !state_.selectedResult.empty()) {
        const ScopedKey k = scope_ ? parseScopedKey(state_.selectedResult) : ScopedKey{};
        if (k.backend >= 0)
            requestDeleteResult(state_, k.id, k.backend, scope_);
        else
            requestDeleteResult(state_, state_.selectedResult);
    }
}

}  // namespace genmon::ui
