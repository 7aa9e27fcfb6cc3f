#pragma once
// The window over a Fleet (issue 17.2): which backends (the command line, else settings.json's
// backends list), the commands (they go to the focused backend, or with backend(i) to backend
// i, a row's own in all-backends mode; Ctrl+L adds one) and the frame source (the focused
// backend's snapshot and exchanges, every backend's row, every backend's events named).
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "app/fleet.hpp"
#include "app/gui.hpp"
#include "app/orchestrator_commands.hpp"
#include "app/settings_store.hpp"

namespace genmon::app {

// Two or more --backend, else settings.json's backends when it lists two or more; fewer: an
// empty list (the single-backend window as always). Keys: a settings entry's keyEnv or keyFile,
// else --api-key-file / GENMON_API_KEY. Errors name the backend and never contain a key.
model::Outcome<std::vector<FleetBackend>> fleetBackends(const CliOptions& options, const Settings& settings);

class FleetCommands final : public OrchestratorCommands {
public:
    FleetCommands(Fleet& fleet, Settings& settings, std::optional<std::string> apiKey);
    ~FleetCommands() override;

    void refreshAll() override;
    void setHistoryLimit(int limit) override;
    void setPollIntervals(int queueDownMs, int queueUpMs, int statusMs) override;
    void connect(const std::string& baseUrl) override;  // adds a backend to the fleet
    void reconnect() override;
    void startDemo() override;
    void focusBackend(int index) override;
    // The commands of backend `index` (its own orchestrator; its events carry its name).
    ui::CommandSink& backend(int index) override;
    bool canRunAgain() const override { return true; }
    int pendingCommands() const override;  // this sink's and every backend's

    int focused() const noexcept { return focused_; }
    Fleet::MemberPtr focusedMember() const;

private:
    orchestrator::GenerationOrchestrator& target() override { return focusedMember()->runtime->orchestrator(); }
    void say(orchestrator::NotificationKind kind, std::string message, std::string detail = {});
    class MemberCommands;

    Fleet& fleet_;
    Settings& settings_;
    std::optional<std::string> apiKey_;  // for backends added with Ctrl+L
    int focused_ = 0;
    std::vector<std::unique_ptr<MemberCommands>> perBackend_;  // made on first use; members only grow
};

// The frames: the focused backend's snapshot (its content version is the fleet's, so a change
// of any backend redraws the fleet view), a row per backend, and every backend's events with
// its name in front ("gpu-2: Job cancelled").
FrameSource fleetFrameSource(Fleet& fleet, FleetCommands& commands);

// The rows of the fleet view, the focused one marked.
std::vector<ui::FleetRow> fleetRows(const Fleet& fleet, int focused);

}  // namespace genmon::app
