#pragma once
// genmon-sim: the embedded reference backend. A real HTTP + WebSocket server on loopback that
// speaks the upstream protocol of spec §1-3 (routes, error shapes, WebSocket envelopes), with
// deterministic scenarios, a virtual clock for tests and fault injection. It runs on its own
// thread; every public method is thread-safe. No Boost header leaks out of this file.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/error.hpp"
#include "model/generation_request.hpp"

namespace genmon::sim {

// Faults a test or the "flaky" scenario injects. Rates are shares of HTTP answers in [0, 1],
// drawn from a PRNG seeded by SimOptions::seed, so a run is repeatable.
struct FaultOptions {
    int latencyMs = 0;               // added before every HTTP answer
    double serverErrorRate = 0.0;    // answer 500 (problem+json), 502 (HTML) or 503 (text)
    double malformedJsonRate = 0.0;  // a JSON body with one structural character broken
    double truncatedJsonRate = 0.0;  // a JSON body cut in half (Content-Length matches the cut)
    double wrongTypesRate = 0.0;     // a JSON body whose scalar fields change type
    double hugeBodyRate = 0.0;       // a 200 answer of 10 MiB of garbage
    double slowResponseRate = 0.0;   // an answer dribbled out a few bytes at a time
    int slowChunkBytes = 8;
    int slowChunkIntervalMs = 20;
    int wsDropEveryN = 0;            // drop each WebSocket (no close frame) after N messages; 0: never
    bool statusNotFound = false;     // GET /system/status answers 404, as an older backend would
    bool refuseConnections = false;  // close the listening socket: new connections are refused

    friend bool operator==(const FaultOptions&, const FaultOptions&) = default;
};

// How the WebSocket job monitors report progress (spec §3.1, issue 14.3).
enum class ProgressMode : uint8_t {
    // Upstream: the monitor polls SDNext's /sdapi/v1/progress, which is global, so every monitored
    // job (queued ones too, with status "queued") gets the fraction of the job SDNext is rendering,
    // and current_step, total_steps and eta_seconds are null; /jobs/active says 0 while a job runs
    // (workers write no progress, §2.2).
    Global,
    // Each job its own fraction, steps and ETA, on the socket and in /jobs/active (the sim before
    // issue 14; for tests that follow one job's run).
    PerJob,
};

struct SimOptions {
    std::string bind = "127.0.0.1";
    uint16_t port = 0;  // 0: an ephemeral port, see SimServer::port()
    std::string scenario = "busy";  // idle, busy, burst, failing, flaky (scenarioNames())
    uint64_t seed = 1;
    std::string prefix = "/api/v1";  // app.main; backend.main serves the same routes at /v1
    bool alsoServeV1 = false;        // serve the routes under /v1 as well
    std::optional<std::string> apiKey;  // X-API-Key enforced on /generation/* when set

    int jobDurationMs = 6000;     // rendering time of a 20-step job (scaled by steps)
    double durationJitter = 0.25;  // each job's duration varies by up to this share
    int pickupDelayMs = 1500;     // a free worker picks a pending job up this long after creation
    int progressIntervalMs = 2000;  // WebSocket progress_update cadence per monitored job
    int wsPingIntervalMs = 20000;   // protocol-level pings on an idle WebSocket (uvicorn: 20 s)

    // Upstream behaviours, faithful by default (issue 14.3; docs/architecture.md, the sim).
    ProgressMode progressMode = ProgressMode::Global;
    // Real SDNext returns txt2img's `info` as a JSON string, which the backend's pydantic model
    // refuses: /generation/generate answers 500 (spec §9.15). false: a dict, as the stand-in
    // SDNext of the captures returned (generate_POST_immediate.json).
    bool sdnextInfoAsString = true;
    // Upstream's cancel only marks the DB row: the worker still runs the job and overwrites it to
    // succeeded (or failed), finished_at staying the cancel time (spec §2.5, §9.7). true: a
    // cancelled job leaves the workers at once.
    bool cancelStopsWorker = false;

    // The sim's clock follows the steady clock unless manualClock: then it moves only by
    // SimServer::advance(), and timestamps start at a fixed date so runs compare byte for byte.
    bool manualClock = false;
    std::optional<int64_t> epochMicros;  // wall time of sim time 0 (Unix microseconds, UTC)

    FaultOptions faults;  // the "flaky" scenario uses its own preset when these are all default

    // Scenario knobs; unset means the scenario's default.
    std::optional<int> workers;            // jobs rendered at once
    std::optional<double> failRate;        // share of jobs that fail
    std::optional<int> arrivalIntervalMs;  // mean gap between generated arrivals (0: none)
    std::optional<int> initialResults;     // finished results present at start
    std::optional<int> burstJobs;          // jobs queued at once by "burst"
    // Arrivals only while fewer jobs than this wait or run (issue 14.7: busy, flaky and failing
    // hover around it for hours); 0: no bound.
    std::optional<int> queueDepth;

    int imageSize = 256;       // PNGs are square
    int maxStoredJobs = 1000;  // finished jobs beyond this are forgotten, oldest first
};

struct SimStats {
    std::map<std::string, uint64_t> requestsByRoute;  // "GET /generation/jobs/active" -> count
    uint64_t httpRequests = 0;
    uint64_t httpConnections = 0;  // accepted TCP connections (WebSockets start as one)
    uint64_t wsConnections = 0;    // accepted WebSocket upgrades
    uint64_t wsMessagesSent = 0;
    uint64_t openConnections = 0;  // HTTP and WebSocket sessions open now
    uint64_t faultsInjected = 0;
};

// What a test can see of a job without going through HTTP.
struct SimJobInfo {
    std::string id;
    std::string prompt;
    std::string rawStatus;  // pending, running, succeeded, failed, cancelled (the DB vocabulary)
    double progress = 0.0;  // 0-1
};

class SimServer {
public:
    static model::Outcome<std::unique_ptr<SimServer>> start(SimOptions options);
    ~SimServer();  // stop()
    SimServer(const SimServer&) = delete;
    SimServer& operator=(const SimServer&) = delete;

    uint16_t port() const;
    std::string baseUrl() const;  // http://127.0.0.1:P/api/v1
    std::string wsUrl() const;    // ws://127.0.0.1:P/api/v1/ws/progress
    const SimOptions& options() const;

    // Closes every connection and joins the server thread. The jobs and results stay, so
    // restart() listens again on the same port with the same state (SO_REUSEADDR).
    void stop();
    model::Status restart();
    bool listening() const;

    void setFaults(const FaultOptions& faults);
    FaultOptions faults() const;

    // Moves the sim's clock forward and runs every job transition and WebSocket message that
    // falls due, in order. The way to step a manualClock sim; with the steady clock it skips ahead.
    void advance(int ms);
    int64_t nowMicros() const;  // the sim's wall time (Unix microseconds, UTC)

    // Test helpers. queueJob behaves like POST /generation/queue-generation (the job is pending,
    // generation_started is broadcast) and returns the job id. The prompt-only form uses the
    // fixtures' parameters: negative prompt "blurry", seed 42, otherwise the backend's defaults.
    std::string queueJob(const model::GenerationRequest& request);
    std::string queueJob(const std::string& prompt);
    // Ends a pending or running job now, as succeeded (it becomes a result) or failed.
    model::Status finishJob(const std::string& id, bool ok);
    std::vector<SimJobInfo> jobs() const;  // oldest first
    SimStats stats() const;

    // PNG bytes of the image the sim renders for this seed and prompt (what /download serves).
    static std::vector<uint8_t> renderPng(int64_t seed, const std::string& prompt, int size = 256);
    static const std::vector<std::string>& scenarioNames();

private:
    struct Impl;
    explicit SimServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace genmon::sim
