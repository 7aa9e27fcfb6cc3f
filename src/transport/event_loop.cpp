#include "transport/event_loop.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "model/timestamp.hpp"

namespace genmon::transport {

namespace asio = boost::asio;
using orchestrator::TimerId;

namespace {
// How long stop() waits for queued handlers and closing sockets before it stops the context.
constexpr auto kDrainDeadline = std::chrono::seconds(3);
}  // namespace

struct EventLoop::Impl {
    asio::io_context io{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
    std::atomic<std::thread::id> workerId{};
    std::atomic<bool> running{false};
    std::mutex lifecycle;  // start/stop

    std::mutex finishedMutex;
    std::condition_variable finishedCv;
    bool finished = false;

    std::atomic<TimerId> nextTimer{1};
    std::unordered_map<TimerId, std::unique_ptr<asio::steady_timer>> timers;  // worker only

    void run() {
        workerId.store(std::this_thread::get_id());
        for (;;) {
            try {
                io.run();
                break;
            } catch (const std::exception& e) {
                std::fprintf(stderr, "genmon: worker: unexpected error in a handler: %s\n", e.what());
            } catch (...) {
                std::fprintf(stderr, "genmon: worker: unexpected error in a handler\n");
            }
        }
        workerId.store(std::thread::id{});
        {
            std::lock_guard lock(finishedMutex);
            finished = true;
        }
        finishedCv.notify_all();
    }

    void addTimer(TimerId id, int64_t delayMs, std::function<void()> fn) {
        auto timer = std::make_unique<asio::steady_timer>(io);
        timer->expires_after(std::chrono::milliseconds(std::max<int64_t>(0, delayMs)));
        timer->async_wait([this, id, fn = std::move(fn)](const boost::system::error_code& ec) {
            if (ec) return;  // cancelled
            auto it = timers.find(id);
            if (it == timers.end()) return;  // cancelled after it fired but before it ran
            timers.erase(it);
            fn();
        });
        timers.emplace(id, std::move(timer));
    }

    void removeTimer(TimerId id) {
        auto it = timers.find(id);
        if (it == timers.end()) return;
        it->second->cancel();
        timers.erase(it);
    }
};

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {}

EventLoop::~EventLoop() { stop(); }

void EventLoop::start() {
    std::lock_guard lock(impl_->lifecycle);
    if (impl_->running) return;
    impl_->io.restart();
    impl_->work.emplace(impl_->io.get_executor());
    {
        std::lock_guard f(impl_->finishedMutex);
        impl_->finished = false;
    }
    impl_->running = true;
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void EventLoop::stop() {
    std::lock_guard lock(impl_->lifecycle);
    if (!impl_->running) return;
    if (onWorkerThread()) {
        std::fprintf(stderr, "genmon: EventLoop::stop() called on the worker thread; ignored\n");
        return;
    }
    asio::post(impl_->io, [impl = impl_.get()] {
        for (auto& [id, timer] : impl->timers) timer->cancel();
        impl->timers.clear();
    });
    impl_->work.reset();
    {
        std::unique_lock f(impl_->finishedMutex);
        if (!impl_->finishedCv.wait_for(f, kDrainDeadline, [&] { return impl_->finished; })) {
            std::fprintf(stderr, "genmon: worker: connections did not close in time; stopping the loop\n");
            impl_->io.stop();
        }
    }
    impl_->thread.join();
    impl_->running = false;
}

bool EventLoop::running() const noexcept { return impl_->running.load(); }

bool EventLoop::onWorkerThread() const noexcept {
    return impl_->workerId.load() == std::this_thread::get_id();
}

void EventLoop::post(std::function<void()> fn) { asio::post(impl_->io, std::move(fn)); }

TimerId EventLoop::schedule(int64_t delayMs, std::function<void()> fn) {
    const TimerId id = impl_->nextTimer.fetch_add(1);
    if (onWorkerThread()) {
        impl_->addTimer(id, delayMs, std::move(fn));
    } else {
        asio::post(impl_->io, [impl = impl_.get(), id, delayMs, fn = std::move(fn)]() mutable {
            impl->addTimer(id, delayMs, std::move(fn));
        });
    }
    return id;
}

void EventLoop::cancel(TimerId id) {
    if (onWorkerThread()) {
        impl_->removeTimer(id);
    } else {
        asio::post(impl_->io, [impl = impl_.get(), id] { impl->removeTimer(id); });
    }
}

int64_t EventLoop::nowMicros() const { return model::systemNowMicros(); }

bool EventLoop::runAndWait(std::function<void()> fn) {
    if (!running() || onWorkerThread()) return false;
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    asio::post(impl_->io, [fn = std::move(fn), done] {
        fn();
        done->set_value();
    });
    // If the loop stops before running it, the handler (and its promise) is destroyed: the
    // future then reports a broken promise, which ends the wait too.
    try {
        future.get();
    } catch (const std::future_error&) {
        return false;
    }
    return true;
}

size_t EventLoop::pendingTimers() const { return impl_->timers.size(); }

asio::io_context& EventLoop::context() noexcept { return impl_->io; }

}  // namespace genmon::transport
