#pragma once
// genmon --replay FILE: the orchestrator driven by a recording (transport/recording.hpp) with
// no network. It runs unchanged on a ManualExecutor whose clock starts at the recording's start;
// a ReplayTransport answers its fetches and replays the socket from the file. Like the live
// session it goes through an OrchestratorManager and one Binding (the only door to lifecycle).
//
//   runToEnd()  deterministic and without waiting (--dump-snapshot, --screenshot, tests): the
//               whole recording on the calling thread; the same file gives the same snapshot.
//   start()     the window: a driver thread moves the virtual clock with the real one, times
//               --speed (0: at once), up to the recording's end, and holds it there. The UI's
//               commands are posted to it like to the live worker.
//
// The data is the recording's: actions (cancel, delete, generate) answer "replay: the backend is
// a recording", and the snapshot carries the file name (the window's REPLAY badge).
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "model/error.hpp"
#include "orchestrator/event_queue.hpp"
#include "orchestrator/exchange_log.hpp"
#include "orchestrator/manager.hpp"
#include "orchestrator/snapshot_buffer.hpp"
#include "orchestrator/executor.hpp"
#include "transport/recording.hpp"

namespace genmon::app {

struct ReplayOptions {
    double speed = 1.0;  // recorded time per real time; 0: as fast as possible
    orchestrator::PollSettings polls;
};

class ReplaySession {
public:
    // Reads and checks the recording: a missing or garbled file is an error naming the line.
    static model::Outcome<std::unique_ptr<ReplaySession>> open(const std::string& path, ReplayOptions options = {});
    static std::unique_ptr<ReplaySession> fromRecording(transport::Recording recording, ReplayOptions options = {});
    ~ReplaySession();  // shutdown()
    ReplaySession(const ReplaySession&) = delete;
    ReplaySession& operator=(const ReplaySession&) = delete;

    // Initializes and plays the whole recording on this thread, at once. Not with start().
    void runToEnd();
    // After runToEnd(): runs what was posted since (commands) on this thread, at the end's time.
    void runPending() { clock_.runUntilIdle(); }
    // Starts the driver thread (the window). Not with runToEnd().
    void start();
    // Stops the driver, destroys the orchestrator. Idempotent.
    void shutdown();

    orchestrator::SnapshotBuffer& snapshots() noexcept { return buffer_; }
    orchestrator::EventQueue& events() noexcept { return events_; }
    const orchestrator::ExchangeLog& exchanges() const noexcept { return *log_; }
    orchestrator::GenerationOrchestrator& orchestrator() noexcept { return manager_->orchestrator(); }
    orchestrator::OrchestratorManager& manager() noexcept { return *manager_; }
    const transport::Recording& recording() const noexcept { return *recording_; }
    // Empty for a complete recording; else the one line saying where the file ends (issue 14.2).
    const std::string& truncation() const noexcept { return recording_->truncation; }
    int64_t nowMicros() const { return clock_.nowMicros(); }
    int64_t endMicros() const noexcept { return recording_->startedAtMicros + recording_->endMicros; }
    bool finished() const noexcept { return finished_.load(); }

private:
    ReplaySession(std::shared_ptr<const transport::Recording> recording, ReplayOptions options);
    void initialize();
    void drive();

    std::shared_ptr<const transport::Recording> recording_;
    ReplayOptions options_;
    orchestrator::ManualExecutor clock_;
    orchestrator::SnapshotBuffer buffer_;
    orchestrator::EventQueue events_;
    std::shared_ptr<orchestrator::ExchangeLog> log_;
    std::unique_ptr<orchestrator::OrchestratorManager> manager_;
    std::optional<orchestrator::Binding> binding_;
    std::thread driver_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> finished_{false};
    bool started_ = false, shutDown_ = false;
};

}  // namespace genmon::app
