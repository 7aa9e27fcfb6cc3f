#include "ui/settings_view.hpp"

#include <imgui.h>

#include <algorithm>

#include "ui/theme.hpp"

namespace genmon::ui {

namespace {
constexpr int kMinPollMs = 250, kMaxPollMs = 600000;

void intervalField(FrameContext& ctx, const char* probe, const char* label, const char* help, int& value, float width) {
    ImGui::SetNextItemWidth(width);
    ImGui::InputInt(label, &value, 250, 1000);
    ctx.note(probe);
    value = std::clamp(value, kMinPollMs, kMaxPollMs);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", help);
}
}  // namespace

void SettingsView::placeOnAppearing(float em) const {
    ImGui::SetNextWindowSize(ImVec2(34 * em, 0), ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
}

void SettingsView::draw(FrameContext& ctx) {
    UiState& st = ctx.state;
    if (!loaded_) {
        downMs_ = st.pollQueueDownMs;
        upMs_ = st.pollQueueUpMs;
        statusMs_ = st.pollStatusMs;
        loaded_ = true;
    }
    const float field = 8 * ctx.em;
    ImGui::TextUnformatted("Polling (milliseconds)");
    intervalField(ctx, "settings.queueDown", "jobs while the socket is down", "GET /generation/jobs/active while the progress WebSocket is not connected",
                  downMs_, field);
    intervalField(ctx, "settings.queueUp", "jobs while the socket is up", "Reconciliation poll while push updates arrive", upMs_, field);
    intervalField(ctx, "settings.status", "system status", "GET /system/status (a 404 stops it until you refresh)", statusMs_, field);
    const bool changed = downMs_ != st.pollQueueDownMs || upMs_ != st.pollQueueUpMs || statusMs_ != st.pollStatusMs;
    ImGui::BeginDisabled(!changed);
    const bool apply = ImGui::Button("Apply");
    ctx.note("settings.apply");
    if (apply) {
        st.pollQueueDownMs = downMs_;
        st.pollQueueUpMs = upMs_;
        st.pollStatusMs = statusMs_;
        ctx.commands.setPollIntervals(downMs_, upMs_, statusMs_);
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button("Defaults")) {
        downMs_ = 2000;
        upMs_ = 10000;
        statusMs_ = 10000;
    }
    ImGui::Separator();
    // Issue 14.1: progress and ages redraw at most this often; input and animation are not limited.
    ImGui::SetNextItemWidth(field);
    ImGui::SliderInt("data frames per second", &st.dataFramesPerSecond, 1, 60, "%d", ImGuiSliderFlags_AlwaysClamp);
    ctx.note("settings.dataFps");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("How often new data (progress, ages) may redraw the window. Input and animation\n"
                          "always draw at the full rate (at most 60 frames a second). Lower costs less CPU.");
    ImGui::Separator();
    ImGui::TextUnformatted("Theme");
    ImGui::SameLine();
    if (ImGui::RadioButton("Dark", st.theme == ThemeKind::Dark)) st.theme = ThemeKind::Dark;
    ImGui::SameLine();
    if (ImGui::RadioButton("Light", st.theme == ThemeKind::Light)) st.theme = ThemeKind::Light;
    ImGui::Separator();
    if (!st.settingsPath.empty()) ImGui::TextDisabled("Saved on exit to %s", st.settingsPath.c_str());
    if (!st.apiKeyHint.empty()) ImGui::TextDisabled("API key: %s", st.apiKeyHint.c_str());
}

}  // namespace genmon::ui
