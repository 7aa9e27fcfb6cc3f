#pragma once
// One value for everything the progress socket tells the orchestrator (issue 15.1): the
// transport decodes a frame into an Update and hands it to the sink on the worker; the store
// (GenerationOrchestrator::apply) applies it with one switch.
#include <variant>
#include <vector>

#include "model/job.hpp"
#include "model/messages.hpp"
#include "model/system_status.hpp"
#include "orchestrator/snapshot.hpp"

namespace genmon::orchestrator {

// queue_update: the backend's whole active list, applied like a poll's answer.
struct QueueListing {
    std::vector<model::Job> jobs;
};

// ConnectionInfo: a phase change of the socket (connecting, connected after the subscription,
// reconnecting with its countdown, disconnected). Connected after a reconnect means: resync.
using Update = std::variant<model::ProgressMessage, model::CompletionMessage, model::ErrorMessage,
                            model::StartedMessage, QueueListing, model::SystemStatusPatch, ConnectionInfo>;

class UpdateSink {
public:
    virtual ~UpdateSink() = default;
    virtual void apply(Update update) = 0;
};

}  // namespace genmon::orchestrator
