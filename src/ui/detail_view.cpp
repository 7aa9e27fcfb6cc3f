#include "ui/detail_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "model/job_status.hpp"
#include "ui/fleet_scope.hpp"
#include "ui/fonts.hpp"
#include "ui/eta_text.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace genmon::ui {
namespace {

// While the selected job is gone, look for it again at most this often (it rarely comes back).
constexpr int64_t kGoneRescanMicros = 2'000'000;
constexpr int kMaxPromptLines = 6;
constexpr int kMaxJsonLines = 12;

void missingField(const char* label) {
    fieldLabel(label);
    coloredText(palette().muted, kDash);
}

// A small button after the value that copies `text`; the id keeps buttons apart.
void copyButton(FrameContext& ctx, const char* id, std::string_view text) {
    // Beside the value when it fits in the cell, else under it: never clipped by the column.
    const ImGuiStyle& style = ImGui::GetStyle();
    const float buttonW = ImGui::CalcTextSize("Copy").x + 2 * style.FramePadding.x;
    if (ImGui::GetItemRectSize().x + style.ItemSpacing.x + buttonW <= ImGui::GetContentRegionAvail().x)
        ImGui::SameLine();
    ImGui::PushID(id);
    if (ImGui::SmallButton("Copy")) ctx.commands.copyToClipboard(std::string(text));
    ImGui::PopID();
}

// The status as a coloured pill, as tall as a frame so it lines up with buttons and bars.
void statusChip(model::JobStatus status) {
    const std::string_view name = model::statusName(status);
    const ImGuiStyle& style = ImGui::GetStyle();
    const ImVec2 textSize = ImGui::CalcTextSize(name.data(), name.data() + name.size());
    const ImVec2 size(textSize.x + 2 * style.FramePadding.x + ImGui::GetFontSize() * 0.4f, ImGui::GetFrameHeight());
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p0, ImVec2(p0.x + size.x, p0.y + size.y), ImGui::ColorConvertFloat4ToU32(statusColor(status)),
                      size.y * 0.5f);
    dl->AddText(ImVec2(p0.x + (size.x - textSize.x) * 0.5f, p0.y + (size.y - textSize.y) * 0.5f),
                ImGui::ColorConvertFloat4ToU32(palette().chipText), name.data(), name.data() + name.size());
    ImGui::Dummy(size);
}

std::string timeField(const model::Timestamp& t, int64_t now) {
    if (!t.valid) return kDash;
    return t.toIso() + "  (" + formatAge(t.micros, now) + ")";
}

// Inserts line breaks where ImGui would wrap at `width`, so a read-only multiline field (which
// does not wrap by itself in 1.86) shows the whole text and still lets a person select from it.
std::string wrapText(std::string_view text, float width, int& lines) {
    ImFont* font = ImGui::GetFont();
    const float scale = ImGui::GetFontSize() / font->FontSize;
    std::string out;
    out.reserve(text.size() + text.size() / 32 + 1);
    lines = 1;
    const char* s = text.data();
    const char* end = s + text.size();
    while (s < end) {
        const void* nl = std::memchr(s, '\n', static_cast<size_t>(end - s));
        const char* lineEnd = nl ? static_cast<const char*>(nl) : end;
        while (s < lineEnd) {
            const char* cut = font->CalcWordWrapPositionA(scale, s, lineEnd, std::max(width, 1.0f));
            if (cut <= s) {  // not even one character fits: take one (a whole UTF-8 sequence)
                cut = s + 1;
                while (cut < lineEnd && (static_cast<unsigned char>(*cut) & 0xC0) == 0x80) ++cut;
            }
            out.append(s, cut);
            s = cut;
            if (s < lineEnd) {
                out.push_back('\n');
                ++lines;
                while (s < lineEnd && (*s == ' ' || *s == '\t')) ++s;  // as ImGui's own wrapping does
            }
        }
        if (lineEnd < end) {
            out.push_back('\n');
            ++lines;
            s = lineEnd + 1;
        }
    }
    return out;
}

// A read-only, selectable text box sized to its (pre-wrapped) lines, up to maxLines.
void readOnlyBox(const char* id, std::string& text, int lines, int maxLines) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float height = static_cast<float>(std::clamp(lines, 1, maxLines)) * ImGui::GetTextLineHeight() +
                         2 * style.FramePadding.y + 2.0f;
    ImGui::InputTextMultiline(id, &text, ImVec2(-FLT_MIN, height), ImGuiInputTextFlags_ReadOnly);
}

// The wrap width of a full-width read-only box: room for a scrollbar is always kept, so the
// wrapping does not change when the scrollbar appears.
float boxWrapWidth() {
    const ImGuiStyle& style = ImGui::GetStyle();
    return ImGui::GetContentRegionAvail().x - 2 * style.FramePadding.x - style.ScrollbarSize - 2.0f;
}

// The job's prompt, else the one in its params; null when it has none.
const model::Text* promptOf(const model::Job& job) {
    if (job.prompt && !job.prompt->empty()) return &*job.prompt;
    if (job.params && job.params->prompt && !job.params->prompt->empty()) return &*job.params->prompt;
    return nullptr;
}

model::JobPtr findBySeq(const orchestrator::JobList& jobs, uint64_t seq, const std::string& id) {
    // jobs is in insertion order, i.e. ascending seq: a binary search, O(log n) lookups.
    size_t lo = 0, hi = jobs.size();
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (jobs[mid]->seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    const std::string_view key(id);
    if (lo < jobs.size() && jobs[lo]->seq == seq && (jobs[lo]->uiId == key || jobs[lo]->backendId == key))
        return jobs[lo];
    return nullptr;
}

model::JobPtr scanFor(const orchestrator::JobList& jobs, const std::string& id) {
    model::JobPtr byUi, byBackend;
    const std::string_view key(id);
    jobs.forEachPtr([&](const model::JobPtr& j) {
        if (byUi) return;
        if (j->uiId == key)
            byUi = j;
        else if (!byBackend && j->backendId == key)
            byBackend = j;  // a selection made by backend id still finds its job
    });
    return byUi ? byUi : byBackend;
}

}  // namespace

model::JobPtr DetailView::lookup(const orchestrator::Snapshot& snap, const std::string& id, int64_t now) {
    const bool sameId = id == cachedId_;
    if (sameId && cachedSnap_ == &snap && cachedVersion_ == snap.version && cachedSize_ == snap.jobs.size())
        return cachedJob_;
    if (!sameId) lastKnown_.reset();

    model::JobPtr found;
    // Fast path: a job keeps its seq while it is updated in place.
    if (sameId && lastKnown_) found = findBySeq(snap.jobs, lastKnown_->seq, id);
    if (!found) {
        // A full scan on a new selection, after a re-ingest (every job gets a new seq), and,
        // rate-limited, while the job is gone: never once per frame.
        const bool wasPresent = sameId && cachedJob_;
        if (!sameId || wasPresent || now - lastFullScanMicros_ >= kGoneRescanMicros || now < lastFullScanMicros_) {
            found = scanFor(snap.jobs, id);
            lastFullScanMicros_ = now;
        }
    }
    cachedSnap_ = &snap;
    cachedVersion_ = snap.version;
    cachedSize_ = snap.jobs.size();
    cachedId_ = id;
    cachedJob_ = found;
    if (found) lastKnown_ = found;
    return found;
}

void DetailView::drawPrompt(const model::Job& job) {
    const model::Text* prompt = promptOf(job);
    if (!prompt) {
        coloredText(palette().muted, "(no prompt)");
        return;
    }
    const float width = boxWrapWidth();
    if (prompt->data() != promptSource_.data() || width != promptWrapWidth_) {
        promptSource_ = *prompt;
        promptWrapWidth_ = width;
        promptWrapped_ = wrapText(prompt->view(), width, promptLines_);
    }
    readOnlyBox("##prompt", promptWrapped_, promptLines_, kMaxPromptLines);
}

void DetailView::drawFields(FrameContext& ctx, const model::Job& job, bool gone) {
    const int64_t now = ctx.nowMicros;
    if (!beginFields("##fields", 6.5f * ctx.em)) return;

    // Ids wrap (anywhere: a uuid has no spaces) rather than run under the pane's edge.
    fieldLabel("UI id");
    ImGui::PushFont(fonts().mono);
    ImGui::PushTextWrapPos(0.0f);
    textView(job.uiId.view());
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    copyButton(ctx, "ui", job.uiId.view());
    fieldLabel("Backend id");
    ImGui::PushFont(fonts().mono);
    ImGui::PushTextWrapPos(0.0f);
    textView(job.backendId.empty() ? std::string_view(kDash) : job.backendId.view());
    ctx.note("detail.backendId", {}, job.backendId.str());  // the real-window tests read which job is shown
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    if (!job.backendId.empty()) copyButton(ctx, "backend", job.backendId.view());

    field("Created", timeField(job.created_at, now));
    field("Started", timeField(job.startTime, now));
    field("Finished", timeField(job.finished_at, now));

    // Queued jobs have not started: their clock is the wait, not the run.
    const model::Timestamp& start = job.startTime.valid ? job.startTime : job.created_at;
    double elapsed = -1;
    if (start.valid) {
        if (job.finished_at.valid)
            elapsed = start.secondsUntil(job.finished_at);
        else if (model::isActive(job.status) && !gone)
            elapsed = static_cast<double>(now - start.micros) / 1e6;
    }
    const char* elapsedLabel = job.status == model::JobStatus::Queued ? "Waiting" : "Elapsed";
    if (elapsed >= 0)
        field(elapsedLabel, formatDuration(elapsed));
    else if (start.valid && job.finished_at.valid)  // the backend can finish a job before it starts (§2.5)
        field(elapsedLabel, "finished before it started (server clock)");
    else
        missingField(elapsedLabel);

    if (model::isActive(job.status) && !gone) {
        // Issue 14.4: the worker's forecast. A running job: what is left of its run; a queued
        // one: when it will be done, when it starts and its own run. No basis: a dash, no guess.
        const orchestrator::JobForecast* f = ctx.snap.queueForecast ? ctx.snap.queueForecast->find(job) : nullptr;
        if (!f) {
            field(job.status == model::JobStatus::Queued ? "Done in" : "ETA",
                  std::string(kDash) + "  (no finished job to learn from yet)");
        } else if (f->running) {
            field("ETA", (f->own.overdue ? std::string("running longer than expected")
                                         : formatDuration(secondsUntil(f->doneAtMicros, now))) +
                             "  (" + etaExplanation(f->own) + ")");
        } else {
            field("Done in", forecastDone(*f, now));
            field("Starts in", forecastStart(*f, now));
            field("Run time", forecastOwnRun(*f));
        }
    }

    if (job.message && !job.message->empty())
        field("Message", job.message->view());
    else
        missingField("Message");

    if (job.receivedMicros > 0) field("Updated", formatAge(job.receivedMicros, now));
    ImGui::EndTable();
}

void DetailView::drawParams(FrameContext& ctx, const model::Job& job) {
    sectionTitle("Parameters");
    if (!job.params) {
        coloredText(palette().muted, "No parameters stored for this job.");
        return;
    }
    const model::GenerationParams& p = *job.params;
    if (!beginFields("##params", 8.5f * ctx.em)) return;
    char buf[64];
    const auto text = [](const char* label, const std::optional<model::Text>& v) {
        if (v && !v->empty())
            field(label, v->view());
        else
            missingField(label);
    };
    const auto integer = [&buf](const char* label, const auto& v) {
        if (!v) return missingField(label);
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(*v));
        field(label, buf);
    };
    const auto real = [&buf](const char* label, const std::optional<double>& v, const char* fmt) {
        if (!v) return missingField(label);
        std::snprintf(buf, sizeof buf, fmt, *v);
        field(label, buf);
    };
    // params.prompt is usually the job's prompt, shown above; only a different one is repeated.
    if (p.prompt && !(job.prompt && *job.prompt == *p.prompt)) text("prompt", p.prompt);
    text("negative_prompt", p.negative_prompt);
    integer("steps", p.steps);
    text("sampler_name", p.sampler_name);
    real("cfg_scale", p.cfg_scale, "%.2f");
    integer("width", p.width);
    integer("height", p.height);
    if (p.seed && *p.seed == -1)
        field("seed", "-1 (random)");
    else
        integer("seed", p.seed);
    integer("batch_size", p.batch_size);
    integer("n_iter", p.n_iter);
    real("denoising_strength", p.denoising_strength, "%.2f");
    text("backend", p.backend);
    ImGui::EndTable();
}

void DetailView::drawResultJson(FrameContext& ctx, const model::Job& job) {
    if (!job.result_json || job.result_json->empty()) return;
    ImGui::Spacing();
    if (!ImGui::CollapsingHeader("Result (raw JSON)")) return;
    ImGui::PushFont(fonts().mono);
    const float width = boxWrapWidth();
    if (job.result_json->data() != jsonSource_.data() || width != jsonWrapWidth_) {
        jsonSource_ = *job.result_json;
        jsonWrapWidth_ = width;
        jsonWrapped_ = wrapText(job.result_json->view(), width, jsonLines_);
    }
    readOnlyBox("##result_json", jsonWrapped_, jsonLines_, kMaxJsonLines);
    ImGui::PopFont();
    if (ImGui::SmallButton("Copy JSON")) ctx.commands.copyToClipboard(job.result_json->str());
}

void DetailView::drawJob(FrameContext& ctx, const model::Job& job, bool gone) {
    const float em = ctx.em;
    const Palette& pal = palette();

    // Status and progress on one line.
    statusChip(job.status);
    ImGui::SameLine();
    char overlay[64];
    if (job.current_step && job.total_steps && *job.total_steps > 0)
        std::snprintf(overlay, sizeof overlay, "%d%%  \xC2\xB7  step %d/%d", job.progress, *job.current_step,
                      *job.total_steps);
    else
        std::snprintf(overlay, sizeof overlay, "%d%%", job.progress);
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, barFill(statusColor(job.status)));
    ImGui::ProgressBar(static_cast<float>(job.progress) / 100.0f, ImVec2(-FLT_MIN, 0), overlay);
    ImGui::PopStyleColor();

    // Actions.
    if (!gone && model::isCancellable(job.status) && !job.backendId.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, pal.error);
        if (ImGui::Button("Cancel\xE2\x80\xA6")) requestCancel(ctx.state, {job.backendId.str()});
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Cancel this job on the backend (asks first)");
        ImGui::SameLine();
    }
    const model::Text* prompt = promptOf(job);
    ImGui::BeginDisabled(!prompt);
    if (ImGui::Button("Copy prompt") && prompt) ctx.commands.copyToClipboard(prompt->str());
    ImGui::EndDisabled();
    // Issue 18: a job that ended (or left the queue) can go again with the same parameters.
    if (ctx.commands.canRunAgain() && (gone || !model::isActive(job.status)) && prompt && !job.backendId.empty()) {
        ImGui::SameLine();
        if (ImGui::Button("Run again")) ctx.commands.runAgain(job.backendId.str());
        ctx.note("detail.runAgain", job.backendId.str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Queue this job's exact parameters again (deferred)");
    }
    if (!gone) {  // a gone job has its own "Clear selection" above
        ImGui::SameLine();
        if (ImGui::Button("Close")) ctx.state.detailJob.clear();
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Clear the selection");
    }
    if (job.optimistic) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        coloredText(pal.muted, "optimistic (not yet listed by the server)");
    }

    // The error first: for a failed job it is what a person came to read.
    if (job.error && !job.error->empty()) {
        ImGui::Spacing();
        coloredWrapped(pal.error, job.error->view());
        if (ImGui::SmallButton("Copy error")) ctx.commands.copyToClipboard(job.error->str());
    }

    // Side by side when the pane is wide: details left, parameters right.
    const bool twoColumns = ImGui::GetContentRegionAvail().x >= 46 * em;
    if (twoColumns && ImGui::BeginTable("##layout", 2, ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("details", ImGuiTableColumnFlags_WidthStretch, 1.5f);
        ImGui::TableSetupColumn("params", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        sectionTitle("Prompt");
        drawPrompt(job);
        drawFields(ctx, job, gone);
        ImGui::TableNextColumn();
        drawParams(ctx, job);
        drawResultJson(ctx, job);
        ImGui::EndTable();
    } else {
        sectionTitle("Prompt");
        drawPrompt(job);
        drawFields(ctx, job, gone);
        drawParams(ctx, job);
        drawResultJson(ctx, job);
    }
}

void DetailView::draw(FrameContext& ctx) {
    // Issue 17.2: in all-backends mode the key names the job's backend: the pane reads that
    // backend's own snapshot and its actions go to it.
    const ScopedKey key = ctx.fleet ? parseScopedKey(ctx.state.detailJob) : ScopedKey{};
    const int backend = key.backend < static_cast<int>(ctx.fleet ? ctx.fleet->backends.size() : 0) ? key.backend : -1;
    if (backend != shownBackend_) {  // the same id on another backend is another job
        lastKnown_.reset();
        cachedId_.clear();
        shownBackend_ = backend;
    }
    if (backend < 0) {
        drawFor(ctx, ctx.state.detailJob);
        return;
    }
    FrameContext own{ctx.fleet->snapshot(backend), ctx.nowMicros, ctx.commands.backend(backend), ctx.state,
                     ctx.textures, ctx.em, ctx.probe};
    coloredText(palette().accent, "on " + ctx.fleet->name(backend));
    ctx.note("detail.backend", {}, ctx.fleet->name(backend));
    drawFor(own, key.id);
}

void DetailView::drawFor(FrameContext& ctx, const std::string& id) {
    if (id.empty()) {
        lastKnown_.reset();
        cachedId_.clear();
        ImGui::Spacing();
        coloredText(palette().muted, "Select a job to see its details (Enter on a row).");
        return;
    }
    const model::JobPtr job = lookup(ctx.snap, id, ctx.nowMicros);
    if (job) {
        drawJob(ctx, *job, false);
        return;
    }
    // Selected where the queue no longer has it (the timeline's finished lanes): the history does.
    const orchestrator::JobLifecycle* departed = ctx.snap.jobHistory ? ctx.snap.jobHistory->findNewest(id) : nullptr;
    if (!lastKnown_ && departed) lastKnown_ = departed->job;
    if (departed)
        coloredWrapped(palette().warning, std::string("This job is no longer in the queue: ") +
                                              orchestrator::outcomeName(departed->outcome) + ".");
    else
        coloredWrapped(palette().warning, "This job is no longer in the queue (finished or cancelled).");
    if (ImGui::Button("Clear selection")) {
        ctx.state.detailJob.clear();
        return;
    }
    if (lastKnown_) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        coloredText(palette().muted, "Last known state:");
        ImGui::Separator();
        drawJob(ctx, *lastKnown_, true);
    }
}

}  // namespace genmon::ui
