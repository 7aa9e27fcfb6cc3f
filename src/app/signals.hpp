#pragma once
// app::ShutdownSignals: SIGINT, SIGTERM and SIGHUP end genmon (and genmon-sim) through the same
// orderly shutdown as closing the window (issue 14.2).
//
//   int main(...) {
//       app::ShutdownSignals signals({"genmon"});  // first, before any thread starts
//       signals.setOnRequest([] { platform::Window::wake(); });
//       ... loops check app::quitRequested() ...
//       signals.beginShutdown();                     // the window closed: the deadline starts
//       return signals.exitCode(0);                  // 130 after SIGINT
//   }
//
// Signal-safe by construction: the constructor blocks the three signals in the calling thread,
// and every thread started after it inherits the mask, so no thread is ever interrupted by them.
// One watcher thread takes them from a signalfd and, on the first one, marks the quit as
// requested, calls the on-request hook (wakes the window) and starts the deadline. From then on:
//   - another signal ends the process at once with 128 + its number (130 for a second Ctrl+C),
//     after the emergency hooks;
//   - a shutdown still running when the deadline passes (2.5 s: the whole exit stays within 3 s)
//     runs the emergency hooks (the recording is flushed and gets its "end" line) and exits with
//     the code the orderly exit would have had.
// The hooks run on the watcher thread while the main thread may still be shutting down: they
// must be thread-safe and bounded (Recorder::closeWithin).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace genmon::app {

class ShutdownSignals {
public:
    struct Options {
        std::string program = "genmon";  // names the process in its stderr lines
        std::chrono::milliseconds deadline{2500};
    };
    explicit ShutdownSignals(Options options);
    // Stops the watcher: from here the deadline no longer applies. Leaves the signals blocked
    // (the process is about to return from main).
    ~ShutdownSignals();
    ShutdownSignals(const ShutdownSignals&) = delete;
    ShutdownSignals& operator=(const ShutdownSignals&) = delete;

    // The instance alive in this process (nullptr when none).
    static ShutdownSignals* current() noexcept;

    // False when the signals could not be taken over (then they keep their default action).
    bool active() const noexcept { return signalFd_ >= 0; }

    // Called on the watcher thread when the first signal arrives (e.g. Window::wake).
    void setOnRequest(std::function<void()> hook);
    // Run before a forced exit (deadline passed, or a second signal). Returns an id to remove it.
    int addEmergencyHook(std::function<void()> hook);
    void removeEmergencyHook(int id);

    // A signal arrived, or beginShutdown() was called.
    bool quitRequested() const noexcept { return requested_.load(); }
    int signalNumber() const noexcept { return signal_.load(); }  // 0: no signal
    // The orderly shutdown starts now (the window closed): the deadline applies from here, unless
    // a signal started it earlier. normalExitCode: the code a forced exit uses when no signal came.
    void beginShutdown(int normalExitCode = 0);
    // What main returns: 130 after SIGINT (128 + 2, the shell's convention), else normal.
    int exitCode(int normal) const noexcept;
    // Blocks until a signal arrives (genmon-sim's main thread).
    void waitForQuit();

private:
    void watch();
    void arm(std::chrono::steady_clock::time_point at);
    void notifyWatcher();
    [[noreturn]] void forceExit(int code, const std::string& why);

    Options options_;
    int signalFd_ = -1;
    int controlFd_ = -1;  // eventfd: wakes the watcher (deadline armed, or stop)
    std::thread watcher_;

    std::atomic<bool> requested_{false};
    std::atomic<int> signal_{0};
    std::atomic<int> forcedExitCode_{0};
    std::atomic<int64_t> deadlineNs_{0};  // steady clock; 0: not armed
    std::atomic<bool> stopping_{false};

    std::mutex mutex_;  // the hooks; the quit condition for waitForQuit
    std::condition_variable quitCv_;
    std::function<void()> onRequest_;
    std::map<int, std::function<void()>> emergencyHooks_;
    int nextHookId_ = 1;
};

// Whether the process was asked to quit (a signal, or the window's shutdown began): loops that
// wait for a backend check it so that a Ctrl+C ends them at once. False when no ShutdownSignals
// exists (tests calling the app's functions in-process).
bool quitRequested() noexcept;

}  // namespace genmon::app
