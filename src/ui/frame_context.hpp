#pragma once
// What every view gets each frame: the one snapshot of this frame, the frame's "now", where to
// post commands, the shared UI state and the texture cache.
#include <cstdint>

#include "orchestrator/exchange_log.hpp"
#include "orchestrator/snapshot.hpp"
#include "ui/command_sink.hpp"
#include "ui/probe.hpp"
#include "ui/ui_state.hpp"

namespace genmon::ui {

class TextureCache;
struct FleetScope;

struct FleetRow;

struct FrameContext {
    const orchestrator::Snapshot& snap;
    int64_t nowMicros;
    CommandSink& commands;
    UiState& state;
    TextureCache& textures;
    float em;  // the font size: every size in the UI is a multiple of it
    Probe* probe = nullptr;  // tests only: where named items were drawn
    // Issue 17.2: "all backends" mode (snap holds every backend's lists); null otherwise.
    const FleetScope* fleet = nullptr;
    // The Inspector's source: the focused backend's exchange log (null: no live backend).
    const orchestrator::ExchangeLog* exchanges = nullptr;
    // Issue 17.2: the fleet's rows (empty with one backend): the focused one is named where it matters.
    const std::vector<FleetRow>* fleetRows = nullptr;

    // Where a row's command goes: its own backend in all-backends mode (backend < 0: the focused one).
    CommandSink& commandsFor(int backend) const { return fleet && backend >= 0 ? commands.backend(backend) : commands; }

    void note(const char* name, const std::string& id = {}, std::string text = {}) const {
        if (probe) probe->noteLastItem(id.empty() ? std::string(name) : std::string(name) + ":" + id, std::move(text));
    }
};

// Helpers shared by views.
void pushToast(UiState& state, orchestrator::NotificationKind kind, std::string message, std::string detail,
               int64_t nowMicros);
// Asks before cancelling: the confirmation dialog names how many jobs. Issue 17.2: backends[i]
// is ids[i]'s backend in all-backends mode (empty: the focused one), named in the question.
void requestCancel(UiState& state, std::vector<std::string> backendIds, std::vector<int> backends = {},
                   const FleetScope* fleet = nullptr);
void requestDeleteResult(UiState& state, const std::string& resultId, int backend = -1, const FleetScope* fleet = nullptr);
// Issue 18: "Retry failed": asks "Retry 3 failed jobs on <backend>?" before re-queuing them.
void requestRetryFailed(UiState& state, std::vector<std::string> backendIds, std::string_view backend);

}  // namespace genmon::ui
