#include "ui/inspector_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/fonts.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"

namespace genmon::ui {

namespace {
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
}  // namespace

void InspectorView::draw(FrameContext& ctx, const orchestrator::ExchangeLog* log) {
    const Palette& pal = palette();
    if (!log) {
        ImGui::TextDisabled("No live backend: nothing goes over the wire.");
        return;
    }
    // Copy the log only when it grew (the copy is the only cost, and only while this is open).
    const uint64_t total = log->total();
    const bool grew = total != copiedTotal_;
    if (grew) {
        rows_ = log->recent();
        copiedTotal_ = total;
    }
    ImGui::SetNextItemWidth(18 * ctx.em);
    ImGui::InputTextWithHint("##inspector-filter", "Filter: method, URL, status, error", &filter_);
    ImGui::SameLine();
    ImGui::Checkbox("Follow", &follow_);
    ImGui::SameLine();
    ImGui::TextDisabled("%zu shown, %llu in all. The API key (X-API-Key header) is never recorded.", shown_.size(),
                        static_cast<unsigned long long>(total));
    if (grew || filter_ != shownFilter_) {
        shown_.clear();
        for (size_t i = 0; i < rows_.size(); ++i) {
            const auto& r = rows_[i];
            if (containsIgnoringCase(r.method + " " + r.target + " " + std::to_string(r.status) + " " + r.error, filter_))
                shown_.push_back(i);
        }
        shownFilter_ = filter_;
    }

    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("exchanges", 7, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Time", ImGuiTableColumnFlags_WidthFixed, 4.5f * ctx.em);
    ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, 3.5f * ctx.em);
    ImGui::TableSetupColumn("Target", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("Status", ImGuiTableColumnFlags_WidthFixed, 3.2f * ctx.em);
    ImGui::TableSetupColumn("ms", ImGuiTableColumnFlags_WidthFixed, 3.5f * ctx.em);
    ImGui::TableSetupColumn("Bytes", ImGuiTableColumnFlags_WidthFixed, 4.5f * ctx.em);
    ImGui::TableSetupColumn("Error", ImGuiTableColumnFlags_WidthFixed, 14 * ctx.em);
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(shown_.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const auto& r = rows_[shown_[static_cast<size_t>(i)]];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%s", formatClock(r.atMicros).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(r.method.c_str());
            ImGui::TableNextColumn();
            ImGui::PushFont(fonts().mono);
            ImGui::TextUnformatted(r.target.c_str());
            ImGui::PopFont();
            if (r.attempt > 1 && ImGui::IsItemHovered()) ImGui::SetTooltip("attempt %d", r.attempt);
            ImGui::TableNextColumn();
            if (r.method == "WS")
                ImGui::TextDisabled("-");
            else
                ImGui::TextColored(r.status >= 200 && r.status < 300 ? pal.ok : r.status == 0 || r.status >= 500 ? pal.error : pal.warning,
                                   "%d", r.status);
            ImGui::TableNextColumn();
            if (r.method == "WS")
                ImGui::TextDisabled("-");
            else
                ImGui::Text("%.1f", r.millis);
            ImGui::TableNextColumn();
            ImGui::Text("%zu", r.bytes);
            ImGui::TableNextColumn();
            if (!r.error.empty()) {
                ImGui::TextColored(pal.error, "%s", r.error.c_str());
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.error.c_str());
            }
        }
    }
    if (follow_ && grew) ImGui::SetScrollHereY(1.0f);
    ImGui::EndTable();
}

}  // namespace genmon::ui
