#pragma once
// Test-only window probe (issue 14.8). When GENMON_UI_PROBE=<file> is set, the window writes
// what a person could read off the screen to that file as one JSON object: the focused panel,
// the cursor job, the selection, the detail pane's job, the filter, which dialogs and overlays
// are open, and where named items (ui::Probe, e.g. queue rows) were drawn, so the real-window
// tests (tests/window) can check state a picture cannot tell cheaply and click a row where it
// really is. Written atomically (temp file + rename) after a frame only when it changed.
// Unset, fromEnvironment() gives null and the window loop does nothing more than a null check.
#include <memory>
#include <string>
#include <vector>

#include "orchestrator/snapshot.hpp"
#include "ui/probe.hpp"
#include "ui/ui_state.hpp"

namespace genmon::app {

class UiProbeFile {
public:
    static constexpr const char* kEnvVar = "GENMON_UI_PROBE";
    static std::unique_ptr<UiProbeFile> fromEnvironment();  // null when GENMON_UI_PROBE is unset or empty

    explicit UiProbeFile(std::string path) : path_(std::move(path)) {}
    ui::Probe* probe() { return &probe_; }

    // After each drawn frame: rewrites the file when what it says differs from the last write.
    void frameDrawn(const ui::UiState& state, const orchestrator::Snapshot& snap, const std::string& windowTitle);

    // What ImGui's io says after the frame: where the pointer was and which keys were held (a
    // test moves the pointer or holds a key, then waits to see it here, so it knows a frame has
    // seen it), and whether a text field has the keyboard (typed keys then go to the field).
    struct Io {
        bool mouseValid = false;
        float mouseX = 0, mouseY = 0;
        bool textInput = false;
        std::vector<int> keysDown;  // the platform's key codes (GLFW's) held in that frame
    };
    // The JSON the file holds (a pure function, so it can be tested without a window).
    static std::string describe(const ui::UiState& state, const orchestrator::Snapshot& snap,
                                const std::string& windowTitle, const ui::Probe& probe, const Io& io);

private:
    std::string path_;
    ui::Probe probe_;
    std::string lastWritten_;
    bool warned_ = false;
};

}  // namespace genmon::app
