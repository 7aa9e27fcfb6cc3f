#pragma once
// The window's CommandSink during --replay. Views work as with a live backend; what would change
// the backend goes to the orchestrator, whose ReplayTransport answers "replay: the backend is a
// recording" (shown as the usual failure toast). Changing the backend is refused the same way.
#include <string>

#include "app/orchestrator_commands.hpp"
#include "app/replay_session.hpp"

namespace genmon::app {

class ReplayCommands final : public OrchestratorCommands {
public:
    explicit ReplayCommands(ReplaySession& session) : session_(session) {}

    void refreshAll() override { track(target().refreshAllData()); }
    void setHistoryLimit(int limit) override { track(target().setHistoryLimit(limit)); }
    void setPollIntervals(int queueDownMs, int queueUpMs, int statusMs) override;
    void connect(const std::string& baseUrl) override;
    void reconnect() override;
    void startDemo() override;

private:
    orchestrator::GenerationOrchestrator& target() override { return session_.orchestrator(); }
    void refuse(const std::string& what);

    ReplaySession& session_;
};

}  // namespace genmon::app
