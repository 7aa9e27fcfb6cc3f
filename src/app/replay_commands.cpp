#include "app/replay_commands.hpp"

#include <imgui.h>

#include <chrono>
#include <memory>

#include "transport/replay_transport.hpp"

namespace genmon::app {

template <class T>
void ReplayCommands::track(std::future<T> f) {
    auto shared = std::make_shared<std::future<T>>(std::move(f));
    inFlight_.push_back([shared] { return shared->wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
}

int ReplayCommands::pendingCommands() const {
    std::erase_if(inFlight_, [](const auto& ready) { return ready(); });
    return static_cast<int>(inFlight_.size());
}

void ReplayCommands::refuse(const std::string& what) {
    session_.events().push({orchestrator::Event::Type::CommandFailed, orchestrator::NotificationKind::Error, what,
                            transport::kReplayRefusal, {}, session_.nowMicros()});
}

// Actions reach the replay transport, which refuses them: the orchestrator reports it as usual.
void ReplayCommands::cancelJob(const std::string& id) { track(session_.orchestrator().cancelJob(id)); }
void ReplayCommands::clearQueue() { track(session_.orchestrator().clearQueue()); }
void ReplayCommands::clearCompletedJobs() { track(session_.orchestrator().clearCompletedJobs()); }
void ReplayCommands::deleteResult(const std::string& id) { track(session_.orchestrator().deleteResult(id)); }
void ReplayCommands::refreshAll() { track(session_.orchestrator().refreshAllData()); }
void ReplayCommands::refreshResults() { track(session_.orchestrator().loadRecentResults(true)); }
void ReplayCommands::startGeneration(const model::GenerationRequest& request, model::GenerationMode mode) {
    track(session_.orchestrator().startGeneration(request, mode));
}
void ReplayCommands::setHistoryLimit(int limit) { track(session_.orchestrator().setHistoryLimit(limit)); }
void ReplayCommands::setQueueView(const orchestrator::QueueViewSpec& spec) {
    track(session_.orchestrator().setQueueView(spec));
}
void ReplayCommands::setPollIntervals(int, int, int) {
    refuse("Poll intervals are the recording's");
}
void ReplayCommands::connect(const std::string&) { refuse("Cannot change the backend"); }
void ReplayCommands::reconnect() { refuse("Cannot reconnect"); }
void ReplayCommands::startDemo() { refuse("Cannot start the simulated backend"); }
void ReplayCommands::copyToClipboard(const std::string& text) { ImGui::SetClipboardText(text.c_str()); }

}  // namespace genmon::app
