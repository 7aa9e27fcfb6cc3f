// The status bar: the fleet's sums, the connection and its countdown, the URL, how fresh the data is,
// the counts, jobs a minute, when the queue drains and the commands in flight.
#include "ui/app.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "ui/app_shell.hpp"
#include "ui/eta_text.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"

namespace genmon::ui {

using namespace shell;
using orchestrator::ConnectionPhase;
using orchestrator::NotificationKind;
using orchestrator::Snapshot;

namespace {

ImVec4 phaseColor(ConnectionPhase p) {
    const Palette& c = palette();
    switch (p) {
        case ConnectionPhase::Connected: return c.ok;
        case ConnectionPhase::Connecting:
        case ConnectionPhase::Reconnecting: return c.warning;
        case ConnectionPhase::Disconnected: return c.error;
        case ConnectionPhase::Idle:
        case ConnectionPhase::Paused: return c.muted;
    }
    return c.muted;
}

// The freshest data of any kind: the status bar's "updated ... ago".
int64_t lastDataMicros(const Snapshot& s) {
    return std::max({s.jobsUpdatedAtMicros, s.statusUpdatedAtMicros, s.resultsUpdatedAtMicros});
}

}  // namespace


void App::drawStatusBar(const Snapshot& snap, int64_t now, int64_t initRetryAt) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float h = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x, vp->WorkPos.y + vp->WorkSize.y - h));
    ImGui::SetNextWindowSize(ImVec2(vp->WorkSize.x, h));
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus;
    if (!ImGui::Begin("##statusbar", nullptr, flags)) {
        ImGui::End();
        return;
    }
    const Palette& c = palette();
    const auto& conn = snap.connection;
    if (fleetRows_ && !fleetRows_->empty()) drawFleetStatus(*fleetRows_, now, probe_, scope_ != nullptr);
    // Connection phase, coloured, with the reconnect countdown.
    ImGui::TextColored(phaseColor(conn.phase), "\xE2\x97\x8F %s", orchestrator::phaseName(conn.phase));
    if (probe_) probe_->noteLastItem("status.phase", orchestrator::phaseName(conn.phase));
    const int64_t retryAt = conn.phase == ConnectionPhase::Reconnecting ? conn.nextRetryAtMicros
                            : conn.phase == ConnectionPhase::Disconnected ? initRetryAt
                                                                          : 0;
    if (retryAt > now) {
        ImGui::SameLine();
        ImGui::TextColored(c.warning, "retry in %.0f s", static_cast<double>(retryAt - now) / 1e6 + 0.49);
        if (conn.reconnectAttempt > 0) {
            ImGui::SameLine();
            ImGui::TextDisabled("(attempt %d)", conn.reconnectAttempt);
        }
    }
    if (!conn.lastError.empty() && conn.phase != ConnectionPhase::Connected) {
        ImGui::SameLine();
        ImGui::TextColored(c.error, "%s", conn.lastError.c_str());
    }
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::TextUnformatted(snap.backendUrl.empty() ? "no backend" : snap.backendUrl.c_str());
    if (snap.insecureTls) {
        ImGui::SameLine();
        ImGui::TextColored(c.error, "INSECURE TLS");
    }
    // Data age: honest about stale data. Amber after two poll periods, red after six.
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    const int64_t last = lastDataMicros(snap);
    const double age = last > 0 ? static_cast<double>(now - last) / 1e6 : 0;
    const double period = std::max(1, snap.pollIntervalMs) / 1000.0;
    enum class Freshness { Fresh, Aging, Stale } freshness = Freshness::Fresh;
    if (last > 0 && age > 6 * period)
        freshness = Freshness::Stale;
    else if (last > 0 && age > 2 * period)
        freshness = Freshness::Aging;
    const ImVec4 ageColor = freshness == Freshness::Stale ? c.error : freshness == Freshness::Aging ? c.warning : c.muted;
    ImGui::TextColored(ageColor, "updated %s", formatAge(last, now).c_str());
    if (probe_)
        probe_->noteLastItem("status.age", std::string(freshness == Freshness::Stale    ? "stale: "
                                                       : freshness == Freshness::Aging ? "aging: "
                                                                                       : "fresh: ") +
                                               "updated " + formatAge(last, now));
    if (!snap.lastRefreshError.empty() && ImGui::IsItemHovered())
        ImGui::SetTooltip("Last refresh failed: %s", snap.lastRefreshError.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::TextColored(c.processing, "%zu running", snap.counts.processing);
    ImGui::SameLine();
    ImGui::TextColored(c.queued, "%zu queued", snap.counts.queued);
    if (snap.counts.failed > 0) {
        ImGui::SameLine();
        ImGui::TextColored(c.failed, "%zu failed", snap.counts.failed);
    }
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::Text("%.1f jobs/min", snap.jobsPerMinute);
    // Issue 14.4: when the whole queue will be done (the worker's forecast), when there is a
    // basis and room for it.
    if (snap.queueForecast && snap.queueForecast->drain().estimated > 0) {
        const auto& drain = snap.queueForecast->drain();
        const std::string full = drainText(drain, now, false), brief = drainText(drain, now, true);
        const ImGuiStyle& style = ImGui::GetStyle();
        const float room = ImGui::GetWindowContentRegionMax().x - (ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x) -
                           ImGui::CalcTextSize("|").x - 2 * style.ItemSpacing.x;
        const std::string* shown = ImGui::CalcTextSize(full.c_str()).x <= room    ? &full
                                   : ImGui::CalcTextSize(brief.c_str()).x <= room ? &brief
                                                                                  : nullptr;
        if (shown) {
            ImGui::SameLine();
            ImGui::TextDisabled("|");
            ImGui::SameLine();
            ImGui::TextUnformatted(shown->c_str());
            if (probe_) probe_->noteLastItem("status.drain", *shown);
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("Until every queued and running job is done: %zu with an estimate, %zu without.\n"
                                  "Assumes %zu worker%s: the jobs running now (one job at a time when one runs).",
                                  drain.estimated, drain.unknown, drain.workers, drain.workers == 1 ? "" : "s");
        }
    }
    const int pending = commands_.pendingCommands();
    if (pending > 0) {
        ImGui::SameLine();
        ImGui::TextColored(c.accent, "%d command%s running", pending, pending == 1 ? "" : "s");
    }
    ImGui::End();
}

}  // namespace genmon::ui
