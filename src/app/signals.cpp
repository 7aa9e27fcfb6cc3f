#include "app/signals.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace genmon::app {

namespace {

std::atomic<ShutdownSignals*> g_current{nullptr};

sigset_t quitSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

const char* signalName(int signo) {
    switch (signo) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
        case SIGHUP: return "SIGHUP";
        default: return "a signal";
    }
}

int64_t steadyNanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

ShutdownSignals::ShutdownSignals(Options options) : options_(std::move(options)) {
    const sigset_t set = quitSignals();
    if (const int err = pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0) {
        std::fprintf(stderr, "%s: warning: cannot block SIGINT/SIGTERM/SIGHUP (%s); they will end it abruptly\n",
                     options_.program.c_str(), std::strerror(err));
        return;
    }
    signalFd_ = ::signalfd(-1, &set, SFD_CLOEXEC);
    controlFd_ = ::eventfd(0, EFD_CLOEXEC);
    if (signalFd_ < 0 || controlFd_ < 0) {
        std::fprintf(stderr, "%s: warning: cannot watch SIGINT/SIGTERM/SIGHUP (%s); they will end it abruptly\n",
                     options_.program.c_str(), std::strerror(errno));
        if (signalFd_ >= 0) ::close(signalFd_);
        if (controlFd_ >= 0) ::close(controlFd_);
        signalFd_ = controlFd_ = -1;
        pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
        return;
    }
    g_current = this;
    // Started after the mask is set: the watcher inherits it, as does every later thread.
    watcher_ = std::thread([this] { watch(); });
}

ShutdownSignals::~ShutdownSignals() {
    if (signalFd_ < 0) return;
    stopping_ = true;
    notifyWatcher();
    if (watcher_.joinable()) watcher_.join();
    ShutdownSignals* self = this;
    g_current.compare_exchange_strong(self, nullptr);
    ::close(signalFd_);
    ::close(controlFd_);
}

ShutdownSignals* ShutdownSignals::current() noexcept { return g_current.load(); }

bool quitRequested() noexcept {
    const ShutdownSignals* s = ShutdownSignals::current();
    return s && s->quitRequested();
}

void ShutdownSignals::setOnRequest(std::function<void()> hook) {
    std::lock_guard lock(mutex_);
    onRequest_ = std::move(hook);
}

int ShutdownSignals::addEmergencyHook(std::function<void()> hook) {
    std::lock_guard lock(mutex_);
    const int id = nextHookId_++;
    emergencyHooks_.emplace(id, std::move(hook));
    return id;
}

void ShutdownSignals::removeEmergencyHook(int id) {
    std::lock_guard lock(mutex_);
    emergencyHooks_.erase(id);
}

int ShutdownSignals::exitCode(int normal) const noexcept { return signal_.load() == SIGINT ? 128 + SIGINT : normal; }

void ShutdownSignals::beginShutdown(int normalExitCode) {
    if (!requested_.exchange(true)) forcedExitCode_ = normalExitCode;
    arm(std::chrono::steady_clock::now() + options_.deadline);
    {
        std::lock_guard lock(mutex_);  // pairs with waitForQuit's predicate check
    }
    quitCv_.notify_all();
}

void ShutdownSignals::waitForQuit() {
    std::unique_lock lock(mutex_);
    quitCv_.wait(lock, [this] { return requested_.load(); });
}

void ShutdownSignals::arm(std::chrono::steady_clock::time_point at) {
    if (signalFd_ < 0) return;
    int64_t notArmed = 0;
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
    // The first request sets the deadline: a window closed after a Ctrl+C does not extend it.
    if (deadlineNs_.compare_exchange_strong(notArmed, ns)) notifyWatcher();
}

void ShutdownSignals::notifyWatcher() {
    if (controlFd_ < 0) return;
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(controlFd_, &one, sizeof one);
}

void ShutdownSignals::forceExit(int code, const std::string& why) {
    std::fprintf(stderr, "%s: %s\n", options_.program.c_str(), why.c_str());
    std::vector<std::function<void()>> hooks;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, hook] : emergencyHooks_) hooks.push_back(hook);
    }
    for (const auto& hook : hooks) hook();
    std::_Exit(code);  // the threads may hold anything: no destructors, no atexit handlers
}

void ShutdownSignals::watch() {
    for (;;) {
        const int64_t deadline = deadlineNs_.load();
        int timeoutMs = -1;
        if (deadline != 0)
            timeoutMs = static_cast<int>(std::max<int64_t>(0, (deadline - steadyNanos() + 999'999) / 1'000'000));
        pollfd fds[2] = {{signalFd_, POLLIN, 0}, {controlFd_, POLLIN, 0}};
        const int n = ::poll(fds, 2, timeoutMs);
        if (n < 0 && errno != EINTR) return;  // cannot happen with valid descriptors
        if (stopping_) return;
        if (n > 0 && (fds[1].revents & POLLIN)) {
            uint64_t count = 0;
            [[maybe_unused]] const ssize_t r = ::read(controlFd_, &count, sizeof count);
        }
        if (n > 0 && (fds[0].revents & POLLIN)) {
            signalfd_siginfo info{};
            if (::read(signalFd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
                const int signo = static_cast<int>(info.ssi_signo);
                if (requested_.exchange(true))  // already shutting down: the person insists
                    forceExit(128 + signo, std::string(signalName(signo)) + " while shutting down: quitting at once");
                signal_ = signo;
                forcedExitCode_ = exitCode(0);
                std::fprintf(stderr, "%s: %s: shutting down (Ctrl+C again quits at once)\n", options_.program.c_str(),
                             signalName(signo));
                arm(std::chrono::steady_clock::now() + options_.deadline);
                std::function<void()> hook;
                {
                    std::lock_guard lock(mutex_);
                    hook = onRequest_;
                }
                quitCv_.notify_all();
                if (hook) hook();
            }
        }
        const int64_t due = deadlineNs_.load();
        if (due != 0 && steadyNanos() >= due && !stopping_) {
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%.1f", std::chrono::duration<double>(options_.deadline).count());
            forceExit(forcedExitCode_.load(), std::string("the shutdown did not finish within ") + seconds +
                                                  " s; exiting without waiting for it");
        }
    }
}

}  // namespace genmon::app
