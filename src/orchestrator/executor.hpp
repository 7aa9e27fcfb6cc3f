#pragma once
// Where the worker's work runs. The orchestrator's state is touched only from tasks on its
// executor. The transport's event loop implements this in the app; tests use ManualExecutor
// (deterministic, virtual time) or ThreadExecutor (a real worker thread).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace genmon::orchestrator {

using TimerId = uint64_t;

class Executor {
public:
    virtual ~Executor() = default;
    // Thread-safe: runs fn on the worker, in order of posting.
    virtual void post(std::function<void()> fn) = 0;
    // Worker thread only: runs fn after delayMs unless cancelled first.
    virtual TimerId schedule(int64_t delayMs, std::function<void()> fn) = 0;
    virtual void cancel(TimerId id) = 0;
    // Wall-clock microseconds since the epoch (virtual in tests and fixture renders).
    virtual int64_t nowMicros() const = 0;
};

// Deterministic, on a virtual clock: nothing runs until the driver (a test, or a replay of a
// recording) says so, so the same inputs give the same tasks in the same order at the same
// virtual times on any machine. post() is thread-safe; the rest belongs to the driving thread.
class ManualExecutor final : public Executor {
public:
    explicit ManualExecutor(int64_t startMicros = 1'790'000'000'000'000) : now_(startMicros) {}
    void post(std::function<void()> fn) override;
    TimerId schedule(int64_t delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    int64_t nowMicros() const override { return now_.load(); }

    // Runs fn at the virtual time atMicros (now, when that has passed).
    TimerId scheduleAt(int64_t atMicros, std::function<void()> fn);
    // Runs posted tasks (and timers already due) until nothing is left. Returns tasks run.
    size_t runUntilIdle();
    // Moves virtual time forward (never back), running every timer that falls due on the way,
    // in order of time and then of scheduling.
    void advance(int64_t ms) { advanceTo(now_.load() + ms * 1000); }
    void advanceTo(int64_t atMicros);
    size_t pendingTimers() const { return timers_.size(); }
    std::optional<int64_t> nextTimerAt() const;
    // Blocks the driving thread until something is posted or the timeout passes (a replay
    // played in real time waits for the UI's commands this way).
    void waitForWork(int64_t timeoutMicros);

private:
    std::mutex mutex_;  // post() may come from other threads (UI commands)
    std::condition_variable posted_cv_;
    std::vector<std::function<void()>> posted_;
    std::multimap<int64_t, std::pair<TimerId, std::function<void()>>> timers_;
    std::atomic<int64_t> now_;  // read by other threads (a replay's UI asks for the time)
    TimerId nextId_ = 1;
};

// A worker thread with a task queue and timers, on the real clock.
class ThreadExecutor final : public Executor {
public:
    ThreadExecutor();
    ~ThreadExecutor() override;  // runs what is posted, then joins
    void post(std::function<void()> fn) override;
    TimerId schedule(int64_t delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    int64_t nowMicros() const override;
    bool onWorkerThread() const { return std::this_thread::get_id() == thread_.get_id(); }

private:
    void run();
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::function<void()>> posted_;
    std::multimap<int64_t, std::pair<TimerId, std::function<void()>>> timers_;  // steady micros
    TimerId nextId_ = 1;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace genmon::orchestrator
