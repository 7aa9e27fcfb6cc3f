#include "app/live_commands.hpp"

namespace genmon::app {

LiveCommands::LiveCommands(Runtime& runtime, Settings& settings,
                           std::function<model::Outcome<std::string>()> startDemoBackend)
    : runtime_(runtime), settings_(settings), startDemoBackend_(std::move(startDemoBackend)) {}

void LiveCommands::refreshAll() {
    // Not connected yet: the refresh a person asks for is the next initialize attempt, now.
    if (!runtime_.initialized()) {
        runtime_.retryInitializeNow();
        return;
    }
    track(runtime_.orchestrator().refreshAllData());
}

void LiveCommands::setHistoryLimit(int limit) {
    settings_.historyLimit = limit;
    // A person's explicit choice overrides the manager's 10/50 rule (docs/contract.md).
    runtime_.manager().setHistoryLimitOverride(limit);
}

void LiveCommands::setPollIntervals(int queueDownMs, int queueUpMs, int statusMs) {
    settings_.polls.queueWhileSocketDownMs = queueDownMs;
    settings_.polls.queueWhileSocketUpMs = queueUpMs;
    settings_.polls.statusMs = statusMs;
    track(runtime_.orchestrator().setPollSettings(settings_.polls));
}

void LiveCommands::switchBackend(orchestrator::BackendConfig backend) {
    rememberUrl(settings_, backend.simulated ? std::string() : backend.baseUrl);
    if (!runtime_.initialized()) {
        // Initialize is still being retried: the next attempt uses the new URL, right away.
        runtime_.manager().setBackend(std::move(backend));
        runtime_.retryInitializeNow();
        return;
    }
    track(runtime_.manager().setBackend(std::move(backend)));
}

void LiveCommands::connect(const std::string& baseUrl) {
    orchestrator::BackendConfig b = runtime_.manager().backend();
    b.baseUrl = baseUrl;
    b.simulated = false;
    switchBackend(std::move(b));
}

void LiveCommands::reconnect() {
    if (!runtime_.initialized()) {
        runtime_.retryInitializeNow();
        return;
    }
    track(runtime_.orchestrator().refreshAllData());
}

void LiveCommands::startDemo() {
    auto url = startDemoBackend_();
    if (!url) {
        runtime_.events().push({orchestrator::Event::Type::CommandFailed, orchestrator::NotificationKind::Error,
                                "Cannot start the simulated backend", url.error().message, {}, runtime_.nowMicros()});
        return;
    }
    orchestrator::BackendConfig b = runtime_.manager().backend();
    b.baseUrl = url.value();
    b.simulated = true;
    switchBackend(std::move(b));
}

}  // namespace genmon::app
