// Figure 11 (issue 17.6): 32 genmon-sim backends, busy, watched by one genmon (app::Fleet: one
// worker, one Runtime per backend) with the window's UI drawing offscreen, the Fleet view open.
//   11a  UI CPU per frame, p99 (ImGui new frame + ui::App::frame + ImGui::Render, thread CPU)
//   11b  the worker thread's CPU over the measured time, % of a core
// Both are CPU clocks of one thread (the UI thread's, the worker's), so the 32 sims, which run
// in this process on their own threads, are not counted in them.
#include <imgui.h>
#include <imgui_internal.h>  // ImGuiContextHook: the frame ends at RenderPost, as in figure 5
#include <pthread.h>
#include <time.h>

#include <thread>

#include "app/fleet_window.hpp"
#include "harness.hpp"
#include "platform/gl_textures.hpp"
#include "platform/offscreen.hpp"
#include "sim/sim_server.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"

using namespace genmon;
using namespace genmon::bench;
using namespace std::chrono_literals;

namespace {

int64_t clockNs(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct FleetRun {
    std::string error;
    Samples frameCpuNs;
    double workerPercent = 0, seconds = 0;
    size_t up = 0, jobs = 0;
};

FleetRun measureFleet(int backends, double warmupSeconds, double seconds) {
    FleetRun out;
    std::vector<std::unique_ptr<sim::SimServer>> sims;
    for (int i = 0; i < backends; ++i) {
        sim::SimOptions so;
        so.scenario = "busy";
        so.seed = static_cast<uint64_t>(i + 1);
        auto started = sim::SimServer::start(so);
        if (!started) {
            out.error = "genmon-sim: " + started.error().message;
            return out;
        }
        sims.push_back(std::move(started).value());
    }
    app::Fleet fleet;
    for (const auto& sim : sims) {
        app::FleetBackend b;
        b.config.baseUrl = sim->baseUrl();
        fleet.add(std::move(b));
    }
    for (const auto& m : fleet.members())
        if (m->first.wait_for(30s) != std::future_status::ready || !m->first.get().ok()) {
            out.error = "backend " + m->url + " did not answer";
            return out;
        }
    clockid_t worker{};
    fleet.loop().runAndWait([&] { pthread_getcpuclockid(pthread_self(), &worker); });

    app::Settings settings;
    app::FleetCommands commands(fleet, settings, std::nullopt);
    app::FrameSource source = app::fleetFrameSource(fleet, commands);
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ui::loadFonts(15.0f);
    {
        auto renderer = platform::OffscreenRenderer::create(1440, 900);
        if (!renderer) {
            out.error = "offscreen renderer: " + renderer.error().message;
            ImGui::DestroyContext();
            return out;
        }
        platform::GlTextureBackend textures;
        ui::App app(commands, &textures);
        app.state().showMetrics = false;
        struct Hook {
            int64_t cpuEnd = 0;
        } hook;
        ImGuiContextHook h;
        h.Type = ImGuiContextHookType_RenderPost;
        h.Callback = [](ImGuiContext*, ImGuiContextHook* self) { static_cast<Hook*>(self->UserData)->cpuEnd = threadCpuNs(); };
        h.UserData = &hook;
        ImGui::AddContextHook(ImGui::GetCurrentContext(), &h);
        constexpr float kClear[4] = {0.06f, 0.07f, 0.09f, 1.0f};
        const int64_t start = nowNs();
        const int64_t measureFrom = start + static_cast<int64_t>(warmupSeconds * 1e9);
        const int64_t end = measureFrom + static_cast<int64_t>(seconds * 1e9);
        int64_t worker0 = 0;
        bool measuring = false;
        while (nowNs() < end) {
            if (!measuring && nowNs() >= measureFrom) {
                measuring = true;
                worker0 = clockNs(worker);
            }
            std::this_thread::sleep_for(16ms);  // a 60 Hz window drawing every frame: the worst case
            const int64_t cpu0 = threadCpuNs();
            renderer.value()->newFrame(1.0f / 60.0f);
            app.frame({source.snapshot(), source.nowMicros(), source.drainEvents(), source.nextInitRetryAtMicros(),
                       source.exchanges, source.fleet()});
            renderer.value()->render(kClear);
            if (measuring) out.frameCpuNs.add(static_cast<double>(hook.cpuEnd - cpu0));
        }
        const double wall = static_cast<double>(nowNs() - measureFrom) / 1e9;
        out.seconds = wall;
        out.workerPercent = static_cast<double>(clockNs(worker) - worker0) / 1e9 / wall * 100.0;
        for (const auto& row : source.fleet()) {
            out.up += ui::fleetHealth(row, source.nowMicros()) == ui::FleetHealth::Up;
            out.jobs += row.snapshot->counts.queued + row.snapshot->counts.processing;
        }
        app.releaseTextures();
    }
    ImGui::DestroyContext();
    fleet.shutdown();
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
    setenv("GALLIUM_DRIVER", "llvmpipe", 1);
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    const Options opt = parseOptions(argc, argv);
    Reporter report(opt);
    if (!opt.wants("11")) return 0;
    constexpr int kBackends = 32;
    const FleetRun run = opt.quick ? measureFleet(kBackends, 2.0, 4.0) : measureFleet(kBackends, 10.0, 30.0);
    if (!run.error.empty()) {
        report.unavailable("11a", "32 busy backends: UI CPU per frame, p99", "ms", run.error);
        report.unavailable("11b", "32 busy backends: worker CPU", "%", run.error);
        return 0;
    }
    char detail[400];
    std::snprintf(detail, sizeof detail, "%zu of %d backends up, %zu active jobs at the end; frames: %s; %.1f s measured",
                  run.up, kBackends, run.jobs, describeNs(run.frameCpuNs, 1e6, "ms").c_str(), run.seconds);
    report.add("11a", "32 busy genmon-sim backends, Fleet view: UI CPU per frame, p99", run.frameCpuNs.p99() / 1e6, "ms",
               Target::atMost(2), detail);
    report.add("11b", "32 busy genmon-sim backends: the worker thread's CPU", run.workerPercent, "% of a core",
               Target::atMost(10), detail);
    return 0;
}
