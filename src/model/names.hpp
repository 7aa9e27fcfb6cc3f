#pragma once
// Every enum <-> text table, once (issue 15.3). These texts are names on the wire or in files:
// what the backend sends, and what --dump-snapshot, recordings and fixtures write and read
// back. Labels a person reads ("Healthy", "left the queue") stay with the code that shows them.
// JobStatus's table is in job_status.hpp, beside the §4.1 rule that reads it.
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/connection.hpp"
#include "model/result.hpp"

namespace genmon::model {

// "idle", "connecting", "connected", "reconnecting", "disconnected", "paused".
const char* phaseName(ConnectionPhase p) noexcept;
std::optional<ConnectionPhase> phaseFromName(std::string_view name) noexcept;

// "none", "loading", "ready", "failed".
const char* imageStateName(ImageState s) noexcept;
std::optional<ImageState> imageStateFromName(std::string_view name) noexcept;

// "none", "base64", "server_path".
const char* imageSourceName(ImageSource s) noexcept;
std::optional<ImageSource> imageSourceFromName(std::string_view name) noexcept;

// The "type" of a WebSocket frame: the server's envelopes (§3.1) and the flat legacy types
// (§3.2) that share their meaning.
enum class SocketMessageKind : uint8_t {
    Unknown,
    Connected,
    SubscriptionConfirmed,
    Started,
    Progress,
    Complete,
    GenerationError,
    QueueUpdate,
    SystemStatus,
};
// The server's name of a kind ("progress_update"); "" for Unknown.
const char* socketMessageName(SocketMessageKind k) noexcept;
// Case-sensitive, as the server writes them; both progress_update (§3.1) and
// generation_progress (§3.2) are Progress; anything else is Unknown.
SocketMessageKind socketMessageKind(std::string_view type) noexcept;

}  // namespace genmon::model
