#include "ui/frame_context.hpp"

#include <algorithm>
#include <set>

#include "ui/fleet_scope.hpp"
#include "ui/format.hpp"

// The helpers views share (frame_context.hpp): toasts and the questions asked before a
// destructive action.
namespace genmon::ui {

using orchestrator::NotificationKind;

namespace {
constexpr size_t kMaxToasts = 3;  // on screen; everything is in the history

// " on gpu-2" when every one of backends is that backend, " on 2 backends" otherwise.
std::string onBackends(const std::vector<int>& backends, const FleetScope* fleet) {
    if (!fleet || backends.empty()) return {};
    const std::set<int> distinct(backends.begin(), backends.end());
    if (distinct.size() == 1) return " on " + fleet->name(*distinct.begin());
    return " on " + std::to_string(distinct.size()) + " backends";
}
}  // namespace

void pushToast(UiState& state, NotificationKind kind, std::string message, std::string detail, int64_t now) {
    NotificationLog& log = state.notifications;
    ++log.version;
    // Identical to a toast still on screen, however long ago it came: one toast, one history
    // entry, a count; it becomes the newest (and a success starts fading from now).
    const auto same = std::find_if(state.toasts.begin(), state.toasts.end(), [&](const Toast& x) {
        return x.kind == kind && x.message == message && x.detail == detail;
    });
    if (same != state.toasts.end()) {
        if (Notification* n = log.find(same->id)) {
            Toast t = std::move(*same);
            state.toasts.erase(same);
            ++t.count;
            t.createdMicros = std::max(t.createdMicros, now);
            ++n->count;
            n->lastMicros = std::max(n->lastMicros, now);
            state.toasts.push_back(std::move(t));
            return;
        }
        state.toasts.erase(same);  // its history entry was dropped (1,000 newer ones): start over
    }
    Notification n;
    n.id = log.nextId++;
    n.kind = kind;
    n.message = message;
    n.detail = detail;
    n.firstMicros = n.lastMicros = now;
    log.entries.push_back(n);
    while (log.entries.size() > NotificationLog::kCapacity) {
        log.entries.pop_front();
        ++log.dropped;
    }
    Toast t;
    t.id = n.id;
    t.kind = kind;
    t.message = std::move(message);
    t.detail = std::move(detail);
    t.createdMicros = now;
    t.sticky = kind == NotificationKind::Error || kind == NotificationKind::Warning;
    state.toasts.push_back(std::move(t));
    // Never more than three on screen: the oldest leave (the Notifications panel keeps them).
    while (state.toasts.size() > kMaxToasts) {
        state.toasts.erase(state.toasts.begin());
        ++state.toastsOffScreen;
    }
}


void requestCancel(UiState& state, std::vector<std::string> ids, std::vector<int> backends, const FleetScope* fleet) {
    if (ids.empty()) return;
    state.confirm.kind = Confirmation::Kind::CancelJobs;
    state.confirm.what = (ids.size() == 1 ? "Cancel job " + shortId(ids.front())
                                          : "Cancel " + std::to_string(ids.size()) + " jobs") +
                         onBackends(backends, fleet) + "?";
    state.confirm.ids = std::move(ids);
    state.confirm.backends = std::move(backends);
}

void requestRetryFailed(UiState& state, std::vector<std::string> ids, std::string_view backend) {
    if (ids.empty()) return;
    state.confirm.kind = Confirmation::Kind::RetryFailed;
    state.confirm.what = (ids.size() == 1 ? "Retry failed job " + shortId(ids.front())
                                          : "Retry " + std::to_string(ids.size()) + " failed jobs") +
                         " on " + std::string(backend) + "? The same parameters are queued again.";
    state.confirm.ids = std::move(ids);
}

void requestDeleteResult(UiState& state, const std::string& id, int backend, const FleetScope* fleet) {
    state.confirm.kind = Confirmation::Kind::DeleteResult;
    state.confirm.ids = {id};
    state.confirm.backends.clear();
    if (fleet && backend >= 0) state.confirm.backends = {backend};
    state.confirm.what = "Delete result " + shortId(id) + (fleet && backend >= 0 ? " from " + fleet->name(backend) : " from the backend") +
                         "? Its image is deleted too.";
}

}  // namespace genmon::ui
