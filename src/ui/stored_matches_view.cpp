#include "ui/stored_matches_view.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ui/format.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace genmon::ui {

namespace {

constexpr int kRowsShown = 6;

const char* storedStatusText(const orchestrator::JobLifecycle& e) {
    if (e.finishedAtMicros > 0) return orchestrator::outcomeName(e.outcome);
    return e.job && e.job->status == model::JobStatus::Queued ? "queued" : "running";
}

ImVec4 storedStatusColor(const orchestrator::JobLifecycle& e, const Palette& pal) {
    if (e.finishedAtMicros <= 0) return pal.muted;
    switch (e.outcome) {
        case orchestrator::JobOutcome::Completed: return pal.completed;
        case orchestrator::JobOutcome::Failed: return pal.failed;
        default: return pal.warning;
    }
}

}  // namespace

float storedMatchesHeight(const FrameContext& ctx) {
    const auto& found = ctx.snap.storedMatches;
    if (!found) return 0;
    const float line = ImGui::GetFrameHeightWithSpacing();
    if (!found->error.empty() || found->jobs.empty()) return 2 * line;
    const int rows = std::min<int>(kRowsShown, static_cast<int>(found->jobs.size()));
    return (rows + 2.5f) * line;
}

void drawStoredMatches(FrameContext& ctx) {
    const auto& found = ctx.snap.storedMatches;
    if (!found) return;
    const Palette& pal = palette();
    ImGui::Separator();
    if (!found->error.empty()) {
        coloredText(pal.warning, "History search: " + found->error);
        return;
    }
    if (found->jobs.empty()) {
        ImGui::TextDisabled("History: no stored job matches.");
        return;
    }
    std::vector<std::string> failed;
    for (const auto& e : found->jobs)
        if (e.finishedAtMicros > 0 && e.outcome == orchestrator::JobOutcome::Failed && e.job)
            failed.push_back(e.job->backendId.str());
    ImGui::AlignTextToFramePadding();
    ImGui::Text("History: %zu%s stored job%s", found->jobs.size(), found->more ? "+" : "",
                found->jobs.size() == 1 ? "" : "s");
    ctx.note("history.matches", {}, std::to_string(found->jobs.size()));
    if (ctx.commands.canRunAgain()) {
        ImGui::SameLine();
        ImGui::BeginDisabled(failed.empty());
        const std::string label = "Retry failed (" + std::to_string(failed.size()) + ")...";
        const bool retry = ImGui::Button(label.c_str());
        ctx.note("history.retryFailed", {}, label);
        if (retry) requestRetryFailed(ctx.state, failed, ctx.snap.backendUrl);
        ImGui::EndDisabled();
    }
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("stored", 5, flags, ImVec2(0, 0))) return;
    const float em = ctx.em;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Status", ImGuiTableColumnFlags_WidthFixed, 6.5f * em);
    ImGui::TableSetupColumn("Ended", ImGuiTableColumnFlags_WidthFixed, 4.5f * em);
    ImGui::TableSetupColumn("Prompt / error", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("ID", ImGuiTableColumnFlags_WidthFixed, 4.8f * em);
    ImGui::TableSetupColumn("##again", ImGuiTableColumnFlags_WidthFixed, 5.5f * em);
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(found->jobs.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const orchestrator::JobLifecycle& e = found->jobs[static_cast<size_t>(i)];
            if (!e.job) continue;
            const model::Job& j = *e.job;
            ImGui::PushID(i);
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            coloredText(storedStatusColor(e, pal), storedStatusText(e));
            ImGui::TableSetColumnIndex(1);
            const int64_t at = e.finishedAtMicros > 0 ? e.finishedAtMicros : e.queuedAtMicros;
            textView(at > 0 ? formatAge(at, ctx.nowMicros) : std::string(kDash));
            ImGui::TableSetColumnIndex(2);
            const model::Text* error = !e.error.empty() ? &e.error : j.error ? &*j.error : nullptr;
            if (error) {
                coloredText(pal.error, error->view());
                ImGui::SameLine();
            }
            textView(j.prompt ? j.prompt->view() : std::string_view(kDash));
            ImGui::TableSetColumnIndex(3);
            textView(shortId(j.backendId.str()));
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", j.backendId.c_str());
            ImGui::TableSetColumnIndex(4);
            if (ctx.commands.canRunAgain() && e.finishedAtMicros > 0 && j.prompt) {
                const bool again = ImGui::SmallButton("Run again");
                ctx.note("history.runAgain", j.backendId.str());
                if (again) ctx.commands.runAgain(j.backendId.str());
            }
            ImGui::PopID();
        }
    }
    ImGui::EndTable();
}

}  // namespace genmon::ui
