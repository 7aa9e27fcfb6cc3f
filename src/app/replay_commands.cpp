#include "app/replay_commands.hpp"

#include "transport/replay_transport.hpp"

namespace genmon::app {

// Actions reach the replay transport, which refuses them: the orchestrator reports it as usual.
// What would change the backend is refused here, with the same toast.
void ReplayCommands::refuse(const std::string& what) {
    session_.events().push({orchestrator::Event::Type::CommandFailed, orchestrator::NotificationKind::Error, what,
                            transport::kReplayRefusal, {}, session_.nowMicros()});
}

void ReplayCommands::setPollIntervals(int, int, int) { refuse("Poll intervals are the recording's"); }
void ReplayCommands::connect(const std::string&) { refuse("Cannot change the backend"); }
void ReplayCommands::reconnect() { refuse("Cannot reconnect"); }
void ReplayCommands::startDemo() { refuse("Cannot start the simulated backend"); }

}  // namespace genmon::app
