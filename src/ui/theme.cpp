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

// The installed themes (built-in until app/assets replaces them) and the one applied last.
struct Installed {
    Theme dark = builtinTheme(ThemeKind::Dark);
    Theme light = builtinTheme(ThemeKind::Light);
    ThemeKind current = ThemeKind::Dark;
    Theme& of(ThemeKind k) { return k == ThemeKind::Dark ? dark : light; }
};
Installed& installed() {
    static Installed themes;
    return themes;
}
const Palette& current() { return installed().of(installed().current).palette; }

}  // namespace

Theme builtinTheme(ThemeKind kind) {
    Theme t;
    ImGuiStyle style;  // colours only: no ImGui context is needed
    if (kind == ThemeKind::Dark) {
        ImGui::StyleColorsDark(&style);
        t.palette = kDark;
    } else {
        ImGui::StyleColorsLight(&style);
        t.palette = kLight;
    }
    auto& c = style.Colors;
    c[ImGuiCol_WindowBg] = t.palette.panelBg;
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_Text] = t.palette.text;
    c[ImGuiCol_TextDisabled] = t.palette.muted;
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
    for (int i = 0; i < ImGuiCol_COUNT; ++i) t.colors[static_cast<size_t>(i)] = c[i];

    ThemeSizes& s = t.sizes;
    s.windowRounding = 0.3f;
    s.frameRounding = 0.2f;
    s.grabRounding = 0.2f;
    s.popupRounding = 0.2f;
    s.scrollbarRounding = 0.3f;
    s.windowPadding = ImVec2(0.6f, 0.5f);
    s.framePadding = ImVec2(0.4f, 0.2f);
    s.itemSpacing = ImVec2(0.5f, 0.3f);
    s.cellPadding = ImVec2(0.35f, 0.15f);
    s.scrollbarSize = 0.9f;
    s.windowBorderSize = 1.0f;
    s.frameBorderSize = kind == ThemeKind::Light ? 1.0f : 0.0f;
    t.barFillLighten = kind == ThemeKind::Light ? 0.5f : 0.0f;
    return t;
}

void setTheme(ThemeKind kind, const Theme& theme) { installed().of(kind) = theme; }

void resetThemes() {
    installed().dark = builtinTheme(ThemeKind::Dark);
    installed().light = builtinTheme(ThemeKind::Light);
}

const Theme& theme(ThemeKind kind) { return installed().of(kind); }

const Palette& applyTheme(ThemeKind kind, float fontSize) {
    installed().current = kind;
    const Theme& t = installed().of(kind);
    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    const float em = fontSize;
    const ThemeSizes& s = t.sizes;
    style.WindowRounding = s.windowRounding * em;
    style.FrameRounding = s.frameRounding * em;
    style.GrabRounding = s.grabRounding * em;
    style.PopupRounding = s.popupRounding * em;
    style.ScrollbarRounding = s.scrollbarRounding * em;
    style.WindowPadding = ImVec2(s.windowPadding.x * em, s.windowPadding.y * em);
    style.FramePadding = ImVec2(s.framePadding.x * em, s.framePadding.y * em);
    style.ItemSpacing = ImVec2(s.itemSpacing.x * em, s.itemSpacing.y * em);
    style.CellPadding = ImVec2(s.cellPadding.x * em, s.cellPadding.y * em);
    style.ScrollbarSize = s.scrollbarSize * em;
    style.WindowBorderSize = s.windowBorderSize;
    style.FrameBorderSize = s.frameBorderSize;
    for (int i = 0; i < ImGuiCol_COUNT; ++i) style.Colors[i] = t.colors[static_cast<size_t>(i)];
    style.Colors[ImGuiCol_WindowBg] = t.palette.panelBg;
    style.Colors[ImGuiCol_Text] = t.palette.text;
    style.Colors[ImGuiCol_TextDisabled] = t.palette.muted;
    return t.palette;
}

const Palette& palette() { return current(); }

ImVec4 statusColor(model::JobStatus s) {
    const Palette& p = current();
    switch (s) {
        case model::JobStatus::Processing: return p.processing;
        case model::JobStatus::Queued: return p.queued;
        case model::JobStatus::Completed: return p.completed;
        case model::JobStatus::Failed: return p.failed;
    }
    return p.muted;
}

ImVec4 barFill(const ImVec4& c) {
    const float lighten = installed().of(installed().current).barFillLighten;
    if (lighten == 0) return c;
    return ImVec4(c.x + (1 - c.x) * lighten, c.y + (1 - c.y) * lighten, c.z + (1 - c.z) * lighten, c.w);
}

ImVec4 healthColor(model::Health h) {
    const Palette& p = current();
    switch (h) {
        case model::Health::Healthy: return p.ok;
        case model::Health::Warning: return p.warning;
        case model::Health::Error: return p.error;
        case model::Health::Unknown: return p.muted;
    }
    return p.muted;
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
