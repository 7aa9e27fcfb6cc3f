#pragma once
// Runs the UI: in a window (frame pacing: wait on events when idle) or offscreen (fixed
// frames, fixed delta time, then a PNG). The same ui::App code draws both.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/error.hpp"
#include "model/image.hpp"
#include "orchestrator/event_queue.hpp"
#include "orchestrator/exchange_log.hpp"
#include "orchestrator/snapshot.hpp"
#include "ui/command_sink.hpp"
#include "ui/fleet_view.hpp"
#include "ui/ui_state.hpp"

namespace genmon::app {

// Where each frame's data comes from: the live SnapshotBuffer, or a fixture.
struct FrameSource {
    std::function<orchestrator::SnapshotPtr()> snapshot;
    std::function<int64_t()> nowMicros;
    std::function<std::vector<orchestrator::Event>()> drainEvents;
    std::function<int64_t()> nextInitRetryAtMicros;  // optional
    const orchestrator::ExchangeLog* exchanges = nullptr;  // optional: the Inspector's source
    // Optional (issue 16.2): the last snapshot() could not look because the worker held the
    // buffer's lock, so it returned the previous snapshot (orchestrator::SnapshotReader).
    std::function<bool()> snapshotBehind = nullptr;
    bool behind() const { return snapshotBehind && snapshotBehind(); }
    // Issue 17.2, optional: every backend of a fleet (snapshot() is then the focused one's).
    std::function<std::vector<ui::FleetRow>()> fleet = {};
    // Issue 17.2, optional: the Inspector's source when it moves (a fleet's focused backend).
    std::function<const orchestrator::ExchangeLog*()> exchangesNow = nullptr;
    const orchestrator::ExchangeLog* inspected() const { return exchangesNow ? exchangesNow() : exchanges; }
};

// A fixed moment for renders without a backend, so screenshots stay byte-identical.
inline constexpr int64_t kFixedNowMicros = 1'795'694'400'000'000;  // 2026-11-26T12:00:00Z

// An empty snapshot at kFixedNowMicros: the shell as a first start shows it.
FrameSource emptySource();

struct WindowRun {
    std::string iniPath;                  // ImGui's layout file in the user's config folder
    std::function<void(ui::UiState&)> prepare;  // applies saved settings before the first frame
    std::function<void(const ui::UiState&)> finish;  // saves settings after the last frame
    std::function<void()> saveLayout;  // when ImGui says the layout changed (5 s after), and so on
    std::function<bool()> quitRequested;
    std::function<void(double)> onFrameSeconds;  // optional: each drawn frame's ui::App::frame time
};

// Opens the window and runs until it closes. No display: an error the caller turns into exit 2.
model::Status runWindow(FrameSource& source, ui::CommandSink& commands, const WindowRun& run);

struct OffscreenRun {
    int width = 1280, height = 800;
    int frames = 4;  // frame 0 is never final: auto-sized windows and tables settle after it
    std::function<void(ui::UiState&)> prepare;
    // Called before each frame with its index (the demo advances its clock here).
    std::function<void(int)> beforeFrame;
    std::function<bool()> stopRequested;  // true: render no more frames (Ctrl+C)
};

model::Outcome<model::Image> renderOffscreen(FrameSource& source, ui::CommandSink& commands, const OffscreenRun& run);

// Offscreen there is no platform backend: map ImGui's named keys to GLFW's key codes, so tests
// inject keys exactly as the window delivers them (letters are their ASCII capitals).
void mapKeysLikeGlfw();

// A command sink that does nothing: offscreen renders of a fixture take no input.
class NullCommands final : public ui::CommandSink {
public:
    void cancelJob(const std::string&) override {}
    void clearQueue() override {}
    void clearCompletedJobs() override {}
    void deleteResult(const std::string&) override {}
    void refreshAll() override {}
    void refreshResults() override {}
    void startGeneration(const model::GenerationRequest&, model::GenerationMode) override {}
    void setHistoryLimit(int) override {}
    void setQueueView(const orchestrator::QueueViewSpec&) override {}
    void setPollIntervals(int, int, int) override {}
    void connect(const std::string&) override {}
    void reconnect() override {}
    void startDemo() override {}
    void copyToClipboard(const std::string&) override {}
    void quit() override {}
    int pendingCommands() const override { return 0; }
};

}  // namespace genmon::app
