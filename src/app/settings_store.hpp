#pragma once
// genmon's settings in $XDG_CONFIG_HOME/genmon (else ~/.config/genmon): settings.json (backend
// URL history, history limit, poll intervals, panels, theme) beside ImGui's own imgui.ini.
// A missing or broken file gives the defaults and a readable warning; it never stops genmon.
// Both files are written atomically (writeFileAtomically): a crash during a save leaves the
// previous file, never half of the new one.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.hpp"
#include "orchestrator/orchestrator.hpp"
#include "ui/ui_state.hpp"

namespace genmon::app {

// Issue 17.1: one backend of the fleet the window opens with (when no --backend is given). The
// key's source only: the name of an environment variable or a key file; never the key itself.
struct BackendEntry {
    std::string name;
    std::string url;
    std::string keyEnv;   // e.g. "GPU1_API_KEY"; empty: none
    std::string keyFile;  // its first line is the key; empty: none
    friend bool operator==(const BackendEntry&, const BackendEntry&) = default;
};

struct Settings {
    std::vector<std::string> urlHistory;  // most recent first, at most 10
    std::vector<BackendEntry> backends;   // two or more: the window watches them all (a fleet)
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
    bool allBackends = false;      // issue 17.2: a fleet opens in all-backends mode (0), else focused
};

std::string configDir();  // created on save
std::string settingsPath();
std::string imguiIniPath();

struct LoadedSettings {
    Settings settings;
    std::string warning;  // empty when the file was fine or absent
};
// Fault injection for tests: after `atByte` bytes of the new content are written, midWrite runs;
// an error it returns fails the save there (a full disk), and it may end the process (a crash).
struct AtomicWriteHooks {
    size_t atByte = 0;
    std::function<model::Status()> midWrite;
};

// Replaces path's content: a temporary file in the same folder (created with it), written,
// fsync'd, renamed over path, and the folder fsync'd. On any failure the temporary file is
// removed and path is untouched; the error names the file and the reason.
model::Status writeFileAtomically(const std::string& path, std::string_view content,
                                  const AtomicWriteHooks* hooks = nullptr);
// The whole file; nullopt when it cannot be read (absent).
std::optional<std::string> readWholeFile(const std::string& path);

LoadedSettings loadSettings(const std::string& path);
model::Status saveSettings(const std::string& path, const Settings& settings, const AtomicWriteHooks* hooks = nullptr);

std::string encodeSettings(const Settings& s);
LoadedSettings decodeSettings(const std::string& json);

// Between the saved settings and the UI's state.
void applySettings(const Settings& s, ui::UiState& ui);
void captureSettings(const ui::UiState& ui, Settings& s);
// Puts url first in the history (deduplicated, at most 10).
void rememberUrl(Settings& s, const std::string& url);

}  // namespace genmon::app
