// genmon: the window, offscreen screenshots and the headless snapshot dump.
#include <imgui.h>

#include <chrono>
#include <functional>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/cli.hpp"
#include "app/demo.hpp"
#include "app/dump_snapshot.hpp"
#include "app/fleet_window.hpp"
#include "app/fixture.hpp"
#include "app/gui.hpp"
#include "app/history_commands.hpp"
#include "app/history_sink.hpp"
#include "app/live_commands.hpp"
#include "app/replay_commands.hpp"
#include "app/replay_session.hpp"
#include "app/runtime.hpp"
#include "app/serve_metrics.hpp"
#include "app/settings_store.hpp"
#include "app/signals.hpp"
#include "platform/png.hpp"
#include "platform/window.hpp"

using namespace genmon;

namespace {

constexpr const char* kDefaultBackend = "http://127.0.0.1:8000/api/v1";

int fail(const std::string& message, int code = 1) {
    std::fprintf(stderr, "genmon: %s\n", message.c_str());
    return code;
}

// The orderly shutdown starts (the window closed, or the work is done): from here the deadline
// of signals.hpp bounds it, so a worker that does not stop cannot keep genmon from exiting.
void shutdownBegins() {
    if (auto* signals = app::ShutdownSignals::current()) signals->beginShutdown();
}

// Waits for a future, cut short by Ctrl+C / SIGTERM / SIGHUP.
template <class Future>
bool waitUnlessQuit(const Future& f) {
    while (f.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready)
        if (app::quitRequested()) return false;
    return true;
}

// ImGui's layout (imgui.ini) goes through the same atomic writer as settings.json: ImGui's own
// writer (io.IniFilename) truncates the file in place, so a crash mid-save would leave half of it.
void loadLayout() {
    if (auto text = app::readWholeFile(app::imguiIniPath())) ImGui::LoadIniSettingsFromMemory(text->data(), text->size());
}
void saveLayout() {
    size_t size = 0;
    const char* ini = ImGui::SaveIniSettingsToMemory(&size);
    if (auto st = app::writeFileAtomically(app::imguiIniPath(), std::string_view(ini, size)); !st)
        std::fprintf(stderr, "genmon: warning: %s\n", st.error().message.c_str());
}

// The window of a live session, one backend or a fleet: the person's settings and layout go in
// before the first frame and out on every way out (the layout also whenever ImGui asks). Quit
// (Ctrl+Q, the menu), closing the window and the signals all leave the loop.
app::WindowRun liveWindowRun(app::Settings& settings, std::function<bool()> commandsQuit, std::string apiKeyHint) {
    app::WindowRun run;
    run.prepare = [&settings, apiKeyHint](ui::UiState& st) {
        loadLayout();
        app::applySettings(settings, st);
        st.settingsPath = app::settingsPath();
        if (!apiKeyHint.empty()) st.apiKeyHint = apiKeyHint;
    };
    run.finish = [&settings](const ui::UiState& st) {
        app::captureSettings(st, settings);
        if (auto saved = app::saveSettings(app::settingsPath(), settings); !saved)
            std::fprintf(stderr, "genmon: warning: %s\n", saved.error().message.c_str());
        saveLayout();
    };
    run.saveLayout = saveLayout;
    run.quitRequested = [quit = std::move(commandsQuit)] { return quit() || app::quitRequested(); };
    return run;
}

// A live session: the Runtime, and the embedded sim when --demo (or the menu) asks for it.
struct Live {
    // Options built in a named variable: GCC 12 mistakes a defaulted temporary for uninitialized.
    explicit Live(const app::RuntimeOptions& options) : runtime(options) {}
    app::Runtime runtime;
    std::unique_ptr<sim::SimServer> demo;
    std::string scenario = "busy";

    model::Outcome<std::string> demoUrl() {
        if (!demo) {
            auto started = app::startDemoBackend(scenario);
            if (!started) return started.error();
            demo = std::move(started).value();
        }
        return demo->baseUrl();
    }

    // Frames read through a SnapshotReader: a try-lock, never a wait for the worker (issue 16.2).
    app::FrameSource source() {
        auto reader = std::make_shared<orchestrator::SnapshotReader>(runtime.snapshots());
        return {[reader] { return reader->latest(); }, [this] { return runtime.nowMicros(); },
                [this] { return runtime.events().drain(); }, [this] { return runtime.nextInitRetryAtMicros(); },
                &runtime.exchanges(), [reader] { return reader->behind(); }};
    }
};

// Issue 18: the history a live session records into (history_sink.hpp says when); a file that
// cannot be used is one line on stderr, and the session runs without history.
app::RuntimeOptions liveOptions(const app::CliOptions& o, app::HistoryUse use, std::string* problem) {
    app::RuntimeOptions options;
    app::SessionHistory history = app::openSessionHistory(o, use);
    if (!history.problem.empty()) std::fprintf(stderr, "genmon: %s\n", history.problem.c_str());
    if (problem) *problem = history.problem;
    options.history = std::move(history.store);
    return options;
}

app::FrameSource replaySource(app::ReplaySession& replay) {
    auto reader = std::make_shared<orchestrator::SnapshotReader>(replay.snapshots());
    return {[reader] { return reader->latest(); }, [&replay] { return replay.nowMicros(); },
            [&replay] { return replay.events().drain(); }, [] { return int64_t{0}; }, &replay.exchanges(),
            [reader] { return reader->behind(); }};
}

// Which backend to watch: --backend, --demo, else the last one used, else the default.
model::Outcome<orchestrator::BackendConfig> chooseBackend(const app::CliOptions& o, const app::Settings& s, Live& live) {
    orchestrator::BackendConfig b;
    b.insecureTls = o.insecure;
    if (o.demo) {
        live.scenario = o.scenario;
        auto url = live.demoUrl();
        if (!url) return url.error();
        b.baseUrl = url.value();
        b.simulated = true;
    } else if (o.backendUrl) {
        b.baseUrl = *o.backendUrl;
    } else {
        b.baseUrl = s.urlHistory.empty() ? kDefaultBackend : s.urlHistory.front();
    }
    return b;
}

// Waits until the first refresh has landed and every thumbnail settled (a screenshot of a live
// backend should show its images, not "loading").
void waitForData(app::Runtime& rt, int timeoutMs) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (std::chrono::steady_clock::now() < deadline) {
        const auto snap = rt.snapshots().acquire();
        bool settled = snap->resultsUpdatedAtMicros > 0 && snap->jobsUpdatedAtMicros > 0;
        for (const auto& r : *snap->recentResults)
            if (r->imageState == model::ImageState::Loading || r->imageState == model::ImageState::None) settled = false;
        if (settled || (rt.lastInitError() && !rt.initialized()) || app::quitRequested()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

int screenshot(const app::CliOptions& o) {
    app::NullCommands commands;
    app::OffscreenRun run;
    run.width = o.width;
    run.height = o.height;
    app::FrameSource source = app::emptySource();
    std::optional<app::Fixture> fixture;
    std::unique_ptr<Live> live;
    std::unique_ptr<app::ReplaySession> replay;
    std::unique_ptr<app::Fleet> fleet;  // issue 17.2: several --backend
    std::unique_ptr<app::FleetCommands> fleetCommands;
    app::Settings fleetSettings;
    if (o.replayPath) {
        // The state at the end of the recording, on a virtual clock: the same pixels every time.
        auto opened = app::ReplaySession::open(*o.replayPath);
        if (!opened) return fail(opened.error().message);
        replay = std::move(opened).value();
        if (!replay->truncation().empty()) std::fprintf(stderr, "genmon: %s\n", replay->truncation().c_str());
        replay->runToEnd();
        source = replaySource(*replay);
    } else if (o.fixturePath) {
        auto loaded = app::loadFixture(*o.fixturePath);
        if (!loaded) return fail(loaded.error().message, 2);
        fixture = std::move(loaded).value();
        source = app::fixtureSource(*fixture);
        if (!o.sizeGiven) {
            run.width = fixture->width;
            run.height = fixture->height;
        }
        run.prepare = [&fixture](ui::UiState& st) { st = fixture->ui; };
    } else if (o.backendUrls.size() > 1) {
        // The fleet window: its panel and the first backend (every one with --all-backends),
        // once each backend answered or gave up (one attempt each, as --dump-snapshot).
        auto backends = app::fleetBackends(o, fleetSettings);
        if (!backends) return fail(backends.error().message, 2);
        app::RuntimeOptions options = liveOptions(o, app::HistoryUse::OnlyWhenNamed, nullptr);
        options.retryInitialize = false;
        fleet = std::make_unique<app::Fleet>(options);
        if (o.recordPath) fleet->recordEachInto(*o.recordPath);
        for (auto& b : backends.value()) fleet->add(std::move(b));
        if (const std::string bad = fleet->recordingError(); !bad.empty()) return fail(bad, 2);
        for (const auto& m : fleet->members())
            if (waitUnlessQuit(m->first)) waitForData(*m->runtime, 5000);
        fleetCommands = std::make_unique<app::FleetCommands>(*fleet, fleetSettings, std::nullopt);
        source = app::fleetFrameSource(*fleet, *fleetCommands);
        run.prepare = [all = o.allBackends](ui::UiState& st) { st.allBackends = all; };
        if (o.frames > 0) run.frames = o.frames;
    } else if (o.demo || o.backendUrl) {
        const app::RuntimeOptions options = liveOptions(o, app::HistoryUse::OnlyWhenNamed, nullptr);
        live = std::make_unique<Live>(options);
        app::Settings defaults;
        auto backend = chooseBackend(o, defaults, *live);
        if (!backend) return fail(backend.error().message, 2);
        auto key = app::resolveApiKey(o);
        if (!key) return fail(key.error().message, 2);
        if (o.recordPath)
            if (auto st = live->runtime.startRecording(*o.recordPath, backend.value()); !st) return fail(st.error().message, 2);
        if (waitUnlessQuit(live->runtime.start(backend.value(), key.value()))) waitForData(live->runtime, 5000);
        source = live->source();
        if (o.frames > 0) {
            // Let the live backend move between frames: the demo's progress advances.
            run.frames = o.frames;
            run.beforeFrame = [](int) { std::this_thread::sleep_for(std::chrono::milliseconds(16)); };
        }
    }
    run.stopRequested = [] { return app::quitRequested(); };
    std::optional<model::Outcome<model::Image>> image;
    ui::CommandSink& sink = fleetCommands ? static_cast<ui::CommandSink&>(*fleetCommands) : commands;
    if (!app::quitRequested()) image = app::renderOffscreen(source, sink, run);
    const bool interrupted = app::quitRequested();
    shutdownBegins();
    if (fleet) fleet->shutdown();  // each recording ends with its end line
    if (live) {
        live->runtime.flushRecording();
        live->runtime.shutdown();
        if (auto st = live->runtime.stopRecording(); !st) std::fprintf(stderr, "genmon: warning: %s\n", st.error().message.c_str());
    }
    if (interrupted) return fail("interrupted: no screenshot written", 0);  // main makes it 130 after Ctrl+C
    if (!*image) return fail("cannot render offscreen: " + image->error().message);
    const model::Image& png = image->value();
    if (auto st = platform::writePng(o.screenshotPath, png); !st) return fail(st.error().message);
    std::printf("wrote %s (%dx%d)\n", o.screenshotPath.c_str(), png.width, png.height);
    return 0;
}

// Issue 17.2: several backends in one window, every one on the one worker.
int fleetWindow(const app::CliOptions& o, app::Settings settings, std::vector<app::FleetBackend> backends) {
    app::Fleet fleet(liveOptions(o, app::HistoryUse::Default, nullptr));  // one history for every backend
    fleet.setOnPublish([] { platform::Window::wake(); });
    if (o.recordPath) fleet.recordEachInto(*o.recordPath);  // a file per backend, Ctrl+L's too
    auto key = app::resolveApiKey(o);  // for backends added with Ctrl+L
    if (!key) return fail(key.error().message, 2);
    exporter::FrameHistogram frameTimes;
    std::unique_ptr<exporter::MetricsServer> metrics;
    if (o.serveMetrics) {
        auto started = app::startMetricsServer(
            o,
            [&fleet] {
                std::vector<exporter::BackendMetrics> all;
                for (const auto& m : fleet.members()) all.push_back({m->name, m->runtime->snapshots().acquire()});
                return all;
            },
            &frameTimes, stderr);
        if (!started) return fail(started.error().message, started.error().kind == model::ErrorKind::InvalidArgument ? 2 : 1);
        metrics = std::move(started).value();
    }
    for (auto& b : backends) {
        auto member = fleet.add(std::move(b), settings.polls);
        if (settings.historyLimit != 10) member->runtime->manager().setHistoryLimitOverride(settings.historyLimit);
    }
    if (const std::string bad = fleet.recordingError(); !bad.empty()) return fail(bad, 2);
    app::FleetCommands commands(fleet, settings, key.value());
    app::FrameSource source = app::fleetFrameSource(fleet, commands);
    app::WindowRun run = liveWindowRun(settings, [&commands] { return commands.quitRequested(); }, {});
    if (o.allBackends) run.prepare = [prepare = run.prepare](ui::UiState& st) {
        prepare(st);
        st.allBackends = true;
    };
    if (metrics) run.onFrameSeconds = [&frameTimes](double seconds) { frameTimes.observe(seconds); };
    auto st = app::runWindow(source, commands, run);
    shutdownBegins();
    if (metrics) metrics->stop();
    fleet.shutdown();
    if (!st) return fail(st.error().message);
    return 0;
}

int window(const app::CliOptions& o) {
    if (!platform::displayAvailable())
        return fail("no display (DISPLAY and WAYLAND_DISPLAY are unset); use --screenshot OUT.png to render "
                    "offscreen or --dump-snapshot to print the state",
                    2);
    auto loaded = app::loadSettings(app::settingsPath());
    if (!loaded.warning.empty()) std::fprintf(stderr, "genmon: warning: %s\n", loaded.warning.c_str());
    app::Settings settings = loaded.settings;
    if (auto fleet = app::fleetBackends(o, settings); !fleet)
        return fail(fleet.error().message, 2);
    else if (!fleet.value().empty())
        return fleetWindow(o, settings, std::move(fleet).value());
    std::string historyProblem;
    const app::RuntimeOptions options = liveOptions(o, app::HistoryUse::Default, &historyProblem);
    auto live = std::make_unique<Live>(options);
    if (!historyProblem.empty()) {  // the same line as a toast: the window runs on without history
        orchestrator::Event e;
        e.kind = orchestrator::NotificationKind::Warning;
        e.message = "History is off";
        e.detail = historyProblem;
        e.atMicros = live->runtime.nowMicros();
        live->runtime.events().push(std::move(e));
    }
    auto backend = chooseBackend(o, settings, *live);
    if (!backend) return fail(backend.error().message, 2);
    auto key = app::resolveApiKey(o);
    if (!key) return fail(key.error().message, 2);
    if (!backend->simulated) app::rememberUrl(settings, backend->baseUrl);
    if (o.recordPath)
        if (auto st = live->runtime.startRecording(*o.recordPath, backend.value()); !st) return fail(st.error().message, 2);
    const bool haveKey = key.value().has_value();
    // --serve-metrics --window (issue 17.4): /metrics beside the window, with its frame times.
    exporter::FrameHistogram frameTimes;
    std::unique_ptr<exporter::MetricsServer> metrics;
    if (o.serveMetrics) {
        auto started = app::startMetricsServer(
            o,
            [&live, name = o.backendName, url = backend->baseUrl] {
                auto snap = live->runtime.snapshots().acquire();
                return std::vector<exporter::BackendMetrics>{{app::metricsBackendName(name, *snap, url), std::move(snap)}};
            },
            &frameTimes, stderr);
        if (!started) return fail(started.error().message, started.error().kind == model::ErrorKind::InvalidArgument ? 2 : 1);
        metrics = std::move(started).value();
    }
    live->runtime.snapshots().setOnPublish([] { platform::Window::wake(); });
    live->runtime.start(backend.value(), key.value(), settings.polls);
    if (settings.historyLimit != 10) live->runtime.manager().setHistoryLimitOverride(settings.historyLimit);

    app::LiveCommands commands(live->runtime, settings, [&live] { return live->demoUrl(); });
    app::FrameSource source = live->source();
    const std::string keyHint = haveKey ? (o.apiKeyFile ? "from " + *o.apiKeyFile : "set (GENMON_API_KEY or --api-key)")
                                        : "none (set GENMON_API_KEY if the backend requires one)";
    app::WindowRun run = liveWindowRun(settings, [&commands] { return commands.quitRequested(); }, keyHint);
    if (metrics) run.onFrameSeconds = [&frameTimes](double seconds) { frameTimes.observe(seconds); };
    auto st = app::runWindow(source, commands, run);
    shutdownBegins();
    if (metrics) metrics->stop();
    live->runtime.flushRecording();  // on disk before a shutdown that the deadline might cut short
    live->runtime.shutdown();
    if (auto rec = live->runtime.stopRecording(); !rec) std::fprintf(stderr, "genmon: warning: %s\n", rec.error().message.c_str());
    if (!st) return fail(st.error().message);
    return 0;
}

// --replay FILE in the window: the recording plays at --speed; the REPLAY badge names it.
int replayWindow(const app::CliOptions& o) {
    if (!platform::displayAvailable())
        return fail("no display (DISPLAY and WAYLAND_DISPLAY are unset); use --replay FILE --dump-snapshot or "
                    "--screenshot OUT.png",
                    2);
    app::ReplayOptions options;
    options.speed = o.speed;
    auto opened = app::ReplaySession::open(*o.replayPath, options);
    if (!opened) return fail(opened.error().message);
    auto replay = std::move(opened).value();
    if (!replay->truncation().empty()) std::fprintf(stderr, "genmon: %s\n", replay->truncation().c_str());
    auto loaded = app::loadSettings(app::settingsPath());
    if (!loaded.warning.empty()) std::fprintf(stderr, "genmon: warning: %s\n", loaded.warning.c_str());
    const app::Settings settings = loaded.settings;
    replay->snapshots().setOnPublish([] { platform::Window::wake(); });
    replay->start();
    app::ReplayCommands commands(*replay);
    app::FrameSource source = replaySource(*replay);
    app::WindowRun run;  // no iniPath: loadLayout/saveLayout write imgui.ini atomically
    run.prepare = [&](ui::UiState& st) {
        loadLayout();
        app::applySettings(settings, st);
        st.settingsPath = app::settingsPath();
    };
    run.finish = [&](const ui::UiState& st) {
        // The panels and the theme are the person's; the history limit and the polls shown are
        // the recording's and must not replace theirs.
        app::Settings saved = settings;
        app::captureSettings(st, saved);
        saved.historyLimit = settings.historyLimit;
        saved.polls = settings.polls;
        if (auto st2 = app::saveSettings(app::settingsPath(), saved); !st2)
            std::fprintf(stderr, "genmon: warning: %s\n", st2.error().message.c_str());
        saveLayout();
    };
    run.saveLayout = saveLayout;
    run.quitRequested = [&commands] { return commands.quitRequested() || app::quitRequested(); };
    auto st = app::runWindow(source, commands, run);
    shutdownBegins();
    replay->shutdown();
    if (!st) return fail(st.error().message);
    return 0;
}

// The session the command line asks for; its exit code (signals.exitCode adjusts it).
int run(const app::CliOptions& o) {
    switch (o.mode) {
        case app::CliOptions::Mode::Help:
        case app::CliOptions::Mode::Version: return 0;  // handled by main
        case app::CliOptions::Mode::Screenshot: return screenshot(o);
        case app::CliOptions::Mode::DumpSnapshot: {
            if (!o.demo) return app::runDumpSnapshot(o);
            // --demo: dump the embedded simulated backend, reached over loopback like any other.
            auto demo = app::startDemoBackend(o.scenario);
            if (!demo) return fail(demo.error().message, 2);
            app::CliOptions withUrl = o;
            withUrl.demo = false;
            withUrl.backendUrl = demo.value()->baseUrl();
            return app::runDumpSnapshot(withUrl);
        }
        case app::CliOptions::Mode::ServeMetrics: return app::runServeMetrics(o);  // headless (issue 17.4)
        case app::CliOptions::Mode::Window: return o.replayPath ? replayWindow(o) : window(o);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const app::CliResult cli = app::parseCli(args);
    if (!cli.options) return fail(cli.error, 2);
    const app::CliOptions& o = *cli.options;
    for (const auto& w : o.warnings) std::fprintf(stderr, "genmon: warning: %s\n", w.c_str());
    if (o.mode == app::CliOptions::Mode::Help) {
        std::fputs(app::helpText().c_str(), stdout);
        return 0;
    }
    if (o.mode == app::CliOptions::Mode::Version) {
        std::printf("genmon %s\n", GENMON_VERSION);
        return 0;
    }
    // Issue 18: the history's script commands read the database and exit.
    if (o.historySearch) return app::runHistorySearch(o);
    if (o.historyExport) return app::runHistoryExport(o);
    // Before any thread starts: every thread inherits the blocked signals (signals.hpp).
    app::ShutdownSignals signals({"genmon"});
    signals.setOnRequest([] { platform::Window::wake(); });
    return signals.exitCode(run(o));
}
