#pragma once
// What the UI can ask for. Views post commands here and never wait: the app implements it over
// the orchestrator (futures tracked off the frame), UI tests record what was posted.
#include <optional>
#include <string>
#include <vector>

#include "model/generation_request.hpp"
#include "orchestrator/snapshot.hpp"

namespace genmon::ui {

class CommandSink {
public:
    virtual ~CommandSink() = default;
    virtual void cancelJob(const std::string& backendId) = 0;
    virtual void clearQueue() = 0;
    virtual void clearCompletedJobs() = 0;
    virtual void deleteResult(const std::string& resultId) = 0;
    virtual void refreshAll() = 0;
    virtual void refreshResults() = 0;  // manual: notifies "Results refreshed"
    virtual void startGeneration(const model::GenerationRequest& request, model::GenerationMode mode) = 0;
    virtual void setHistoryLimit(int limit) = 0;
    virtual void setQueueView(const orchestrator::QueueViewSpec& spec) = 0;
    // Queue poll while the socket is down / up, and the status poll, in milliseconds.
    virtual void setPollIntervals(int queueDownMs, int queueUpMs, int statusMs) = 0;
    virtual void connect(const std::string& baseUrl) = 0;  // a new backend URL (a fleet: one more backend)
    // Issue 17.2: watching several backends, the views show this one (index in the fleet's
    // rows) and actions go to it. One backend: nothing to do.
    virtual void focusBackend(int /*index*/) {}
    // Issue 17.2, "all backends" mode: the sink whose commands go to backend `index` of the
    // fleet (a row's own backend; job ids can collide across backends, so never found by id).
    // One backend, or an index it does not know: this sink.
    virtual CommandSink& backend(int /*index*/) { return *this; }
    virtual void reconnect() = 0;
    virtual void startDemo() = 0;  // the embedded simulated backend
    virtual void copyToClipboard(const std::string& text) = 0;
    // Issue 18: re-queue finished, failed or cancelled jobs with their exact parameters
    // (deferred); the history links each new job to its old one. Only a live backend can: the
    // views show "Run again" and "Retry failed" only when canRunAgain() (never in fixtures).
    virtual bool canRunAgain() const { return false; }
    // The queue filter searches the history too (its hint shows the search language).
    virtual bool searchesHistory() const { return false; }
    virtual void runAgain(const std::string& backendId) { (void)backendId; }
    virtual void runAgainAll(const std::vector<std::string>& backendIds) { (void)backendIds; }
    virtual void quit() = 0;
    // Commands posted and not yet answered (the status bar shows a spinner while > 0).
    virtual int pendingCommands() const = 0;
};

}  // namespace genmon::ui
