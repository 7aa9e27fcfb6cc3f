#include "ui/fleet_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "orchestrator/metrics.hpp"
#include "ui/eta_text.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace genmon::ui {

using orchestrator::ConnectionPhase;

namespace {

constexpr size_t kSparkSeconds = 300;  // the queue-depth sparkline: the last five minutes

int64_t newestData(const orchestrator::Snapshot& s) {
    return std::max({s.jobsUpdatedAtMicros, s.statusUpdatedAtMicros, s.resultsUpdatedAtMicros});
}

ImVec4 healthColor(FleetHealth h) {
    const Palette& c = palette();
    switch (h) {
        case FleetHealth::Up: return c.ok;
        case FleetHealth::Connecting: return c.muted;
        case FleetHealth::Stale: return c.warning;
        case FleetHealth::Down: return c.error;
    }
    return c.muted;
}

std::string secondsText(int64_t atMicros, int64_t nowMicros) {
    const double s = std::max(0.0, static_cast<double>(atMicros - nowMicros) / 1e6);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f s", std::ceil(s));
    return buf;
}

}  // namespace

FleetHealth fleetHealth(const FleetRow& row, int64_t now) {
    const auto& s = *row.snapshot;
    if (!s.isActive && (!row.initError.empty() || s.connection.phase == ConnectionPhase::Disconnected))
        return FleetHealth::Down;
    const int64_t last = newestData(s);
    const double period = std::max(1, s.pollIntervalMs) / 1e3;
    if (last > 0 && static_cast<double>(now - last) / 1e6 > 6 * period) return FleetHealth::Stale;
    if (s.isConnected || (s.isActive && s.jobsUpdatedAtMicros > 0 && s.lastRefreshError.empty())) return FleetHealth::Up;
    if (!s.lastRefreshError.empty()) return FleetHealth::Down;
    return FleetHealth::Connecting;
}

const char* fleetHealthName(FleetHealth h) {
    switch (h) {
        case FleetHealth::Up: return "up";
        case FleetHealth::Connecting: return "connecting";
        case FleetHealth::Stale: return "stale";
        case FleetHealth::Down: return "down";
    }
    return "?";
}

std::string fleetPhaseText(const FleetRow& row, int64_t now) {
    const auto& s = *row.snapshot;
    const auto& c = s.connection;
    if (!s.isActive && !row.initError.empty())
        return row.nextInitRetryAtMicros > now ? "down, retry in " + secondsText(row.nextInitRetryAtMicros, now)
                                               : "down: " + row.initError;
    if (c.phase == ConnectionPhase::Reconnecting && c.nextRetryAtMicros > now)
        return "reconnecting in " + secondsText(c.nextRetryAtMicros, now);
    return model::phaseName(c.phase);
}

FleetSummary summarizeFleet(const std::vector<FleetRow>& rows, int64_t now) {
    FleetSummary sum;
    sum.backends = rows.size();
    // Worst first: health, then failures, then the deepest queue.
    auto rank = [&](size_t i) {
        const auto& s = *rows[i].snapshot;
        return std::make_tuple(static_cast<int>(fleetHealth(rows[i], now)), s.counts.failed,
                               s.counts.queued + s.counts.processing);
    };
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& s = *rows[i].snapshot;
        const FleetHealth h = fleetHealth(rows[i], now);
        if (h == FleetHealth::Up) ++sum.up;
        sum.queued += s.counts.queued;
        sum.running += s.counts.processing;
        sum.failed += s.counts.failed;
        sum.jobsPerMinute += s.jobsPerMinute;
        const bool needsLook = h != FleetHealth::Up || s.counts.failed > 0;
        if (needsLook && (sum.worst < 0 || rank(i) > rank(static_cast<size_t>(sum.worst)))) sum.worst = static_cast<int>(i);
    }
    if (sum.worst >= 0) {
        const FleetRow& w = rows[static_cast<size_t>(sum.worst)];
        const FleetHealth h = fleetHealth(w, now);
        sum.worstWhy = h == FleetHealth::Up ? std::to_string(w.snapshot->counts.failed) + " failed" : fleetHealthName(h);
    }
    return sum;
}

std::string fleetWindowTitle(const std::vector<FleetRow>& rows, int64_t now) {
    const FleetSummary sum = summarizeFleet(rows, now);
    std::string t = "genmon \xE2\x80\x94 " + std::to_string(sum.backends) +
                    (sum.backends == 1 ? " backend: " : " backends: ") + std::to_string(sum.running) +
                    " running, " + std::to_string(sum.queued) + " queued";
    if (sum.failed > 0) t += ", " + std::to_string(sum.failed) + " failed";
    if (sum.up < sum.backends) t += " (" + std::to_string(sum.backends - sum.up) + " not up)";
    return t;
}

float fleetPanelHeight(size_t backends) {
    const float rows = static_cast<float>(std::min<size_t>(backends, 8) + 2);  // the header and "All"
    return ImGui::GetFrameHeightWithSpacing() * (rows + 1) + ImGui::GetStyle().WindowPadding.y * 2;
}

void drawFleetStatus(const std::vector<FleetRow>& rows, int64_t now, Probe* probe, bool allBackends) {
    const Palette& c = palette();
    const FleetSummary sum = summarizeFleet(rows, now);
    ImGui::TextColored(sum.up == sum.backends ? c.ok : c.warning, "%zu backends, %zu up", sum.backends, sum.up);
    ImGui::SameLine();
    ImGui::TextColored(c.queued, "%zu queued", sum.queued);
    ImGui::SameLine();
    ImGui::TextColored(c.processing, "%zu running", sum.running);
    if (sum.failed > 0) {
        ImGui::SameLine();
        ImGui::TextColored(c.failed, "%zu failed", sum.failed);
    }
    std::string worst;
    if (sum.worst >= 0) {
        worst = "worst: " + rows[static_cast<size_t>(sum.worst)].name + " (" + sum.worstWhy + ")";
        ImGui::SameLine();
        ImGui::TextColored(c.error, "%s", worst.c_str());
    }
    if (probe)
        probe->noteLastItem("status.fleet", std::to_string(sum.backends) + " backends, " + std::to_string(sum.up) + " up, " +
                                                std::to_string(sum.queued) + " queued, " + std::to_string(sum.running) +
                                                " running, " + std::to_string(sum.failed) + " failed" +
                                                (worst.empty() ? "" : ", " + worst));
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    for (const auto& r : rows)
        if (r.focused) {
            ImGui::TextColored(c.accent, allBackends ? "all backends, target %s:" : "%s:", r.name.c_str());
            ImGui::SameLine();
        }
}

void FleetView::draw(FrameContext& ctx, const std::vector<FleetRow>& rows) {
    const Palette& c = palette();
    const ImGuiIO& io = ImGui::GetIO();
    // 1-9 focus a backend, 0 shows all of them (not while a text field or a dialog owns the keyboard).
    auto focus = [&](int index) {
        ctx.state.allBackends = false;
        ctx.commands.focusBackend(index);
    };
    if (!io.WantTextInput && !io.KeyCtrl && !ctx.state.showConnect && ctx.state.confirm.kind == Confirmation::Kind::None) {
        for (int d = 1; d <= 9 && d <= static_cast<int>(rows.size()); ++d)
            if (ImGui::IsKeyPressed('0' + d, false)) focus(d - 1);
        if (ImGui::IsKeyPressed('0', false)) ctx.state.allBackends = true;
    }
    const bool all = ctx.state.allBackends;

    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("##fleet", 12, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 2);  // the header and the "All backends" row
    ImGui::TableSetupColumn("#");
    ImGui::TableSetupColumn("Backend");
    ImGui::TableSetupColumn("Connection");
    ImGui::TableSetupColumn("Data");
    ImGui::TableSetupColumn("Queued");
    ImGui::TableSetupColumn("Running");
    ImGui::TableSetupColumn("Failed");
    ImGui::TableSetupColumn("Jobs/min");
    ImGui::TableSetupColumn("GPU");
    ImGui::TableSetupColumn("Memory");
    ImGui::TableSetupColumn("Drains in");
    ImGui::TableSetupColumn("Queue depth", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    // Issue 17.2: every backend at once (the views get a Backend column); first, under the header,
    // and frozen with it, so it stays in view however many backends scroll below.
    const FleetSummary sum = summarizeFleet(rows, ctx.nowMicros);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    if (ImGui::Selectable("0", all, ImGuiSelectableFlags_SpanAllColumns)) ctx.state.allBackends = true;
    ctx.note("fleet.all", {}, all ? "on" : "off");
    ImGui::TableNextColumn();
    coloredText(all ? c.accent : c.text, "All backends");
    ImGui::TableNextColumn();
    coloredText(c.muted, std::to_string(sum.up) + " of " + std::to_string(sum.backends) + " up");
    ImGui::TableNextColumn();
    ImGui::TableNextColumn();
    coloredText(c.queued, std::to_string(sum.queued));
    ImGui::TableNextColumn();
    coloredText(c.processing, std::to_string(sum.running));
    ImGui::TableNextColumn();
    coloredText(sum.failed > 0 ? c.failed : c.muted, std::to_string(sum.failed));
    ImGui::TableNextColumn();
    char jpm[32];
    std::snprintf(jpm, sizeof jpm, "%.1f", sum.jobsPerMinute);
    textView(jpm);
    for (size_t i = 0; i < rows.size(); ++i) {
        const FleetRow& row = rows[i];
        const auto& s = *row.snapshot;
        const FleetHealth health = fleetHealth(row, ctx.nowMicros);
        ImGui::PushID(static_cast<int>(i));
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        char digit[8];
        std::snprintf(digit, sizeof digit, i < 9 ? "%zu" : " ", i + 1);
        if (ImGui::Selectable(digit, row.focused && !all, ImGuiSelectableFlags_SpanAllColumns)) focus(static_cast<int>(i));
        ctx.note("fleet.row", row.name, std::string(row.focused ? "focused " : "") + fleetHealthName(health));
        ImGui::TableNextColumn();
        coloredText(row.focused ? c.accent : c.text, row.name);
        if (row.focused && all) {  // the target of Generate and Clear queue in all-backends mode
            ImGui::SameLine();
            coloredText(c.muted, "(target)");
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", row.url.c_str());
        ImGui::TableNextColumn();
        coloredText(healthColor(health), fleetPhaseText(row, ctx.nowMicros));
        if (ImGui::IsItemHovered() && !s.lastRefreshError.empty()) ImGui::SetTooltip("%s", s.lastRefreshError.c_str());
        ImGui::TableNextColumn();
        coloredText(health == FleetHealth::Stale ? c.warning : c.muted, formatAge(newestData(s), ctx.nowMicros));
        ImGui::TableNextColumn();
        coloredText(c.queued, std::to_string(s.counts.queued));
        ImGui::TableNextColumn();
        coloredText(c.processing, std::to_string(s.counts.processing));
        ImGui::TableNextColumn();
        coloredText(s.counts.failed > 0 ? c.failed : c.muted, std::to_string(s.counts.failed));
        ImGui::TableNextColumn();
        char jpm[32];
        std::snprintf(jpm, sizeof jpm, "%.1f", s.jobsPerMinute);
        textView(jpm);
        ImGui::TableNextColumn();
        const auto& st = *s.systemStatus;
        if (s.systemStatusReady)
            coloredText(st.gpu_available ? c.ok : c.warning, st.gpu_status);
        else
            coloredText(c.muted, "\xE2\x80\x94");
        ImGui::TableNextColumn();
        textView(s.systemStatusReady && st.memory_total > 0 ? model::memoryLabel(st.memory_used, st.memory_total)
                                                            : std::string("\xE2\x80\x94"));
        ImGui::TableNextColumn();
        if (s.queueForecast && s.queueForecast->drain().estimated > 0)
            textView(drainText(s.queueForecast->drain(), ctx.nowMicros, true));
        else
            coloredText(c.muted, s.counts.queued + s.counts.processing == 0 ? "empty" : "\xE2\x80\x94");
        ImGui::TableNextColumn();
        // The queue depth over the last minutes, scaled to this backend's own maximum.
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float w = std::max(4 * ctx.em, ImGui::GetContentRegionAvail().x), h = ImGui::GetTextLineHeight();
        ImGui::Dummy(ImVec2(w, h));
        if (s.metrics) {
            const auto& ring = (*s.metrics)[orchestrator::Metric::QueueDepth];
            const size_t n = std::min(kSparkSeconds, ring.size());
            double top = 1;
            for (size_t k = 0; k < n; ++k)
                if (!std::isnan(ring.ago(k))) top = std::max(top, ring.ago(k));
            points_.clear();
            for (size_t k = n; k-- > 0;) {
                const double v = ring.ago(k);
                if (std::isnan(v)) continue;
                const float x = p.x + w * (1.0f - static_cast<float>(k) / static_cast<float>(kSparkSeconds));
                points_.emplace_back(x, p.y + h - static_cast<float>(v / top) * (h - 2) - 1);
            }
            if (points_.size() > 1)
                ImGui::GetWindowDrawList()->AddPolyline(points_.data(), static_cast<int>(points_.size()),
                                                        ImGui::GetColorU32(c.queued), 0, 1.5f);
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("queue depth now %.0f, at most %.0f in the last 5 min", ring.newest(), top);
        }
        ImGui::PopID();
    }
    ImGui::EndTable();
}

}  // namespace genmon::ui
