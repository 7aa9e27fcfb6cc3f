#include "orchestrator/executor.hpp"

#include <algorithm>
#include <chrono>

#include "model/timestamp.hpp"

namespace genmon::orchestrator {

void ManualExecutor::post(std::function<void()> fn) {
    {
        std::lock_guard lock(mutex_);
        posted_.push_back(std::move(fn));
    }
    posted_cv_.notify_all();
}

TimerId ManualExecutor::schedule(int64_t delayMs, std::function<void()> fn) {
    return scheduleAt(now_.load() + std::max<int64_t>(0, delayMs) * 1000, std::move(fn));
}

TimerId ManualExecutor::scheduleAt(int64_t atMicros, std::function<void()> fn) {
    const TimerId id = nextId_++;
    timers_.emplace(std::max(atMicros, now_.load()), std::make_pair(id, std::move(fn)));
    return id;
}

void ManualExecutor::cancel(TimerId id) {
    for (auto it = timers_.begin(); it != timers_.end(); ++it)
        if (it->second.first == id) {
            timers_.erase(it);
            return;
        }
}

size_t ManualExecutor::runUntilIdle() {
    size_t ran = 0;
    for (;;) {
        std::vector<std::function<void()>> batch;
        {
            std::lock_guard lock(mutex_);
            batch.swap(posted_);
        }
        if (batch.empty()) {
            // Timers due now (scheduled with delay 0) count as idle work too.
            auto it = timers_.begin();
            if (it == timers_.end() || it->first > now_.load()) return ran;
            auto fn = std::move(it->second.second);
            timers_.erase(it);
            fn();
            ++ran;
            continue;
        }
        for (auto& fn : batch) {
            fn();
            ++ran;
        }
    }
}

void ManualExecutor::advanceTo(int64_t target) {
    runUntilIdle();
    for (;;) {
        auto it = timers_.begin();
        if (it == timers_.end() || it->first > target) break;
        now_ = std::max(now_.load(), it->first);
        auto fn = std::move(it->second.second);
        timers_.erase(it);
        fn();
        runUntilIdle();
    }
    now_ = std::max(now_.load(), target);
    runUntilIdle();
}

std::optional<int64_t> ManualExecutor::nextTimerAt() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->first;
}

void ManualExecutor::waitForWork(int64_t timeoutMicros) {
    std::unique_lock lock(mutex_);
    posted_cv_.wait_for(lock, std::chrono::microseconds(std::max<int64_t>(0, timeoutMicros)),
                        [this] { return !posted_.empty(); });
}

namespace {
int64_t steadyMicros() {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

ThreadExecutor::ThreadExecutor() : thread_([this] { run(); }) {}

ThreadExecutor::~ThreadExecutor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void ThreadExecutor::post(std::function<void()> fn) {
    {
        std::lock_guard lock(mutex_);
        posted_.push_back(std::move(fn));
    }
    cv_.notify_one();
}

TimerId ThreadExecutor::schedule(int64_t delayMs, std::function<void()> fn) {
    std::lock_guard lock(mutex_);
    const TimerId id = nextId_++;
    timers_.emplace(steadyMicros() + std::max<int64_t>(0, delayMs) * 1000, std::make_pair(id, std::move(fn)));
    cv_.notify_one();
    return id;
}

void ThreadExecutor::cancel(TimerId id) {
    std::lock_guard lock(mutex_);
    for (auto it = timers_.begin(); it != timers_.end(); ++it)
        if (it->second.first == id) {
            timers_.erase(it);
            return;
        }
}

int64_t ThreadExecutor::nowMicros() const { return model::systemNowMicros(); }

void ThreadExecutor::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (!posted_.empty()) {
            std::vector<std::function<void()>> batch;
            batch.swap(posted_);
            lock.unlock();
            for (auto& fn : batch) fn();
            lock.lock();
            continue;
        }
        if (stopping_) return;  // posted work is done; pending timers are dropped
        if (!timers_.empty()) {
            const int64_t due = timers_.begin()->first;
            if (due <= steadyMicros()) {
                auto fn = std::move(timers_.begin()->second.second);
                timers_.erase(timers_.begin());
                lock.unlock();
                fn();
                lock.lock();
                continue;
            }
            cv_.wait_for(lock, std::chrono::microseconds(due - steadyMicros()));
        } else {
            cv_.wait(lock);
        }
    }
}

}  // namespace genmon::orchestrator
