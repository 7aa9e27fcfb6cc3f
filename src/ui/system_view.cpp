#include "ui/system_view.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string>
#include <string_view>

#include "model/system_status.hpp"
#include "ui/fonts.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace genmon::ui {
namespace {

constexpr const char* kWarnIcon = "\xE2\x9A\xA0";  // ⚠
constexpr const char* kUnavailableNotice = "Real-time status is unavailable; showing default values.";

// The label of a row whose value is a meter: centred on the bar, which is as tall as a frame.
void meterLabel(const char* label) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::AlignTextToFramePadding();
    coloredText(palette().muted, label);
    ImGui::TableNextColumn();
}

// MiB as "4.0GB", the unit the upstream card uses.
std::string gib(double mib) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fGB", mib / 1024.0);
    return buf;
}

std::string number(double v, const char* fmt) {
    char buf[48];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

// A bar whose label carries the numbers, e.g. "4.0GB / 8.0GB (50%)".
// The bar turns amber, then red, as a resource runs out.
void meter(double percent, const std::string& label) {
    const Palette& pal = palette();
    const double clamped = std::clamp(percent, 0.0, 100.0);
    const ImVec4 fill = barFill(clamped >= 90 ? pal.error : clamped >= 75 ? pal.warning : pal.accent);
    // A label wider than the bar would be cut on the left: the percentage alone then.
    const float room = ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().FramePadding.x;
    const std::string shown = ImGui::CalcTextSize(label.c_str()).x <= room ? label : number(percent, "%.0f%%");
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, ImVec4(fill.x, fill.y, fill.z, 0.75f));
    ImGui::ProgressBar(static_cast<float>(clamped / 100.0), ImVec2(-FLT_MIN, 0), shown.c_str());
    ImGui::PopStyleColor();
    if (shown.size() != label.size() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", label.c_str());
}

std::string usageLabel(double used, double total, double percent) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s / %s (%.0f%%)", gib(used).c_str(), gib(total).c_str(), percent);
    return buf;
}

void drawHeader(FrameContext& ctx, const model::SystemStatus& s) {
    const float em = ctx.em;
    const model::Health health = overallHealth(s);
    const ImVec4 color = healthColor(health);
    ImGui::PushFont(fonts().heading);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::Text("%s %s", healthIcon(health), healthLabel(health));
    ImGui::PopStyleColor();
    ImGui::PopFont();

    // "Last update" label (spec §6.4) and Refresh, pushed to the right edge when they fit.
    const std::string last =
        "Last update: " + (ctx.snap.systemStatusLastUpdated && ctx.snap.systemStatusLastUpdated->valid
                               ? formatLastUpdate(ctx.snap.systemStatusLastUpdated->micros, ctx.nowMicros)
                               : std::string("Never"));
    const ImGuiStyle& style = ImGui::GetStyle();
    const float buttonW = ImGui::CalcTextSize("Refresh").x + 2 * style.FramePadding.x;
    const float rightW = ImGui::CalcTextSize(last.c_str()).x + style.ItemSpacing.x + buttonW;
    const float right = ImGui::GetWindowContentRegionMax().x;
    const float afterHeader = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + em;
    if (afterHeader + rightW <= right) {
        ImGui::SameLine(right - rightW);
    }
    ImGui::AlignTextToFramePadding();
    coloredText(palette().muted, last);
    ImGui::SameLine();
    if (ImGui::Button("Refresh")) ctx.commands.refreshAll();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Refresh the queue, results and system status now");

    // The raw status word, unless the headline already says it.
    if (s.status == "error") {
        coloredText(palette().error, "Status: error");
        if (!ctx.snap.lastRefreshError.empty()) coloredWrapped(palette().error, ctx.snap.lastRefreshError);
    } else {
        ImGui::PushStyleColor(ImGuiCol_Text, palette().muted);
        ImGui::Text("Status: %s", s.status.c_str());
        ImGui::PopStyleColor();
    }
    if (!ctx.snap.systemStatusReady) coloredText(palette().muted, "Waiting for the first status\xE2\x80\xA6");
}

void drawStatusFields(FrameContext& ctx, const model::SystemStatus& s) {
    const Palette& pal = palette();
    if (!beginFields("##status", 7.5f * ctx.em)) return;

    // GPU: never green when unavailable (spec §2.1: "GPU unavailable" contains "available").
    fieldLabel("GPU");
    ImGui::PushTextWrapPos(0.0f);
    coloredText(s.gpu_available ? pal.ok : (s.gpu_status == "Unknown" ? pal.muted : pal.warning), s.gpu_status);
    ImGui::PopTextWrapPos();

    meterLabel("Memory");
    meter(model::memoryPercent(s.memory_used, s.memory_total), model::memoryLabel(s.memory_used, s.memory_total));

    fieldLabel("Queue");
    ImGui::Text("%lld jobs", static_cast<long long>(s.queue_length));
    if (s.queue) {
        const auto& q = *s.queue;
        const bool activeHigh = s.thresholds && s.thresholds->queue_active_warning &&
                                q.active > *s.thresholds->queue_active_warning;
        // The breakdown goes under the count and flows onto more lines in a narrow panel.
        const std::string parts[] = {"total " + std::to_string(q.total), "active " + std::to_string(q.active),
                                     "running " + std::to_string(q.running), "failed " + std::to_string(q.failed)};
        const ImVec4 colors[] = {pal.muted, activeHigh ? pal.warning : pal.muted, pal.muted,
                                 q.failed > 0 ? pal.error : pal.muted};
        const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
        const float spacing = ImGui::GetStyle().ItemSpacing.x;
        for (size_t i = 0; i < std::size(parts); ++i) {
            if (i > 0 && ImGui::GetItemRectMax().x + spacing + ImGui::CalcTextSize(parts[i].c_str()).x <= right)
                ImGui::SameLine();
            coloredText(colors[i], parts[i]);
        }
    }
    if (s.queue_eta_seconds) field("Queue ETA", formatDuration(*s.queue_eta_seconds));

    field("Workers", s.active_workers ? std::to_string(*s.active_workers) + " active" : std::string(kDash));
    field("Backend", s.backend ? *s.backend : std::string(kDash));

    if (s.sdnext) {
        const auto& sd = *s.sdnext;
        fieldLabel("SDNext");
        const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
        if (!sd.configured)
            coloredText(pal.muted, "not configured");
        else if (sd.available)
            coloredText(pal.ok, "available");
        else
            coloredText(pal.error, "unavailable");
        if (sd.base_url) {
            const float urlW = ImGui::CalcTextSize(sd.base_url->c_str()).x;
            if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + urlW <= right) ImGui::SameLine();
            coloredText(pal.muted, *sd.base_url);
        }
        if (sd.error && !sd.error->empty())
            coloredWrapped(sd.configured ? pal.error : pal.muted, *sd.error);
    }

    if (s.importer) {
        const auto& im = *s.importer;
        fieldLabel("Importer");
        ImGui::PushTextWrapPos(0.0f);
        textView(im.import_path ? std::string_view(*im.import_path) : std::string_view("(no import path)"));
        ImGui::PopTextWrapPos();
        ImGui::PushStyleColor(ImGuiCol_Text, pal.muted);
        ImGui::Text("%lld adapters, %lld recent imports", static_cast<long long>(im.total_adapters),
                    static_cast<long long>(im.recent_imports));
        ImGui::PopStyleColor();
        if (im.last_ingested_at) coloredText(pal.muted, "last ingest " + *im.last_ingested_at);
        if (im.stale) {
            std::string why = std::string(kWarnIcon) + " stale";
            if (im.stale_threshold_hours)
                why += " (no import for over " + std::to_string(*im.stale_threshold_hours) + " h)";
            coloredText(pal.warning, why);
        }
    }

    if (s.recommendations) {
        fieldLabel("Models");
        const bool loaded = s.recommendations->models_loaded;
        coloredText(loaded ? pal.ok : pal.muted,
                    loaded ? "recommendation models loaded" : "recommendation models not loaded");
    }
    ImGui::EndTable();
}

void drawWarnings(const model::SystemStatus& s) {
    if (!s.warnings || s.warnings->empty()) return;
    const Palette& pal = palette();
    char title[48];
    std::snprintf(title, sizeof title, "Warnings (%zu)", s.warnings->size());
    sectionTitle(title);
    for (const auto& w : *s.warnings) {
        ImGui::PushStyleColor(ImGuiCol_Text, pal.warning);
        ImGui::TextUnformatted(kWarnIcon);
        ImGui::SameLine();
        ImGui::PushTextWrapPos(0.0f);
        textView(w);  // wraps under itself, not under the icon
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
    }
}

std::string optionalNumber(const std::optional<double>& v, const char* fmt) {
    return v ? number(*v, fmt) : std::string(kDash);
}

void drawMetrics(FrameContext& ctx, const model::SystemMetrics& m) {
    const float em = ctx.em;
    sectionTitle("Host metrics");
    if (beginFields("##metrics", 7.5f * em)) {
        meterLabel("CPU");
        meter(m.cpu_percent, number(m.cpu_percent, "%.0f%%"));
        meterLabel("RAM");
        meter(m.memory_percent, m.memory_total > 0 ? usageLabel(m.memory_used, m.memory_total, m.memory_percent)
                                                    : number(m.memory_percent, "%.0f%%"));
        if (m.disk_percent) {
            meterLabel("Disk");
            meter(*m.disk_percent, m.disk_used && m.disk_total && *m.disk_total > 0
                                       ? usageLabel(*m.disk_used, *m.disk_total, *m.disk_percent)
                                       : number(*m.disk_percent, "%.0f%%"));
        }
        if (m.uptime_seconds) field("Uptime", formatDuration(static_cast<double>(*m.uptime_seconds)));
        ImGui::EndTable();
    }
    if (m.gpus.empty()) {
        coloredText(palette().muted, "No GPUs reported.");
        return;
    }
    const ImGuiTableFlags flags =
        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("##gpus", 6, flags)) return;
    ImGui::TableSetupColumn("GPU", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("Memory", ImGuiTableColumnFlags_WidthStretch, 1.4f);
    ImGui::TableSetupColumn("Util", ImGuiTableColumnFlags_WidthFixed, 2.8f * em);
    ImGui::TableSetupColumn("Temp", ImGuiTableColumnFlags_WidthFixed, 3.0f * em);
    ImGui::TableSetupColumn("Fan", ImGuiTableColumnFlags_WidthFixed, 2.8f * em);
    ImGui::TableSetupColumn("Power", ImGuiTableColumnFlags_WidthFixed, 3.2f * em);
    ImGui::TableHeadersRow();
    for (const auto& g : m.gpus) {  // a handful of devices
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();  // level with the memory bar
        textView(g.name.empty() ? std::string_view(g.id) : std::string_view(g.name));
        ImGui::TableNextColumn();
        if (g.memory_used && g.memory_total && *g.memory_total > 0) {
            const double pct = g.memory_percent ? *g.memory_percent : *g.memory_used / *g.memory_total * 100.0;
            meter(pct, usageLabel(*g.memory_used, *g.memory_total, pct));
        } else if (g.memory_percent) {
            meter(*g.memory_percent, number(*g.memory_percent, "%.0f%%"));
        } else {
            coloredText(palette().muted, kDash);
        }
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        textView(optionalNumber(g.utilization, "%.0f%%"));
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        const bool hot = g.temperature && *g.temperature >= 85;
        coloredText(hot ? palette().warning : palette().text, optionalNumber(g.temperature, "%.0f\xC2\xB0" "C"));
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        textView(optionalNumber(g.fan_speed, "%.0f%%"));
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        textView(optionalNumber(g.power_draw_watts, "%.0f W"));
    }
    ImGui::EndTable();
}

}  // namespace

void SystemView::draw(FrameContext& ctx) {
    const orchestrator::Snapshot& snap = ctx.snap;
    // After a 404 the upstream card shows the defaults, whatever was merged before (§6.3, §7.3).
    const bool apiAvailable = snap.systemStatusApiAvailable;
    const model::SystemStatus& s =
        apiAvailable && snap.systemStatus ? *snap.systemStatus : model::DEFAULT_SYSTEM_STATUS;

    drawHeader(ctx, s);
    if (!apiAvailable) coloredWrapped(palette().warning, kUnavailableNotice);
    ImGui::Separator();
    drawStatusFields(ctx, s);
    drawWarnings(s);
    if (apiAvailable && snap.systemMetrics) drawMetrics(ctx, *snap.systemMetrics);
}

}  // namespace genmon::ui
