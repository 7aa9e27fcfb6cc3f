#pragma once
// The window's CommandSink during --replay. Views work as with a live backend; what would change
// the backend goes to the orchestrator, whose ReplayTransport answers "replay: the backend is a
// recording" (shown as the usual failure toast). Changing the backend is refused the same way.
#include <functional>
#include <future>
#include <vector>

#include "app/replay_session.hpp"
#include "ui/command_sink.hpp"

namespace genmon::app {

class ReplayCommands final : public ui::CommandSink {
public:
    explicit ReplayCommands(ReplaySession& session) : session_(session) {}

    void cancelJob(const std::string& backendId) override;
    void clearQueue() override;
    void clearCompletedJobs() override;
    void deleteResult(const std::string& resultId) override;
    void refreshAll() override;
    void refreshResults() override;
    void startGeneration(const model::GenerationRequest& request, model::GenerationMode mode) override;
    void setHistoryLimit(int limit) override;
    void setQueueView(const orchestrator::QueueViewSpec& spec) override;
    void setPollIntervals(int queueDownMs, int queueUpMs, int statusMs) override;
    void connect(const std::string& baseUrl) override;
    void reconnect() override;
    void startDemo() override;
    void copyToClipboard(const std::string& text) override;
    void quit() override { quit_ = true; }
    int pendingCommands() const override;

    bool quitRequested() const { return quit_; }

private:
    template <class T>
    void track(std::future<T> f);
    void refuse(const std::string& what);

    ReplaySession& session_;
    mutable std::vector<std::function<bool()>> inFlight_;
    bool quit_ = false;
};

}  // namespace genmon::app
