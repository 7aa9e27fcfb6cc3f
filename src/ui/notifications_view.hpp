#pragma once
// Notifications (View > Notifications, issue 14.5): the session's history of every toast, so
// dismissing one, or its being pushed off the screen, loses nothing. Newest first, with the time
// of the latest arrival and the count of identical ones; filtered by text and kind.
#include <cstdint>
#include <string>
#include <vector>

#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

// Whether a history entry passes the panel's filter (text: case-insensitive, in the message or
// the detail; kinds: the four checkboxes).
bool notificationMatches(const Notification& n, const std::string& text, const bool showKind[4]);

class NotificationsView final : public View {
public:
    const char* title() const override { return "Notifications"; }
    bool& open(UiState& st) const override { return st.showNotifications; }
    void placeOnAppearing(float em) const override;
    void draw(FrameContext& ctx) override;

private:
    // Indexes into the history of the rows that pass the filter, latest arrival first; rebuilt only when
    // the history or the filter changed, not every frame.
    std::vector<size_t> rows_;
    uint64_t builtVersion_ = ~uint64_t{0};
    std::string builtFilter_;
    bool builtKinds_[4] = {};
};

}  // namespace genmon::ui
