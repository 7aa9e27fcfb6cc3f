#pragma once
// The window's content: menu bar, panels, status bar, toasts, dialogs and the keyboard.
// Draws one frame from one snapshot; posts commands; never blocks and never touches the
// network, the worker's state or GL directly (textures go through TextureBackend).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "orchestrator/event_queue.hpp"
#include "orchestrator/exchange_log.hpp"
#include "orchestrator/snapshot.hpp"
#include "ui/command_sink.hpp"
#include "ui/fleet_view.hpp"
#include "ui/probe.hpp"
#include "ui/texture_backend.hpp"
#include "ui/ui_state.hpp"

namespace genmon::ui {

class TextureCache;
class View;
class FleetMerger;
struct FleetScope;

struct FrameInput {
    orchestrator::SnapshotPtr snapshot;
    int64_t nowMicros = 0;
    std::vector<orchestrator::Event> events;  // drained from the EventQueue this frame
    // While the backend cannot be reached at start, initialize is retried with backoff: when.
    int64_t nextInitRetryAtMicros = 0;
    const orchestrator::ExchangeLog* exchanges = nullptr;  // the Inspector's source (live backends)
    // Issue 17.2: every backend when genmon watches several (snapshot is the focused one's);
    // empty with one backend, and then nothing of the fleet is drawn.
    std::vector<FleetRow> fleet = {};
};

class App {
public:
    App(CommandSink& commands, TextureBackend* textures);
    ~App();

    // Call between ImGui::NewFrame() and ImGui::Render().
    void frame(const FrameInput& input);

    UiState& state() { return state_; }
    const UiState& state() const { return state_; }
    // "genmon — 2 running, 5 queued" (failures marked): the title tells the state at a glance.
    static std::string windowTitle(const orchestrator::Snapshot& snap);
    // True while something animates by itself (a toast fading out, a dialog dimming in): the
    // loop runs at full rate only then. Progress moves with the data, at the data rate.
    bool wantsFullRate() const { return wantsFullRate_; }
    // How long a frame stays true without a redraw: countdowns and running jobs' elapsed times
    // tick every second; otherwise only data ages change, and two seconds is close enough.
    // A success toast sits still until its fade starts: that moment counts too.
    double idleRefreshSeconds(const orchestrator::Snapshot& snap, int64_t nowMicros, int64_t initRetryAtMicros) const;
    // Releases GL textures (call before the GL context goes away).
    void releaseTextures();
    // Tests: record where named items are drawn (null: off, the default).
    void setProbe(Probe* probe) { probe_ = probe; }

private:
    void drawMenuBar(const orchestrator::Snapshot& snap);
    void placePanels();
    void handleShortcuts(const orchestrator::Snapshot& snap);
    void drawStatusBar(const orchestrator::Snapshot& snap, int64_t now, int64_t initRetryAt);
    bool drawToasts(int64_t now);  // true while a toast is fading out
    void drawConfirmation();
    void drawHelp();
    void drawAbout();
    void drawConnect();
    void moveCursor(const orchestrator::Snapshot& snap, int delta);
    void refreshAll();  // the focused backend, or every one in all-backends mode
    // Issue 17.2: selection, cursor and detail keys into and out of the "b/id" form.
    void rescopeKeys(const std::vector<FleetRow>& rows, bool all);

    CommandSink& commands_;
    UiState state_;
    std::unique_ptr<TextureCache> textures_;
    std::vector<std::unique_ptr<View>> views_;  // ui/views.cpp: the menu's order
    std::unique_ptr<FleetView> fleet_;
    const std::vector<FleetRow>* fleetRows_ = nullptr;  // this frame's, for the status bar
    std::unique_ptr<FleetMerger> merger_;  // issue 17.2: the all-backends frame, cached
    const FleetScope* scope_ = nullptr;    // this frame's, in all-backends mode
    bool keysScoped_ = false;              // the UiState's keys are "b/id" (all-backends mode)
    size_t runningShown_ = 0;              // all-backends mode: running jobs of every backend (elapsed times tick)
    bool wantsFullRate_ = false;
    double modalSince_ = -1;  // ImGui time a dialog opened (it dims the window in)
    Probe* probe_ = nullptr;
    ThemeKind appliedTheme_ = ThemeKind::Dark;
    bool themeApplied_ = false;
};

}  // namespace genmon::ui
