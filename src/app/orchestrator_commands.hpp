#pragma once
// What the window's CommandSinks share: the commands that go straight to the orchestrator, and
// the futures they return, kept here and pruned every frame so the UI never waits. Outcomes a
// person must see arrive as events (the orchestrator's §7.2 notifications). LiveCommands and
// ReplayCommands add what differs: the backend, the history limit, the poll intervals.
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "orchestrator/orchestrator.hpp"
#include "ui/command_sink.hpp"

namespace genmon::app {

class OrchestratorCommands : public ui::CommandSink {
public:
    void cancelJob(const std::string& backendId) override { track(target().cancelJob(backendId)); }
    void clearQueue() override { track(target().clearQueue()); }
    void clearCompletedJobs() override { track(target().clearCompletedJobs()); }
    void deleteResult(const std::string& resultId) override { track(target().deleteResult(resultId)); }
    void refreshResults() override { track(target().loadRecentResults(true)); }
    void startGeneration(const model::GenerationRequest& request, model::GenerationMode mode) override {
        track(target().startGeneration(request, mode));
    }
    void setQueueView(const orchestrator::QueueViewSpec& spec) override { track(target().setQueueView(spec)); }
    void runAgain(const std::string& backendId) override { track(target().runAgain(backendId)); }
    void runAgainAll(const std::vector<std::string>& backendIds) override { track(target().runAgainAll(backendIds)); }
    void copyToClipboard(const std::string& text) override;
    void quit() override { quit_ = true; }
    int pendingCommands() const override {
        std::erase_if(inFlight_, [](const auto& ready) { return ready(); });
        return static_cast<int>(inFlight_.size());
    }

    bool quitRequested() const { return quit_; }

protected:
    // The orchestrator commands go to now (a live Runtime's may change with the backend).
    virtual orchestrator::GenerationOrchestrator& target() = 0;

    template <class T>
    void track(std::future<T> f) {
        auto shared = std::make_shared<std::future<T>>(std::move(f));
        inFlight_.push_back([shared] { return shared->wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
    }
    template <class T>
    void track(std::shared_future<T> f) {
        inFlight_.push_back([f] { return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
    }

private:
    // Type-erased "is it done yet" checks for the futures in flight.
    mutable std::vector<std::function<bool()>> inFlight_;
    bool quit_ = false;
};

}  // namespace genmon::app
