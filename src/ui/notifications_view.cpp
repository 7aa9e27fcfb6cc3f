#include "ui/notifications_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstring>

#include "ui/format.hpp"
#include "ui/theme.hpp"

namespace genmon::ui {

using orchestrator::NotificationKind;

namespace {
constexpr const char* kKindNames[4] = {"info", "success", "warning", "error"};  // by NotificationKind

bool containsIgnoringCase(const std::string& hay, const std::string& needle) {
    if (needle.empty()) return true;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        size_t k = 0;
        while (k < needle.size() && lower(hay[i + k]) == lower(needle[k])) ++k;
        if (k == needle.size()) return true;
    }
    return false;
}

ImVec4 kindColor(NotificationKind k) {
    const Palette& c = palette();
    switch (k) {
        case NotificationKind::Error: return c.error;
        case NotificationKind::Warning: return c.warning;
        case NotificationKind::Success: return c.ok;
        case NotificationKind::Info: return c.info;
    }
    return c.info;
}
}  // namespace

bool notificationMatches(const Notification& n, const std::string& text, const bool showKind[4]) {
    if (!showKind[static_cast<size_t>(n.kind) & 3]) return false;
    return containsIgnoringCase(n.message, text) || containsIgnoringCase(n.detail, text);
}

void NotificationsView::placeOnAppearing(float em) const {
    ImGui::SetNextWindowSize(ImVec2(46 * em, 26 * em), ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
}

void NotificationsView::draw(FrameContext& ctx) {
    if (ctx.state.toastsOffScreen > 0) ctx.state.toastsOffScreen = 0;  // seen
    UiState& st = ctx.state;
    NotificationLog& log = st.notifications;
    const float em = ctx.em;

    ImGui::SetNextItemWidth(18 * em);
    ImGui::InputTextWithHint("##filter", "Filter: message or detail", &st.notificationsFilter);
    ctx.note("notifications.filter");
    for (size_t k = 0; k < 4; ++k) {
        ImGui::SameLine();
        ImGui::PushStyleColor(ImGuiCol_Text, kindColor(static_cast<NotificationKind>(k)));
        ImGui::Checkbox(kKindNames[k], &st.notificationsShowKind[k]);
        ImGui::PopStyleColor();
        ctx.note("notifications.kind", kKindNames[k]);
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(log.entries.empty());
    if (ImGui::Button("Clear")) {
        log.dropped += log.entries.size();
        log.entries.clear();
        ++log.version;
    }
    ctx.note("notifications.clear");
    ImGui::EndDisabled();

    if (builtVersion_ != log.version || builtFilter_ != st.notificationsFilter ||
        !std::equal(std::begin(builtKinds_), std::end(builtKinds_), std::begin(st.notificationsShowKind))) {
        rows_.clear();
        for (size_t i = log.entries.size(); i-- > 0;)
            if (notificationMatches(log.entries[i], st.notificationsFilter, st.notificationsShowKind)) rows_.push_back(i);
        // Newest first by the latest arrival: a failure that came again a second ago is on top.
        std::stable_sort(rows_.begin(), rows_.end(),
                         [&](size_t a, size_t b) { return log.entries[a].lastMicros > log.entries[b].lastMicros; });
        builtVersion_ = log.version;
        builtFilter_ = st.notificationsFilter;
        std::copy(std::begin(st.notificationsShowKind), std::end(st.notificationsShowKind), std::begin(builtKinds_));
    }
    if (log.dropped > 0)
        ImGui::TextDisabled("%zu of %zu shown; %llu older ones were dropped or cleared", rows_.size(), log.entries.size(),
                            static_cast<unsigned long long>(log.dropped));
    else
        ImGui::TextDisabled("%zu of %zu shown (this session, newest first)", rows_.size(), log.entries.size());
    ctx.note("notifications.summary");

    if (log.entries.empty()) {
        ImGui::TextDisabled("Nothing yet: every toast is kept here for the whole session.");
        return;
    }
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("notifications", 4, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Time", ImGuiTableColumnFlags_WidthFixed, 4.5f * em);
    ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, 4.5f * em);
    ImGui::TableSetupColumn("Count", ImGuiTableColumnFlags_WidthFixed, 3 * em);
    ImGui::TableSetupColumn("Notification", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows_.size()));
    while (clipper.Step())
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const Notification& n = log.entries[rows_[static_cast<size_t>(r)]];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(formatClock(n.lastMicros).c_str());
            if (n.count > 1 && ImGui::IsItemHovered())
                ImGui::SetTooltip("first at %s, latest at %s", formatClock(n.firstMicros).c_str(), formatClock(n.lastMicros).c_str());
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%s", kKindNames[static_cast<size_t>(n.kind) & 3]);
            ImGui::TableNextColumn();
            if (n.count > 1)
                ImGui::Text("\xC3\x97%d", n.count);
            else
                ImGui::TextDisabled("1");
            ImGui::TableNextColumn();
            // One line per row (the clipper needs equal heights); the whole text on hover.
            ImGui::TextColored(kindColor(n.kind), "%s", n.message.c_str());
            if (!n.detail.empty()) {
                ImGui::SameLine();
                ImGui::TextUnformatted(n.detail.c_str());
            }
            if (ImGui::IsItemHovered() && !n.detail.empty()) {
                ImGui::BeginTooltip();
                ImGui::PushTextWrapPos(36 * em);
                ImGui::TextWrapped("%s\n%s", n.message.c_str(), n.detail.c_str());
                ImGui::PopTextWrapPos();
                ImGui::EndTooltip();
            }
            if (ctx.probe) {
                std::string text = n.message;
                if (n.count > 1) text += " \xC3\x97" + std::to_string(n.count);
                ctx.note("notifications.row", std::to_string(n.id), std::move(text));
            }
        }
    ImGui::EndTable();
}

}  // namespace genmon::ui
