// Figure 8: memory. A process that holds 100,000 jobs and 200 results with thumbnails in a real
// GenerationOrchestrator and has published a snapshot of them: VmRSS from /proc/self/status.
//
// Its own process (scripts/bench runs this binary alone), so nothing else is resident. The state
// is built the way the app builds it: initialize() on a ManualExecutor with a tiny in-memory
// transport whose /jobs/active answer is the 100,000 jobs (decoded by protocol::Decoder from
// realistic JSON, 1,000 per body) and whose /results pages are 200 results decoded from JSON
// whose image_url carries a 256x256 PNG in base64 (genmon-sim's picture), which the orchestrator
// has the transport decode into thumbnails (at most 128 px a side), 4 at a time. The JSON and
// the transport's copy are freed before measuring; what stays is the orchestrator's state and
// the published snapshot (which share every job).
#include <malloc.h>

#include "harness.hpp"
#include "orchestrator/event_queue.hpp"
#include "orchestrator/executor.hpp"
#include "orchestrator/manager.hpp"
#include "orchestrator/snapshot_buffer.hpp"
#include "payload.hpp"
#include "protocol/base64.hpp"
#include "protocol/decode.hpp"
#include "sim/sim_server.hpp"
#include "tiny_transport.hpp"

using namespace genmon;
using namespace genmon::bench;

namespace {

constexpr int64_t kNow = 1'795'694'400'000'000;

std::string resultsPayload(size_t n) {
    static const char* kPrompts[] = {"a paper boat on a puddle", "a lighthouse at dusk, <lora:coastal:0.8>",
                                     "a red fox in fresh snow, 35mm film", "an astronaut cat, watercolor"};
    std::string out = "[";
    char buf[1024];
    for (size_t i = 0; i < n; ++i) {
        const char* prompt = kPrompts[i % 4];
        const std::string png = protocol::base64Encode(sim::SimServer::renderPng(static_cast<int64_t>(4000 + i), prompt, 256));
        std::snprintf(buf, sizeof buf,
                      R"(%s{"id": "9a1b2c3d-0000-4000-8000-%012zu", "job_id": "9a1b2c3d-0000-4000-8000-%012zu",
  "prompt": "%s", "negative_prompt": "blurry", "status": "completed", "image_url": ")",
                      i ? "," : "", i, i, prompt);
        out += buf;
        out += png;
        std::snprintf(buf, sizeof buf, R"(", "thumbnail_url": null, "width": 512, "height": 512, "steps": 20,
  "cfg_scale": 7.0, "seed": %zu, "created_at": "2026-11-26T11:%02zu:%02zu.000000",
  "finished_at": "2026-11-26T11:%02zu:%02zu.500000", "generation_info": {"seed": %zu, "sampler_name": "DPM++ 2M"},
  "rating": null, "is_favorite": false})",
                      4000 + i, 59 - (i / 60) % 60, 59 - i % 60, 59 - (i / 60) % 60, 59 - i % 60, 4000 + i);
        out += buf;
    }
    out += "]";
    return padded(std::move(out));
}

double mb(long kib) { return static_cast<double>(kib) * 1024.0 / 1e6; }

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parseOptions(argc, argv);
    Reporter report(opt);
    if (!opt.wants("8")) return 0;
    const size_t kJobs = 100000, kResults = 200;
    const long baseline = procStatusKiB("VmRSS");

    orchestrator::ManualExecutor exec(kNow);
    orchestrator::SnapshotBuffer buffer;
    orchestrator::EventQueue events;
    auto backend = std::make_shared<TinyBackend>();
    {
        protocol::Decoder decoder;
        backend->jobs.reserve(kJobs);
        for (size_t batch = 0; batch < kJobs / 1000; ++batch) {
            const std::string body = activeJobsPayload(1000, 100 + batch);
            auto jobs = decoder.activeJobs(body, kNow);
            if (!jobs) return std::fprintf(stderr, "bench: %s\n", jobs.error().message.c_str()), 1;
            for (auto& j : jobs->value) backend->jobs.push_back(std::move(j));
        }
        const std::string body = resultsPayload(kResults);
        auto results = decoder.results(body, kNow);
        if (!results || results->value.size() != kResults)
            return std::fprintf(stderr, "bench: the results payload did not decode\n"), 1;
        for (auto& r : results->value) backend->results.push_back({std::move(r.result), std::move(r.imageBase64)});
    }

    // Through a manager, as the app does: the orchestrator's lifecycle is the manager's (issue 15.2).
    orchestrator::OrchestratorManager manager(exec, tinyFactory(exec, backend), buffer, events, {});
    orchestrator::Binding binding = manager.acquire();
    // The last release posts the destroy, which the manager waits for: run it on the way out.
    struct Drain {
        orchestrator::Binding& binding;
        orchestrator::ManualExecutor& exec;
        ~Drain() { binding.release(), exec.runUntilIdle(); }
    } drain{binding, exec};
    orchestrator::OrchestratorOptions options;
    options.backend.baseUrl = "http://127.0.0.1:8000/api/v1";
    manager.setHistoryLimitOverride(200);
    manager.setOptions(options);
    auto init = binding.initialize();
    exec.runUntilIdle();  // fetches, ingest, then every thumbnail decode (4 at a time)
    exec.advance(100);    // the coalesced publish (publishCoalesceMs) after the last thumbnail
    if (!init.get().ok()) return std::fprintf(stderr, "bench: initialize failed\n"), 1;
    // The transport's prepared answers are not the app's state: free them.
    std::vector<model::Job>().swap(backend->jobs);
    std::vector<orchestrator::FetchedResult>().swap(backend->results);
    const orchestrator::SnapshotPtr snap = buffer.acquire();

    size_t thumbs = 0, thumbBytes = 0;
    for (const auto& r : *snap->recentResults)
        if (r->thumbnail) {
            ++thumbs;
            thumbBytes += r->thumbnail->rgba.size();
        }
    if (snap->jobs.size() != kJobs || snap->recentResults->size() != kResults || thumbs != kResults) {
        std::fprintf(stderr, "bench: expected %zu jobs and %zu thumbnails, got %zu jobs, %zu results, %zu thumbnails\n",
                     kJobs, kResults, snap->jobs.size(), snap->recentResults->size(), thumbs);
        return 1;
    }
    const long rss = procStatusKiB("VmRSS"), hwm = procStatusKiB("VmHWM");
    malloc_trim(0);
    const long trimmed = procStatusKiB("VmRSS");
    char detail[400];
    std::snprintf(detail, sizeof detail,
                  "VmRSS %.1f MB (1 MB = 10^6 B) with snapshot v%llu held; process before building: %.1f MB; "
                  "thumbnails %.1f MB; after malloc_trim(0) %.1f MB; peak (VmHWM) %.1f MB incl. the JSON and the "
                  "transport's copy",
                  mb(rss), static_cast<unsigned long long>(snap->version), mb(baseline),
                  static_cast<double>(thumbBytes) / 1e6, mb(trimmed), mb(hwm));
    report.add("8", "RSS: 100,000 jobs + 200 results with thumbnails, snapshot published", mb(rss), "MB",
               Target::atMost(150), detail);
    return 0;
}
