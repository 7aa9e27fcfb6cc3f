#pragma once
// The phase of the progress WebSocket (the spec §3.2 telemetry). A model type because the
// snapshot shows it, recordings and fixtures name it, and the transport reports it.
#include <cstdint>

namespace genmon::model {

enum class ConnectionPhase : uint8_t { Idle, Connecting, Connected, Reconnecting, Disconnected, Paused };

}  // namespace genmon::model
