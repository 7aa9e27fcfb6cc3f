#pragma once
// app::Runtime: the live session behind the window and the CLI dump. It owns, in this order,
// the worker (transport::EventLoop), the SnapshotBuffer and EventQueue the UI reads, the
// OrchestratorManager with the real transport factory (libcurl + Beast), and one Binding.
//
//   Runtime rt;
//   rt.snapshots().setOnPublish(wakeUi);               // before start()
//   auto first = rt.start(backend, apiKey, polls);     // initialize, shared by every consumer
//   ... each frame: rt.snapshots().acquire(), rt.events().drain(), rt.nextInitRetryAtMicros()
//   rt.shutdown();                                     // or the destructor
//
// When initialize fails because the backend cannot be reached (network error, timeout, or an
// HTTP 5xx from a proxy), the Runtime tries again after 3, 6, 12, 24, then 24 s ... (the
// socket's backoff numbers, spec §3.2). Meanwhile the snapshot shows phase Disconnected with
// the error, and nextInitRetryAtMicros() says when the next attempt starts (0: none pending).
// A 403 (wrong key) or an invalid URL is not retried: a person has to change something.
//
// The API key lives in the transport settings only: never in a snapshot, event or log line.
// Thread-safety: start/shutdown/accessors from the UI thread; the getters of the retry state
// are thread-safe.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/cli.hpp"
#include "history/history_store.hpp"
#include "model/error.hpp"
#include "orchestrator/event_queue.hpp"
#include "orchestrator/manager.hpp"
#include "orchestrator/snapshot_buffer.hpp"
#include "transport/event_loop.hpp"
#include "transport/real_transport.hpp"
#include "transport/recording.hpp"

namespace genmon::app {

struct RuntimeOptions {
    transport::TransportSettings transport;  // timeouts, caps; the key comes from start()
    bool retryInitialize = true;             // the window: yes; the one-shot dump: no
    std::vector<int> initRetryDelaysMs{3000, 6000, 12000, 24000};  // then the last one, forever
    orchestrator::ConsumerOptions consumer;
    bool usePush = true;                     // the progress WebSocket (decision 1)
    // Issue 18: the history every job seen is recorded into (app/history_sink.hpp); null: none.
    // shutdown() closes it (everything recorded is committed first).
    std::shared_ptr<history::HistoryStore> history;
    // Issue 17.1: a fleet runs every backend's Runtime on one worker. Null: the Runtime has its
    // own loop. When set, the loop outlives the Runtime and shutdown() leaves it running.
    transport::EventLoop* sharedLoop = nullptr;
    // With sharedLoop: the fleet's one image-decoding thread (null: the Runtime makes its own).
    std::shared_ptr<transport::ImageDecoder> sharedImages;
};

// The API key, in this order: --api-key (warned about by the CLI), --api-key-file FILE (its
// first line, trimmed), GENMON_API_KEY. nullopt when none is given; an error (readable, never
// containing the key) when the file cannot be read or is empty.
model::Outcome<std::optional<std::string>> resolveApiKey(const CliOptions& options);
model::Outcome<std::string> readApiKeyFile(const std::string& path);

// Errors worth retrying initialize for: the backend is not there (yet).
bool isUnreachable(const model::Error& e) noexcept;

class Runtime {
public:
    explicit Runtime(RuntimeOptions options = {});
    ~Runtime();  // shutdown()
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    // Starts the worker, makes the manager and the binding, and runs the first initialize.
    // Returns that first attempt's outcome; retries (when enabled) continue in the background.
    // A second call answers an error.
    std::shared_future<model::Status> start(orchestrator::BackendConfig backend, std::optional<std::string> apiKey,
                                            orchestrator::PollSettings polls = {});
    // Stops retrying, releases the binding (the orchestrator is destroyed: transport closed,
    // state reset), drains and stops the worker. Idempotent.
    void shutdown();

    orchestrator::SnapshotBuffer& snapshots() noexcept { return buffer_; }
    orchestrator::EventQueue& events() noexcept { return events_; }
    // Valid between start() and shutdown().
    orchestrator::GenerationOrchestrator& orchestrator();
    orchestrator::OrchestratorManager& manager();
    transport::EventLoop& loop() noexcept { return loop_; }
    // Every HTTP attempt and WebSocket event, for the Inspector (never the API key).
    const orchestrator::ExchangeLog& exchanges() const noexcept { return *settings_.log; }
    int64_t nowMicros() const { return loop_.nowMicros(); }
    // The history this session records into; null when it has none. Its queries are for the
    // worker (loop().post), not for the UI thread.
    const std::shared_ptr<history::HistoryStore>& history() const noexcept { return options_.history; }

    bool started() const;
    bool initialized() const;                     // the latest initialize succeeded
    int64_t nextInitRetryAtMicros() const noexcept;  // 0: no retry pending
    int initAttempts() const noexcept;            // attempts made so far (1 after start)
    std::optional<model::Error> lastInitError() const;
    // A person pressed "retry now": the pending countdown ends at once.
    void retryInitializeNow();
    // A new key for the transports made from now on (the next initialize or backend change).
    void setApiKey(std::optional<std::string> apiKey);

    // --record FILE: from now on every exchange is also written to FILE as JSON lines
    // (transport/recording.hpp), on the worker, buffered. Call before start(). The key given to
    // start() or setApiKey() is redacted from the log, hence from the file.
    model::Status startRecording(const std::string& path, const orchestrator::BackendConfig& backend);
    // Writes the "end" line and closes the file (after shutdown(): nothing is written after it).
    // Idempotent; the destructor does it too.
    model::Status stopRecording();
    // What is buffered goes to the kernel now (before a shutdown that might be cut short). The
    // worker also does it every second while the session runs (Recorder::kFlushInterval).
    void flushRecording();
    // The recorder, for the forced exit at the shutdown deadline (Recorder::closeWithin is
    // thread-safe). nullptr when not recording.
    std::shared_ptr<transport::Recorder> recorder() const { return recorder_; }

private:
    void supervise(std::shared_future<model::Status> first);
    void scheduleRecordingFlush(std::shared_ptr<transport::Recorder> recorder);  // every kFlushInterval
    std::unique_ptr<orchestrator::Transport> makeTransport(const orchestrator::BackendConfig& backend);

    RuntimeOptions options_;
    std::unique_ptr<transport::EventLoop> ownLoop_;  // null with options_.sharedLoop
    transport::EventLoop& loop_;
    orchestrator::SnapshotBuffer buffer_;
    orchestrator::EventQueue events_;
    std::shared_ptr<transport::ImageDecoder> images_;
    std::unique_ptr<orchestrator::OrchestratorManager> manager_;
    std::optional<orchestrator::Binding> binding_;

    mutable std::mutex settingsMutex_;  // the factory reads the settings on the worker
    transport::TransportSettings settings_;
    std::shared_ptr<transport::Recorder> recorder_;
    int emergencyHook_ = 0;  // ShutdownSignals' hook that closes the recording on a forced exit

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool started_ = false, stopping_ = false, retryNow_ = false, initialized_ = false;
    std::optional<model::Error> lastError_;
    std::atomic<int64_t> nextRetryAt_{0};
    std::atomic<int> attempts_{0};
    std::thread supervisor_;
};

}  // namespace genmon::app
