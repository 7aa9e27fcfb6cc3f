#pragma once
// app::Fleet (issue 17.1): several backends watched at once. One worker (transport::EventLoop)
// runs every backend's Runtime: each has its own manager, orchestrator, SnapshotBuffer and
// EventQueue, so the contract holds per backend, and a backend that is down, slow or hostile
// only changes its own snapshot (its data stays with its age).
//
//   Fleet fleet;
//   fleet.add({"gpu-1", config, key});   // starts it at once; retries like a single Runtime
//   for (auto& m : fleet.members()) m->runtime->snapshots().acquire();
//   fleet.shutdown();                    // or the destructor
//
// Thread-safety: add/members/shutdown from any one thread at a time; members() hands out
// shared pointers, so a scrape on the metrics thread can read while the window adds one.
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/runtime.hpp"
#include "transport/event_loop.hpp"

namespace genmon::app {

struct FleetBackend {
    std::string name;  // the label in the fleet view, the dump and the metrics; unique
    orchestrator::BackendConfig config;
    std::optional<std::string> apiKey;  // resolved from its source; never saved, never shown
};

// "--backend NAME=URL" names a backend; "--backend URL" leaves the name empty (the fleet names
// it after the URL's host:port).
FleetBackend parseBackendArgument(const std::string& argument);
// The URL's host:port, the URL itself when it does not parse.
std::string defaultBackendName(const std::string& url);

class Fleet {
public:
    struct Member {
        std::string name;
        std::string url;
        std::unique_ptr<Runtime> runtime;
        std::shared_future<model::Status> first;  // the first initialize
        std::string recordPath;   // recordEachInto: this backend's file
        std::string recordError;  // it could not be opened (the backend is watched all the same)
    };
    using MemberPtr = std::shared_ptr<Member>;

    // options.sharedLoop is set by the fleet: every Runtime runs on its one worker.
    explicit Fleet(RuntimeOptions options = {});
    ~Fleet();  // shutdown()
    Fleet(const Fleet&) = delete;
    Fleet& operator=(const Fleet&) = delete;

    // Starts watching a backend. An empty or taken name becomes host:port, then "name #2".
    MemberPtr add(FleetBackend backend, orchestrator::PollSettings polls = {});
    std::vector<MemberPtr> members() const;
    size_t size() const;
    // Called on every publish of every backend (set before add(); wakes the window).
    void setOnPublish(std::function<void()> onPublish);
    // --record FILE with several backends (issue 17.2): every backend added from now on records
    // its own session into recordingPathFor(FILE, its name). shutdown() ends each file.
    void recordEachInto(std::string path);
    // The first backend whose recording could not start, as one line ("" when every one records).
    std::string recordingError() const;
    // Every runtime shut down, then the worker stopped. Idempotent.
    void shutdown();
    transport::EventLoop& loop() noexcept { return loop_; }

private:
    std::string uniqueName(std::string wanted, const std::string& url) const;  // caller holds mutex_

    RuntimeOptions options_;
    transport::EventLoop loop_;  // outlives every member's Runtime
    mutable std::mutex mutex_;
    std::vector<MemberPtr> members_;
    std::function<void()> onPublish_;
    std::string recordPattern_;
    bool stopped_ = false;
};

// A recording per backend: the backend's name goes before the extension, made safe for a file
// name ("out.jsonl", "gpu 2" -> "out.gpu_2.jsonl"; "out" -> "out.gpu_2").
std::string recordingPathFor(const std::string& path, const std::string& backendName);

// genmon --backend A --backend B --dump-snapshot: {"backends":[{"name","url",...the contract's
// keys of snapshotToJson...}, ...]}, in the order given. errors[i], when given and not empty,
// becomes member i's "error" (why its first refresh failed).
std::string fleetToJson(const std::vector<Fleet::MemberPtr>& members, const std::vector<std::string>& errors = {},
                        bool pretty = true);

}  // namespace genmon::app
