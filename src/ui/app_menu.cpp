// The menu bar: Backend, View (every view of the list), Help, and the REPLAY / SIMULATED badges.
#include "ui/app.hpp"

#include <imgui.h>

#include <string>

#include "ui/app_shell.hpp"
#include "ui/theme.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

using namespace shell;
using orchestrator::ConnectionPhase;
using orchestrator::NotificationKind;
using orchestrator::Snapshot;


void App::drawMenuBar(const Snapshot& snap) {
    if (!ImGui::BeginMainMenuBar()) return;
    if (ImGui::BeginMenu("Backend")) {
        if (ImGui::MenuItem("Connect to URL...", "Ctrl+L")) {
            state_.connectUrl = snap.backendUrl;
            state_.showConnect = true;
        }
        if (ImGui::BeginMenu("Recent", !state_.urlHistory.empty())) {
            for (const auto& url : state_.urlHistory)
                if (ImGui::MenuItem(url.c_str(), nullptr, url == snap.backendUrl)) commands_.connect(url);
            ImGui::EndMenu();
        }
        if (ImGui::MenuItem("Reconnect")) commands_.reconnect();
        if (ImGui::MenuItem("Refresh everything", "r")) refreshAll();
        ImGui::Separator();
        if (ImGui::MenuItem("Simulated demo backend", nullptr, snap.simulatedBackend)) commands_.startDemo();
        ImGui::Separator();
        if (ImGui::MenuItem("Quit", "Ctrl+Q")) commands_.quit();
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
        for (const auto& view : views_) {  // one entry per view, in the list's order
            ImGui::MenuItem(view->menuLabel(), view->menuShortcut(), &view->open(state_));
            if (probe_) probe_->noteLastItem(std::string("menu.view:") + view->title());
        }
        if (fleetRows_ && fleetRows_->size() > 1) {  // issue 17.2
            ImGui::Separator();
            ImGui::MenuItem("All backends", "0", &state_.allBackends);
        }
        ImGui::Separator();
        if (ImGui::MenuItem("Dark theme", nullptr, state_.theme == ThemeKind::Dark)) state_.theme = ThemeKind::Dark;
        if (ImGui::MenuItem("Light theme", nullptr, state_.theme == ThemeKind::Light)) state_.theme = ThemeKind::Light;
        ImGui::Separator();
        if (ImGui::MenuItem("Reset layout")) {
            state_.showQueue = state_.showDetail = state_.showResults = state_.showSystem = true;
            state_.applyDefaultLayout = true;
        }
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Help")) {
        if (ImGui::MenuItem("Keyboard shortcuts", "?")) state_.showHelp = true;
        if (ImGui::MenuItem("About genmon")) state_.showAbout = true;
        ImGui::EndMenu();
    }
    // Right side: what is being watched, and whether it is real.
    // A replay says so, with the recording's name: nothing shown is live.
    if (!snap.replayName.empty()) {
        const std::string replayBadge = "REPLAY  " + snap.replayName;
        const float w = ImGui::CalcTextSize(replayBadge.c_str()).x + ImGui::GetStyle().FramePadding.x * 4;
        ImGui::SameLine(ImGui::GetWindowWidth() - w);
        ImGui::PushStyleColor(ImGuiCol_Button, palette().warning);
        ImGui::PushStyleColor(ImGuiCol_Text, palette().chipText);
        ImGui::SmallButton(replayBadge.c_str());
        ImGui::PopStyleColor(2);
        if (probe_) probe_->noteLastItem("menu.replay", replayBadge);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Replaying a recording (--replay): no network; cancel, delete and generate are refused.");
    }
    const char* badge = snap.simulatedBackend && snap.replayName.empty() ? "SIMULATED BACKEND" : nullptr;
    if (badge) {
        const float w = ImGui::CalcTextSize(badge).x + ImGui::GetStyle().FramePadding.x * 4;
        ImGui::SameLine(ImGui::GetWindowWidth() - w);
        ImGui::PushStyleColor(ImGuiCol_Button, palette().accent);
        ImGui::PushStyleColor(ImGuiCol_Text, palette().chipText);
        ImGui::SmallButton(badge);
        ImGui::PopStyleColor(2);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("genmon-sim runs inside this process: the queue, results and images are simulated.");
    }
    ImGui::EndMainMenuBar();
}

}  // namespace genmon::ui
