// Figures 6a, 6b and 7: the live session over loopback (app::Runtime: transport::EventLoop,
// RealTransport with libcurl + Beast, the orchestrator) against genmon-sim.
//
//   6a/6b  end-to-end latency: genmon-sim sends a progress_update -> the next snapshot acquire on
//          the "UI" thread sees it. The sim runs in this process with a manual clock and one
//          running job; each sample calls SimServer::advance (which emits the job's
//          progress_update and hands it to the socket) and then polls SnapshotBuffer::acquire in
//          a tight loop (yielding) until the job's new ETA is visible. Samples are 25 ms apart
//          (progress really comes every 2 s per running job). p50 and p99, in ms. The Runtime
//          runs with the app's own PollSettings (at most one snapshot per publishCoalesceMs =
//          4 ms); a second run with publishCoalesceMs = 0 is in the detail.
//   7      idle CPU: connected to genmon-sim's "idle" scenario (in a child process, so only
//          genmon's side is counted) for 10 s with the window open offscreen. The frame loop is
//          paced like app::runWindow: a frame when the snapshot version changes (then 3 frames
//          at full rate, 60 Hz as vsync would pace them), while App::wantsFullRate(), and once
//          a second otherwise. CPU time of the whole process (getrusage: UI thread, worker,
//          curl, llvmpipe's threads) over wall time, in % of one core.
#include <dirent.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include <imgui.h>

#include <condition_variable>
#include <fstream>
#include <map>
#include <sstream>
#include <mutex>

#include "app/frame_pacer.hpp"
#include "app/gui.hpp"
#include "app/runtime.hpp"
#include "harness.hpp"
#include "platform/gl_textures.hpp"
#include "platform/offscreen.hpp"
#include "sim/sim_server.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"

extern char** environ;

using namespace genmon;
using namespace genmon::bench;
using namespace std::chrono_literals;

namespace {

bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (cond()) return true;
        std::this_thread::sleep_for(1ms);
    }
    return cond();
}

model::JobPtr findJob(const orchestrator::Snapshot& s, const std::string& id) {
    model::JobPtr found;
    s.jobs.forEachPtr([&](const model::JobPtr& j) {
        if (!found && (j->uiId == id || j->backendId == id)) found = j;
    });
    return found;
}

// ---- 6a / 6b ------------------------------------------------------------------------------

struct Latency {
    Samples ns;
    int timeouts = 0;
    std::string error;
};

Latency measureLatency(int warmup, int reps, int publishCoalesceMs) {
    Latency out;
    sim::SimOptions so;
    so.scenario = "idle";
    so.manualClock = true;
    so.durationJitter = 0;
    so.jobDurationMs = 1'000'000'000;  // the probe job stays running for the whole run
    so.progressIntervalMs = 100;
    so.pickupDelayMs = 0;
    // The probe watches the ETA, which upstream's socket never sends (issue 14.3): per-job mode.
    so.progressMode = sim::ProgressMode::PerJob;
    so.imageSize = 64;
    auto started = sim::SimServer::start(so);
    if (!started) {
        out.error = "genmon-sim: " + started.error().message;
        return out;
    }
    auto simServer = std::move(started).value();

    app::RuntimeOptions ro;
    ro.retryInitialize = false;
    app::Runtime rt(ro);
    orchestrator::PollSettings polls;  // the app's defaults
    polls.publishCoalesceMs = publishCoalesceMs;
    orchestrator::BackendConfig backend;
    backend.baseUrl = simServer->baseUrl();
    backend.simulated = true;
    auto first = rt.start(backend, std::nullopt, polls);
    if (first.wait_for(15s) != std::future_status::ready || !first.get().ok()) {
        out.error = "initialize against genmon-sim failed";
        return out;
    }
    auto& buffer = rt.snapshots();
    if (!waitFor([&] { return buffer.acquire()->connection.phase == orchestrator::ConnectionPhase::Connected; }, 10s)) {
        out.error = "the progress socket did not connect";
        return out;
    }
    const std::string id = simServer->queueJob("latency probe, a lighthouse at dusk");
    // The sim's clock moves only when told: step it until the job runs and a progress_update
    // with an ETA has reached the snapshot.
    if (!waitFor(
            [&] {
                auto j = findJob(*buffer.acquire(), id);
                if (j && j->status == model::JobStatus::Processing && j->eta_seconds.has_value()) return true;
                simServer->advance(so.progressIntervalMs);
                std::this_thread::sleep_for(20ms);
                return false;
            },
            10s)) {
        out.error = "the probe job never showed as processing";
        return out;
    }

    const auto probe = findJob(*buffer.acquire(), id);
    double lastEta = probe && probe->eta_seconds ? *probe->eta_seconds : -1;
    const int total = warmup + reps;
    for (int i = 0; i < total; ++i) {
        // Updates 25 ms apart: more than the coalescing window, as progress really arrives
        // (every 2 s per running job). Back to back, they would be coalesced into one snapshot
        // per publishCoalesceMs by design, and each would wait for the window.
        std::this_thread::sleep_for(25ms);
        // The ETA of the last update seen: a queue poll in between may replace the job with the
        // listing's version, which has no ETA, so the snapshot before the update is no reference.
        const auto before = buffer.acquire();
        uint64_t seenVersion = before->version;
        const int64_t t0 = nowNs();
        simServer->advance(so.progressIntervalMs);  // the sim emits and sends the progress_update
        bool seen = false;
        while (nowNs() - t0 < 2'000'000'000) {
            const orchestrator::SnapshotPtr s = buffer.acquire();
            if (s->version != seenVersion) {
                seenVersion = s->version;
                const auto j = findJob(*s, id);
                if (j && j->eta_seconds && *j->eta_seconds != lastEta) {
                    lastEta = *j->eta_seconds;
                    seen = true;
                    break;
                }
            }
            std::this_thread::yield();
        }
        const int64_t t1 = nowNs();
        if (!seen) {
            ++out.timeouts;
            continue;
        }
        if (i >= warmup) out.ns.add(static_cast<double>(t1 - t0));
    }
    rt.shutdown();
    return out;
}

// ---- 7 ----------------------------------------------------------------------------------------

// genmon-sim in a child process: this binary again, with --serve-sim. It prints its base URL on
// stdout and serves until stdin closes.
int serveSim(const std::string& scenario) {
    sim::SimOptions so;
    so.scenario = scenario;
    auto started = sim::SimServer::start(so);
    if (!started) {
        std::fprintf(stderr, "genmon-sim: %s\n", started.error().message.c_str());
        return 1;
    }
    std::printf("%s\n", started.value()->baseUrl().c_str());
    std::fflush(stdout);
    char c;
    while (read(0, &c, 1) > 0) {
    }
    return 0;
}

struct SimChild {
    pid_t pid = -1;
    int toChild = -1;
    std::string baseUrl;
    ~SimChild() {
        if (toChild >= 0) close(toChild);  // the child exits when its stdin closes
        if (pid > 0) waitpid(pid, nullptr, 0);
    }
};

bool startSimChild(SimChild& child, const std::string& scenario) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    std::string self = "/proc/self/exe";
    std::vector<std::string> args{"bench_live", "--serve-sim", scenario};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&child.pid, self.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    child.toChild = in[1];
    if (rc != 0) {
        close(out[0]);
        child.pid = -1;
        return false;
    }
    std::string line;
    char c;
    pollfd p{out[0], POLLIN, 0};
    while (poll(&p, 1, 10000) > 0 && read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    child.baseUrl = line;
    return line.rfind("http://", 0) == 0;
}

// CPU ticks (utime + stime) of every thread of this process, by name, from /proc/self/task.
std::map<std::string, double> threadSeconds() {
    std::map<std::string, double> out;
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    const pid_t self = getpid();
    if (DIR* d = opendir("/proc/self/task")) {
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            std::ifstream in(std::string("/proc/self/task/") + e->d_name + "/stat");
            std::string line;
            std::getline(in, line);
            const size_t open = line.find('('), close = line.rfind(')');
            if (open == std::string::npos || close == std::string::npos) continue;
            std::string name = line.substr(open + 1, close - open - 1);
            if (std::atoi(e->d_name) == self) name = "UI (main)";
            else if (name.rfind("llvmpipe", 0) == 0) name = "llvmpipe";
            std::istringstream rest(line.substr(close + 2));
            std::string field;
            double utime = 0, stime = 0;
            for (int i = 3; i <= 15 && rest >> field; ++i) {
                if (i == 14) utime = std::atof(field.c_str());
                if (i == 15) stime = std::atof(field.c_str());
            }
            out[name] += (utime + stime) / tick;
        }
        closedir(d);
    }
    return out;
}

struct Idle {
    double cpuPercent = 0;
    double uiThreadPercent = 0;
    int frames = 0;
    uint64_t versions = 0;
    double seconds = 0;
    std::string byThread;  // "UI (main) 0.3 %, llvmpipe 0.6 %, ..."
    std::string error;
};

Idle measureIdle(double warmupSeconds, double seconds) {
    Idle out;
    SimChild child;
    if (!startSimChild(child, "idle")) {
        out.error = "could not start genmon-sim (idle) in a child process";
        return out;
    }
    app::RuntimeOptions ro;
    ro.retryInitialize = false;
    app::Runtime rt(ro);
    std::mutex mutex;
    std::condition_variable cv;
    bool woken = false;
    rt.snapshots().setOnPublish([&] {  // as the window's Window::wake
        {
            std::lock_guard lock(mutex);
            woken = true;
        }
        cv.notify_one();
    });
    orchestrator::BackendConfig backend;
    backend.baseUrl = child.baseUrl;
    backend.simulated = true;
    auto first = rt.start(backend, std::nullopt, {});
    if (first.wait_for(15s) != std::future_status::ready || !first.get().ok()) {
        out.error = "initialize against genmon-sim failed";
        return out;
    }

    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui::GetIO().ConfigInputTextCursorBlink = false;
    ui::loadFonts(15.0f);
    {
        auto renderer = platform::OffscreenRenderer::create(1280, 800);
        if (!renderer) {
            out.error = "offscreen renderer: " + renderer.error().message;
            ImGui::DestroyContext();
            return out;
        }
        platform::GlTextureBackend textures;
        app::NullCommands commands;
        ui::App app(commands, &textures);
        constexpr float kClear[4] = {0.06f, 0.07f, 0.09f, 1.0f};
        // The window's own pacing policy (app::FramePacer, App::idleRefreshSeconds), with the
        // worker's publish waking the loop as glfwPostEmptyEvent does.
        app::FramePacer pacer;
        const int64_t start = nowNs();
        const int64_t measureFrom = start + static_cast<int64_t>(warmupSeconds * 1e9);
        const int64_t end = measureFrom + static_cast<int64_t>(seconds * 1e9);
        double cpu0 = 0;
        int64_t ui0 = 0;
        std::map<std::string, double> threads0;
        bool measuring = false;
        uint64_t lastVersion = 0;
        auto secondsNow = [] { return static_cast<double>(nowNs()) / 1e9; };
        while (nowNs() < end) {
            if (!measuring && nowNs() >= measureFrom) {
                measuring = true;
                cpu0 = processCpuSeconds();
                ui0 = threadCpuNs();
                threads0 = threadSeconds();
                out.frames = 0;
                out.versions = 0;
            }
            const double wait = pacer.waitSeconds(secondsNow());  // the pacer caps the rate itself
            if (wait > 0) {
                std::unique_lock lock(mutex);
                cv.wait_for(lock, std::chrono::duration<double>(wait), [&] { return woken; });
            }
            {
                std::lock_guard lock(mutex);
                woken = false;
            }
            const auto snap = rt.snapshots().acquire();
            if (snap->version != lastVersion && measuring) ++out.versions;
            lastVersion = snap->version;
            const double wokeAt = secondsNow();
            const app::FrameCause cause = pacer.shouldDraw({snap->contentVersion, false, false, false}, wokeAt);
            if (cause == app::FrameCause::None) continue;
            renderer.value()->newFrame(1.0f / 60.0f);
            app.frame({snap, rt.nowMicros(), rt.events().drain(), rt.nextInitRetryAtMicros()});
            renderer.value()->render(kClear);
            if (measuring) ++out.frames;
            pacer.drew(wokeAt, cause, app.wantsFullRate(), false, app.idleRefreshSeconds(*snap, rt.nowMicros(), 0));
        }
        const double wall = static_cast<double>(nowNs() - measureFrom) / 1e9;
        out.seconds = wall;
        out.cpuPercent = (processCpuSeconds() - cpu0) / wall * 100.0;
        out.uiThreadPercent = static_cast<double>(threadCpuNs() - ui0) / 1e9 / wall * 100.0;
        for (const auto& [name, secs] : threadSeconds()) {
            const double pct = (secs - threads0[name]) / wall * 100.0;
            if (pct <= 0) continue;
            char b[96];
            std::snprintf(b, sizeof b, "%s%s %.2f %%", out.byThread.empty() ? "" : ", ", name.c_str(), pct);
            out.byThread += b;
        }
        app.releaseTextures();
    }
    ImGui::DestroyContext();
    rt.shutdown();
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && std::string_view(argv[1]) == "--serve-sim") return serveSim(argv[2]);
    setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
    setenv("GALLIUM_DRIVER", "llvmpipe", 1);
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    const Options opt = parseOptions(argc, argv);
    Reporter report(opt);

    runRounds(opt, report, [&] {
    if (opt.wants("6")) {
        const int warmup = opt.reps(20, 5), reps = opt.reps(400, 40);
        const Latency shipped = measureLatency(warmup, reps, orchestrator::PollSettings{}.publishCoalesceMs);
        const Latency immediate = measureLatency(warmup, reps, 0);
        if (!shipped.error.empty() || shipped.ns.empty()) {
            const std::string why = shipped.error.empty() ? "no sample arrived" : shipped.error;
            report.unavailable("6a", "end-to-end sim send -> UI acquire sees it, p50", "ms", why);
            report.unavailable("6b", "end-to-end sim send -> UI acquire sees it, p99", "ms", why);
        } else {
            char extra[300];
            std::snprintf(extra, sizeof extra,
                          "; %d timeouts; with publishCoalesceMs = 0: p50 %s ms, p99 %s ms (%zu samples)",
                          shipped.timeouts, formatNumber(immediate.ns.median() / 1e6).c_str(),
                          formatNumber(immediate.ns.p99() / 1e6).c_str(), immediate.ns.size());
            const std::string detail =
                "loopback, publishCoalesceMs = " + std::to_string(orchestrator::PollSettings{}.publishCoalesceMs) +
                " (the app's default): " + describeNs(shipped.ns, 1e6, "ms") + extra;
            report.add("6a", "end-to-end: sim sends progress_update -> UI acquire sees it, p50",
                       shipped.ns.median() / 1e6, "ms", Target::atMost(1), detail);
            report.add("6b", "end-to-end: sim sends progress_update -> UI acquire sees it, p99",
                       shipped.ns.p99() / 1e6, "ms", Target::atMost(5), detail);
        }
    }
    if (opt.wants("7")) {
        // Each round settles anew (a new session), then measures its share of the 10 s.
        const double settle = opt.quick ? 1.0 : 3.0;
        const Idle idle = measureIdle(settle, opt.quick ? 1.0 : 10.0 / opt.rounds);
        if (!idle.error.empty()) {
            report.unavailable("7", "idle CPU, connected, window open offscreen", "%", idle.error);
        } else {
            char detail[600];
            std::snprintf(detail, sizeof detail,
                          "%.1f s measured after %.0f s settling: %d frames, %llu new snapshot versions; UI thread "
                          "%.2f %% (exact); by thread (10 ms ticks): %s",
                          idle.seconds, settle, idle.frames,
                          static_cast<unsigned long long>(idle.versions), idle.uiThreadPercent, idle.byThread.c_str());
            report.add("7", "idle CPU, connected to sim \"idle\", window open offscreen", idle.cpuPercent, "%",
                       Target::atMost(1), detail);
        }
    }
    });
    return 0;
}
