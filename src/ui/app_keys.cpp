// The keyboard: the shortcuts, their overlay (?), the cursor (j/k) and the all-backends keys.
#include "ui/app.hpp"

#include <imgui.h>

#include <algorithm>
#include <set>
#include <string>

#include "ui/app_shell.hpp"
#include "ui/fleet_scope.hpp"
#include "ui/fonts.hpp"
#include "ui/theme.hpp"

namespace genmon::ui {

using namespace shell;
using orchestrator::ConnectionPhase;
using orchestrator::NotificationKind;
using orchestrator::Snapshot;


namespace {

struct Shortcut {
    const char* keys;
    const char* what;
};
constexpr Shortcut kShortcuts[] = {
    {"j / Down", "next job (or result)"},
    {"k / Up", "previous job (or result)"},
    {"Enter", "open the selected job's details"},
    {"Space", "select / unselect the job under the cursor"},
    {"c", "cancel the selected jobs (asks first)"},
    {"Delete", "delete the selected result (asks first)"},
    {"/", "filter the queue"},
    {"Esc", "clear the filter, the selection, or close a dialog"},
    {"r", "refresh everything from the backend"},
    {"g", "open the generate form"},
    {"i", "show or hide the request inspector"},
    {"Ctrl+Enter", "submit the generate form"},
    {"?", "show this list"},
};
// Issue 17.2: listed only while genmon watches several backends.
constexpr Shortcut kFleetShortcuts[] = {
    {"0", "all backends in one list (a Backend column)"},
    {"1 - 9", "show that backend alone (its row in Fleet)"},
    {"Ctrl+L", "add a backend to the fleet"},
};

}  // namespace

void App::drawHelp() {
    if (!state_.showHelp) return;
    const float em = fonts().size;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowBgAlpha(0.97f);
    if (ImGui::Begin("Keyboard shortcuts", &state_.showHelp,
                     ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
        if (ImGui::BeginTable("shortcuts", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
            ImGui::TableSetupColumn("Key", ImGuiTableColumnFlags_WidthFixed, 8 * em);
            ImGui::TableSetupColumn("Action", ImGuiTableColumnFlags_WidthFixed, 22 * em);
            const auto rows = [&](const auto& list) {
                for (const auto& s : list) {
                    ImGui::TableNextRow();
                    ImGui::TableNextColumn();
                    ImGui::TextColored(palette().accent, "%s", s.keys);
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(s.what);
                    if (probe_) probe_->noteLastItem(std::string("help:") + s.keys, s.what);
                }
            };
            rows(kShortcuts);
            if (fleetRows_ && fleetRows_->size() > 1) rows(kFleetShortcuts);
            ImGui::EndTable();
        }
        ImGui::TextDisabled("Shortcuts work when no text field has focus. Esc closes this.");
    }
    ImGui::End();
}

void App::moveCursor(const Snapshot& snap, int delta) {
    if (state_.focus == Panel::Results) {
        const auto& list = *snap.recentResults;
        if (list.empty()) return;
        int at = -1;
        auto keyOf = [&](size_t i) { return scope_ ? scopedKey(scope_->resultBackend(i), list[i]->id) : list[i]->id; };
        for (size_t i = 0; i < list.size(); ++i)
            if (keyOf(i) == state_.selectedResult) at = static_cast<int>(i);
        at = std::clamp(at < 0 ? 0 : at + delta, 0, static_cast<int>(list.size()) - 1);
        state_.selectedResult = keyOf(static_cast<size_t>(at));
        return;
    }
    const auto& rows = snap.queueView;
    if (rows.empty()) return;
    // One scan per key press, not per frame.
    auto keyOf = [&](size_t i) {
        return scope_ ? scopedKey(scope_->queueRowBackend(i), rows.job(i).uiId.view()) : rows.job(i).uiId.str();
    };
    long at = -1;
    if (!state_.cursorJob.empty())
        for (size_t i = 0; i < rows.size(); ++i)
            if (keyOf(i) == state_.cursorJob) {
                at = static_cast<long>(i);
                break;
            }
    at = std::clamp(at < 0 ? 0L : at + delta, 0L, static_cast<long>(rows.size()) - 1);
    state_.cursorJob = keyOf(static_cast<size_t>(at));
    state_.anchorJob = state_.cursorJob;
    state_.scrollToCursor = true;
}

void App::rescopeKeys(const std::vector<FleetRow>& rows, bool all) {
    // Keys name a job or result of the focused backend when entering the mode ("b/id" then),
    // and only the focused backend's survive leaving it: the selection stays where it was.
    int focused = 0;
    for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i].focused) focused = static_cast<int>(i);
    auto convert = [&](const std::string& key) -> std::string {
        if (key.empty()) return key;
        if (all) return scopedKey(focused, key);
        const ScopedKey k = parseScopedKey(key);
        return k.backend == focused ? k.id : std::string();
    };
    std::set<std::string> selected;
    for (const auto& key : state_.selectedJobs)
        if (std::string c = convert(key); !c.empty()) selected.insert(std::move(c));
    state_.selectedJobs = std::move(selected);
    state_.cursorJob = convert(state_.cursorJob);
    state_.anchorJob = convert(state_.anchorJob);
    state_.detailJob = convert(state_.detailJob);
    state_.selectedResult = convert(state_.selectedResult);
    keysScoped_ = all;
}

void App::refreshAll() {
    if (!scope_) {
        commands_.refreshAll();
        return;
    }
    for (size_t b = 0; b < scope_->backends.size(); ++b) commands_.backend(static_cast<int>(b)).refreshAll();
}

void App::handleShortcuts(const Snapshot& snap) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && letterPressed('Q')) commands_.quit();
    if (io.KeyCtrl && letterPressed('L')) {
        state_.connectUrl = snap.backendUrl;
        state_.showConnect = true;
    }
    // Dialogs and text fields own the keyboard.
    if (io.WantTextInput || state_.confirm.kind != Confirmation::Kind::None || state_.showConnect) return;
    if (keyPressed(ImGuiKey_Escape)) {
        if (state_.showHelp)
            state_.showHelp = false;
        else if (!state_.filter.empty())
            state_.filter.clear();
        else
            state_.selectedJobs.clear();
    }
    if (charPressed('?')) state_.showHelp = !state_.showHelp;
    if (charPressed('/')) {
        state_.showQueue = true;
        state_.focusFilter = true;
    }
    if (charPressed('r')) refreshAll();
    if (charPressed('g')) state_.showGenerate = true;
    if (charPressed('i')) state_.showInspector = !state_.showInspector;
    if (charPressed('j') || keyPressed(ImGuiKey_DownArrow)) moveCursor(snap, +1);
    if (charPressed('k') || keyPressed(ImGuiKey_UpArrow)) moveCursor(snap, -1);
    if (state_.focus == Panel::Queue && !state_.cursorJob.empty()) {
        if (keyPressed(ImGuiKey_Enter)) {
            state_.detailJob = state_.cursorJob;
            state_.showDetail = true;
        }
        if (keyPressed(ImGuiKey_Space)) {
            if (!state_.selectedJobs.erase(state_.cursorJob)) state_.selectedJobs.insert(state_.cursorJob);
        }
    }
    if (charPressed('c')) {
        // The selection, else the job under the cursor; only cancellable ones, by backend id.
        std::set<std::string> wanted = state_.selectedJobs;
        if (wanted.empty() && !state_.cursorJob.empty()) wanted.insert(state_.cursorJob);
        std::vector<std::string> ids;
        std::vector<int> backends;  // all backends: each job's own
        if (scope_) {
            for (const auto& key : wanted) {
                const ScopedKey k = parseScopedKey(key);
                if (k.backend < 0 || k.backend >= static_cast<int>(scope_->backends.size())) continue;
                scope_->snapshot(k.backend).jobs.forEach([&](const model::Job& j) {
                    if (j.uiId == k.id && model::isCancellable(j.status)) {
                        ids.push_back(j.backendId.str());
                        backends.push_back(k.backend);
                    }
                });
            }
        } else if (!wanted.empty()) {
            snap.jobs.forEach([&](const model::Job& j) {
                if (wanted.count(j.uiId.str()) && model::isCancellable(j.status)) ids.push_back(j.backendId.str());
            });
        }
        requestCancel(state_, std::move(ids), std::move(backends), scope_);
    }
    if (keyPressed(ImGuiKey_Delete) && state_.focus == Panel::Results && !state_.selectedResult.empty()) {
        const ScopedKey k = scope_ ? parseScopedKey(state_.selectedResult) : ScopedKey{};
        if (k.backend >= 0)
            requestDeleteResult(state_, k.id, k.backend, scope_);
        else
            requestDeleteResult(state_, state_.selectedResult);
    }
}

}  // namespace genmon::ui
