#pragma once
// Where the worker's work runs. The orchestrator's state is touched only from tasks on its
// executor. The transport's event loop implements this in the app; tests use ManualExecutor
// (deterministic, virtual time) or ThreadExecutor (a real worker thread).
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
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

// Single-threaded and deterministic: nothing runs until the test says so.
class ManualExecutor final : public Executor {
public:
    explicit ManualExecutor(int64_t startMicros = 1'790'000'000'000'000) : now_(startMicros) {}
    void post(std::function<void()> fn) override;
    TimerId schedule(int64_t delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    int64_t nowMicros() const override { return now_; }

    // Runs posted tasks (and timers already due) until nothing is left. Returns tasks run.
    size_t runUntilIdle();
    // Moves virtual time forward, running every timer that falls due on the way.
    void advance(int64_t ms);
    size_t pendingTimers() const { return timers_.size(); }

private:
    std::mutex mutex_;  // post() may come from other threads (UI commands in tests)
    std::vector<std::function<void()>> posted_;
    std::multimap<int64_t, std::pair<TimerId, std::function<void()>>> timers_;
    int64_t now_;
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
