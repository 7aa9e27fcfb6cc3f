// Figures 5a, 5b, 5c and the UI column of the scaling table (5@1k, 5@10k, 5@100k).
// UI CPU per frame, from ImGui::NewFrame to the end of ImGui::Render (draw lists built, GL not
// included), with every panel open: the queue (N jobs), the detail pane, results (200 results,
// each with a procedural thumbnail, grid mode), system status and the generate form.
//
// Frames are drawn by app::renderOffscreen itself (the code behind `genmon --screenshot`) from a
// fixture made with app::parseFixture ("syntheticJobs" + 200 "image_url": "procedural"
// results). The start of a frame is taken in OffscreenRun::beforeFrame, right before
// OffscreenRenderer::newFrame; its end by an ImGui context hook after ImGui::Render
// (ImGuiContextHookType_RenderPost), before the GL draw. The value is the UI thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID), so other processes on a busy machine do not inflate it; wall time
// is given beside it.
#include <time.h>

#include <map>

#include <imgui.h>
#include <imgui_internal.h>

#include "app/fixture.hpp"
#include "app/gui.hpp"
#include "harness.hpp"
#include "platform/png.hpp"

using namespace genmon;
using namespace genmon::bench;

namespace {

std::string fixtureJson(size_t jobs, size_t results) {
    std::string j = R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z", "size": [1280, 800],
  "backend": {"url": "http://127.0.0.1:8000/api/v1"},
  "connection": {"phase": "connected", "connectedSecondsAgo": 600},
  "ageSeconds": {"jobs": 0.8, "status": 2.0, "results": 6.0},
  "jobsPerMinute": 4.2, "serverQueueLength": )" +
                    std::to_string(jobs) + R"(,
  "syntheticJobs": {"count": )" +
                    std::to_string(jobs) + R"(, "seed": 1},
  "historyLimit": 200,
  "systemStatus": {"gpu_available": true, "queue_length": 5, "status": "healthy",
    "gpu_status": "NVIDIA GeForce RTX 4090", "memory_used": 9830, "memory_total": 24564, "active_workers": 2,
    "backend": "redis", "queue_eta_seconds": null, "last_updated": "2026-11-26T11:59:58.000000+00:00", "warnings": [],
    "metrics": {"cpu_percent": 37, "memory_percent": 41, "memory_used": 26214, "memory_total": 64000,
      "disk_percent": 58, "disk_used": 150000, "disk_total": 258019,
      "gpus": [{"id": 0, "name": "NVIDIA GeForce RTX 4090", "memory_total": 24564, "memory_used": 9830,
        "memory_percent": 40, "temperature": 67, "utilization": 93, "fan_speed": 55, "power_draw_watts": 312.5}],
      "uptime_seconds": 86400, "timestamp": "2026-11-26T11:59:58.000000+00:00"},
    "sdnext": {"configured": true, "base_url": "http://127.0.0.1:7860", "available": true, "error": null,
      "checked_at": "2026-11-26T11:59:58.000000+00:00"},
    "queue": {"total": 7, "active": 5, "running": 2, "failed": 1}},
  "ui": {"panels": {"queue": true, "results": true, "system": true, "detail": true, "generate": true},
    "resultsMode": "grid", "cursor": "00000001-0000-4000-8000-000000000002",
    "detail": "00000001-0000-4000-8000-000000000002"},
  "results": [)";
    static const char* kPrompts[] = {"a paper boat on a puddle", "a lighthouse at dusk, <lora:coastal:0.8>",
                                     "a red fox in fresh snow, 35mm film", "an astronaut cat, watercolor",
                                     "a koi pond in autumn rain, ukiyo-e", "a neon city street at night"};
    char buf[1024];
    for (size_t i = 0; i < results; ++i) {
        std::snprintf(buf, sizeof buf,
                      R"(%s{"id": "9a1b2c3d-0000-4000-8000-%012zu", "job_id": "9a1b2c3d-0000-4000-8000-%012zu",
  "prompt": "%s", "negative_prompt": "blurry", "status": "completed", "image_url": "procedural",
  "thumbnail_url": null, "width": 512, "height": 512, "steps": 20, "cfg_scale": 7.0, "seed": %zu,
  "created_at": "2026-11-26T11:%02zu:%02zu.000000", "finished_at": "2026-11-26T11:%02zu:%02zu.500000",
  "generation_info": {"seed": %zu, "sampler_name": "DPM++ 2M"}, "rating": null, "is_favorite": false})",
                      i ? "," : "", i, i, kPrompts[i % 6], 4000 + i, 59 - (i / 60) % 60, 59 - i % 60,
                      59 - (i / 60) % 60, 59 - i % 60, 4000 + i);
        j += buf;
    }
    j += "]}";
    return j;
}

struct FrameTimes {
    Samples cpuNs, wallNs;
    bool ok = false;
    std::string error;
};

struct HookState {
    int64_t cpuEnd = 0, wallEnd = 0;
};

// --png DIR: the last frame of each size is written there (to see what was measured).
std::string gPngDir;

// Parsed once: every round (issue 16.5) draws the same fixture anew.
const model::Outcome<app::Fixture>& fixtureFor(size_t jobs) {
    static std::map<size_t, model::Outcome<app::Fixture>> parsed;
    auto it = parsed.find(jobs);
    if (it == parsed.end()) it = parsed.emplace(jobs, app::parseFixture(fixtureJson(jobs, 200))).first;
    return it->second;
}

FrameTimes measureFrames(size_t jobs, int warmup, int reps) {
    FrameTimes out;
    const auto& fixture = fixtureFor(jobs);
    if (!fixture) {
        out.error = fixture.error().message;
        return out;
    }
    if (fixture->snapshot->jobs.size() != jobs || fixture->snapshot->recentResults->size() != 200) {
        out.error = "the fixture did not load " + std::to_string(jobs) + " jobs and 200 results";
        return out;
    }
    app::FrameSource source = app::fixtureSource(fixture.value());
    app::NullCommands commands;
    app::OffscreenRun run;
    run.width = fixture->width;
    run.height = fixture->height;
    run.frames = warmup + reps;
    run.prepare = [&](ui::UiState& st) { st = fixture->ui; };

    HookState hook;
    int64_t cpuStart = 0, wallStart = 0;
    run.beforeFrame = [&](int i) {
        if (i == 0) {
            ImGuiContextHook h;
            h.Type = ImGuiContextHookType_RenderPost;
            h.Callback = [](ImGuiContext*, ImGuiContextHook* self) {
                auto* st = static_cast<HookState*>(self->UserData);
                st->cpuEnd = threadCpuNs();
                st->wallEnd = nowNs();
            };
            h.UserData = &hook;
            ImGui::AddContextHook(ImGui::GetCurrentContext(), &h);
        } else if (i > warmup) {  // the frame before this one ended in the hook
            out.cpuNs.add(static_cast<double>(hook.cpuEnd - cpuStart));
            out.wallNs.add(static_cast<double>(hook.wallEnd - wallStart));
        }
        cpuStart = threadCpuNs();
        wallStart = nowNs();
    };
    auto image = app::renderOffscreen(source, commands, run);
    if (!image) {
        out.error = image.error().message;
        return out;
    }
    if (!gPngDir.empty()) (void)platform::writePng(gPngDir + "/bench_ui_" + std::to_string(jobs) + ".png", image.value());
    out.cpuNs.add(static_cast<double>(hook.cpuEnd - cpuStart));  // the last frame
    out.wallNs.add(static_cast<double>(hook.wallEnd - wallStart));
    out.ok = true;
    return out;
}

std::string frameDetail(size_t jobs, const FrameTimes& t) {
    return std::to_string(jobs) + " jobs + 200 thumbnails, all panels, 1280x800: UI thread CPU " +
           describeNs(t.cpuNs, 1e6, "ms") + "; wall median " + formatNumber(t.wallNs.median() / 1e6) + " ms, p99 " +
           formatNumber(t.wallNs.p99() / 1e6) + " ms";
}

}  // namespace

int main(int argc, char** argv) {
    // Headless and deterministic, as scripts/test renders: llvmpipe, no display.
    setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
    setenv("GALLIUM_DRIVER", "llvmpipe", 1);
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    const Options opt = parseOptions(argc, argv);
    Reporter report(opt);
    for (size_t i = 0; i + 1 < opt.rest.size(); ++i)
        if (opt.rest[i] == "--png") gPngDir = opt.rest[i + 1];
    const int warmup = opt.reps(30, 5), reps = opt.reps(300, 20);
    auto fail = [&](const std::string& id, const std::string& name, const std::string& why) {
        report.unavailable(id, name, "ms", why);
    };
    runRounds(opt, report, [&] {
    if (opt.wants("5")) {
        const FrameTimes t10 = measureFrames(10000, warmup, reps);
        if (!t10.ok) {
            fail("5a", "UI CPU per frame, 10,000 jobs, median", t10.error);
            fail("5b", "UI CPU per frame, 10,000 jobs, p99", t10.error);
        } else {
            report.add("5a", "UI CPU per frame, 10,000 jobs + 200 thumbnails, median", t10.cpuNs.median() / 1e6, "ms",
                       Target::atMost(1), frameDetail(10000, t10));
            report.add("5b", "UI CPU per frame, 10,000 jobs + 200 thumbnails, p99", t10.cpuNs.p99() / 1e6, "ms",
                       Target::atMost(2), frameDetail(10000, t10));
        }
        const FrameTimes t100 = measureFrames(100000, warmup, reps);
        if (!t100.ok)
            fail("5c", "UI CPU per frame, 100,000 jobs, median", t100.error);
        else
            report.add("5c", "UI CPU per frame, 100,000 jobs + 200 thumbnails, median", t100.cpuNs.median() / 1e6,
                       "ms", Target::atMost(2), frameDetail(100000, t100));
        if (opt.wants("5@")) {
            const FrameTimes t1 = measureFrames(1000, warmup, reps);
            const std::pair<const char*, const FrameTimes*> rows[] = {{"5@1k", &t1}, {"5@10k", &t10}, {"5@100k", &t100}};
            const size_t counts[] = {1000, 10000, 100000};
            for (size_t i = 0; i < 3; ++i) {
                const std::string name = std::string("UI CPU per frame, median, ") +
                                         (i == 0 ? "1,000" : i == 1 ? "10,000" : "100,000") + " jobs";
                if (!rows[i].second->ok)
                    report.unavailable(rows[i].first, name, "ms", rows[i].second->error, "scaling");
                else
                    report.add(rows[i].first, name, rows[i].second->cpuNs.median() / 1e6, "ms",
                               Target::atMost(i == 2 ? 2 : 1), frameDetail(counts[i], *rows[i].second), "scaling");
            }
        }
    }
    });
    return 0;
}
