#pragma once
// Dark and light themes, and the semantic colours every view uses (status chips, health).
// A theme is data (assets/themes/*.json, read by app/assets.hpp); the values built into this
// file are the fallback when that file cannot be read, and reproduce it exactly.
#include <imgui.h>

#include <array>

#include "model/job_status.hpp"
#include "model/system_status.hpp"

namespace genmon::ui {

enum class ThemeKind { Dark, Light };

struct Palette {
    ImVec4 text, muted, accent;
    ImVec4 ok, warning, error, info;
    ImVec4 processing, queued, completed, failed;
    ImVec4 chipText;
    ImVec4 panelBg;
};

// ImGui's style sizes: roundings, paddings, spacings and the scrollbar in em (multiples of the
// font size), the two border widths in pixels.
struct ThemeSizes {
    float windowRounding = 0, frameRounding = 0, grabRounding = 0, popupRounding = 0, scrollbarRounding = 0;
    ImVec2 windowPadding, framePadding, itemSpacing, cellPadding;
    float scrollbarSize = 0;
    float windowBorderSize = 0, frameBorderSize = 0;  // pixels
};

struct Theme {
    Palette palette{};
    // Every ImGui style colour. Text, TextDisabled and WindowBg are not read from here: they
    // are the palette's text, muted and panelBg.
    std::array<ImVec4, ImGuiCol_COUNT> colors{};
    ThemeSizes sizes;
    // Progress-bar fills are mixed with white by this share so the theme's text stays readable
    // on them (the light theme draws dark text): 0 keeps the status colour.
    float barFillLighten = 0;
};

// The theme as written in this file: the fallback when assets/themes cannot be read.
Theme builtinTheme(ThemeKind kind);
// Replaces a theme (the one loaded from assets/themes and the user's theme.json); the next
// applyTheme uses it. resetThemes() returns to the built-in ones.
void setTheme(ThemeKind kind, const Theme& theme);
void resetThemes();
const Theme& theme(ThemeKind kind);

// Applies the ImGui style for the theme (sizes in font-relative units) and returns its colours.
const Palette& applyTheme(ThemeKind kind, float fontSize);
const Palette& palette();  // the current theme's colours
ImVec4 statusColor(model::JobStatus s);
// A progress-bar fill of colour c that the theme's text stays readable on (the light theme
// draws dark text, so its fills are lightened).
ImVec4 barFill(const ImVec4& c);
ImVec4 healthColor(model::Health h);
const char* healthLabel(model::Health h);
const char* healthIcon(model::Health h);  // a glyph the UI font has

}  // namespace genmon::ui
