// The dialogs: confirm before a destructive action, connect to (or add) a backend, about.
#include "ui/app.hpp"

#include <imgui.h>

#include <imgui_stdlib.h>

#include "ui/app_shell.hpp"
#include "ui/fonts.hpp"

namespace genmon::ui {

using namespace shell;
using orchestrator::ConnectionPhase;
using orchestrator::NotificationKind;
using orchestrator::Snapshot;


void App::drawConfirmation() {
    Confirmation& cf = state_.confirm;
    if (cf.kind == Confirmation::Kind::None) return;
    if (!ImGui::IsPopupOpen("Confirm")) ImGui::OpenPopup("Confirm");
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    if (ImGui::BeginPopupModal("Confirm", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::TextUnformatted(cf.what.c_str());
        ImGui::Spacing();
        bool yes = ImGui::Button("Yes");
        if (probe_) probe_->noteLastItem("confirm.yes", cf.what);
        yes = yes || keyPressed(ImGuiKey_Enter);
        ImGui::SameLine();
        bool no = ImGui::Button("No");
        if (probe_) probe_->noteLastItem("confirm.no");
        no = no || keyPressed(ImGuiKey_Escape);
        if (yes) {
            // Issue 17.2: each id to its own backend (all-backends mode), else to the focused one.
            auto sinkFor = [&](size_t i) -> CommandSink& {
                return i < cf.backends.size() && cf.backends[i] >= 0 ? commands_.backend(cf.backends[i]) : commands_;
            };
            switch (cf.kind) {
                case Confirmation::Kind::CancelJobs:
                    for (size_t i = 0; i < cf.ids.size(); ++i) sinkFor(i).cancelJob(cf.ids[i]);
                    state_.selectedJobs.clear();
                    break;
                case Confirmation::Kind::ClearQueue: sinkFor(0).clearQueue(); break;
                case Confirmation::Kind::DeleteResult:
                    for (size_t i = 0; i < cf.ids.size(); ++i) sinkFor(i).deleteResult(cf.ids[i]);
                    break;
                case Confirmation::Kind::RetryFailed: sinkFor(0).runAgainAll(cf.ids); break;  // one backend's jobs
                case Confirmation::Kind::None: break;
            }
        }
        if (yes || no) {
            cf = Confirmation{};
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
    }
}

void App::drawConnect() {
    if (!state_.showConnect) return;
    if (!ImGui::IsPopupOpen("Connect to backend")) ImGui::OpenPopup("Connect to backend");
    const float em = fonts().size;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    if (ImGui::BeginPopupModal("Connect to backend", &state_.showConnect, ImGuiWindowFlags_AlwaysAutoResize)) {
        const bool fleet = fleetRows_ && !fleetRows_->empty();  // issue 17.2: the URL joins the fleet
        ImGui::TextUnformatted(fleet ? "Add a backend to the fleet: [NAME=]URL, e.g. gpu2=http://10.0.0.2:8000/api/v1"
                                     : "Backend base URL (http or https), e.g. http://127.0.0.1:8000/api/v1 or .../v1");
        ImGui::SetNextItemWidth(36 * em);
        if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
        const bool enter = ImGui::InputText("##url", &state_.connectUrl, ImGuiInputTextFlags_EnterReturnsTrue);
        if (!state_.apiKeyHint.empty()) ImGui::TextDisabled("API key: %s", state_.apiKeyHint.c_str());
        for (const auto& url : state_.urlHistory)
            if (ImGui::Selectable(url.c_str())) state_.connectUrl = url;
        if (ImGui::Button(fleet ? "Add" : "Connect") || enter) {
            commands_.connect(state_.connectUrl);
            state_.showConnect = false;
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (ImGui::Button("Cancel") || keyPressed(ImGuiKey_Escape)) {
            state_.showConnect = false;
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
    }
}

void App::drawAbout() {
    if (!state_.showAbout) return;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    if (ImGui::Begin("About genmon", &state_.showAbout,
                     ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::TextUnformatted("genmon: a monitor for LoRA-manager generation queues");
        ImGui::TextDisabled("Dear ImGui %s, GLFW, glad, libcurl, Boost.Beast, simdjson", IMGUI_VERSION);
    }
    ImGui::End();
}

}  // namespace genmon::ui
