// The thread stress test of the issue: the worker merges 1,000,000 progress updates over a
// 10,000-job queue (through the orchestrator's push path, publishing as it goes) while another
// thread acquires snapshots in a loop and checks each one is consistent. Meant to run clean
// under ThreadSanitizer; there the update count drops to 50,000 unless
// GENMON_STRESS_UPDATES says otherwise.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "fake_transport.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

namespace {

#if defined(__SANITIZE_THREAD__)
constexpr bool kUnderTsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kUnderTsan = true;
#else
constexpr bool kUnderTsan = false;
#endif
#else
constexpr bool kUnderTsan = false;
#endif

constexpr int kJobs = 10'000;
constexpr uint64_t kStride = 7919;  // coprime with kJobs: every job is hit once per kJobs updates

long updatesToRun() {
    if (const char* env = std::getenv("GENMON_STRESS_UPDATES")) {
        const long n = std::strtol(env, nullptr, 10);
        if (n > 0) return n;
    }
    return kUnderTsan ? 50'000 : 1'000'000;
}

// Every update sets progress, current_step and status from one value, so a torn job (fields
// from two versions) shows up as a mismatch.
JobStatus statusFor(int v) {
    return v % 3 == 0 ? JobStatus::Processing : (v % 3 == 1 ? JobStatus::Queued : JobStatus::Completed);
}
int valueOf(long update) { return static_cast<int>(update % 101); }
std::string jobIdOf(long update) {
    return "job-" + std::to_string((static_cast<uint64_t>(update) * kStride) % kJobs);
}

model::ProgressMessage updateMsg(long i) {
    model::ProgressMessage m;
    m.job_id = jobIdOf(i);
    const int v = valueOf(i);
    m.progress = static_cast<uint8_t>(v);
    m.current_step = v;
    m.total_steps = 100;
    m.status = statusFor(v);
    return m;
}

// Tears the worker down first (it runs what is still posted while the orchestrator lives).
struct ThreadHarness {
    std::optional<ThreadExecutor> exec{std::in_place};
    FakeBackend fake{*exec};
    SnapshotBuffer buffer;
    EventQueue events{1'000'000};
    OrchestratorManager manager{*exec, fake.factory(), buffer, events, testOptions()};
    std::optional<Binding> binding{manager.acquire()};
    GenerationOrchestrator& orc = manager.orchestrator();
    // The last release posts the destroy; the worker runs it before it stops.
    ~ThreadHarness() {
        binding.reset();
        exec.reset();
    }
    std::shared_future<model::Status> start(OrchestratorOptions o) {
        manager.setOptions(std::move(o));
        return binding->initialize();
    }
};

// Returns "" when the snapshot is consistent, else what is wrong.
std::string checkSnapshot(const Snapshot& s) {
    if (s.jobs.size() != static_cast<size_t>(kJobs)) return "jobs.size() = " + std::to_string(s.jobs.size());
    if (s.sortedActiveJobs.size() != s.jobs.size()) return "sortedActiveJobs.size() differs from jobs.size()";
    if (!s.isActive || !s.queueManagerActive) return "not active";
    QueueCountsLocal counted;
    uint64_t lastSeq = 0;
    std::string problem;
    s.jobs.forEach([&](const model::Job& j) {
        if (!problem.empty()) return;
        if (j.seq <= lastSeq) problem = "jobs not in insertion order";
        lastSeq = j.seq;
        // A queued job shows no progress of its own (issue 14.3): 0 and no step.
        const bool queuedOk = j.status == JobStatus::Queued && j.progress == 0 && !j.current_step;
        const bool runOk = j.current_step && *j.current_step == j.progress && j.status == statusFor(j.progress);
        if (j.total_steps != 100 || !(queuedOk || runOk)) problem = "torn job " + j.uiId.str();
        switch (j.status) {
            case JobStatus::Queued: ++counted.queued; break;
            case JobStatus::Processing: ++counted.processing; break;
            case JobStatus::Completed: ++counted.completed; break;
            case JobStatus::Failed: ++counted.failed; break;
        }
    });
    if (!problem.empty()) return problem;
    if (counted.queued != s.counts.queued || counted.processing != s.counts.processing ||
        counted.completed != s.counts.completed || counted.failed != s.counts.failed)
        return "counts do not match the jobs";
    if (s.activeJobs.size() != counted.queued + counted.processing) return "activeJobs size does not match the counts";
    // sortedActiveJobs strictly ordered by the 4.6 key.
    std::optional<model::JobOrderKey> prev;
    s.sortedActiveJobs.forEach([&](const model::Job& j) {
        const auto k = model::sortKey(j);
        if (problem.empty() && prev && !(*prev < k)) problem = "sortedActiveJobs out of order";
        prev = k;
    });
    if (!problem.empty()) return problem;
    // activeJobs is a subsequence of jobs (both in insertion order), by identity. Raw
    // pointers: copying JobPtrs would bump the reference counts the worker is bumping too.
    static thread_local std::vector<const model::Job*> all;
    all.clear();
    s.jobs.forEach([&](const model::Job& j) { all.push_back(&j); });
    size_t at = 0;
    s.activeJobs.forEach([&](const model::Job& a) {
        if (!problem.empty()) return;
        if (!model::isActive(a.status)) problem = "inactive job in activeJobs";
        while (at < all.size() && all[at] != &a) ++at;
        if (at == all.size()) problem = "activeJobs holds a job that jobs does not";
    });
    return problem;
}

}  // namespace

TEST_CASE("issue: TSan-clean stress: one thread merges 1,000,000 progress updates over 10,000 jobs while another checks every snapshot it acquires") {
    const long total = updatesToRun();
    MESSAGE("progress updates: " << total << std::string(kUnderTsan ? " (ThreadSanitizer build)" : ""));
    ThreadHarness h;
    h.fake.jobs.respond = [](const int&) {
        FetchedJobs out;
        out.jobs.reserve(kJobs);
        for (int i = 0; i < kJobs; ++i) {
            auto j = makeJob("job-" + std::to_string(i), statusFor(0));
            j.created_at = model::Timestamp::fromMicros(1'700'000'000'000'000 + int64_t{i % 500} * 1'000'000);
            j.current_step = 0;
            j.total_steps = 100;
            out.jobs.push_back(std::move(j));
        }
        return Outcome<FetchedJobs>(std::move(out));
    };
    auto opts = testOptions();
    opts.polls.publishCoalesceMs = 1;
    opts.polls.queueWhileSocketDownMs = opts.polls.queueWhileSocketUpMs = 1'000'000'000;  // no poll replaces the list
    opts.polls.statusMs = 1'000'000'000;
    opts.polls.resultsRefreshDelayMs = 1'000'000'000;
    auto init = h.start(opts);
    REQUIRE(init.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    REQUIRE(init.get().ok());
    UpdateSink* listener = h.fake.listener();
    REQUIRE(listener != nullptr);
    REQUIRE(checkSnapshot(*h.buffer.acquire()).empty());

    std::atomic<bool> done{false};
    std::atomic<long> checked{0};
    std::string readerProblem;
    uint64_t lastVersion = 0;
    std::thread reader([&] {
        while (!done.load(std::memory_order_acquire)) {
            const SnapshotPtr s = h.buffer.acquire();
            if (s->version < lastVersion) {
                readerProblem = "version went back from " + std::to_string(lastVersion) + " to " + std::to_string(s->version);
                break;
            }
            if (s->version == lastVersion && checked.load(std::memory_order_relaxed) > 0) {
                std::this_thread::yield();  // nothing new: checked already
                continue;
            }
            lastVersion = s->version;
            if (auto p = checkSnapshot(*s); !p.empty()) {
                readerProblem = "version " + std::to_string(s->version) + ": " + p;
                break;
            }
            checked.fetch_add(1, std::memory_order_relaxed);
        }
    });

    const auto started = std::chrono::steady_clock::now();
    constexpr long kBatch = 500;
    bool writerStuck = false;
    for (long first = 0; first < total && !writerStuck; first += kBatch) {
        const long last = std::min(total, first + kBatch) - 1;  // the batch's final update goes through the facade
        h.exec->post([listener, first, last] {
            for (long i = first; i < last; ++i) listener->apply(updateMsg(i));
        });
        auto f = h.orc.handleProgressMessage(updateMsg(last));
        if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) writerStuck = true;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // Let the reader see the final state too, then stop it.
    const auto finalVersion = h.buffer.acquire()->version;
    done.store(true, std::memory_order_release);
    reader.join();

    MESSAGE("merged " << total << " updates in " << seconds << " s; the reader checked " << checked.load()
                      << " snapshots; last version " << finalVersion);
    CHECK_FALSE(writerStuck);
    CHECK_MESSAGE(readerProblem.empty(), readerProblem);
    CHECK(checked.load() > 0);

    // The final snapshot holds every job's last update.
    const SnapshotPtr last = h.buffer.acquire();
    CHECK(checkSnapshot(*last).empty());
    std::vector<int> expected(kJobs, 0);
    for (long i = 0; i < total; ++i)
        expected[(static_cast<uint64_t>(i) * kStride) % kJobs] = statusFor(valueOf(i)) == JobStatus::Queued ? 0 : valueOf(i);
    int wrong = 0;
    last->jobs.forEach([&](const model::Job& j) {
        const int idx = std::stoi(j.uiId.str().substr(4));
        if (j.progress != expected[static_cast<size_t>(idx)]) ++wrong;
    });
    CHECK(wrong == 0);
}
