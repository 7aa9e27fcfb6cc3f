#include "ui/generate_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <optional>
#include <string>

#include "ui/fleet_scope.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"

namespace genmon::ui {
namespace {

// SDNext's usual sampler names; the field stays editable for anything else the backend knows.
constexpr const char* kSamplers[] = {
    "DPM++ 2M",  "DPM++ 2M Karras", "DPM++ 2M SDE", "DPM++ SDE", "DPM++ 2S a", "Euler a",
    "Euler",     "Heun",            "DPM2",         "LMS",       "DDIM",       "UniPC",
};

constexpr const char* kDiceIcon = "\xE2\x9A\x84";  // ⚄

void mutedText(const char* s) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().muted);
    ImGui::TextUnformatted(s);
    ImGui::PopStyleColor();
}

void fieldLabel(const char* label) {
    ImGui::TableNextColumn();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(-FLT_MIN);
}

bool ctrlEnterPressed() {
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.KeyCtrl) return false;
    return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
           ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false);
}

}  // namespace

bool GenerateView::drawParameters(FrameContext& ctx) {
    const float em = ctx.em;
    const ImGuiStyle& style = ImGui::GetStyle();
    bool edited = false;
    // Two parameters per row when the panel is wide enough, one otherwise.
    const bool twoPerRow = ImGui::GetContentRegionAvail().x >= 26 * em;
    const int columns = twoPerRow ? 4 : 2;
    if (!ImGui::BeginTable("##params", columns, ImGuiTableFlags_SizingStretchProp)) return false;
    for (int c = 0; c < columns; c += 2) {
        ImGui::TableSetupColumn(c == 0 ? "label0" : "label1", ImGuiTableColumnFlags_WidthFixed, 6.5f * em);
        ImGui::TableSetupColumn(c == 0 ? "value0" : "value1", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    }

    fieldLabel("Steps");
    edited |= ImGui::InputInt("##steps", &values_.steps, 1, 10);

    fieldLabel("Sampler");
    {
        // An editable combo: free text plus a list of the usual names behind the arrow.
        const float arrow = ImGui::GetFrameHeight();
        ImGui::SetNextItemWidth(std::max(4 * em, ImGui::GetContentRegionAvail().x - arrow));
        edited |= ImGui::InputText("##sampler", &values_.sampler_name);
        ImGui::SameLine(0, 0);
        if (ImGui::BeginCombo("##sampler_list", nullptr, ImGuiComboFlags_NoPreview | ImGuiComboFlags_PopupAlignLeft)) {
            for (const char* name : kSamplers) {
                const bool current = values_.sampler_name == name;
                if (ImGui::Selectable(name, current)) {
                    values_.sampler_name = name;
                    edited = true;
                }
                if (current) ImGui::SetItemDefaultFocus();
            }
            ImGui::EndCombo();
        }
    }

    fieldLabel("CFG scale");
    edited |= ImGui::InputDouble("##cfg", &values_.cfg_scale, 0.5, 1.0, "%.1f");

    fieldLabel("Seed");
    {
        const float dice = ImGui::CalcTextSize(kDiceIcon).x + 2 * style.FramePadding.x;
        ImGui::SetNextItemWidth(std::max(4 * em, ImGui::GetContentRegionAvail().x - dice - style.ItemInnerSpacing.x));
        edited |= ImGui::InputScalar("##seed", ImGuiDataType_S64, &values_.seed);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("-1 picks a random seed");
        ImGui::SameLine(0, style.ItemInnerSpacing.x);
        if (ImGui::Button(kDiceIcon)) {
            values_.seed = -1;
            edited = true;
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Random seed (-1)");
    }

    fieldLabel("Width");
    edited |= ImGui::InputInt("##width", &values_.width, 64, 256);
    fieldLabel("Height");
    edited |= ImGui::InputInt("##height", &values_.height, 64, 256);

    fieldLabel("Batch size");
    edited |= ImGui::InputInt("##batch_size", &values_.batch_size, 1, 4);
    fieldLabel("Batch count");
    edited |= ImGui::InputInt("##n_iter", &values_.n_iter, 1, 4);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("n_iter: how many batches run one after another");

    fieldLabel("Denoising");
    {
        bool enabled = values_.denoising_strength.has_value();
        if (ImGui::Checkbox("##denoise_on", &enabled)) {
            values_.denoising_strength = enabled ? std::optional<double>(denoiseValue_) : std::nullopt;
            edited = true;
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Send a denoising strength (otherwise null)");
        ImGui::SameLine(0, style.ItemInnerSpacing.x);
        ImGui::SetNextItemWidth(-FLT_MIN);
        ImGui::BeginDisabled(!enabled);
        // Off: no grab either, it would sit on the "off (null)" label and point at a value.
        if (!enabled) ImGui::PushStyleColor(ImGuiCol_SliderGrab, ImVec4(0, 0, 0, 0));
        const double lo = 0.0, hi = 1.0;
        // Off sends null, so the slider says so instead of a value that would not be sent.
        if (ImGui::SliderScalar("##denoise", ImGuiDataType_Double, &denoiseValue_, &lo, &hi,
                                enabled ? "%.2f" : "off (null)", ImGuiSliderFlags_AlwaysClamp)) {
            if (enabled) values_.denoising_strength = denoiseValue_;
            edited = true;
        }
        if (!enabled) ImGui::PopStyleColor();
        ImGui::EndDisabled();
    }
    ImGui::EndTable();
    return edited;
}

void GenerateView::submit(FrameContext& ctx) {
    GenerateForm& form = ctx.state.generate;
    model::GenerationRequest request = values_;
    request.prompt = form.prompt;
    request.negative_prompt = form.negativePrompt;  // validation trims it, and empty becomes null
    if (auto problem = model::validateGenerationRequest(request)) {
        form.error = *problem;
        focusPrompt_ = request.prompt.empty();
        return;  // nothing is posted while the form has a problem
    }
    ctx.commands.startGeneration(request, form.mode);
    form.error.clear();
    lastSentMicros_ = ctx.nowMicros;
    lastSentMode_ = form.mode;
}

void GenerateView::draw(FrameContext& ctx) {
    GenerateForm& form = ctx.state.generate;
    const float em = ctx.em;
    const float lineH = ImGui::GetTextLineHeight();
    if (!initialized_) {
        values_ = form.defaults;
        if (values_.denoising_strength) denoiseValue_ = *values_.denoising_strength;
        initialized_ = true;
    }
    bool edited = false;

    ImGui::TextUnformatted("Prompt");
    if (focusPrompt_) {
        ImGui::SetKeyboardFocusHere();
        focusPrompt_ = false;
    }
    edited |= ImGui::InputTextMultiline("##prompt", &form.prompt, ImVec2(-FLT_MIN, lineH * 4.5f));
    if (!form.error.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette().error);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(form.error.c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
    }

    ImGui::TextUnformatted("Negative prompt");
    edited |= ImGui::InputTextMultiline("##negative", &form.negativePrompt, ImVec2(-FLT_MIN, lineH * 2.5f));

    ImGui::Spacing();
    edited |= drawParameters(ctx);

    ImGui::Spacing();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Mode");
    ImGui::SameLine(0, em);
    if (ImGui::RadioButton("Queue (deferred)", form.mode == model::GenerationMode::Deferred))
        form.mode = model::GenerationMode::Deferred;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("POST /generation/queue-generation: the job waits in the backend queue");
    ImGui::SameLine();
    if (ImGui::RadioButton("Immediate", form.mode == model::GenerationMode::Immediate))
        form.mode = model::GenerationMode::Immediate;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("POST /generation/generate: runs now; the image becomes a local result");

    ImGui::Spacing();
    ImGui::Separator();
    ImGui::Spacing();
    // A form with a problem shows it under the prompt; editing anything hides it again.
    if (edited && !form.error.empty()) form.error.clear();

    const Palette& pal = palette();
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(pal.accent.x, pal.accent.y, pal.accent.z, 0.85f));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, pal.accent);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, pal.accent);
    ImGui::PushStyleColor(ImGuiCol_Text, pal.chipText);
    // Issue 17.2: in all-backends mode the job goes to the focused backend, and the button says so.
    const std::string label = ctx.fleet ? "Generate on " + ctx.fleet->targetName() : std::string("Generate");
    const bool generate = ImGui::Button(label.c_str(), ImVec2(std::max(8 * em, ImGui::CalcTextSize(label.c_str()).x + 2 * ImGui::GetStyle().FramePadding.x), 0));
    ctx.note("generate.submit", {}, label);
    ImGui::PopStyleColor(4);
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    mutedText("Ctrl+Enter");
    ImGui::SameLine();
    // Right-aligned, away from Generate so a slip does not wipe the parameters.
    const float resetW = ImGui::CalcTextSize("Reset parameters").x + 2 * ImGui::GetStyle().FramePadding.x;
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - resetW));
    if (ImGui::Button("Reset parameters")) {
        values_ = form.defaults;
        if (values_.denoising_strength) denoiseValue_ = *values_.denoising_strength;
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Back to the backend defaults; the prompts stay");

    if (lastSentMicros_ > 0) {
        const std::string note =
            "Sent at " + formatClock(lastSentMicros_) +
            (lastSentMode_ == model::GenerationMode::Deferred ? ": the job appears in the Queue panel."
                                                              : ": the image appears in Results when it is done.");
        ImGui::PushTextWrapPos(0.0f);
        mutedText(note.c_str());
        ImGui::PopTextWrapPos();
    }

    // Ctrl+Enter anywhere in this panel, including inside the prompt (ImGui ends the edit on it).
    const bool shortcut = ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) && ctrlEnterPressed();
    if (generate || shortcut) submit(ctx);
}

}  // namespace genmon::ui
