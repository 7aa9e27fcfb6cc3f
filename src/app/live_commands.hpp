#pragma once
// The window's CommandSink over a live Runtime. Each command posts to the worker and returns
// at once; the futures are kept here and pruned every frame, so the UI never waits. Outcomes a
// person must see arrive as events (the orchestrator's §7.2 notifications).
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "app/runtime.hpp"
#include "app/settings_store.hpp"
#include "ui/command_sink.hpp"

namespace genmon::sim {
class SimServer;
}

namespace genmon::app {

class LiveCommands final : public ui::CommandSink {
public:
    LiveCommands(Runtime& runtime, Settings& settings, std::function<model::Outcome<std::string>()> startDemoBackend);

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
    void switchBackend(orchestrator::BackendConfig backend);

    Runtime& runtime_;
    Settings& settings_;
    std::function<model::Outcome<std::string>()> startDemoBackend_;
    // Type-erased "is it done yet" checks for the futures in flight.
    mutable std::vector<std::function<bool()>> inFlight_;
    bool quit_ = false;
};

}  // namespace genmon::app
