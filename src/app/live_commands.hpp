#pragma once
// The window's CommandSink over a live Runtime: the orchestrator commands of
// OrchestratorCommands (post to the worker, return at once), plus the backend, the history
// limit and the poll intervals, which also go to the settings.
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "app/orchestrator_commands.hpp"
#include "app/runtime.hpp"
#include "app/settings_store.hpp"

namespace genmon::sim {
class SimServer;
}

namespace genmon::app {

class LiveCommands final : public OrchestratorCommands {
public:
    LiveCommands(Runtime& runtime, Settings& settings, std::function<model::Outcome<std::string>()> startDemoBackend);

    void refreshAll() override;
    void setHistoryLimit(int limit) override;
    void setPollIntervals(int queueDownMs, int queueUpMs, int statusMs) override;
    void connect(const std::string& baseUrl) override;
    void reconnect() override;
    void startDemo() override;
    bool canRunAgain() const override { return true; }
    bool searchesHistory() const override { return runtime_.history() != nullptr; }

private:
    orchestrator::GenerationOrchestrator& target() override { return runtime_.orchestrator(); }
    void switchBackend(orchestrator::BackendConfig backend);

    Runtime& runtime_;
    Settings& settings_;
    std::function<model::Outcome<std::string>()> startDemoBackend_;
};

}  // namespace genmon::app
