#include "ui/inspector_view.hpp"

#include "ui/fleet_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>

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

bool isHttp(const orchestrator::Exchange& e) { return e.method != "WS"; }

// A body preview as the pane shows it: wrapped, in the mono font, with what was left out.
void bodyBlock(const char* title, const std::string& text, size_t bytes, bool binary, bool cut, size_t cap) {
    ImGui::TextDisabled("%s (%zu bytes)", title, bytes);
    ImGui::PushFont(fonts().mono);
    if (binary)
        ImGui::TextWrapped("[%zu bytes of binary data, not shown]", bytes);
    else if (text.empty())
        ImGui::TextDisabled("(empty)");
    else
        ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopFont();
    if (cut && bytes > cap) ImGui::TextDisabled("... the first %zu bytes of %zu", text.size(), bytes);
}
}  // namespace

std::string shellQuote(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
    return out;
}

std::string curlCommand(const orchestrator::Exchange& e) {
    if (!isHttp(e)) return {};
    // Appended piece by piece: GCC 12 misreads "a" + s + "b" chains as overlapping copies.
    std::string cmd = "curl";
    if (e.method != "GET") {
        cmd += " -X ";
        cmd += e.method;
    }
    cmd += ' ';
    cmd += shellQuote(e.target);
    cmd += " -H \"X-API-Key: $GENMON_API_KEY\"";
    if (e.method == "POST" && e.requestBytes > 0) {
        cmd += " -H 'Content-Type: application/json' --data ";
        cmd += shellQuote(e.requestBody);
        if (e.requestBody.size() < e.requestBytes) cmd += "  # the body was cut to the inspector's preview";
    }
    return cmd;
}

void InspectorView::placeOnAppearing(float) const {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowSize(ImVec2(vp->Size.x * 0.8f, vp->Size.y * 0.6f), ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
}

void InspectorView::draw(FrameContext& ctx) {
    const orchestrator::ExchangeLog* log = ctx.exchanges;
    std::string backend;  // a fleet: the focused backend's exchanges
    if (ctx.fleetRows)
        for (const auto& row : *ctx.fleetRows)
            if (row.focused) backend = row.name;
    const Palette& pal = palette();
    if (!log) {
        ImGui::TextDisabled("No live backend: nothing goes over the wire.");
        return;
    }
    if (!backend.empty()) {  // issue 17.2: a fleet's Inspector shows one backend's traffic
        const std::string whose = "Exchanges of " + backend + " (the focused backend" +
                                  (ctx.fleet ? ", also in all-backends mode" : "") + "; 1-9 picks another)";
        ImGui::TextColored(pal.accent, "%s", whose.c_str());
        ctx.note("inspector.backend", {}, whose);
    }
    // Copy the log only when it grew (the copy is the only cost, and only while this is open).
    const uint64_t total = log->total();
    const bool grew = total != copiedTotal_ || log != copiedFrom_;
    if (copiedFrom_ && log != copiedFrom_) ctx.state.inspectorSelected = 0;  // its seq numbers are another log's
    copiedFrom_ = log;
    if (grew) {
        rows_ = log->recent();
        copiedTotal_ = total;
    }
    ImGui::SetNextItemWidth(18 * ctx.em);
    ImGui::InputTextWithHint("##inspector-filter", "Filter: method, URL, status, error", &filter_);
    ImGui::SameLine();
    ImGui::Checkbox("Follow", &follow_);
    ImGui::SameLine();
    ImGui::TextDisabled("%zu shown, %llu in all. The API key is shown as ***.", shown_.size(),
                        static_cast<unsigned long long>(total));
    if (grew || filter_ != shownFilter_) {
        shown_.clear();
        for (size_t i = 0; i < rows_.size(); ++i) {
            const auto& r = rows_[i];
            if (containsIgnoringCase(r.method + " " + r.target + " " + std::to_string(r.status) + " " + r.error + " " +
                                         orchestrator::directionName(r.direction),
                                     filter_))
                shown_.push_back(i);
        }
        shownFilter_ = filter_;
    }

    // The selected row (by its sequence number, stable while the log rotates).
    const orchestrator::Exchange* selected = nullptr;
    if (ctx.state.inspectorSelected != 0) {
        auto it = std::lower_bound(rows_.begin(), rows_.end(), ctx.state.inspectorSelected,
                                   [](const orchestrator::Exchange& e, uint64_t seq) { return e.seq < seq; });
        if (it != rows_.end() && it->seq == ctx.state.inspectorSelected) selected = &*it;
    }
    const float avail = ImGui::GetContentRegionAvail().y;
    const float tableHeight = selected ? std::max(6 * ctx.em, avail * 0.5f) : 0.0f;

    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("exchanges", 8, flags, ImVec2(0, tableHeight))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("Dir", ImGuiTableColumnFlags_WidthFixed, 1.6f * ctx.em);
        ImGui::TableSetupColumn("Time", ImGuiTableColumnFlags_WidthFixed, 4.5f * ctx.em);
        ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, 3.5f * ctx.em);
        ImGui::TableSetupColumn("Target", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableSetupColumn("Status", ImGuiTableColumnFlags_WidthFixed, 3.2f * ctx.em);
        ImGui::TableSetupColumn("ms", ImGuiTableColumnFlags_WidthFixed, 3.5f * ctx.em);
        ImGui::TableSetupColumn("Bytes", ImGuiTableColumnFlags_WidthFixed, 4.5f * ctx.em);
        ImGui::TableSetupColumn("Error", ImGuiTableColumnFlags_WidthFixed, 12 * ctx.em);
        ImGui::TableHeadersRow();
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(shown_.size()));
        // A row selected from elsewhere (a fixture, a filter change) is scrolled into view once.
        int scrollTo = -1;
        if (selected && scrolledTo_ != selected->seq)
            for (size_t i = 0; i < shown_.size(); ++i)
                if (rows_[shown_[i]].seq == selected->seq) {
                    scrollTo = static_cast<int>(i);
                    clipper.ForceDisplayRangeByIndices(scrollTo, scrollTo + 1);
                }
        while (clipper.Step()) {
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const auto& r = rows_[shown_[static_cast<size_t>(i)]];
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::PushID(static_cast<int>(r.seq));
                const bool isSelected = r.seq == ctx.state.inspectorSelected;
                if (ImGui::Selectable(orchestrator::directionArrow(r.direction), isSelected,
                                      ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap))
                    ctx.state.inspectorSelected = isSelected ? 0 : r.seq;
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", orchestrator::directionName(r.direction));
                if (i == scrollTo) {
                    ImGui::SetScrollHereY(0.5f);
                    scrolledTo_ = r.seq;
                }
                ImGui::PopID();
                ImGui::TableNextColumn();
                ImGui::TextDisabled("%s", formatClock(r.atMicros).c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(r.method.c_str());
                ImGui::TableNextColumn();
                ImGui::PushFont(fonts().mono);
                ImGui::TextUnformatted(r.target.c_str());
                ImGui::PopFont();
                ImGui::TableNextColumn();
                if (!isHttp(r))
                    ImGui::TextDisabled("-");
                else
                    ImGui::TextColored(r.status >= 200 && r.status < 300 ? pal.ok
                                       : r.status == 0 || r.status >= 500 ? pal.error
                                                                          : pal.warning,
                                       "%d", r.status);
                ImGui::TableNextColumn();
                if (!isHttp(r))
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
        if (follow_ && grew && !selected) ImGui::SetScrollHereY(1.0f);
        ImGui::EndTable();
    }
    if (selected) drawDetail(ctx, *selected);
}

void InspectorView::drawDetail(FrameContext& ctx, const orchestrator::Exchange& e) {
    const Palette& pal = palette();
    ImGui::Separator();
    if (!ImGui::BeginChild("exchange-detail", ImVec2(0, 0), false)) {
        ImGui::EndChild();
        return;
    }
    ImGui::TextColored(pal.accent, "%s %s", orchestrator::directionArrow(e.direction), orchestrator::directionName(e.direction));
    ImGui::SameLine();
    ImGui::PushFont(fonts().mono);
    ImGui::TextWrapped("%s %s", e.method.c_str(), e.target.c_str());
    ImGui::PopFont();
    if (isHttp(e)) {
        std::string outcome = "no answer";
        if (e.status) {
            outcome = "HTTP ";
            outcome += std::to_string(e.status);
        }
        ImGui::Text("%s at %s, %.1f ms, %zu bytes, attempt %d%s", outcome.c_str(), formatClock(e.atMicros).c_str(),
                    e.millis, e.bytes, e.attempt, e.finalAttempt ? "" : " (tried again)");
        ImGui::SameLine();
        if (ImGui::SmallButton("Copy as curl")) ctx.commands.copyToClipboard(curlCommand(e));
        ctx.note("inspector.curl", {}, curlCommand(e));
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("The key is read from $GENMON_API_KEY when the command runs; it is never copied.");
    } else {
        ImGui::Text("%s at %s, %zu bytes", e.wsEvent.empty() ? "event" : e.wsEvent.c_str(), formatClock(e.atMicros).c_str(),
                    e.bytes);
    }
    if (!e.error.empty()) ImGui::TextColored(pal.error, "%s", e.error.c_str());
    if (!e.requestHeaders.empty()) {
        ImGui::TextDisabled("Request headers");
        ImGui::PushFont(fonts().mono);
        ImGui::TextUnformatted(e.requestHeaders.c_str());
        ImGui::PopFont();
    }
    if (isHttp(e) && e.requestBytes > 0)
        bodyBlock("Request body", e.requestBody, e.requestBytes, false, e.previewCut,
                  orchestrator::ExchangeLog::kRequestPreviewBytes);
    if (isHttp(e) || e.bytes > 0)
        bodyBlock(isHttp(e) ? "Response body" : "Message", e.responseBody, e.bytes, e.responseBinary, e.previewCut,
                  orchestrator::ExchangeLog::kPreviewBytes);
    ImGui::EndChild();
}

}  // namespace genmon::ui
