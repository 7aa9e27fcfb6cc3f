// Figures 3 and 4 and the publish column of the scaling table (3@1k, 3@10k, 3@100k).
//   3  one progress update that changes the sort order (a status change) in an N-job queue,
//      through a real GenerationOrchestrator on a ManualExecutor with a tiny in-memory
//      transport: GenerationOrchestrator::handleProgressMessage posts the change, the worker
//      applies it (QueueModule: maps, the four ordered lists) and publishes a Snapshot exactly as
//      publishNow does (sortedActiveJobs and the other views included). Timed from the call to
//      the moment the worker is idle again, the new snapshot published. us median.
//   4  the UI's look at the snapshot (SnapshotReader::latest: a try-lock, issue 16.2) on the "UI"
//      thread while another thread publishes new snapshots (of a 10,000-job queue) in a tight
//      loop. us p99; 4b its p99.9, 4c its maximum. The detail has the blocking acquire() too.
//   3f issue 14.4: one recompute of the queue forecast (forecastQueue) over a 10,000-job queue
//      (9,000 active) with a learned model that estimates every job: what the worker pays at most
//      once a second, or per structural change (every 200 ms at most at this size). us median.
//      Figure 3 stays a publish without it: a progress tick never recomputes the forecast.
#include <atomic>
#include <thread>

#include "harness.hpp"
#include "orchestrator/event_queue.hpp"
#include "orchestrator/executor.hpp"
#include "orchestrator/manager.hpp"
#include "orchestrator/queue_forecast.hpp"
#include "orchestrator/queue_module.hpp"
#include "orchestrator/snapshot_buffer.hpp"
#include "payload.hpp"
#include "protocol/decode.hpp"
#include "tiny_transport.hpp"

using namespace genmon;
using namespace genmon::bench;

namespace {

constexpr int64_t kNow = 1'795'694'400'000'000;

struct Queue {
    std::vector<model::Job> jobs;
    std::vector<JobShape> shapes;
};

Queue makeQueue(size_t n) {
    Queue q;
    const std::string body = activeJobsPayload(n, 3, &q.shapes);
    protocol::Decoder decoder;
    auto decoded = decoder.activeJobs(body, kNow);
    if (!decoded) {
        std::fprintf(stderr, "bench: %s\n", decoded.error().message.c_str());
        std::exit(1);
    }
    q.jobs = std::move(decoded->value);
    return q;
}

// Round robin over the active jobs; each message flips queued <-> processing, which moves the
// job in the §4.6 order (erase + insert in sortedActiveJobs), with a new progress.
class StatusFlipper {
public:
    explicit StatusFlipper(const std::vector<JobShape>& shapes) {
        for (size_t i = 0; i < shapes.size(); ++i)
            if (shapes[i].status == "queued" || shapes[i].status == "processing")
                active_.push_back({shapes[i].id, shapes[i].status == "processing"});
    }
    model::ProgressMessage next() {
        auto& a = active_[at_];
        at_ = (at_ + 1) % active_.size();
        a.processing = !a.processing;
        model::ProgressMessage m;
        m.job_id = a.id;
        m.status = a.processing ? model::JobStatus::Processing : model::JobStatus::Queued;
        m.progress = static_cast<uint8_t>(a.processing ? 1 + (tick_ % 98) : 0);
        m.current_step = static_cast<int>(tick_ % 20);
        m.total_steps = 20;
        m.eta_seconds = 12.5;
        ++tick_;
        return m;
    }

private:
    struct Entry {
        std::string id;
        bool processing;
    };
    std::vector<Entry> active_;
    size_t at_ = 0;
    uint64_t tick_ = 0;
};

struct PublishFigure {
    Samples ns;          // the whole path, per update
    Samples queueOnlyNs; // QueueModule::handleProgressMessage alone (no views, no publish)
    size_t jobs = 0;
};

PublishFigure measurePublish(size_t n, int warmup, int reps) {
    PublishFigure f;
    Queue q = makeQueue(n);
    f.jobs = q.jobs.size();

    {
        orchestrator::ManualExecutor exec(kNow);
        orchestrator::SnapshotBuffer buffer;
        orchestrator::EventQueue events;
        auto backend = std::make_shared<TinyBackend>();
        backend->jobs = q.jobs;
        // Through a manager, as the app does: the orchestrator's lifecycle is the manager's (issue 15.2).
        orchestrator::OrchestratorManager manager(exec, tinyFactory(exec, backend), buffer, events, {});
        orchestrator::Binding binding = manager.acquire();
        orchestrator::GenerationOrchestrator& orch = manager.orchestrator();
        // The last release posts the destroy, which the manager waits for: run it on the way out.
        struct Drain {
            orchestrator::Binding& binding;
            orchestrator::ManualExecutor& exec;
            ~Drain() { binding.release(), exec.runUntilIdle(); }
        } drain{binding, exec};
        orchestrator::OrchestratorOptions options;
        options.backend.baseUrl = "http://127.0.0.1:8000/api/v1";
        manager.setOptions(options);
        auto init = binding.initialize();
        exec.runUntilIdle();
        if (!init.get().ok() || buffer.acquire()->jobs.size() != f.jobs) {
            std::fprintf(stderr, "bench: the orchestrator did not load %zu jobs\n", f.jobs);
            std::exit(1);
        }
        backend->jobs.clear();
        StatusFlipper flip(q.shapes);
        uint64_t lastVersion = buffer.acquire()->version;
        auto once = [&] {
            auto done = orch.handleProgressMessage(flip.next());
            exec.runUntilIdle();
            return done;
        };
        for (int i = 0; i < warmup; ++i) once().get();
        f.ns.reserve(static_cast<size_t>(reps));
        for (int i = 0; i < reps; ++i) {
            const int64_t t0 = nowNs();
            auto done = once();
            const int64_t t1 = nowNs();
            f.ns.add(static_cast<double>(t1 - t0));
            if (!done.get().ok()) std::exit(1);
        }
        const uint64_t version = buffer.acquire()->version;
        if (version < lastVersion + static_cast<uint64_t>(reps)) {
            std::fprintf(stderr, "bench: expected one publish per update\n");
            std::exit(1);
        }
    }
    {
        // The queue change alone, on the same data: what the views and the publish add is the rest.
        orchestrator::QueueModule queue;
        queue.setJobs(q.jobs, kNow);
        (void)queue.sortedActiveJobs();
        StatusFlipper flip(q.shapes);
        int64_t now = kNow;
        f.queueOnlyNs = timeRepeated(warmup, reps, [&] { queue.handleProgressMessage(flip.next(), now += 10); });
    }
    return f;
}

std::string publishDetail(const PublishFigure& f) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "; QueueModule change alone (no publish): median %s us",
                  formatNumber(f.queueOnlyNs.median() / 1e3).c_str());
    return std::to_string(f.jobs) + " jobs: " + describeNs(f.ns, 1e3, "us") + buf;
}

void figure4(const Options& opt, Reporter& report) {
    Queue q = makeQueue(10000);
    orchestrator::QueueModule queue;
    queue.setJobs(std::move(q.jobs), kNow);
    orchestrator::SnapshotBuffer buffer;

    std::atomic<bool> stop{false};
    std::atomic<uint64_t> published{0};
    // Snapshots as publishNow builds them: the lists share the queue's chunks, strings copied.
    std::thread publisher([&] {
        uint64_t version = 1;
        while (!stop.load(std::memory_order_relaxed)) {
            auto s = std::make_shared<orchestrator::Snapshot>();
            s->version = ++version;
            s->jobs = queue.jobs();
            s->activeJobs = queue.activeJobs();
            s->sortedActiveJobs = queue.sortedActiveJobs();
            s->queueView = queue.queueView();
            s->counts = queue.counts();
            s->backendUrl = "http://127.0.0.1:8000/api/v1";
            s->connection.socketUrl = "ws://127.0.0.1:8000/api/v1/ws/progress";
            s->isConnected = true;
            buffer.publish(std::move(s));
            published.fetch_add(1, std::memory_order_relaxed);
        }
    });
    while (published.load() < 1000) std::this_thread::yield();

    size_t samples = opt.perRound(opt.quick ? size_t{200000} : size_t{3000000});
    uint64_t sink = 0;
    // The UI's path (issue 16.2): SnapshotReader::latest() try-locks and, when the publisher holds
    // the lock, keeps the snapshot it has; the one it drops goes back to the worker to free.
    // gapNs: time between two looks (the stalled phase spreads them over the publisher's cycle).
    int64_t gapNs = 0;
    auto gap = [&] {
        for (const int64_t until = nowNs() + gapNs; gapNs > 0 && nowNs() < until;) {
        }
    };
    auto measureReader = [&](Samples& s, size_t& behind) {
        orchestrator::SnapshotReader reader(buffer);
        for (size_t i = 0; i < 20000; ++i) sink += reader.latest()->version;  // warm-up
        for (size_t i = 0; i < samples; ++i) {
            gap();
            const int64_t t0 = nowNs();
            sink += reader.latest()->version;
            const int64_t t1 = nowNs();
            s.add(static_cast<double>(t1 - t0));
            behind += reader.behind();
        }
    };
    // Before issue 16.2: a blocking acquire() and the release of that copy, on the same buffer.
    auto measureBlocking = [&](Samples& s) {
        for (size_t i = 0; i < samples; ++i) {
            gap();
            const int64_t t0 = nowNs();
            {
                const orchestrator::SnapshotPtr snap = buffer.acquire();
                sink += snap->version;
            }  // released here: when the publisher swapped it out meanwhile, this frees it
            s.add(static_cast<double>(nowNs() - t0));
        }
    };
    Samples s, blocking;
    s.reserve(samples);
    blocking.reserve(samples);
    size_t behind = 0;
    const uint64_t before = published.load();
    const int64_t start = nowNs();
    measureReader(s, behind);
    const double seconds = static_cast<double>(nowNs() - start) / 1e9;
    const uint64_t during = published.load() - before;
    measureBlocking(blocking);
    // A preempted publisher, simulated: every publish now holds the lock 20 us (a spin inside
    // the critical section). The blocking acquire waits for it; the reader must not.
    buffer.setInsideLockForTest([] {
        const int64_t until = nowNs() + 20'000;
        while (nowNs() < until) {
        }
    });
    Samples stalled, stalledBlocking;
    size_t stalledBehind = 0;
    samples = std::max<size_t>(1, samples / 20);  // a blocking acquire now waits up to 20 us
    gapNs = 2'000;
    const uint64_t p0 = published.load();
    measureReader(stalled, stalledBehind);
    const uint64_t p1 = published.load();
    measureBlocking(stalledBlocking);
    const uint64_t p2 = published.load();
    stop = true;
    publisher.join();
    doNotOptimize(sink);
    char detail[900];
    std::snprintf(detail, sizeof detail,
                  "%zu looks (SnapshotReader::latest, try-lock): median %.0f ns, p99 %.0f ns, p99.9 %.0f ns, max %.1f us; "
                  "%zu found the lock taken and kept the previous snapshot; publisher %.0f snapshots/s meanwhile. "
                  "The blocking acquire() + release on the same buffer: median %.0f ns, p99 %.0f ns, p99.9 %.0f ns, max %.1f us",
                  s.size(), s.median(), s.p99(), s.percentile(99.9), s.max() / 1e3, behind,
                  static_cast<double>(during) / seconds, blocking.median(), blocking.p99(), blocking.percentile(99.9),
                  blocking.max() / 1e3);
    report.add("4", "UI snapshot acquire while the worker publishes flat out (p99)", s.p99() / 1e3, "us",
               Target::atMost(1), detail);
    report.add("4b", "the same, p99.9", s.percentile(99.9) / 1e3, "us", Target::none(), detail);
    report.add("4c", "the same, maximum", s.max() / 1e3, "us", Target::none(), detail);
    std::snprintf(detail, sizeof detail,
                  "every publish holds the lock 20 us, a look every 2 us: %zu looks, median %.0f ns, p99 %.0f ns, p99.9 %.0f ns, "
                  "max %.1f us; %zu found the lock taken (%llu publishes meanwhile). The blocking acquire() on the same "
                  "buffer: median %.0f ns, p99 %.0f ns, p99.9 %.0f ns, max %.1f us (%llu publishes meanwhile)",
                  stalled.size(), stalled.median(), stalled.p99(), stalled.percentile(99.9), stalled.max() / 1e3,
                  stalledBehind, static_cast<unsigned long long>(p1 - p0), stalledBlocking.median(), stalledBlocking.p99(),
                  stalledBlocking.percentile(99.9), stalledBlocking.max() / 1e3, static_cast<unsigned long long>(p2 - p1));
    report.add("4s", "the same, the publisher stalled 20 us inside the lock each time (p99)", stalled.p99() / 1e3, "us",
               Target::atMost(1), detail);
}

void figure3f(const Options& opt, Reporter& report, size_t n, const char* id) {
    Queue q = makeQueue(n);
    orchestrator::QueueModule queue;
    queue.setJobs(std::move(q.jobs), kNow);
    const orchestrator::JobList sorted = queue.sortedActiveJobs();
    const size_t active = queue.counts().queued + queue.counts().processing;
    // A model that knows every job (the global per-step rate covers any sampler and size).
    orchestrator::EtaEstimator eta;
    for (int i = 0; i < 12; ++i) eta.learn(orchestrator::EtaKey{"DPM++ 2M", 512, 512, 20}, 8.0 + 0.1 * i);
    const auto model = eta.model();
    size_t entries = 0;
    const Samples s = timeRepeated(opt.reps(20, 3), n > 10000 ? opt.reps(50, 5) : opt.reps(300, 20), [&] {
        const auto f = orchestrator::forecastQueue(sorted, model.get(), kNow);
        entries = f->entries().size();
        doNotOptimize(entries);
    });
    char detail[300];
    std::snprintf(detail, sizeof detail, "%zu jobs, %zu active, %zu with a forecast: %s; %.0f ns per active job", n,
                  active, entries, describeNs(s, 1e3, "us").c_str(), s.median() / static_cast<double>(active));
    report.add(id, std::string("queue forecast recompute (issue 14.4), ") + (n == 10000 ? "10,000" : "100,000") + " jobs",
               s.median() / 1e3, "us", Target::none(), detail);
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parseOptions(argc, argv);
    Reporter report(opt);
    runRounds(opt, report, [&] {
    if (opt.wants("3")) {
        const PublishFigure f = measurePublish(10000, opt.reps(500, 50), opt.reps(5000, 300));
        report.add("3", "publish after one job changed (status -> re-sort), 10,000 jobs", f.ns.median() / 1e3, "us",
                   Target::atMost(50), publishDetail(f));
        if (opt.wants("3@")) {
            report.add("3@10k", "publish after one status change, 10,000 jobs (= figure 3)", f.ns.median() / 1e3,
                       "us", Target::atMost(50), publishDetail(f), "scaling");
            for (size_t n : {size_t{1000}, size_t{100000}}) {
                const PublishFigure g = measurePublish(n, opt.reps(500, 50), opt.reps(5000, 300));
                report.add(n == 1000 ? "3@1k" : "3@100k",
                           std::string("publish after one status change, ") + (n == 1000 ? "1,000" : "100,000") +
                               " jobs",
                           g.ns.median() / 1e3, "us", Target::atMost(50), publishDetail(g), "scaling");
            }
        }
    }
    if (opt.wants("4")) figure4(opt, report);
    if (opt.wants("3f")) {
        figure3f(opt, report, 10000, "3f");
        if (opt.wants("3f@")) figure3f(opt, report, 100000, "3f@100k");
    }
    });
    return 0;
}
