#include "ui/timeline_view.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "ui/fleet_scope.hpp"
#include "ui/fonts.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace genmon::ui {

using orchestrator::JobOutcome;
using LaneKind = TimelineView::LaneKind;

namespace {
constexpr double kMinSpanSeconds = 15;
constexpr double kMaxSpanSeconds = 3 * 3600;
// Issue 18.3: with a history database the stored past reaches back days (orchestrator keeps 7).
constexpr double kMaxSpanSecondsWithHistory = 8 * 24 * 3600;
constexpr double kZoomStep = 1.25;
constexpr int kWindowChoices[] = {1, 5, 10, 30, 60};
constexpr int kWindowChoicesWithHistory[] = {360, 1440, 10080};  // 6 h, a day, a week

// Only a session with a history offers the long windows: without one nothing older than an
// hour is kept, and the toolbar stays as it was.
bool historyOn(const orchestrator::Snapshot& snap) { return snap.storedThroughput != nullptr; }
double maxSpanSeconds(const orchestrator::Snapshot& snap) {
    return historyOn(snap) ? kMaxSpanSecondsWithHistory : kMaxSpanSeconds;
}

// An axis label: the day (UTC, like the axis) once ticks are a day apart, else the clock.
std::string tickLabel(int64_t micros, double stepSeconds) {
    if (stepSeconds >= 86400) {
        const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
        std::tm utc{};
        gmtime_r(&seconds, &utc);
        char day[16];
        std::strftime(day, sizeof day, "%b %d", &utc);
        return day;
    }
    return stepSeconds >= 60 ? formatClock(micros).substr(0, 5) : formatClock(micros);
}
constexpr float kClickSlopPixels = 3;

ImU32 color(ImVec4 c, float alpha = 1) {
    c.w *= alpha;
    return ImGui::ColorConvertFloat4ToU32(c);
}

ImVec4 laneColor(LaneKind k) {
    const Palette& p = palette();
    switch (k) {
        case LaneKind::Completed: return p.completed;
        case LaneKind::Failed: return p.failed;
        case LaneKind::Cancelled: return p.muted;
        case LaneKind::Vanished: return p.muted;
        case LaneKind::Running: return p.processing;
        case LaneKind::Queued: return p.queued;
    }
    return p.muted;
}

const char* laneKindName(LaneKind k) {
    switch (k) {
        case LaneKind::Completed: return "completed";
        case LaneKind::Failed: return "failed";
        case LaneKind::Cancelled: return "cancelled";
        case LaneKind::Vanished: return "left the queue (outcome unknown)";
        case LaneKind::Running: return "running";
        case LaneKind::Queued: return "queued";
    }
    return "";
}

LaneKind kindOf(JobOutcome o) {
    switch (o) {
        case JobOutcome::Completed: return LaneKind::Completed;
        case JobOutcome::Failed: return LaneKind::Failed;
        case JobOutcome::Cancelled: return LaneKind::Cancelled;
        case JobOutcome::Vanished: return LaneKind::Vanished;
    }
    return LaneKind::Vanished;
}

bool charPressed(ImWchar c) {
    const ImGuiIO& io = ImGui::GetIO();
    for (int i = 0; i < io.InputQueueCharacters.Size; ++i)
        if (io.InputQueueCharacters[i] == c) return true;
    return false;
}

const model::Text* promptOf(const model::Job& job) {
    if (job.prompt && !job.prompt->empty()) return &*job.prompt;
    if (job.params && job.params->prompt && !job.params->prompt->empty()) return &*job.params->prompt;
    return nullptr;
}
}  // namespace

double TimelineView::tickStepSeconds(double minLabelSeconds) {
    static constexpr double kSteps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    for (double s : kSteps)
        if (s >= minLabelSeconds) return s;
    return kSteps[std::size(kSteps) - 1];
}

size_t TimelineView::laneCount() const {
    size_t n = 0;
    for (const auto& s : sources_) n += s.count();
    return n;
}

TimelineView::Lane TimelineView::laneAt(size_t index, int64_t now) const {
    // The source whose lanes hold index: a few backends at most, a short scan.
    size_t k = 0;
    while (k + 1 < sources_.size() && index >= sources_[k + 1].first) ++k;
    Lane l = laneIn(sources_[k], index - sources_[k].first, now);
    l.backend = sources_[k].backend;
    return l;
}

TimelineView::Lane TimelineView::laneIn(const Source& source, size_t index, int64_t now) {
    const orchestrator::Snapshot& snap = *source.snap;
    const auto& historyLanes = source.history;
    Lane l;
    if (index < historyLanes.size()) {
        const orchestrator::JobLifecycle& e = (*snap.jobHistory)[historyLanes[index]];
        l.job = e.job;
        l.queuedAt = e.queuedAtMicros;
        l.startedAt = e.startedAtMicros;
        l.endAt = e.finishedAtMicros;
        l.kind = kindOf(e.outcome);
        l.cancelIgnored = e.cancelIgnored;
        l.error = !e.error.empty() || !e.job || !e.job->error ? e.error : *e.job->error;
        return l;
    }
    // The local queue, straight from sortedActiveJobs (running, queued, then finished): finished
    // ones first (they are the recent past), then running, then queued oldest first.
    index -= historyLanes.size();
    const auto& sorted = snap.sortedActiveJobs;
    const size_t n = sorted.size();
    const size_t running = std::min(snap.counts.processing, n);
    const size_t queued = std::min(snap.counts.queued, n - running);
    const size_t finished = n - running - queued;
    size_t at;
    if (index < finished)
        at = running + queued + index;
    else if (index < finished + running)
        at = index - finished;
    else
        at = running + queued - 1 - (index - finished - running);
    const model::JobPtr& j = sorted[std::min(at, n - 1)];
    l.job = j;
    l.endAt = now;
    switch (j->status) {
        case model::JobStatus::Processing:
            l.kind = LaneKind::Running;
            l.startedAt = j->runningSinceMicros;
            break;
        case model::JobStatus::Queued: l.kind = LaneKind::Queued; break;
        case model::JobStatus::Completed:
        case model::JobStatus::Failed:
            l.kind = j->status == model::JobStatus::Failed ? LaneKind::Failed : LaneKind::Completed;
            // Still listed: the server's times when it has them, else when genmon saw it end.
            l.endAt = j->finished_at.valid ? j->finished_at.micros : j->receivedMicros > 0 ? std::min(j->receivedMicros, now) : now;
            l.startedAt = j->runningSinceMicros > 0 ? j->runningSinceMicros
                          : j->startTime.valid && j->created_at.valid && j->startTime.micros > j->created_at.micros
                              ? j->startTime.micros
                              : 0;
            if (l.startedAt > l.endAt) l.startedAt = 0;
            break;
    }
    const int64_t first = l.startedAt > 0 ? l.startedAt : l.endAt;
    l.queuedAt = j->created_at.valid ? std::min(j->created_at.micros, first) : first;
    if (j->error) l.error = *j->error;
    return l;
}

void TimelineView::drawToolbar(FrameContext& ctx, size_t lanes) {
    UiState& st = ctx.state;
    const Palette& pal = palette();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Window");
    std::vector<int> choices(std::begin(kWindowChoices), std::end(kWindowChoices));
    if (historyOn(ctx.snap)) choices.insert(choices.end(), std::begin(kWindowChoicesWithHistory), std::end(kWindowChoicesWithHistory));
    for (int minutes : choices) {
        ImGui::SameLine();
        char label[16];
        if (minutes % 1440 == 0)
            std::snprintf(label, sizeof label, "%dd", minutes / 1440);
        else if (minutes > 60 && minutes % 60 == 0)
            std::snprintf(label, sizeof label, "%dh", minutes / 60);
        else
            std::snprintf(label, sizeof label, "%dm", minutes);
        const bool active = st.timelineWindowMinutes == minutes && std::abs(st.timelineSpanSeconds - minutes * 60.0) < 0.5;
        if (ImGui::RadioButton(label, active)) {
            st.timelineWindowMinutes = minutes;
            st.timelineSpanSeconds = minutes * 60.0;
        }
        ctx.note("timeline.window", label);
    }
    ImGui::SameLine(0, 1.2f * ctx.em);
    if (ImGui::Checkbox("Live", &st.timelineLive) && st.timelineLive) {
        st.timelineEndMicros = ctx.nowMicros;
        followNow_ = true;
    }
    ctx.note("timeline.live");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Keep now at the right edge");
    ImGui::SameLine(0, 1.2f * ctx.em);
    if (ImGui::SmallButton("-")) st.timelineSpanSeconds = std::min(st.timelineSpanSeconds * kZoomStep, maxSpanSeconds(ctx.snap));
    ctx.note("timeline.zoomOut");
    ImGui::SameLine();
    if (ImGui::SmallButton("+")) st.timelineSpanSeconds = std::max(st.timelineSpanSeconds / kZoomStep, kMinSpanSeconds);
    ctx.note("timeline.zoomIn");
    ImGui::SameLine();
    ImGui::TextDisabled("%s shown", formatDuration(st.timelineSpanSeconds).c_str());
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Zoom: ctrl+wheel, + or -. Pan: drag, or shift+wheel. Click a lane for the job's details.");
    ImGui::SameLine(0, 1.2f * ctx.em);
    ImGui::TextDisabled("%zu job%s", lanes, lanes == 1 ? "" : "s");

    // The legend, when it fits on the line.
    static constexpr LaneKind kLegend[] = {LaneKind::Queued, LaneKind::Running, LaneKind::Completed, LaneKind::Failed,
                                           LaneKind::Cancelled};
    static constexpr const char* kLegendNames[] = {"queued", "running", "completed", "failed", "cancelled"};
    const float box = ImGui::GetTextLineHeight() * 0.7f;
    float need = 0;
    for (const char* name : kLegendNames) need += box + ImGui::CalcTextSize(name).x + 1.4f * ctx.em;
    ImGui::SameLine(0, 1.2f * ctx.em);
    if (ImGui::GetContentRegionAvail().x < need) {
        ImGui::NewLine();
        return;
    }
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - need);
    for (size_t i = 0; i < std::size(kLegend); ++i) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float y = p.y + (ImGui::GetFrameHeight() - box) * 0.5f;
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, y), ImVec2(p.x + box, y + box),
                                                  color(laneColor(kLegend[i]), kLegend[i] == LaneKind::Queued ? 0.55f : 1),
                                                  0.15f * box);
        ImGui::Dummy(ImVec2(box, ImGui::GetFrameHeight()));
        ImGui::SameLine(0, 0.3f * ctx.em);
        ImGui::TextColored(pal.muted, "%s", kLegendNames[i]);
        if (i + 1 < std::size(kLegend)) ImGui::SameLine(0, 1.1f * ctx.em);
    }
}

void TimelineView::drawTooltip(FrameContext& ctx, const Lane& lane) {
    const Palette& pal = palette();
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(32 * ctx.em);
    if (const model::Text* prompt = lane.job ? promptOf(*lane.job) : nullptr)
        ImGui::TextUnformatted(prompt->data(), prompt->data() + prompt->size());
    else
        ImGui::TextDisabled("(no prompt)");
    if (lane.job) {
        ImGui::PushFont(fonts().mono);
        ImGui::TextDisabled("%s", lane.job->backendId.c_str());
        ImGui::PopFont();
    }
    if (ctx.fleet && lane.backend >= 0) ImGui::TextColored(pal.accent, "on %s", ctx.fleet->name(lane.backend).c_str());
    ImGui::TextColored(laneColor(lane.kind), "%s", laneKindName(lane.kind));
    if (lane.cancelIgnored) ImGui::TextDisabled("cancelled here; the backend ran it anyway");
    const bool active = lane.kind == LaneKind::Running || lane.kind == LaneKind::Queued;
    const int64_t waitEnd = lane.startedAt > 0 ? lane.startedAt : lane.endAt;
    std::string times = (lane.kind == LaneKind::Queued ? "waiting " : "queued ") +
                        formatDuration(static_cast<double>(std::max<int64_t>(0, waitEnd - lane.queuedAt)) / 1e6);
    if (lane.startedAt > 0) {
        times += active ? ", running " : ", ran ";
        times += formatDuration(static_cast<double>(std::max<int64_t>(0, lane.endAt - lane.startedAt)) / 1e6);
    } else if (!active) {
        times += ", never ran";
    }
    ImGui::TextUnformatted(times.c_str());
    if (!active) ImGui::TextDisabled("ended %s UTC (%s)", formatClock(lane.endAt).c_str(), formatAge(lane.endAt, ctx.nowMicros).c_str());
    if (!lane.error.empty()) ImGui::TextColored(pal.error, "%s", lane.error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

void TimelineView::placeOnAppearing(float) const {
    // Opens across the whole width under the queue (where the detail and system panels sit in
    // the default layout), so the queue and the results stay in view.
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float statusBar = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
    const float menuBar = ImGui::GetFrameHeight();
    const float areaH = vp->Size.y - menuBar - statusBar;
    const float queueH = std::round(areaH * 0.62f);
    ImGui::SetNextWindowSize(ImVec2(vp->Size.x, areaH - queueH), ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, vp->Pos.y + menuBar + queueH), ImGuiCond_Appearing);
}

void TimelineView::draw(FrameContext& ctx) {
    const auto& snap = ctx.snap;
    UiState& st = ctx.state;
    const Palette& pal = palette();
    const float em = ctx.em;
    const int64_t now = ctx.nowMicros;
    ImGuiIO& io = ImGui::GetIO();

    st.timelineSpanSeconds = std::clamp(st.timelineSpanSeconds, kMinSpanSeconds, maxSpanSeconds(snap));
    if (st.timelineLive || st.timelineEndMicros <= 0) st.timelineEndMicros = now;
    const double spanMicros = st.timelineSpanSeconds * 1e6;
    const int64_t end = st.timelineEndMicros;
    const int64_t start = end - static_cast<int64_t>(spanMicros);

    // The departed jobs that overlap the window (the history is bounded: a short scan), per
    // backend in all-backends mode (each its own snapshot), else of the one watched.
    const size_t nSources = ctx.fleet ? ctx.fleet->backends.size() : 1;
    sources_.resize(nSources);
    size_t first = 0;
    for (size_t k = 0; k < nSources; ++k) {
        Source& src = sources_[k];
        src.backend = ctx.fleet ? static_cast<int>(k) : -1;
        src.snap = ctx.fleet ? &ctx.fleet->snapshot(src.backend) : &snap;
        src.history.clear();
        if (src.snap->jobHistory)
            for (size_t i = 0; i < src.snap->jobHistory->size(); ++i) {
                const auto& e = (*src.snap->jobHistory)[i];
                if (e.finishedAtMicros >= start && e.queuedAtMicros <= end) src.history.push_back(static_cast<uint32_t>(i));
            }
        src.first = first;
        first += src.count();
    }
    const size_t lanes = laneCount();

    drawToolbar(ctx, lanes);
    if (lanes == 0) {
        ImGui::Spacing();
        ImGui::TextDisabled("No job in the last %s. Jobs appear here as they are queued, run and finish.",
                            formatDuration(st.timelineSpanSeconds).c_str());
        return;
    }

    const ImGuiStyle& style = ImGui::GetStyle();
    const float labelW = std::min(16 * em, ImGui::GetContentRegionAvail().x * 0.35f);
    const ImVec2 axisPos = ImGui::GetCursorScreenPos();
    const float fullW = ImGui::GetContentRegionAvail().x;
    const float x0 = axisPos.x + labelW;
    const float x1 = axisPos.x + fullW - style.ScrollbarSize - style.WindowPadding.x;
    const float w = std::max(1.0f, x1 - x0);
    auto xOf = [&](int64_t t) { return x0 + static_cast<float>(static_cast<double>(t - start) / spanMicros * w); };

    // ---- the time axis: UTC clock labels, far enough apart to read ----
    const float axisH = ImGui::GetTextLineHeight() + 0.4f * em;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const double labelSeconds = st.timelineSpanSeconds * (5.5f * em) / w;
    const double step = tickStepSeconds(labelSeconds);
    const int64_t stepMicros = static_cast<int64_t>(step * 1e6);
    const int64_t firstTick = (start / stepMicros + (start % stepMicros > 0 ? 1 : 0)) * stepMicros;
    std::vector<float> tickXs;
    dl->AddLine(ImVec2(x0, axisPos.y + axisH - 1), ImVec2(x1, axisPos.y + axisH - 1), color(pal.muted, 0.6f));
    dl->PushClipRect(ImVec2(axisPos.x + labelW * 0.5f, axisPos.y), ImVec2(x1 + 2.5f * em, axisPos.y + axisH), true);
    for (int64_t t = firstTick; t <= end; t += stepMicros) {
        const float x = xOf(t);
        tickXs.push_back(x);
        dl->AddLine(ImVec2(x, axisPos.y + axisH - 0.35f * em), ImVec2(x, axisPos.y + axisH - 1), color(pal.muted));
        const std::string label = tickLabel(t, step);
        const float lw = ImGui::CalcTextSize(label.c_str()).x;
        dl->AddText(ImVec2(x - lw * 0.5f, axisPos.y), color(pal.muted), label.c_str());
    }
    dl->PopClipRect();
    dl->AddText(ImVec2(axisPos.x, axisPos.y), color(pal.muted), "UTC");
    ImGui::Dummy(ImVec2(fullW, axisH));

    // ---- the lanes ----
    // Ctrl and shift turn the wheel into zoom and pan: the lanes must not scroll then.
    const bool wheelIsOurs = io.KeyCtrl || io.KeyShift;
    ImGui::BeginChild("##lanes", ImVec2(0, 0), false, wheelIsOurs ? ImGuiWindowFlags_NoScrollWithMouse : 0);
    dl = ImGui::GetWindowDrawList();
    const ImVec2 childMin = ImGui::GetWindowPos();
    const ImVec2 childMax(childMin.x + ImGui::GetWindowSize().x, childMin.y + ImGui::GetWindowSize().y);
    for (float x : tickXs) dl->AddLine(ImVec2(x, childMin.y), ImVec2(x, childMax.y), color(pal.muted, 0.18f));

    const float laneH = ImGui::GetTextLineHeight() + 0.35f * em;
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(style.ItemSpacing.x, 0));
    bool anyHovered = false;
    Lane hovered;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(lanes), laneH);
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const Lane lane = laneAt(static_cast<size_t>(i), now);
            const ImVec2 p = ImGui::GetCursorScreenPos();
            // A button, not a dummy: a drag on a lane pans the time axis instead of moving the window.
            ImGui::PushID(i);
            ImGui::InvisibleButton("##lane", ImVec2(std::max(1.0f, ImGui::GetContentRegionAvail().x), laneH));
            ImGui::PopID();
            const bool isHovered = ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem);
            const std::string uiId = !lane.job ? std::string()
                                     : lane.backend >= 0 ? scopedKey(lane.backend, lane.job->uiId.view())
                                                         : lane.job->uiId.str();
            ctx.note("timeline.lane", uiId, laneKindName(lane.kind));
            const float yMid = p.y + laneH * 0.5f;
            const float right = childMax.x;

            // Row background: the selected job, the hovered lane, failures tinted.
            if (!uiId.empty() && uiId == st.detailJob)
                dl->AddRectFilled(p, ImVec2(right, p.y + laneH), ImGui::GetColorU32(ImGuiCol_Header));
            else if (isHovered)
                dl->AddRectFilled(p, ImVec2(right, p.y + laneH), ImGui::GetColorU32(ImGuiCol_HeaderHovered, 0.5f));
            else if (lane.kind == LaneKind::Failed)
                dl->AddRectFilled(p, ImVec2(right, p.y + laneH), color(pal.failed, 0.10f));
            else if (i % 2 == 1)
                dl->AddRectFilled(p, ImVec2(right, p.y + laneH), ImGui::GetColorU32(ImGuiCol_TableRowBgAlt));

            // Label: a status dot, the short id, the prompt (clipped to the label column).
            const ImVec4 kindColor = laneColor(lane.kind);
            dl->AddCircleFilled(ImVec2(p.x + 0.4f * em, yMid), 0.22f * em, color(kindColor));
            dl->PushClipRect(p, ImVec2(p.x + labelW - 0.4f * em, p.y + laneH), true);
            const float textY = p.y + (laneH - ImGui::GetTextLineHeight()) * 0.5f;
            float tx = p.x + 0.9f * em;
            if (ctx.fleet && lane.backend >= 0) {  // all backends: whose lane it is, first
                const std::string& name = ctx.fleet->name(lane.backend);
                dl->AddText(ImVec2(tx, textY), color(pal.accent), name.c_str());
                tx += ImGui::CalcTextSize(name.c_str()).x + 0.5f * em;
            }
            if (lane.job) {
                const std::string_view id = lane.job->backendId.view().substr(0, 8);
                dl->AddText(fonts().mono, fonts().mono->FontSize, ImVec2(tx, textY), color(pal.muted), id.data(),
                            id.data() + id.size());
                tx += ImGui::CalcTextSize("00000000").x + 0.5f * em;
                if (const model::Text* prompt = promptOf(*lane.job))
                    dl->AddText(ImVec2(tx, textY), color(pal.text), prompt->data(), prompt->data() + prompt->size());
            }
            dl->PopClipRect();

            // Segments, clipped to the time area.
            dl->PushClipRect(ImVec2(x0, p.y), ImVec2(x1, p.y + laneH), true);
            const float waitH = laneH * 0.18f, runH = laneH * 0.32f;
            const int64_t waitEnd = lane.startedAt > 0 ? lane.startedAt : lane.endAt;
            const float qa = xOf(lane.queuedAt), qb = std::max(xOf(waitEnd), qa + 1);
            dl->AddRectFilled(ImVec2(qa, yMid - waitH), ImVec2(qb, yMid + waitH), color(pal.queued, 0.55f), waitH);
            if (lane.startedAt > 0) {
                const float ra = xOf(lane.startedAt), rb = std::max(xOf(lane.endAt), ra + 2);
                dl->AddRectFilled(ImVec2(ra, yMid - runH), ImVec2(rb, yMid + runH), color(kindColor), 0.2f * runH);
            }
            const float xe = xOf(lane.endAt);
            if (lane.kind == LaneKind::Failed) {
                // A red cross at the end: failures must be seen at a glance.
                const float r = laneH * 0.34f;
                const ImU32 red = color(pal.failed);
                dl->AddLine(ImVec2(xe - r, yMid - r), ImVec2(xe + r, yMid + r), red, 2.2f);
                dl->AddLine(ImVec2(xe - r, yMid + r), ImVec2(xe + r, yMid - r), red, 2.2f);
            } else if (lane.kind == LaneKind::Cancelled || lane.kind == LaneKind::Vanished) {
                dl->AddLine(ImVec2(xe, yMid - runH * 1.2f), ImVec2(xe, yMid + runH * 1.2f), color(pal.muted), 2.0f);
            }
            dl->PopClipRect();

            if (isHovered) {
                anyHovered = true;
                hovered = lane;
            }
        }
    }
    clipper.End();
    ImGui::PopStyleVar();

    // Live: keep the running jobs in view, about 60 % down, until a person scrolls elsewhere.
    if (scrollWeSet_ >= 0 && std::abs(ImGui::GetScrollY() - scrollWeSet_) > 0.5f) followNow_ = false;
    scrollWeSet_ = -1;
    if (st.timelineLive && followNow_) {
        // The first backend's running jobs (in all-backends mode, the first one with any).
        const Source* anchor = &sources_.front();
        for (const auto& src : sources_)
            if (src.snap->counts.processing > 0) {
                anchor = &src;
                break;
            }
        const auto& sorted = anchor->snap->sortedActiveJobs;
        const size_t finishedInQueue =
            sorted.size() - std::min(sorted.size(), anchor->snap->counts.processing + anchor->snap->counts.queued);
        const float anchorY = static_cast<float>(anchor->first + anchor->history.size() + finishedInQueue) * laneH;
        const float target = std::clamp(anchorY - ImGui::GetWindowHeight() * 0.6f, 0.0f, ImGui::GetScrollMaxY());
        if (std::abs(target - ImGui::GetScrollY()) > 0.5f) ImGui::SetScrollY(target);
        scrollWeSet_ = target;
    }

    // "Now", when it is in view.
    if (now >= start && now <= end) {
        const float xn = xOf(now);
        dl->AddLine(ImVec2(xn, childMin.y), ImVec2(xn, childMax.y), color(pal.accent, 0.9f), 1.5f);
    }

    // ---- zoom, pan, select ----
    const bool overLanes = ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) && io.MousePos.x >= x0 &&
                           io.MousePos.x <= x1;
    auto zoomBy = [&](double factor, float anchorX) {
        const double span = std::clamp(st.timelineSpanSeconds * factor, kMinSpanSeconds, maxSpanSeconds(snap));
        if (!st.timelineLive) {  // the time under the pointer stays put
            const double frac = std::clamp(static_cast<double>((anchorX - x0) / w), 0.0, 1.0);
            const double anchor = static_cast<double>(start) + frac * spanMicros;
            st.timelineEndMicros = static_cast<int64_t>(anchor + (1 - frac) * span * 1e6);
        }
        st.timelineSpanSeconds = span;
    };
    auto panBy = [&](double micros) {
        st.timelineLive = false;
        st.timelineEndMicros = std::min<int64_t>(now, static_cast<int64_t>(static_cast<double>(end) + micros));
    };
    if (overLanes && io.KeyCtrl && io.MouseWheel != 0) zoomBy(io.MouseWheel > 0 ? 1 / kZoomStep : kZoomStep, io.MousePos.x);
    const float wheelX = io.MouseWheelH != 0 ? io.MouseWheelH : io.KeyShift ? io.MouseWheel : 0;
    if (overLanes && !io.KeyCtrl && wheelX != 0) panBy(-wheelX * 0.1 * spanMicros);
    if (overLanes && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        dragging_ = true;
        dragTravel_ = 0;
    }
    if (dragging_ && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
        dragTravel_ += std::abs(io.MouseDelta.x) + std::abs(io.MouseDelta.y);
        if (dragTravel_ > kClickSlopPixels && io.MouseDelta.x != 0) panBy(-static_cast<double>(io.MouseDelta.x) / w * spanMicros);
    }
    if (dragging_ && ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
        if (dragTravel_ <= kClickSlopPixels && anyHovered && hovered.job) {
            // Select: the detail pane shows it (a departed job from the history).
            st.detailJob = hovered.backend >= 0 ? scopedKey(hovered.backend, hovered.job->uiId.view()) : hovered.job->uiId.str();
            st.showDetail = true;
            if (model::isActive(hovered.job->status)) st.cursorJob = st.detailJob;
        }
        dragging_ = false;
    }
    ImGui::EndChild();

    if (anyHovered && !(dragging_ && dragTravel_ > kClickSlopPixels)) drawTooltip(ctx, hovered);
    if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) && !io.WantTextInput) {
        if (charPressed('+') || charPressed('=')) zoomBy(1 / kZoomStep, (x0 + x1) * 0.5f);
        if (charPressed('-')) zoomBy(kZoomStep, (x0 + x1) * 0.5f);
    }
}

}  // namespace genmon::ui
