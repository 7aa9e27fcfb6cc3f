#include "ui/results_view.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "model/result.hpp"
#include "ui/fleet_scope.hpp"
#include "ui/fonts.hpp"
#include "ui/format.hpp"
#include "ui/texture_cache.hpp"
#include "ui/theme.hpp"

namespace genmon::ui {
namespace {

constexpr int kMinHistory = 10;
constexpr int kMaxHistory = 200;  // MAX_RESULTS (spec §5.1)
constexpr float kThumbEm = 7.5f;
constexpr float kListThumbEm = 2.4f;
constexpr float kTooltipMaxEm = 16.0f;
constexpr const char* kEllipsis = "\xE2\x80\xA6";
constexpr const char* kDash = "\xE2\x80\x94";

ImU32 toU32(const ImVec4& c) { return ImGui::ColorConvertFloat4ToU32(c); }
ImU32 withAlpha(const ImVec4& c, float a) { return toU32(ImVec4(c.x, c.y, c.z, a)); }

std::string_view firstLine(std::string_view text) {
    const auto nl = text.find_first_of("\r\n");
    return nl == std::string_view::npos ? text : text.substr(0, nl);
}

std::string_view promptOf(const model::GenerationResult& r) {
    return r.prompt && !r.prompt->empty() ? std::string_view(*r.prompt) : std::string_view();
}

// One line of text cut with "…" to fit maxWidth. Measures only: no allocation per call.
void drawClippedText(ImDrawList* dl, ImVec2 pos, ImU32 col, std::string_view text, float maxWidth) {
    text = firstLine(text);
    const char* b = text.data();
    const char* e = b + text.size();
    if (ImGui::CalcTextSize(b, e).x <= maxWidth) {
        dl->AddText(pos, col, b, e);
        return;
    }
    const float ellipsisWidth = ImGui::CalcTextSize(kEllipsis).x;
    size_t lo = 0, hi = text.size();
    while (lo < hi) {  // longest prefix that fits with the ellipsis; widths grow with length
        const size_t mid = (lo + hi + 1) / 2;
        if (ImGui::CalcTextSize(b, b + mid).x + ellipsisWidth <= maxWidth)
            lo = mid;
        else
            hi = mid - 1;
    }
    while (lo > 0 && (static_cast<unsigned char>(b[lo]) & 0xC0) == 0x80) --lo;  // UTF-8 boundary
    dl->AddText(pos, col, b, b + lo);
    dl->AddText(ImVec2(pos.x + ImGui::CalcTextSize(b, b + lo).x, pos.y), col, kEllipsis);
}

// The seed a person wants to reuse: the one really used when the server reports it.
std::optional<int64_t> usefulSeed(const model::GenerationResult& r) {
    if (r.generation_seed) return r.generation_seed;
    return r.seed;
}

void textView(std::string_view s) { ImGui::TextUnformatted(s.data(), s.data() + s.size()); }

void mutedText(const char* s) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().muted);
    ImGui::TextUnformatted(s);
    ImGui::PopStyleColor();
}

// Fits an image of w x h into a box, keeping its aspect ratio.
ImVec2 fitInto(int w, int h, float boxW, float boxH) {
    if (w <= 0 || h <= 0) return ImVec2(boxW, boxH);
    const float scale = std::min(boxW / static_cast<float>(w), boxH / static_cast<float>(h));
    return ImVec2(static_cast<float>(w) * scale, static_cast<float>(h) * scale);
}

// The thumbnail, or a placeholder saying why there is none, inside [p0, p0 + size].
void drawThumbnail(ImDrawList* dl, const model::GenerationResult& r, ImTextureID tex, ImVec2 p0, ImVec2 size,
                   bool compact) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const Palette& pal = palette();
    const ImVec2 p1(p0.x + size.x, p0.y + size.y);
    dl->AddRectFilled(p0, p1, toU32(style.Colors[ImGuiCol_FrameBg]), style.FrameRounding);
    if (tex && r.thumbnail) {
        const ImVec2 fit = fitInto(r.thumbnail->width, r.thumbnail->height, size.x, size.y);
        const ImVec2 a(p0.x + (size.x - fit.x) * 0.5f, p0.y + (size.y - fit.y) * 0.5f);
        dl->AddImage(tex, a, ImVec2(a.x + fit.x, a.y + fit.y));
        return;
    }
    const char* label = "no image";
    ImU32 textCol = toU32(pal.muted);
    ImU32 borderCol = withAlpha(pal.muted, 0.35f);
    switch (r.imageState) {
        case model::ImageState::Loading: label = compact ? kEllipsis : "loading\xE2\x80\xA6"; break;
        case model::ImageState::Failed:
            label = compact ? "!" : (r.imageError.empty() ? "image failed" : r.imageError.c_str());
            textCol = toU32(pal.error);
            borderCol = withAlpha(pal.error, 0.6f);
            break;
        case model::ImageState::Ready: label = compact ? "" : "no preview"; break;  // headless: no textures
        case model::ImageState::None: label = compact ? kDash : "no image"; break;
    }
    dl->AddRect(p0, p1, borderCol, style.FrameRounding);
    // Centred, wrapped inside the box so a long error stays readable and inside the cell.
    const float pad = style.FramePadding.x;
    const float wrap = size.x - 2 * pad;
    const ImVec2 ts = ImGui::CalcTextSize(label, nullptr, false, wrap);
    const ImVec2 tp(p0.x + std::max(pad, (size.x - ts.x) * 0.5f), p0.y + std::max(pad, (size.y - ts.y) * 0.5f));
    const ImVec4 clip(p0.x, p0.y, p1.x, p1.y);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), tp, textCol, label, nullptr, wrap, &clip);
}

// A label/value row of the metadata table in the tooltip.
void metaRow(const char* label, std::string_view value) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    mutedText(label);
    ImGui::TableNextColumn();
    textView(value);
}

std::string timeWithAge(const model::Timestamp& t, int64_t now) {
    if (!t.valid) return kDash;
    return formatClock(t.micros) + " (" + formatAge(t.micros, now) + ")";
}

std::string seedText(const model::GenerationResult& r) {
    char buf[64];
    if (r.seed && r.generation_seed && *r.seed != *r.generation_seed)
        std::snprintf(buf, sizeof buf, "%lld \xE2\x86\x92 %lld", static_cast<long long>(*r.seed),
                      static_cast<long long>(*r.generation_seed));  // requested → used
    else if (const auto s = usefulSeed(r))
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(*s));
    else
        return kDash;
    return buf;
}

std::string sizeText(const model::GenerationResult& r) {
    if (!r.width || !r.height) return kDash;
    return std::to_string(*r.width) + "\xC3\x97" + std::to_string(*r.height);  // ×
}

std::string cfgText(const model::GenerationResult& r) {
    if (!r.cfg_scale) return kDash;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *r.cfg_scale);
    return buf;
}

// Issue 17.2: a result in the merged list of all-backends mode knows its backend by its index
// (ResultAt::backend, -1 otherwise); its key is its id, or "b/id" there (ids may collide).
struct ResultAt {
    int backend = -1;
    std::string key;
};
ResultAt resultAt(const FrameContext& ctx, size_t index, const model::GenerationResult& r) {
    if (!ctx.fleet) return {-1, r.id};
    const int b = ctx.fleet->resultBackend(index);
    return {b, scopedKey(b, r.id)};
}

// The hover preview: the thumbnail at about twice its size, then everything known about it.
void drawTooltip(FrameContext& ctx, const model::GenerationResult& r, ImTextureID tex, int backend) {
    const float em = ctx.em;
    ImGui::BeginTooltip();
    if (tex && r.thumbnail) {
        const float maxSide = kTooltipMaxEm * em;
        const ImVec2 fit = fitInto(r.thumbnail->width, r.thumbnail->height,
                                   std::min(maxSide, 2.0f * static_cast<float>(r.thumbnail->width)),
                                   std::min(maxSide, 2.0f * static_cast<float>(r.thumbnail->height)));
        ImGui::Image(tex, fit);
    } else {
        const ImVec2 box(8 * em, 8 * em);
        const ImVec2 p0 = ImGui::GetCursorScreenPos();
        drawThumbnail(ImGui::GetWindowDrawList(), r, tex, p0, box, false);
        ImGui::Dummy(box);
    }
    ImGui::PushTextWrapPos(ImGui::GetCursorPos().x + 24 * em);
    const std::string_view prompt = promptOf(r);
    if (!prompt.empty())
        textView(prompt);
    else
        mutedText("(no prompt)");
    if (r.negative_prompt && !r.negative_prompt->empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette().muted);
        ImGui::Text("Negative: %s", r.negative_prompt->c_str());
        ImGui::PopStyleColor();
    }
    ImGui::PopTextWrapPos();
    if (ImGui::BeginTable("##meta", 2, ImGuiTableFlags_SizingFixedFit)) {
        metaRow("Seed", seedText(r));
        if (r.steps) metaRow("Steps", std::to_string(*r.steps));
        metaRow("CFG", cfgText(r));
        metaRow("Size", sizeText(r));
        if (r.sampler_name) metaRow("Sampler", *r.sampler_name);
        if (r.model_name) metaRow("Model", *r.model_name);
        metaRow("Created", timeWithAge(r.created_at, ctx.nowMicros));
        if (r.finished_at.valid) metaRow("Finished", timeWithAge(r.finished_at, ctx.nowMicros));
        metaRow("Id", r.id);
        if (ctx.fleet && backend >= 0) metaRow("Backend", ctx.fleet->name(backend));
        if (r.imageState == model::ImageState::Failed && !r.imageError.empty()) metaRow("Image", r.imageError);
        ImGui::EndTable();
    }
    ImGui::EndTooltip();
}

// Copy and delete actions, as menu items (context menu) or as buttons (selection bar).
void resultActions(FrameContext& ctx, const model::GenerationResult& r, bool asMenu, int backend) {
    const auto action = [asMenu](const char* label, bool enabled) {
        if (asMenu) return ImGui::MenuItem(label, nullptr, false, enabled);
        ImGui::BeginDisabled(!enabled);
        const bool pressed = ImGui::SmallButton(label);
        ImGui::EndDisabled();
        ImGui::SameLine();
        return pressed;
    };
    const std::string_view prompt = promptOf(r);
    if (action("Copy prompt", !prompt.empty())) ctx.commands.copyToClipboard(std::string(prompt));
    const auto seed = usefulSeed(r);
    if (action("Copy seed", seed.has_value())) ctx.commands.copyToClipboard(std::to_string(*seed));
    if (action("Copy id", !r.id.empty())) ctx.commands.copyToClipboard(r.id);
    if (asMenu) ImGui::Separator();
    if (action("Delete\xE2\x80\xA6", !r.id.empty())) requestDeleteResult(ctx.state, r.id, backend, ctx.fleet);
    if (!asMenu) ImGui::NewLine();
}

void select(FrameContext& ctx, const ResultAt& at) {
    ctx.state.selectedResult = at.key;
    ctx.state.focus = Panel::Results;
}

// Everything a result cell or row does besides drawing: select, preview, context menu.
void itemInteractions(FrameContext& ctx, const model::GenerationResult& r, const ResultAt& at, ImTextureID tex,
                      bool clicked) {
    if (clicked) select(ctx, at);
    if (ImGui::IsItemHovered()) drawTooltip(ctx, r, tex, at.backend);
    if (ImGui::BeginPopupContextItem("##ctx")) {
        select(ctx, at);
        resultActions(ctx, r, true, at.backend);
        ImGui::EndPopup();
    }
}

// Scrolls the current scrolling region so that [top, top + height) is visible (keyboard j/k).
void scrollIntoView(float top, float height, float visibleHeight) {
    const float scroll = ImGui::GetScrollY();
    if (top < scroll)
        ImGui::SetScrollY(top);
    else if (top + height > scroll + visibleHeight)
        ImGui::SetScrollY(top + height - visibleHeight);
}

void drawGrid(FrameContext& ctx, const orchestrator::ResultList& results, int scrollTo) {
    if (!ImGui::BeginChild("##results_grid", ImVec2(0, 0), false)) {
        ImGui::EndChild();
        return;
    }
    const ImGuiStyle& style = ImGui::GetStyle();
    const Palette& pal = palette();
    const float em = ctx.em;
    const float gap = style.ItemSpacing.x;
    const float avail = std::max(ImGui::GetContentRegionAvail().x, kThumbEm * em);
    const int cols = std::max(1, static_cast<int>((avail + gap) / (kThumbEm * em + gap)));
    // Cells grow to share the spare width, so the grid fills the panel edge to edge.
    const float side = (avail - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
    const float captionGap = 0.2f * em;
    const float lineH = ImGui::GetTextLineHeight();
    const ImVec2 cell(side, side + captionGap + lineH);
    const int rows = (static_cast<int>(results.size()) + cols - 1) / cols;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float border = std::max(1.0f, 0.12f * em);

    if (scrollTo >= 0) {
        const float rowStride = cell.y + style.ItemSpacing.y;
        scrollIntoView(static_cast<float>(scrollTo / cols) * rowStride, cell.y, ImGui::GetWindowHeight());
    }
    ImGuiListClipper clipper;
    clipper.Begin(rows, cell.y + style.ItemSpacing.y);
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            for (int col = 0; col < cols; ++col) {
                const size_t index = static_cast<size_t>(row) * static_cast<size_t>(cols) + static_cast<size_t>(col);
                if (index >= results.size()) break;
                const model::ResultPtr& rp = results[index];
                if (!rp) continue;
                const model::GenerationResult& r = *rp;
                const ResultAt at = resultAt(ctx, index, r);
                if (col > 0) ImGui::SameLine(0, gap);
                ImGui::PushID(at.key.c_str());
                const ImVec2 p0 = ImGui::GetCursorScreenPos();
                const bool clicked = ImGui::InvisibleButton("##cell", cell);
                const bool hovered = ImGui::IsItemHovered();
                const bool selected = ctx.state.selectedResult == at.key;
                const ImTextureID tex = ctx.textures.get(r.thumbnail);
                drawThumbnail(dl, r, tex, p0, ImVec2(side, side), false);
                if (at.backend >= 0) {  // all backends: the backend's name on the card's corner
                    const std::string& name = ctx.fleet->name(at.backend);
                    const ImVec2 pad(0.25f * em, 0.1f * em);
                    const ImVec2 size = ImGui::CalcTextSize(name.c_str());
                    dl->AddRectFilled(p0, ImVec2(p0.x + std::min(side, size.x + 2 * pad.x), p0.y + size.y + 2 * pad.y),
                                      toU32(ImVec4(0, 0, 0, 0.65f)), style.FrameRounding);
                    drawClippedText(dl, ImVec2(p0.x + pad.x, p0.y + pad.y), toU32(pal.accent), name, side - 2 * pad.x);
                    ctx.note("results.backend", at.key, name);
                }
                if (selected || hovered) {
                    const ImVec4 c = selected ? pal.accent : style.Colors[ImGuiCol_HeaderHovered];
                    dl->AddRect(ImVec2(p0.x - border * 0.5f, p0.y - border * 0.5f),
                                ImVec2(p0.x + side + border * 0.5f, p0.y + side + border * 0.5f), toU32(c),
                                style.FrameRounding, 0, selected ? 2 * border : border);
                }
                const std::string_view prompt = promptOf(r);
                const ImVec2 captionPos(p0.x, p0.y + side + captionGap);
                if (prompt.empty())
                    drawClippedText(dl, captionPos, toU32(pal.muted), "(no prompt)", side);
                else
                    drawClippedText(dl, captionPos, toU32(selected ? pal.accent : pal.text), prompt, side);
                itemInteractions(ctx, r, at, tex, clicked);
                ImGui::PopID();
            }
        }
    }
    clipper.End();
    ImGui::EndChild();
}

void drawList(FrameContext& ctx, const orchestrator::ResultList& results, int scrollTo) {
    const float em = ctx.em;
    const ImGuiStyle& style = ImGui::GetStyle();
    const Palette& pal = palette();
    const float lineH = ImGui::GetTextLineHeight();
    // Tall enough for the small thumbnail and for two-line cells (clock over age, seed used
    // over seed requested), which keeps the fixed columns narrow.
    const float rowH = std::max(kListThumbEm * em, 2 * lineH + style.CellPadding.y);
    struct Column {
        const char* name;
        float widthEm;  // 0: the stretching prompt column
    };
    static constexpr Column kColumns[] = {{"##thumb", kListThumbEm}, {"Prompt", 0}, {"Size", 5.2f},
                                          {"Steps", 2.8f},           {"CFG", 2.4f},  {"Seed", 5.2f},
                                          {"Created", 5.8f},         {"Id", 7.2f}};
    // Issue 17.2: all-backends mode adds a Backend column at the end (its own table, its own settings).
    const bool all = ctx.fleet != nullptr;
    const int kColumnCount = static_cast<int>(sizeof kColumns / sizeof kColumns[0]) + (all ? 1 : 0);
    constexpr float kPromptMinEm = 12.0f;
    // Narrow panel: scroll sideways with thumbnail and prompt frozen; wide panel: the prompt
    // takes the spare width (a stretch column needs an explicit inner width with ScrollX).
    float minWidth = kPromptMinEm * em + 2 * style.CellPadding.x * kColumnCount;
    for (const Column& c : kColumns) minWidth += c.widthEm * em;
    if (all) minWidth += 5.5f * em;
    const float innerWidth = std::max(minWidth, ImGui::GetContentRegionAvail().x - style.ScrollbarSize);
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Hideable;
    if (!ImGui::BeginTable(all ? "##results_list_all" : "##results_list", kColumnCount, flags, ImVec2(0, 0), innerWidth)) return;
    ImGui::TableSetupScrollFreeze(2, 1);
    for (const Column& c : kColumns) {
        if (c.widthEm > 0)
            ImGui::TableSetupColumn(c.name, ImGuiTableColumnFlags_WidthFixed, c.widthEm * em);
        else
            ImGui::TableSetupColumn(c.name, ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_NoHide);
    }
    if (all) ImGui::TableSetupColumn("Backend", ImGuiTableColumnFlags_WidthFixed, 5.5f * em);
    ImGui::TableHeadersRow();

    const auto oneLine = [&](std::string_view s) {
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (rowH - lineH) * 0.5f);
        textView(s);
    };
    const auto twoLines = [&](std::string_view top, std::string_view bottom) {
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + std::max(0.0f, (rowH - 2 * lineH) * 0.5f));
        textView(top);
        ImGui::PushStyleColor(ImGuiCol_Text, pal.muted);
        textView(bottom);
        ImGui::PopStyleColor();
    };
    const float rowStride = rowH + style.CellPadding.y * 2;
    if (scrollTo >= 0) {
        // Rows scroll under the frozen header row.
        const float headerH = lineH + style.CellPadding.y * 2;
        scrollIntoView(static_cast<float>(scrollTo) * rowStride, rowStride, ImGui::GetWindowHeight() - headerH);
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(results.size()), rowStride);
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const model::ResultPtr& rp = results[static_cast<size_t>(i)];
            if (!rp) continue;
            const model::GenerationResult& r = *rp;
            const ResultAt at = resultAt(ctx, static_cast<size_t>(i), r);
            ImGui::TableNextRow(0, rowH);
            ImGui::TableNextColumn();
            ImGui::PushID(at.key.c_str());
            const bool selected = ctx.state.selectedResult == at.key;
            const ImVec2 p0 = ImGui::GetCursorScreenPos();
            const bool clicked = ImGui::Selectable(
                "##row", selected, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap,
                ImVec2(0, rowH));
            const ImTextureID tex = ctx.textures.get(r.thumbnail);
            itemInteractions(ctx, r, at, tex, clicked);
            drawThumbnail(ImGui::GetWindowDrawList(), r, tex, p0, ImVec2(rowH, rowH), true);

            ImGui::TableNextColumn();
            ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (rowH - lineH) * 0.5f);
            const std::string_view prompt = promptOf(r);
            const float w = ImGui::GetContentRegionAvail().x;
            drawClippedText(ImGui::GetWindowDrawList(), ImGui::GetCursorScreenPos(),
                            toU32(prompt.empty() ? pal.muted : pal.text),
                            prompt.empty() ? std::string_view("(no prompt)") : prompt, w);
            ImGui::Dummy(ImVec2(w, lineH));

            ImGui::TableNextColumn();
            oneLine(sizeText(r));
            ImGui::TableNextColumn();
            oneLine(r.steps ? std::to_string(*r.steps) : std::string(kDash));
            ImGui::TableNextColumn();
            oneLine(cfgText(r));
            ImGui::TableNextColumn();
            if (r.generation_seed && r.seed && *r.seed != *r.generation_seed)
                twoLines(std::to_string(*r.generation_seed), "asked " + std::to_string(*r.seed));
            else
                oneLine(seedText(r));
            ImGui::TableNextColumn();
            if (r.created_at.valid)
                twoLines(formatClock(r.created_at.micros), formatAge(r.created_at.micros, ctx.nowMicros));
            else
                oneLine(kDash);
            ImGui::TableNextColumn();
            ImGui::PushFont(fonts().mono);
            oneLine(shortId(r.id, 6));
            ImGui::PopFont();
            if (all) {
                ImGui::TableNextColumn();
                oneLine(ctx.fleet->name(at.backend));
                ctx.note("results.backend", at.key, ctx.fleet->name(at.backend));
            }
            ImGui::PopID();
        }
    }
    clipper.End();
    ImGui::EndTable();
}

// Moves the cursor to the same line when `width` more pixels fit, else to the next line.
void sameLineIfFits(float width) {
    const float lastRight = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    if (lastRight + spacing + width <= ImGui::GetWindowContentRegionMax().x) ImGui::SameLine();
}

}  // namespace

void ResultsView::syncHistoryLimit(FrameContext& ctx) {
    const int snapLimit = ctx.snap.historyLimit;
    if (pendingLimit_ != 0 && snapLimit == pendingLimit_) pendingLimit_ = 0;  // the worker has it
    // Adopt a limit changed elsewhere (CLI, reconnect reset), but never fight our own edit.
    if (snapLimit != lastSnapshotLimit_ && pendingLimit_ == 0 && !limitActive_) ctx.state.historyLimit = snapLimit;
    lastSnapshotLimit_ = snapLimit;
}

void ResultsView::draw(FrameContext& ctx) {
    UiState& state = ctx.state;
    const float em = ctx.em;
    syncHistoryLimit(ctx);
    static const orchestrator::ResultList kNoResults;
    const orchestrator::ResultList& results = ctx.snap.recentResults ? *ctx.snap.recentResults : kNoResults;

    // ---- toolbar ----
    if (ImGui::RadioButton("Grid", state.resultsMode == ResultsMode::Grid)) state.resultsMode = ResultsMode::Grid;
    ImGui::SameLine();
    if (ImGui::RadioButton("List", state.resultsMode == ResultsMode::List)) state.resultsMode = ResultsMode::List;
    ImGui::SameLine(0, em);
    ImGui::SetNextItemWidth(8 * em);
    int limit = state.historyLimit;
    if (ImGui::SliderInt("##history", &limit, kMinHistory, kMaxHistory, "history %d", ImGuiSliderFlags_AlwaysClamp))
        state.historyLimit = limit;
    limitActive_ = ImGui::IsItemActive();
    // Post once when the drag ends, not for every value passed on the way.
    if (ImGui::IsItemDeactivatedAfterEdit()) {
        ctx.commands.setHistoryLimit(state.historyLimit);
        pendingLimit_ = state.historyLimit;
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("How many recent results to keep (%d-%d). Ctrl+click to type.", kMinHistory, kMaxHistory);
    sameLineIfFits(ImGui::CalcTextSize("Refresh").x + 2 * ImGui::GetStyle().FramePadding.x);
    if (ImGui::Button("Refresh")) {
        if (!ctx.fleet) ctx.commands.refreshResults();
        for (size_t b = 0; ctx.fleet && b < ctx.fleet->backends.size(); ++b)  // all backends: each its own
            ctx.commands.backend(static_cast<int>(b)).refreshResults();
    }

    char info[128];
    if (ctx.fleet)  // issue 17.2: each backend keeps its own recent results
        std::snprintf(info, sizeof info, "showing %zu (%d per backend)", results.size(), state.historyLimit);
    else
        std::snprintf(info, sizeof info, "showing %zu of %d", results.size(), state.historyLimit);
    const std::string age = ctx.snap.resultsUpdatedAtMicros > 0
                                ? "updated " + formatAge(ctx.snap.resultsUpdatedAtMicros, ctx.nowMicros)
                                : std::string("not loaded yet");
    sameLineIfFits(ImGui::CalcTextSize(info).x);
    mutedText(info);
    sameLineIfFits(ImGui::CalcTextSize(age.c_str()).x);
    mutedText(age.c_str());

    // ---- selection bar: the same actions as the context menu, for the selected result ----
    const model::GenerationResult* selected = nullptr;
    int selectedIndex = -1;
    ResultAt selectedAt;
    if (!state.selectedResult.empty())
        for (size_t i = 0; i < results.size(); ++i)  // at most MAX_RESULTS entries per backend
            if (results[i] && (selectedAt = resultAt(ctx, i, *results[i])).key == state.selectedResult) {
                selected = results[i].get();
                selectedIndex = static_cast<int>(i);
                break;
            }
    // A selection made elsewhere (j/k in the App) is scrolled into view once.
    const int scrollTo = state.selectedResult != lastScrolledTo_ ? selectedIndex : -1;
    lastScrolledTo_ = state.selectedResult;
    // The bar is always there, so selecting does not push the grid down.
    if (!results.empty()) ImGui::AlignTextToFramePadding();
    if (selected) {
        ImGui::PushID("##selection");
        mutedText("Selected:");
        ImGui::SameLine();
        resultActions(ctx, *selected, false, selectedAt.backend);
        ImGui::PopID();
    } else if (!results.empty()) {
        // One line, so selecting (which shows the action buttons instead) does not move the grid.
        const char* hint = "Click a result to select it; right-click for its actions.";
        if (ImGui::CalcTextSize(hint).x > ImGui::GetContentRegionAvail().x) hint = "Right-click a result for its actions.";
        ImGui::PushTextWrapPos(0.0f);
        mutedText(hint);
        ImGui::PopTextWrapPos();
    }
    ImGui::Separator();

    if (results.empty()) {
        ImGui::Spacing();
        mutedText("No results yet. Finished generations appear here.");
        return;
    }
    if (state.resultsMode == ResultsMode::Grid)
        drawGrid(ctx, results, scrollTo);
    else
        drawList(ctx, results, scrollTo);
}

}  // namespace genmon::ui
