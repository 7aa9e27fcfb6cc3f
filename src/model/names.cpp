#include "model/names.hpp"

#include <array>
#include <utility>

namespace genmon::model {

namespace {

// One table per enum; both directions read it, so a name cannot be spelled two ways.
// Names are string_views of literals: compared by length first, and still NUL-terminated.
template <class E, size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

template <class E, size_t N>
const char* nameOf(const Names<E, N>& table, E value, const char* fallback) noexcept {
    for (const auto& [e, name] : table)
        if (e == value) return name.data();
    return fallback;
}

template <class E, size_t N>
std::optional<E> valueOf(const Names<E, N>& table, std::string_view name) noexcept {
    for (const auto& [e, n] : table)
        if (name == n) return e;
    return std::nullopt;
}

constexpr Names<ConnectionPhase, 6> kPhases{{
    {ConnectionPhase::Idle, "idle"},
    {ConnectionPhase::Connecting, "connecting"},
    {ConnectionPhase::Connected, "connected"},
    {ConnectionPhase::Reconnecting, "reconnecting"},
    {ConnectionPhase::Disconnected, "disconnected"},
    {ConnectionPhase::Paused, "paused"},
}};

constexpr Names<ImageState, 4> kImageStates{{
    {ImageState::None, "none"},
    {ImageState::Loading, "loading"},
    {ImageState::Ready, "ready"},
    {ImageState::Failed, "failed"},
}};

constexpr Names<ImageSource, 3> kImageSources{{
    {ImageSource::None, "none"},
    {ImageSource::Base64, "base64"},
    {ImageSource::ServerPath, "server_path"},
}};

// The first name of a kind is the one genmon writes; later ones are accepted when read.
constexpr Names<SocketMessageKind, 9> kSocketMessages{{
    {SocketMessageKind::Connected, "connected"},
    {SocketMessageKind::SubscriptionConfirmed, "subscription_confirmed"},
    {SocketMessageKind::Started, "generation_started"},
    {SocketMessageKind::Progress, "progress_update"},      // server envelope (§3.1)
    {SocketMessageKind::Progress, "generation_progress"},  // flat legacy (§3.2)
    {SocketMessageKind::Complete, "generation_complete"},
    {SocketMessageKind::GenerationError, "generation_error"},
    {SocketMessageKind::QueueUpdate, "queue_update"},
    {SocketMessageKind::SystemStatus, "system_status"},
}};

}  // namespace

const char* phaseName(ConnectionPhase p) noexcept { return nameOf(kPhases, p, "idle"); }
std::optional<ConnectionPhase> phaseFromName(std::string_view name) noexcept { return valueOf(kPhases, name); }

const char* imageStateName(ImageState s) noexcept { return nameOf(kImageStates, s, "none"); }
std::optional<ImageState> imageStateFromName(std::string_view name) noexcept { return valueOf(kImageStates, name); }

const char* imageSourceName(ImageSource s) noexcept { return nameOf(kImageSources, s, "none"); }
std::optional<ImageSource> imageSourceFromName(std::string_view name) noexcept {
    return valueOf(kImageSources, name);
}

const char* socketMessageName(SocketMessageKind k) noexcept { return nameOf(kSocketMessages, k, ""); }
SocketMessageKind socketMessageKind(std::string_view type) noexcept {
    return valueOf(kSocketMessages, type).value_or(SocketMessageKind::Unknown);
}

}  // namespace genmon::model
