// Toasts: the worker's notifications in the corner; success fades, errors stay until dismissed.
#include "ui/app.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "ui/app_shell.hpp"
#include "ui/fonts.hpp"
#include "ui/theme.hpp"

namespace genmon::ui {

using namespace shell;
using orchestrator::ConnectionPhase;
using orchestrator::NotificationKind;
using orchestrator::Snapshot;


bool App::drawToasts(int64_t now) {
    // Success toasts fade after a few seconds; errors and warnings stay until dismissed.
    std::erase_if(state_.toasts, [now](const Toast& t) {
        return !t.sticky && now - t.createdMicros >= kSuccessToastMicros + kToastFadeMicros;
    });
    if (state_.toasts.empty()) return false;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float em = fonts().size;
    const float statusBar = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    float y = vp->WorkPos.y + vp->WorkSize.y - statusBar - 0.5f * em;
    const float right = vp->WorkPos.x + vp->WorkSize.x - 0.8f * em;
    const Palette& c = palette();
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoNav;
    uint64_t dismiss = 0;
    bool fading = false;
    // Stacked up from the corner, oldest at the bottom: the newest is on top, read first.
    for (const Toast& t : state_.toasts) {
        const ImVec4 color = t.kind == NotificationKind::Error     ? c.error
                             : t.kind == NotificationKind::Warning ? c.warning
                             : t.kind == NotificationKind::Success ? c.ok
                                                                   : c.info;
        const int64_t intoFade = now - t.createdMicros - kSuccessToastMicros;
        const float alpha = t.sticky || intoFade <= 0 ? 1.0f : 1.0f - static_cast<float>(intoFade) / kToastFadeMicros;
        fading = fading || alpha < 1.0f;
        char name[32];
        std::snprintf(name, sizeof name, "##toast%llu", static_cast<unsigned long long>(t.id));
        ImGui::SetNextWindowPos(ImVec2(right, y), ImGuiCond_Always, ImVec2(1, 1));
        ImGui::SetNextWindowSizeConstraints(ImVec2(16 * em, 0), ImVec2(30 * em, 12 * em));
        ImGui::PushStyleColor(ImGuiCol_Border, color);
        ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.5f);
        ImGui::PushStyleVar(ImGuiStyleVar_Alpha, std::clamp(alpha, 0.0f, 1.0f));
        ImGui::Begin(name, nullptr, flags);
        ImGui::PushTextWrapPos(28 * em);
        ImGui::TextColored(color, "%s", t.message.c_str());
        if (t.count > 1) {
            ImGui::SameLine();
            ImGui::TextDisabled("\xC3\x97%d", t.count);
        }
        if (probe_) {
            std::string shown = t.message;
            if (t.count > 1) shown += " \xC3\x97" + std::to_string(t.count);
            probe_->noteLastItem("toast:" + std::to_string(t.id), std::move(shown));
        }
        if (!t.detail.empty()) ImGui::TextWrapped("%s", t.detail.c_str());
        ImGui::PopTextWrapPos();
        if (t.sticky) {
            ImGui::SameLine();
            if (ImGui::SmallButton("Dismiss")) dismiss = t.id;
            if (probe_) probe_->noteLastItem("toast.dismiss:" + std::to_string(t.id));
        }
        y -= ImGui::GetWindowHeight() + 0.4f * em;
        ImGui::End();
        ImGui::PopStyleVar(2);
        ImGui::PopStyleColor();
    }
    // Toasts pushed off by newer ones are not gone: say where they are.
    if (state_.toastsOffScreen > 0) {
        ImGui::SetNextWindowPos(ImVec2(right, y), ImGuiCond_Always, ImVec2(1, 1));
        ImGui::SetNextWindowBgAlpha(0.85f);
        ImGui::Begin("##toastsmore", nullptr, flags);
        char label[96];
        std::snprintf(label, sizeof label, "%d more in Notifications", state_.toastsOffScreen);
        if (ImGui::SmallButton(label)) state_.showNotifications = true;
        if (probe_) probe_->noteLastItem("toast.more", label);
        ImGui::End();
    }
    if (dismiss) std::erase_if(state_.toasts, [dismiss](const Toast& t) { return t.id == dismiss; });
    return fading;
}

}  // namespace genmon::ui
