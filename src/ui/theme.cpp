#include "ui/theme.hpp"

namespace genmon::ui {
namespace {

ImVec4 rgb(int r, int g, int b, float a = 1.0f) { return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, a); }

const Palette kDark{
    rgb(222, 226, 232), rgb(140, 148, 160), rgb(92, 156, 245),
    rgb(80, 200, 120), rgb(240, 180, 60), rgb(235, 85, 80), rgb(92, 156, 245),
    rgb(92, 156, 245), rgb(150, 150, 170), rgb(80, 200, 120), rgb(235, 85, 80),
    rgb(16, 18, 22), rgb(24, 27, 33),
};
const Palette kLight{
    rgb(28, 32, 38), rgb(100, 108, 120), rgb(30, 110, 220),
    rgb(30, 150, 70), rgb(200, 130, 0), rgb(200, 40, 40), rgb(30, 110, 220),
    rgb(30, 110, 220), rgb(110, 110, 130), rgb(30, 150, 70), rgb(200, 40, 40),
    rgb(255, 255, 255), rgb(246, 247, 249),
};
const Palette* g_palette = &kDark;

}  // namespace

const Palette& applyTheme(ThemeKind kind, float fontSize) {
    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    if (kind == ThemeKind::Dark) {
        ImGui::StyleColorsDark(&style);
        g_palette = &kDark;
    } else {
        ImGui::StyleColorsLight(&style);
        g_palette = &kLight;
    }
    const float em = fontSize;
    style.WindowRounding = 0.3f * em;
    style.FrameRounding = 0.2f * em;
    style.GrabRounding = 0.2f * em;
    style.PopupRounding = 0.2f * em;
    style.ScrollbarRounding = 0.3f * em;
    style.WindowPadding = ImVec2(0.6f * em, 0.5f * em);
    style.FramePadding = ImVec2(0.4f * em, 0.2f * em);
    style.ItemSpacing = ImVec2(0.5f * em, 0.3f * em);
    style.CellPadding = ImVec2(0.35f * em, 0.15f * em);
    style.ScrollbarSize = 0.9f * em;
    style.WindowBorderSize = 1.0f;
    style.FrameBorderSize = kind == ThemeKind::Light ? 1.0f : 0.0f;
    auto& c = style.Colors;
    c[ImGuiCol_WindowBg] = g_palette->panelBg;
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_Text] = g_palette->text;
    c[ImGuiCol_TextDisabled] = g_palette->muted;
    if (kind == ThemeKind::Dark) {
        c[ImGuiCol_TitleBg] = rgb(30, 34, 42);
        c[ImGuiCol_TitleBgActive] = rgb(38, 44, 56);
        c[ImGuiCol_MenuBarBg] = rgb(30, 34, 42);
        c[ImGuiCol_Header] = rgb(50, 80, 130, 0.55f);
        c[ImGuiCol_HeaderHovered] = rgb(60, 100, 160, 0.7f);
        c[ImGuiCol_HeaderActive] = rgb(70, 115, 185, 0.9f);
        c[ImGuiCol_TableHeaderBg] = rgb(34, 38, 46);
        c[ImGuiCol_TableRowBgAlt] = rgb(255, 255, 255, 0.03f);
    } else {
        // ImGui's light selection blue is so strong that blue chip text on a selected row
        // disappears: lighter selection colours keep every status readable.
        c[ImGuiCol_Header] = rgb(30, 110, 220, 0.16f);
        c[ImGuiCol_HeaderHovered] = rgb(30, 110, 220, 0.24f);
        c[ImGuiCol_HeaderActive] = rgb(30, 110, 220, 0.34f);
    }
    return *g_palette;
}

const Palette& palette() { return *g_palette; }

ImVec4 statusColor(model::JobStatus s) {
    switch (s) {
        case model::JobStatus::Processing: return g_palette->processing;
        case model::JobStatus::Queued: return g_palette->queued;
        case model::JobStatus::Completed: return g_palette->completed;
        case model::JobStatus::Failed: return g_palette->failed;
    }
    return g_palette->muted;
}

ImVec4 barFill(const ImVec4& c) {
    if (g_palette != &kLight) return c;
    constexpr float kWhite = 0.5f;
    return ImVec4(c.x + (1 - c.x) * kWhite, c.y + (1 - c.y) * kWhite, c.z + (1 - c.z) * kWhite, c.w);
}

ImVec4 healthColor(model::Health h) {
    switch (h) {
        case model::Health::Healthy: return g_palette->ok;
        case model::Health::Warning: return g_palette->warning;
        case model::Health::Error: return g_palette->error;
        case model::Health::Unknown: return g_palette->muted;
    }
    return g_palette->muted;
}

const char* healthLabel(model::Health h) {
    switch (h) {
        case model::Health::Healthy: return "Healthy";
        case model::Health::Warning: return "Warning";
        case model::Health::Error: return "Error";
        case model::Health::Unknown: return "Unknown";
    }
    return "Unknown";
}

const char* healthIcon(model::Health h) {
    switch (h) {
        case model::Health::Healthy: return "\xE2\x9C\x94";  // ✔
        case model::Health::Warning: return "\xE2\x9A\xA0";  // ⚠
        case model::Health::Error: return "\xE2\x9C\x96";    // ✖
        case model::Health::Unknown: return "?";
    }
    return "?";
}

}  // namespace genmon::ui
