#pragma once
// The orchestrator's view of the network (contract: "transport adapter"). The real one is
// src/transport (libcurl + Beast); tests use a counting fake. Every method is called on the
// worker, and calls its callback exactly once, later, on the worker.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/error.hpp"
#include "model/generation_request.hpp"
#include "model/image.hpp"
#include "model/job.hpp"
#include "model/messages.hpp"
#include "model/responses.hpp"
#include "model/result.hpp"
#include "model/system_status.hpp"
#include "orchestrator/metrics.hpp"
#include "orchestrator/snapshot.hpp"
#include "orchestrator/update.hpp"

namespace genmon::orchestrator {

template <class T>
using Callback = std::function<void(model::Outcome<T>)>;

struct FetchedJobs {
    std::vector<model::Job> jobs;
    std::vector<std::string> warnings;  // entries dropped by validation, readable
};

struct FetchedResult {
    model::GenerationResult result;
    std::optional<std::string> imageBase64;  // image_url when it carried the image itself
};

struct FetchedResults {
    std::vector<FetchedResult> results;
    std::vector<std::string> warnings;
};

struct FetchedStatus {
    std::optional<model::SystemStatusPatch> patch;  // nullopt: 200 with an empty or non-JSON body
    std::vector<std::string> warnings;
};

// Where to connect. The API key is held by the transport only (never in snapshots or logs).
struct BackendConfig {
    std::string baseUrl = "http://127.0.0.1:8000/api/v1";
    bool simulated = false;   // the embedded genmon-sim (--demo): the UI shows a badge
    bool insecureTls = false; // --insecure: peer verification off, shown in the status bar
    std::string replayName;   // --replay: the recording's file name (the UI shows a REPLAY badge)
    friend bool operator==(const BackendConfig&, const BackendConfig&) = default;
};

class Transport {
public:
    virtual ~Transport() = default;

    virtual void fetchSystemStatus(Callback<FetchedStatus> done) = 0;
    virtual void fetchActiveJobs(int limit, Callback<FetchedJobs> done) = 0;
    virtual void fetchResults(int limit, int offset, Callback<FetchedResults> done) = 0;
    virtual void generate(const model::GenerationRequest& request, Callback<model::GenerateResponse> done) = 0;
    virtual void queueGeneration(const model::GenerationRequest& request,
                                 Callback<model::QueueGenerationResponse> done) = 0;
    virtual void cancelJob(const std::string& backendId, Callback<model::CancelResponse> done) = 0;
    virtual void deleteResult(const std::string& resultId, Callback<model::Unit> done) = 0;
    // Image bytes: decode base64 text, or GET /generation/results/{id}/download; then decode
    // and shrink to a thumbnail, with limits on bytes and dimensions.
    virtual void decodeImage(std::string base64, Callback<model::ImagePtr> done) = 0;
    virtual void downloadImage(const std::string& resultId, Callback<model::ImagePtr> done) = 0;

    // The progress socket: connect, subscribe, reconnect with backoff until stopPush(). Every
    // message and phase change reaches the sink as one Update, on the worker.
    virtual void startPush(UpdateSink* sink) = 0;
    virtual void stopPush() = 0;
    // Close the socket and connect again now, to the current config (§7.1 reconnect()).
    virtual void reconnect() = 0;
    // Drop every request in flight; their callbacks get ErrorKind::Cancelled.
    virtual void cancelAll() = 0;
    // How long this transport's JSON decoder has worked so far (live metrics: parse time).
    // Read on the worker once a second; a transport that decodes nothing reports zeros.
    virtual ParseTotals parseTotals() const { return {}; }
};

// Makes the transport for a config; called by initialize() and by a backend change.
using TransportFactory = std::function<std::unique_ptr<Transport>(const BackendConfig&)>;

}  // namespace genmon::orchestrator
