#pragma once
// Dark and light themes, and the semantic colours every view uses (status chips, health).
#include <imgui.h>

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
