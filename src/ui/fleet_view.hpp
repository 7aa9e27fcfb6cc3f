#pragma once
// Fleet (issue 17.2): one row per backend genmon watches, shown only when it watches more than
// one: name, connection phase with its countdown, data age, queued / running / failed, jobs per
// minute, GPU and memory, when the queue drains, and a sparkline of the queue depth over the
// last minutes. A click or a digit key (1-9) focuses a backend: the other views show it and
// every action goes to it. The pure parts (the sums, the worst backend, the title) are here too
// so the status bar, the window title and tests share them.
#include <cstdint>
#include <string>
#include <vector>

#include <imgui.h>

#include "orchestrator/snapshot.hpp"
#include "ui/frame_context.hpp"

namespace genmon::ui {

struct FleetRow {
    std::string name;
    std::string url;
    orchestrator::SnapshotPtr snapshot;  // its latest published snapshot (never null)
    int64_t nextInitRetryAtMicros = 0;   // the first refresh failed: when it is tried again
    std::string initError;               // why the first refresh failed; empty when it worked
    bool focused = false;
};

// How a backend is doing, worst last: what the status bar names and the rows are coloured by.
enum class FleetHealth : uint8_t { Up, Connecting, Stale, Down };
FleetHealth fleetHealth(const FleetRow& row, int64_t nowMicros);
const char* fleetHealthName(FleetHealth h);

struct FleetSummary {
    size_t backends = 0, up = 0;
    size_t queued = 0, running = 0, failed = 0;
    double jobsPerMinute = 0;
    int worst = -1;  // the row most in need of a look (down, then stale, then most failures); -1: all fine
    std::string worstWhy;
};
FleetSummary summarizeFleet(const std::vector<FleetRow>& rows, int64_t nowMicros);
// The window title for a fleet: "genmon — 3 backends: 2 running, 5 queued (1 down)".
std::string fleetWindowTitle(const std::vector<FleetRow>& rows, int64_t nowMicros);
// The phase with its countdown: "connected", "reconnecting in 5 s", "down: connection refused".
std::string fleetPhaseText(const FleetRow& row, int64_t nowMicros);

// The Fleet panel's default height: its header and up to eight rows (more scroll).
float fleetPanelHeight(size_t backends);

// The status bar's first segment with a fleet: "3 backends, 2 up | 5 queued 2 running 1 failed |
// worst: gpu-2 (down) |", then the focused backend's own status follows ("all backends, target
// gpu-1:" in all-backends mode).
void drawFleetStatus(const std::vector<FleetRow>& rows, int64_t nowMicros, Probe* probe, bool allBackends = false);

class FleetView {
public:
    void draw(FrameContext& ctx, const std::vector<FleetRow>& rows);

private:
    std::vector<ImVec2> points_;  // one sparkline's polyline, reused every frame
};

}  // namespace genmon::ui
