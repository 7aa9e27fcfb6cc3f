#pragma once
// genmon's settings in $XDG_CONFIG_HOME/genmon (else ~/.config/genmon): settings.json (backend
// URL history, history limit, poll intervals, panels, theme) beside ImGui's own imgui.ini.
// A missing or broken file gives the defaults and a readable warning; it never stops genmon.
#include <string>
#include <vector>

#include "model/error.hpp"
#include "orchestrator/orchestrator.hpp"
#include "ui/ui_state.hpp"

namespace genmon::app {

struct Settings {
    std::vector<std::string> urlHistory;  // most recent first, at most 10
    int historyLimit = 10;
    orchestrator::PollSettings polls;
    bool showQueue = true, showResults = true, showSystem = true, showDetail = true, showGenerate = false;
    bool showMetrics = false;
    int metricsWindowMinutes = 5;  // 1, 5 or 10
    bool showTimeline = false;
    int timelineWindowMinutes = 10;  // 1, 5, 10, 30 or 60
    ui::ThemeKind theme = ui::ThemeKind::Dark;
    ui::ResultsMode resultsMode = ui::ResultsMode::Grid;
    int dataFramesPerSecond = 10;  // issue 14.1: frames caused only by data, 1..60 a second
};

std::string configDir();  // created on save
std::string settingsPath();
std::string imguiIniPath();

struct LoadedSettings {
    Settings settings;
    std::string warning;  // empty when the file was fine or absent
};
LoadedSettings loadSettings(const std::string& path);
model::Status saveSettings(const std::string& path, const Settings& settings);

std::string encodeSettings(const Settings& s);
LoadedSettings decodeSettings(const std::string& json);

// Between the saved settings and the UI's state.
void applySettings(const Settings& s, ui::UiState& ui);
void captureSettings(const ui::UiState& ui, Settings& s);
// Puts url first in the history (deduplicated, at most 10).
void rememberUrl(Settings& s, const std::string& url);

}  // namespace genmon::app
