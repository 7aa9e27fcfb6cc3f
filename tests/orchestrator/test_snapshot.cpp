// Snapshots: immutable (checked at compile time), structurally shared (a progress update in a
// 10,000-job queue copies at most one chunk per list; a status-only change copies no list),
// plus the SnapshotBuffer, EventQueue, executors and Reply they rely on.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <type_traits>

#include "fake_transport.hpp"
#include "orchestrator/reply.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

// ---- a snapshot cannot be mutated ----------------------------------------------------------------------

namespace {
template <class L>
concept CanPushBack = requires(L& l, typename std::remove_cvref_t<L>::value_type v) { l.push_back(v); };
template <class L>
concept CanClear = requires(L& l) { l.clear(); };

using SnapRef = decltype(*std::declval<SnapshotPtr>());  // const Snapshot&
using ResultsRef = decltype(*std::declval<SnapRef>().recentResults);
using StatusRef = decltype(*std::declval<SnapRef>().systemStatus);
using JobRef = decltype(*std::declval<const model::JobPtr&>());
using ResultRef = decltype(*std::declval<const model::ResultPtr&>());
}  // namespace

// Controls: the same checks on mutable types succeed, so the assertions below can fail.
static_assert(std::is_assignable_v<JobList&, JobList>);
static_assert(CanPushBack<ResultList>);
static_assert(std::is_assignable_v<decltype((std::declval<model::Job&>().progress)), uint8_t>);
static_assert(std::is_assignable_v<decltype((std::declval<model::SystemStatus&>().queue_length)), int64_t>);

// The snapshot itself: every state key is read-only through SnapshotPtr.
static_assert(std::is_same_v<SnapRef, const Snapshot&>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().jobs)), JobList>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().activeJobs)), JobList>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().sortedActiveJobs)), JobList>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().recentResults)), std::shared_ptr<const ResultList>>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().systemStatus)),
                                    std::shared_ptr<const model::SystemStatus>>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().isConnected)), bool>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().queueManagerActive)), bool>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().historyLimit)), int>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().pollIntervalMs)), int>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().systemStatusReady)), bool>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().systemStatusLastUpdated)),
                                    std::optional<model::Timestamp>>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().systemStatusApiAvailable)), bool>);
static_assert(!std::is_assignable_v<decltype((std::declval<SnapRef>().isActive)), bool>);
// The results list cannot grow, shrink or be reassigned; its elements cannot be changed.
static_assert(std::is_const_v<std::remove_reference_t<ResultsRef>>);
static_assert(!CanPushBack<std::remove_reference_t<ResultsRef>>);
static_assert(!CanClear<std::remove_reference_t<ResultsRef>>);
static_assert(!std::is_assignable_v<decltype((std::declval<ResultsRef>()[0])), model::ResultPtr>);
static_assert(std::is_const_v<std::remove_reference_t<ResultRef>>);
static_assert(!std::is_assignable_v<decltype((std::declval<ResultRef>().id)), std::string>);
static_assert(!std::is_assignable_v<decltype((std::declval<ResultRef>().imageState)), model::ImageState>);
// System status fields.
static_assert(!std::is_assignable_v<decltype((std::declval<StatusRef>().status)), std::string>);
static_assert(!std::is_assignable_v<decltype((std::declval<StatusRef>().queue_length)), int64_t>);
static_assert(!std::is_assignable_v<decltype((std::declval<StatusRef>().extra)), std::map<std::string, std::string>>);
// Jobs' fields through JobPtr, and the JobList elements themselves.
static_assert(std::is_const_v<std::remove_reference_t<JobRef>>);
static_assert(!std::is_assignable_v<decltype((std::declval<JobRef>().progress)), uint8_t>);
static_assert(!std::is_assignable_v<decltype((std::declval<JobRef>().status)), model::JobStatus>);
static_assert(!std::is_assignable_v<decltype((std::declval<JobRef>().uiId)), model::Text>);
static_assert(!std::is_assignable_v<decltype((std::declval<const JobList&>()[0])), model::JobPtr>);
static_assert(std::is_const_v<std::remove_reference_t<decltype(std::declval<const JobList&>().job(0))>>);

TEST_CASE("issue: a snapshot cannot be mutated, and what it shows never changes after later updates") {
    Harness h;
    model::SystemStatusPatch p;
    p.status = "healthy";
    h.fake.status.push(FetchedStatus{p, {}});
    h.fake.jobs.push(fetchedJobs({makeJob("a", JobStatus::Processing, {}, 10)}));
    h.fake.results.push(fetchedResults(2));
    h.initialize();
    const SnapshotPtr before = h.snap();
    const model::JobPtr jobBefore = before->jobs[0];
    const auto resultsBefore = before->recentResults;
    const auto statusBefore = before->systemStatus;

    JobUpdate u;
    u.progress = 90;
    h.settle(h.orc.updateJob("a", u));
    h.settle(h.orc.addResult(makeResult("new")));
    model::SystemStatusPatch q;
    q.status = "degraded";
    h.fake.push([q](UpdateSink& l) { l.apply(q); });
    h.exec.runUntilIdle();

    const SnapshotPtr after = h.snap();
    // New references for every changed part (spec 7.3 store: mutations make new arrays and objects).
    CHECK(after->jobs[0] != jobBefore);
    CHECK(after->recentResults != resultsBefore);
    CHECK(after->systemStatus != statusBefore);
    CHECK(after->jobs[0]->progress == 90);
    CHECK(after->recentResults->size() == 3);
    CHECK(after->systemStatus->status == "degraded");
    // The old snapshot shows exactly what it showed.
    CHECK(before->jobs[0] == jobBefore);
    CHECK(jobBefore->progress == 10);
    CHECK(before->recentResults->size() == 2);
    CHECK(before->systemStatus->status == "healthy");
}

// ---- structural sharing ----------------------------------------------------------------------------------

namespace {
size_t chunkCount(const JobList& l) { return l.sharedChunksWith(l); }

void loadBigQueue(Harness& h, int n) {
    std::vector<model::Job> jobs;
    jobs.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const auto st = i % 3 == 0 ? JobStatus::Processing : (i % 3 == 1 ? JobStatus::Queued : JobStatus::Completed);
        auto j = makeJob("job-" + std::to_string(i), st);
        j.created_at = model::Timestamp::fromMicros(1'700'000'000'000'000 + int64_t{i} * 1'000'000);
        jobs.push_back(std::move(j));
    }
    h.fake.jobs.push(fetchedJobs(std::move(jobs)));
    h.initialize();
    REQUIRE(h.snap()->jobs.size() == static_cast<size_t>(n));
}
}  // namespace

TEST_CASE("issue: after one progress update in a 10,000-job queue the new snapshot shares all but at most one chunk per list") {
    Harness h;
    loadBigQueue(h, 10'000);
    const SnapshotPtr prev = h.snap();
    const size_t jobsChunks = chunkCount(prev->jobs);
    const size_t activeChunks = chunkCount(prev->activeJobs);
    const size_t sortedChunks = chunkCount(prev->sortedActiveJobs);
    REQUIRE(jobsChunks >= 10'000 / kChunkCapacity);
    REQUIRE(activeChunks >= 2);
    REQUIRE(sortedChunks >= 2);

    model::ProgressMessage m;
    m.job_id = "job-4242";  // processing (4242 % 3 == 0)
    m.progress = 55;
    h.fake.push([m](UpdateSink& l) { l.apply(m); });
    h.exec.runUntilIdle();
    const SnapshotPtr next = h.snap();
    REQUIRE(next->version > prev->version);
    CHECK(findJob(next->jobs, "job-4242")->progress == 55);
    CHECK(findJob(prev->jobs, "job-4242")->progress == 0);

    CHECK(next->jobs.sharedChunksWith(prev->jobs) == jobsChunks - 1);
    CHECK(next->activeJobs.sharedChunksWith(prev->activeJobs) == activeChunks - 1);
    CHECK(next->sortedActiveJobs.sharedChunksWith(prev->sortedActiveJobs) == sortedChunks - 1);
    CHECK(next->queueView.sharedChunksWith(prev->queueView) == sortedChunks - 1);
    // Every other job is the very same object.
    size_t samePointers = 0;
    for (size_t i = 0; i < next->jobs.size(); ++i)
        if (next->jobs[i] == prev->jobs[i]) ++samePointers;
    CHECK(samePointers == 10'000 - 1);
}

TEST_CASE("issue: a status-only change does not copy the job lists") {
    Harness h;
    loadBigQueue(h, 10'000);
    const SnapshotPtr prev = h.snap();
    model::SystemStatusPatch p;
    p.queue_length = 12;
    h.fake.push([p](UpdateSink& l) { l.apply(p); });
    h.exec.runUntilIdle();
    const SnapshotPtr next = h.snap();
    REQUIRE(next->version > prev->version);
    CHECK(next->systemStatus->queue_length == 12);
    CHECK(next->jobs.sharedChunksWith(prev->jobs) == chunkCount(prev->jobs));
    CHECK(next->activeJobs.sharedChunksWith(prev->activeJobs) == chunkCount(prev->activeJobs));
    CHECK(next->sortedActiveJobs.sharedChunksWith(prev->sortedActiveJobs) == chunkCount(prev->sortedActiveJobs));
    CHECK(next->recentResults == prev->recentResults);
}

TEST_CASE("issue: a status change of one job in a 10,000-job queue still leaves almost every chunk shared") {
    Harness h;
    loadBigQueue(h, 10'000);
    const SnapshotPtr prev = h.snap();
    model::ProgressMessage m;
    m.job_id = "job-3";  // processing -> completed: it leaves activeJobs and moves in the sorted list
    m.status = JobStatus::Completed;
    m.progress = 100;
    h.fake.push([m](UpdateSink& l) { l.apply(m); });
    h.exec.runUntilIdle();
    const SnapshotPtr next = h.snap();
    CHECK(next->jobs.sharedChunksWith(prev->jobs) == chunkCount(prev->jobs) - 1);
    CHECK(next->activeJobs.size() == prev->activeJobs.size() - 1);
    CHECK(next->activeJobs.sharedChunksWith(prev->activeJobs) + 2 >= chunkCount(prev->activeJobs));
    CHECK(next->sortedActiveJobs.sharedChunksWith(prev->sortedActiveJobs) + 3 >= chunkCount(prev->sortedActiveJobs));
    CHECK(next->counts.completed == prev->counts.completed + 1);
    CHECK(next->counts.processing == prev->counts.processing - 1);
}

// ---- SnapshotBuffer, EventQueue ------------------------------------------------------------------------

TEST_CASE("SnapshotBuffer: acquire returns the last published snapshot and publish calls the wake-up hook") {
    SnapshotBuffer b;
    CHECK(b.acquire()->version == 0);
    int woke = 0;
    b.setOnPublish([&] { ++woke; });
    auto s = std::make_shared<Snapshot>();
    s->version = 7;
    b.publish(s);
    CHECK(b.acquire()->version == 7);
    CHECK(woke == 1);
    const auto held = b.acquire();
    auto t = std::make_shared<Snapshot>();
    t->version = 8;
    b.publish(t);
    CHECK(held->version == 7);  // the holder keeps its frame-stable copy
    CHECK(b.acquire()->version == 8);
}

// ---- issue 16.2: the UI never waits ---------------------------------------------------------------------

namespace {
SnapshotPtr snapshotVersion(uint64_t v) {
    auto s = std::make_shared<Snapshot>();
    s->version = v;
    s->contentVersion = v;
    return s;
}

// A publisher preempted inside publish's critical section: it publishes `next` on its own
// thread and stops holding the lock until release() (or 10 s, so a failing test cannot hang).
struct StalledPublisher {
    SnapshotBuffer& buffer;
    std::mutex m;
    std::condition_variable cv;
    bool inside = false, released = false;
    std::thread thread;

    StalledPublisher(SnapshotBuffer& b, SnapshotPtr next) : buffer(b) {
        buffer.setInsideLockForTest([this] {
            std::unique_lock lock(m);
            inside = true;
            cv.notify_all();
            cv.wait_for(lock, std::chrono::seconds(10), [this] { return released; });
        });
        thread = std::thread([this, next] { buffer.publish(next); });
        std::unique_lock lock(m);
        cv.wait(lock, [this] { return inside; });
    }
    bool stillInside() {
        std::lock_guard lock(m);
        return !released;
    }
    void release() {
        {
            std::lock_guard lock(m);
            released = true;
        }
        cv.notify_all();
        thread.join();
        buffer.setInsideLockForTest({});
    }
};
}  // namespace

TEST_CASE("issue 16.2: a publisher holding the lock does not block the UI's acquire, which draws the previous snapshot") {
    SnapshotBuffer b;
    b.publish(snapshotVersion(1));
    SnapshotReader ui(b);
    CHECK(ui.latest()->version == 1);
    CHECK_FALSE(ui.behind());

    StalledPublisher publisher(b, snapshotVersion(2));
    // The lock is held until release(): a blocking acquire would wait 10 s here.
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t seen = ui.latest()->version;
    const bool returnedWhileHeld = publisher.stillInside();
    const auto waited = std::chrono::steady_clock::now() - t0;
    publisher.release();
    CHECK(returnedWhileHeld);
    CHECK(seen == 1);  // the previous snapshot, drawn once more
    CHECK(ui.behind());
    CHECK(waited < std::chrono::seconds(5));
    CHECK(ui.latest()->version == 2);  // the lock is free again: the newest
    CHECK_FALSE(ui.behind());
}

TEST_CASE("issue 16.2: the last publish, made while the UI's try-lock failed, wakes the UI after the unlock and is seen") {
    SnapshotBuffer b;
    std::mutex m;
    std::vector<std::string> order;
    b.setOnPublish([&] {
        std::lock_guard lock(m);
        order.push_back("wake");
    });
    b.publish(snapshotVersion(1));
    SnapshotReader ui(b);
    order.clear();

    StalledPublisher publisher(b, snapshotVersion(2));  // the last publish: nothing follows it
    const uint64_t seen = ui.latest()->version;
    REQUIRE(ui.behind());
    {
        std::lock_guard lock(m);
        order.push_back("ui missed");
        CHECK(order.size() == 1);  // no wake yet: the publisher still holds the lock
    }
    publisher.release();
    CHECK(seen == 1);
    // The wake came after the failed look, so a loop sleeping on it gets up and looks again.
    REQUIRE(order.size() == 2);
    CHECK(order[1] == "wake");
    CHECK(ui.latest()->version == 2);
    CHECK_FALSE(ui.behind());
}

TEST_CASE("issue 16.2: the snapshot the UI drops is freed by the worker at its next publish, never in a frame") {
    SnapshotBuffer b;
    std::atomic<int> freedOnUi{0}, freedElsewhere{0};
    const auto uiThread = std::this_thread::get_id();
    auto tracked = [&](uint64_t v) {
        auto* s = new Snapshot();
        s->version = v;
        return SnapshotPtr(s, [&, uiThread](const Snapshot* p) {
            (std::this_thread::get_id() == uiThread ? freedOnUi : freedElsewhere)++;
            delete p;
        });
    };
    std::thread([&] { b.publish(tracked(1)); }).join();
    SnapshotReader ui(b);
    for (uint64_t v = 2; v <= 50; ++v) {
        std::thread([&] { b.publish(tracked(v)); }).join();  // the worker: front v, v-1 now held by the UI only
        CHECK(ui.latest()->version == v);                    // the UI drops v-1
    }
    std::thread([&] { b.publish(tracked(51)); }).join();
    CHECK(freedOnUi.load() == 0);
    CHECK(freedElsewhere.load() == 49);  // 1..49; 50 is the UI's, 51 the front
}

TEST_CASE("issue 16.2: against a publisher running flat out the UI never blocks and ends on the final snapshot") {
    SnapshotBuffer b;
    SnapshotReader ui(b);
    constexpr uint64_t kLast = 200000;
    std::thread worker([&] {
        for (uint64_t v = 1; v <= kLast; ++v) b.publish(snapshotVersion(v));
    });
    uint64_t previous = 0;
    size_t looks = 0, behind = 0;
    bool ordered = true;
    // Frames as fast as they go, so the looks and the publishes collide.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        const uint64_t v = ui.latest()->version;
        ++looks;
        if (ui.behind()) ++behind;
        ordered = ordered && v >= previous;
        previous = v;
        if (v == kLast && !ui.behind()) break;
    }
    worker.join();
    CHECK(ordered);  // snapshots never go back in time
    CHECK(previous == kLast);
    CHECK(ui.latest()->version == kLast);
    MESSAGE(looks << " looks, " << behind << " found the lock taken");
}

TEST_CASE("EventQueue: FIFO, drained once, bounded with a drop count") {
    EventQueue q(3);
    for (int i = 0; i < 5; ++i) {
        Event e;
        e.message = "m" + std::to_string(i);
        q.push(e);
    }
    const auto got = q.drain();
    REQUIRE(got.size() == 3);
    CHECK(got[0].message == "m2");
    CHECK(got[2].message == "m4");
    CHECK(q.dropped() == 2);
    CHECK(q.drain().empty());
}

// ---- executors and Reply -----------------------------------------------------------------------------

TEST_CASE("ManualExecutor: posted work runs in order, timers run when virtual time reaches them, cancel works") {
    ManualExecutor ex(1'000'000);
    std::vector<std::string> log;
    ex.post([&] { log.push_back("p1"); });
    ex.post([&] { log.push_back("p2"); });
    ex.schedule(10, [&] { log.push_back("t10"); });
    const auto cancelled = ex.schedule(5, [&] { log.push_back("t5"); });
    ex.schedule(0, [&] { log.push_back("t0"); });
    CHECK(log.empty());
    CHECK(ex.runUntilIdle() == 3);
    CHECK(log == std::vector<std::string>{"p1", "p2", "t0"});
    ex.cancel(cancelled);
    ex.advance(9);
    CHECK(log.size() == 3);
    CHECK(ex.nowMicros() == 1'000'000 + 9'000);
    ex.advance(1);
    CHECK(log.back() == "t10");
    CHECK(ex.pendingTimers() == 0);
}

TEST_CASE("ManualExecutor: a timer scheduled by a timer runs within the same advance when due") {
    ManualExecutor ex;
    int fired = 0;
    std::function<void()> tick = [&] {
        ++fired;
        ex.schedule(100, tick);
    };
    ex.schedule(100, tick);
    ex.advance(1000);
    CHECK(fired == 10);
}

TEST_CASE("ThreadExecutor: runs posted work in order on its thread, and timers after their delay") {
    std::vector<int> seen;
    std::promise<void> done;
    std::promise<bool> onWorker;
    {
        ThreadExecutor ex;
        for (int i = 0; i < 100; ++i) ex.post([&seen, i] { seen.push_back(i); });
        ex.post([&] { onWorker.set_value(ex.onWorkerThread()); });
        ex.post([&] { ex.schedule(5, [&] { done.set_value(); }); });
        REQUIRE(done.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        CHECK(onWorker.get_future().get());
        CHECK_FALSE(ex.onWorkerThread());
    }
    REQUIRE(seen.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(seen[static_cast<size_t>(i)] == i);
}

TEST_CASE("Reply: answers once, an unanswered reply answers Cancelled when the last copy goes away") {
    std::future<model::Status> f1, f2;
    {
        Reply<model::Unit> r;
        f1 = r.future();
        r(model::Unit{});
        r(model::Error::make(model::ErrorKind::Internal, "second answer ignored"));
        CHECK(r.answered());
    }
    CHECK(f1.get().ok());
    {
        Reply<model::Unit> r;
        f2 = r.future();
        auto copy = r;
    }
    auto s = f2.get();
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().kind == model::ErrorKind::Cancelled);
}
