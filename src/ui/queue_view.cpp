#include "ui/queue_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

#include "ui/fleet_scope.hpp"
#include "ui/fonts.hpp"
#include "ui/format.hpp"
#include "ui/stored_matches_view.hpp"
#include "ui/eta_text.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace genmon::ui {

using model::Job;
using model::JobStatus;
using orchestrator::QueueSortColumn;

namespace {

// Issue 17.2: in all-backends mode a Backend column comes before the actions (kBackend), which
// then move one to the right; with one backend the table is exactly as before.
enum Column { kStatus, kProgress, kPrompt, kAge, kElapsed, kEta, kId, kActions, kColumnCount };
constexpr int kBackend = kActions;

void statusChip(JobStatus s, float em) {
    const char* label = model::statusName(s).data();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const ImVec2 text = ImGui::CalcTextSize(label);
    const ImVec2 pad(0.35f * em, 0.05f * em);
    const ImVec2 end(pos.x + text.x + pad.x * 2, pos.y + text.y + pad.y * 2);
    ImVec4 bg = statusColor(s);
    bg.w = 0.25f;
    dl->AddRectFilled(pos, end, ImGui::GetColorU32(bg), 0.3f * em);
    dl->AddText(ImVec2(pos.x + pad.x, pos.y + pad.y), ImGui::GetColorU32(statusColor(s)), label);
    ImGui::Dummy(ImVec2(end.x - pos.x, end.y - pos.y));
}

// The first line of text, cut with "…" to fit width. True when something was left out (the
// row's tooltip then shows all of it). Only visible rows call this.
bool oneLineText(std::string_view text, float width) {
    const size_t nl = text.find_first_of("\r\n");
    const std::string_view line = nl == std::string_view::npos ? text : text.substr(0, nl);
    const char* b = line.data();
    if (ImGui::CalcTextSize(b, b + line.size()).x <= width) {
        ImGui::TextUnformatted(b, b + line.size());
        return line.size() != text.size();
    }
    constexpr const char* kEllipsis = "\xE2\x80\xA6";
    const float room = width - ImGui::CalcTextSize(kEllipsis).x;
    size_t lo = 0, hi = line.size();
    while (lo < hi) {  // the longest prefix that fits beside the ellipsis
        const size_t mid = (lo + hi + 1) / 2;
        if (ImGui::CalcTextSize(b, b + mid).x <= room)
            lo = mid;
        else
            hi = mid - 1;
    }
    while (lo > 0 && (static_cast<unsigned char>(b[lo]) & 0xC0) == 0x80) --lo;  // a UTF-8 boundary
    while (lo > 0 && b[lo - 1] == ' ') --lo;
    std::string shown(b, lo);
    shown += kEllipsis;
    ImGui::TextUnformatted(shown.c_str(), shown.c_str() + shown.size());
    return true;
}

// Issue 14.4: when the job will be done, from the worker's forecast (a queued job waits for the
// work ahead of it); "—" without any basis; how it was worked out on hover.
void etaCell(FrameContext& ctx, const Job& j, const orchestrator::QueueForecast* forecast, int64_t now, float em) {
    if (!model::isActive(j.status)) {  // finished: nothing left, like the Elapsed column
        ImGui::TextDisabled("-");
        return;
    }
    const orchestrator::JobForecast* f = forecast ? forecast->find(j) : nullptr;
    if (!f) {
        ImGui::TextDisabled("%s", kDash);
        ctx.note("queue.eta", j.uiId.str(), kDash);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("No estimate yet: no finished job to learn from");
        return;
    }
    const std::string shown = forecastCell(*f, now);
    if (f->running && f->own.overdue)
        ImGui::TextColored(palette().warning, "%s", shown.c_str());
    else
        ImGui::TextUnformatted(shown.c_str());
    if (ctx.probe) ctx.note("queue.eta", j.uiId.str(), shown + " | " + forecastExplanation(*f, now));
    if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(30 * em);
        ImGui::TextUnformatted(forecastExplanation(*f, now).c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

QueueSortColumn sortColumnFor(int column) {
    switch (column) {
        case kStatus: return QueueSortColumn::Status;
        case kProgress: return QueueSortColumn::Progress;
        case kPrompt: return QueueSortColumn::Prompt;
        case kAge: return QueueSortColumn::Created;
        case kId: return QueueSortColumn::Id;
        default: return QueueSortColumn::Default;
    }
}

// Row i's backend in all-backends mode, else -1 (the focused one).
int rowBackend(const FrameContext& ctx, size_t i) { return ctx.fleet ? ctx.fleet->queueRowBackend(i) : -1; }

// The key selection, cursor and detail use: the uiId, or "b/uiId" in all-backends mode.
std::string rowKey(const FrameContext& ctx, size_t i, const Job& j) {
    return ctx.fleet ? scopedKey(ctx.fleet->queueRowBackend(i), j.uiId.view()) : j.uiId.str();
}

// Index of a row by key; a scan, so only on clicks and key presses, never per frame.
long indexOf(const FrameContext& ctx, const orchestrator::JobList& rows, const std::string& key) {
    if (key.empty()) return -1;
    for (size_t i = 0; i < rows.size(); ++i)
        if (rowKey(ctx, i, rows.job(i)) == key) return static_cast<long>(i);
    return -1;
}


// Issue 18: the row menu's "Run again" (this job) and "Retry failed" (the failed jobs of the
// selection, or this one), for a live backend only. Drawn only while the menu is open.
// In all-backends mode both act on the row's own backend (its failed jobs of the selection).
void runAgainItems(FrameContext& ctx, const Job& j, int backend) {
    ImGui::Separator();
    if (ImGui::MenuItem("Run again", nullptr, false, !model::isActive(j.status) && j.prompt.has_value()))
        ctx.commandsFor(backend).runAgain(j.backendId.str());
    const orchestrator::Snapshot& own = backend >= 0 && ctx.fleet ? ctx.fleet->snapshot(backend) : ctx.snap;
    auto key = [&](const Job& x) { return backend >= 0 && ctx.fleet ? scopedKey(backend, x.uiId.view()) : x.uiId.str(); };
    std::vector<std::string> failed;
    if (ctx.state.selectedJobs.count(key(j)) && ctx.state.selectedJobs.size() > 1) {
        own.jobs.forEach([&](const Job& other) {
            if (other.status == JobStatus::Failed && ctx.state.selectedJobs.count(key(other)))
                failed.push_back(other.backendId.str());
        });
    } else if (j.status == JobStatus::Failed) {
        failed.push_back(j.backendId.str());
    }
    const std::string label = "Retry failed (" + std::to_string(failed.size()) + ")...";
    if (ImGui::MenuItem(label.c_str(), nullptr, false, !failed.empty())) {
        requestRetryFailed(ctx.state, std::move(failed), backend >= 0 && ctx.fleet ? ctx.fleet->name(backend) : own.backendUrl);
        if (backend >= 0 && ctx.fleet) ctx.state.confirm.backends = {backend};
    }
}
}  // namespace

void QueueView::draw(FrameContext& ctx) {
    const auto& snap = ctx.snap;
    UiState& st = ctx.state;
    const Palette& pal = palette();
    const float em = ctx.em;
    const auto& rows = snap.queueView;

    // ---- toolbar: filter, counts, bulk actions ----
    if (st.focusFilter) {
        ImGui::SetKeyboardFocusHere();
        st.focusFilter = false;
    }
    ImGui::SetNextItemWidth(std::min(22 * em, ImGui::GetContentRegionAvail().x * 0.4f));
    // Issue 18.2: with a history the filter is a search over the live and the stored jobs.
    const char* hint = ctx.commands.searchesHistory() ? "Search: words  status:failed  lora:film_grain  since:2h  (/)"
                                                      : "Filter: prompt, id or status  (/)";
    ImGui::InputTextWithHint("##filter", hint, &st.filter);
    ctx.note("queue.filter");
    if (ImGui::IsItemFocused() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) st.filter.clear();
    ImGui::SameLine();
    if (st.filter.empty())
        ImGui::TextDisabled("%zu jobs", snap.sortedActiveJobs.size());
    else
        ImGui::TextDisabled("%zu of %zu jobs", rows.size(), snap.sortedActiveJobs.size());
    // Decision 10: the backend lists at most 200 active jobs; say when there are more.
    const int64_t listed = static_cast<int64_t>(snap.counts.queued + snap.counts.processing);
    if (snap.serverQueueLength > listed && listed >= 200) {
        ImGui::SameLine();
        ImGui::TextColored(pal.warning, "(showing %lld of %lld)", static_cast<long long>(listed),
                           static_cast<long long>(snap.serverQueueLength));
    }

    size_t selectedCancellable = 0;
    std::vector<std::string> selectedIds;
    std::vector<int> selectedBackends;  // all backends: each selected job's own
    if (!st.selectedJobs.empty()) {
        // Proportional to the selection, not the queue: look each selected row up by id.
        for (size_t i = 0; i < rows.size() && selectedIds.size() < st.selectedJobs.size(); ++i) {
            const Job& j = rows.job(i);
            if (st.selectedJobs.count(rowKey(ctx, i, j)) && model::isCancellable(j.status)) {
                ++selectedCancellable;
                selectedIds.push_back(j.backendId.str());
                if (ctx.fleet) selectedBackends.push_back(rowBackend(ctx, i));
            }
        }
    }
    // Right-aligned bulk actions; on a narrow window they wrap to their own line.
    char cancelLabel[48];
    std::snprintf(cancelLabel, sizeof cancelLabel, "Cancel selected (%zu)", selectedCancellable);
    const ImGuiStyle& style = ImGui::GetStyle();
    auto buttonWidth = [&](const char* label) { return ImGui::CalcTextSize(label).x + style.FramePadding.x * 2; };
    // Issue 17.2: in all-backends mode Clear queue needs a target: the focused backend, named.
    const std::string clearQueueLabel = ctx.fleet ? "Clear queue on " + ctx.fleet->targetName() + "..." : "Clear queue...";
    const float buttonsW = buttonWidth(cancelLabel) + buttonWidth("Clear completed") + buttonWidth(clearQueueLabel.c_str()) +
                           style.ItemSpacing.x * 2;
    ImGui::SameLine();
    const float right = ImGui::GetWindowContentRegionMax().x - buttonsW;
    if (right > ImGui::GetCursorPosX() + style.ItemSpacing.x)
        ImGui::SetCursorPosX(right);
    else
        ImGui::NewLine();
    ImGui::BeginDisabled(selectedCancellable == 0);
    const bool cancelSelected = ImGui::Button(cancelLabel);
    ctx.note("queue.cancelSelected");
    if (cancelSelected) requestCancel(st, selectedIds, selectedBackends, ctx.fleet);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(snap.counts.completed + snap.counts.failed == 0);
    const bool clearCompleted = ImGui::Button("Clear completed");
    ctx.note("queue.clearCompleted");
    if (clearCompleted) {
        if (ctx.fleet && ImGui::IsItemHovered()) ImGui::SetTooltip("On every backend");
        if (!ctx.fleet) ctx.commands.clearCompletedJobs();
        for (size_t b = 0; ctx.fleet && b < ctx.fleet->backends.size(); ++b)  // local lists: every backend's
            ctx.commands.backend(static_cast<int>(b)).clearCompletedJobs();
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    const auto& targetCounts = ctx.fleet ? ctx.fleet->snapshot(ctx.fleet->target).counts : snap.counts;
    const size_t cancellable = targetCounts.queued + targetCounts.processing;
    ImGui::BeginDisabled(cancellable == 0);
    const bool clearQueue = ImGui::Button(clearQueueLabel.c_str());
    ctx.note("queue.clearQueue", {}, clearQueueLabel);
    if (clearQueue) {
        st.confirm.kind = Confirmation::Kind::ClearQueue;
        st.confirm.ids.clear();
        st.confirm.backends.clear();
        if (ctx.fleet) st.confirm.backends = {ctx.fleet->target};
        st.confirm.what = "Clear the queue" + (ctx.fleet ? " of " + ctx.fleet->targetName() : std::string()) +
                          ": cancel all " + std::to_string(cancellable) + " queued and running job" +
                          (cancellable == 1 ? "" : "s") + "?";
    }
    ImGui::EndDisabled();

    // ---- the table ----
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_Sortable | ImGuiTableFlags_SortTristate | ImGuiTableFlags_Hideable |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    const float storedHeight = storedMatchesHeight(ctx);  // 0 without a history search
    const bool all = ctx.fleet != nullptr;
    const int actionsColumn = all ? kActions + 1 : kActions;
    if (!ImGui::BeginTable(all ? "queue_all" : "queue", all ? kColumnCount + 1 : kColumnCount, flags,
                           rows.empty() ? ImVec2(0, ImGui::GetFrameHeight()) : ImVec2(0, -storedHeight)))
        return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Status", ImGuiTableColumnFlags_WidthFixed, 5.4f * em);
    ImGui::TableSetupColumn("Progress", ImGuiTableColumnFlags_WidthFixed, 6.2f * em);
    ImGui::TableSetupColumn("Prompt", ImGuiTableColumnFlags_WidthStretch);
    // Wide enough for the longest durations formatDuration gives ("59m 59s").
    ImGui::TableSetupColumn("Age", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending, 3.9f * em);
    ImGui::TableSetupColumn("Elapsed", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_NoSort, 3.9f * em);
    ImGui::TableSetupColumn("ETA", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_NoSort, 3.9f * em);
    ImGui::TableSetupColumn("ID", ImGuiTableColumnFlags_WidthFixed, 4.8f * em);
    if (all) ImGui::TableSetupColumn("Backend", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_NoSort, 5.5f * em);
    ImGui::TableSetupColumn("##actions", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_NoSort, 1.3f * em);
    ImGui::TableHeadersRow();

    // Sorting happens on the worker, incrementally: only the request is sent from here.
    if (ImGuiTableSortSpecs* sort = ImGui::TableGetSortSpecs(); sort && sort->SpecsDirty) {
        orchestrator::QueueViewSpec spec = st.requestedView;
        if (sort->SpecsCount > 0) {
            spec.column = sortColumnFor(sort->Specs[0].ColumnIndex);
            spec.descending = sort->Specs[0].SortDirection == ImGuiSortDirection_Descending;
        } else {
            spec.column = QueueSortColumn::Default;
            spec.descending = false;
        }
        st.requestedView.column = spec.column;
        st.requestedView.descending = spec.descending;
        sort->SpecsDirty = false;
    }
    if (all) {
        sendToEveryBackend(ctx);
    } else if (st.requestedView.filter != st.filter || !(st.requestedView == snap.queueViewSpec)) {
        orchestrator::QueueViewSpec wanted = st.requestedView;
        wanted.filter = st.filter;
        if (!(wanted == st.requestedView) || !(wanted == sentSpec_)) {
            st.requestedView = wanted;
            if (!(wanted == sentSpec_)) {
                sentSpec_ = wanted;
                ctx.commands.setQueueView(wanted);
            }
        }
    }

    if (rows.empty()) {
        ImGui::EndTable();
        // No rows to scroll: say why the queue is empty.
        ImGui::Spacing();
        ImGui::TextDisabled("%s", !st.filter.empty() ? "No job matches the filter."
                                  : snap.isActive    ? "The queue is empty. New jobs appear as soon as the backend lists them."
                                                     : "Not connected: no queue data yet.");
        drawStoredMatches(ctx);
        return;
    }

    // Keyboard cursor: scroll it into view (one scan on the key press that moved it).
    const float rowH = ImGui::GetTextLineHeightWithSpacing() + ImGui::GetStyle().CellPadding.y * 2;
    if (st.scrollToCursor) {
        const long at = indexOf(ctx, rows, st.cursorJob);
        if (at >= 0) {
            const float y = static_cast<float>(at) * rowH;
            const float viewH = ImGui::GetWindowHeight() - 2 * rowH;
            if (y < ImGui::GetScrollY() || y > ImGui::GetScrollY() + viewH) ImGui::SetScrollY(y - viewH / 2);
        }
        st.scrollToCursor = false;
    }
    if (st.queueScrollFraction >= 0 && ImGui::GetScrollMaxY() > 0) {
        ImGui::SetScrollY(ImGui::GetScrollMaxY() * st.queueScrollFraction);
        st.queueScrollFraction = -1;
    }

    std::string clicked;
    bool clickedShift = false, clickedCtrl = false;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows.size()), rowH);
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const Job& j = rows.job(static_cast<size_t>(i));
            const int backend = rowBackend(ctx, static_cast<size_t>(i));
            const std::string uiId = rowKey(ctx, static_cast<size_t>(i), j);
            ImGui::TableNextRow(ImGuiTableRowFlags_None, rowH - ImGui::GetStyle().CellPadding.y * 2);
            ImGui::PushID(i);
            ImGui::TableSetColumnIndex(kStatus);
            const bool selected = st.selectedJobs.count(uiId) > 0;
            const bool cursor = uiId == st.cursorJob;
            if (cursor) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, ImGui::GetColorU32(ImGuiCol_HeaderHovered, 0.6f));
            const ImVec2 cell = ImGui::GetCursorPos();
            const bool rowClicked = ImGui::Selectable("##row", selected, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap,
                                                      ImVec2(0, rowH - ImGui::GetStyle().CellPadding.y * 2));
            ctx.note("queue.row", uiId);
            if (rowClicked) {
                clicked = uiId;
                clickedShift = ImGui::GetIO().KeyShift;
                clickedCtrl = ImGui::GetIO().KeyCtrl;
            }
            if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
                st.detailJob = uiId;
                st.showDetail = true;
            }
            if (ImGui::BeginPopupContextItem("row menu")) {
                if (ImGui::MenuItem("Copy job id")) ctx.commands.copyToClipboard(j.backendId.str());
                if (ImGui::MenuItem("Copy prompt", nullptr, false, j.prompt.has_value()))
                    ctx.commands.copyToClipboard(j.prompt ? j.prompt->str() : std::string());
                if (ImGui::MenuItem("Show details", "Enter")) {
                    st.detailJob = uiId;
                    st.showDetail = true;
                }
                ImGui::Separator();
                if (ImGui::MenuItem("Cancel job", "c", false, model::isCancellable(j.status)))
                    requestCancel(st, {j.backendId.str()}, all ? std::vector<int>{backend} : std::vector<int>{}, ctx.fleet);
                if (ctx.commands.canRunAgain()) runAgainItems(ctx, j, backend);
                ImGui::EndPopup();
            }
            ImGui::SetCursorPos(cell);
            statusChip(j.status, em);
            if (j.optimistic) {
                ImGui::SameLine(0, 0.2f * em);
                ImGui::TextDisabled("*");
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("Not yet listed by the server");
            }

            ImGui::TableSetColumnIndex(kProgress);
            char overlay[48];
            if (j.status == JobStatus::Processing && j.current_step && j.total_steps)
                std::snprintf(overlay, sizeof overlay, "%d%%  %d/%d", j.progress, *j.current_step, *j.total_steps);
            else
                std::snprintf(overlay, sizeof overlay, "%d%%", j.progress);
            ImGui::PushStyleColor(ImGuiCol_PlotHistogram, barFill(statusColor(j.status)));
            ImGui::ProgressBar(static_cast<float>(j.progress) / 100.0f, ImVec2(-1, ImGui::GetTextLineHeight()), overlay);
            ImGui::PopStyleColor();

            ImGui::TableSetColumnIndex(kPrompt);
            bool cut = false;
            if (j.prompt && !j.prompt->empty())
                cut = oneLineText(j.prompt->view(), ImGui::GetContentRegionAvail().x);
            else
                ImGui::TextDisabled("(no prompt)");
            if ((cut || j.error) && ImGui::IsItemHovered()) {
                ImGui::BeginTooltip();
                ImGui::PushTextWrapPos(30 * em);
                if (cut) ImGui::TextUnformatted(j.prompt->data(), j.prompt->data() + j.prompt->size());
                if (j.error) ImGui::TextColored(pal.error, "%s", j.error->c_str());
                ImGui::PopTextWrapPos();
                ImGui::EndTooltip();
            }

            ImGui::TableSetColumnIndex(kAge);
            if (j.created_at.valid)
                ImGui::TextUnformatted(formatDuration(static_cast<double>(ctx.nowMicros - j.created_at.micros) / 1e6).c_str());
            else
                ImGui::TextDisabled("-");

            ImGui::TableSetColumnIndex(kElapsed);
            if (j.status == JobStatus::Processing && j.startTime.valid)
                ImGui::TextUnformatted(formatDuration(static_cast<double>(ctx.nowMicros - j.startTime.micros) / 1e6).c_str());
            else
                ImGui::TextDisabled("-");

            ImGui::TableSetColumnIndex(kEta);
            // Each backend forecasts its own queue.
            etaCell(ctx, j, (all ? ctx.fleet->snapshot(backend) : snap).queueForecast.get(), ctx.nowMicros, em);

            ImGui::TableSetColumnIndex(kId);
            ImGui::PushFont(fonts().mono);
            ImGui::TextDisabled("%.8s", j.backendId.c_str());  // the first 8 characters tell uuids apart
            ImGui::PopFont();
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", j.backendId.c_str());

            if (all) {
                ImGui::TableSetColumnIndex(kBackend);
                textView(ctx.fleet->name(backend));
                ctx.note("queue.backend", uiId, ctx.fleet->name(backend));
            }

            ImGui::TableSetColumnIndex(actionsColumn);
            if (model::isCancellable(j.status)) {
                const bool cancelRow = ImGui::SmallButton("\xE2\x9C\x96");
                ctx.note("queue.cancel", uiId);
                if (cancelRow) requestCancel(st, {j.backendId.str()}, all ? std::vector<int>{backend} : std::vector<int>{}, ctx.fleet);
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("Cancel this job");
            }
            ImGui::PopID();
        }
    }
    ImGui::EndTable();
    drawStoredMatches(ctx);

    // Selection: click selects one, ctrl toggles, shift extends from the anchor.
    if (!clicked.empty()) {
        st.focus = Panel::Queue;
        if (clickedShift && !st.anchorJob.empty()) {
            long a = indexOf(ctx, rows, st.anchorJob), b = indexOf(ctx, rows, clicked);
            if (a >= 0 && b >= 0) {
                if (a > b) std::swap(a, b);
                if (!clickedCtrl) st.selectedJobs.clear();
                for (long i = a; i <= b; ++i)
                    st.selectedJobs.insert(rowKey(ctx, static_cast<size_t>(i), rows.job(static_cast<size_t>(i))));
            }
        } else if (clickedCtrl) {
            if (!st.selectedJobs.erase(clicked)) st.selectedJobs.insert(clicked);
            st.anchorJob = clicked;
        } else {
            st.selectedJobs = {clicked};
            st.anchorJob = clicked;
            st.detailJob = clicked;
        }
        st.cursorJob = clicked;
    }
}

void QueueView::sendToEveryBackend(FrameContext& ctx) {
    // Every backend filters and sorts its own rows on its worker: each gets the spec once, again
    // only when its snapshot still shows another one after the spec changed.
    orchestrator::QueueViewSpec wanted = ctx.state.requestedView;
    wanted.filter = ctx.state.filter;
    ctx.state.requestedView = wanted;
    sentPerBackend_.resize(ctx.fleet->backends.size());
    for (size_t b = 0; b < sentPerBackend_.size(); ++b) {
        if (ctx.fleet->snapshot(static_cast<int>(b)).queueViewSpec == wanted || sentPerBackend_[b] == wanted) continue;
        sentPerBackend_[b] = wanted;
        ctx.commands.backend(static_cast<int>(b)).setQueueView(wanted);
    }
    sentSpec_ = {};  // back to one backend: send it again
}

}  // namespace genmon::ui
