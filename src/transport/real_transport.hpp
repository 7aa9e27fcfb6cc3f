#pragma once
// RealTransport: orchestrator::Transport over HttpClient (libcurl multi), protocol::Decoder and
// WebSocketClient (Beast), all on the EventLoop's worker. It does I/O only: polling policy and
// resync-on-reconnect live in the orchestrator.
//
//   fetchSystemStatus  GET    <base>/system/status              (200 with an empty or non-JSON
//                                                                 body: FetchedStatus{nullopt})
//   fetchActiveJobs    GET    <base>/generation/jobs/active?limit=N
//   fetchResults       GET    <base>/generation/results?limit=L&offset=O
//   generate           POST   <base>/generation/generate
//   queueGeneration    POST   <base>/generation/queue-generation
//   cancelJob          POST   <base>/generation/jobs/{id}/cancel
//   deleteResult       DELETE <base>/generation/results/{id}       (204)
//   downloadImage      GET    <base>/generation/results/{id}/download, then decode
//   decodeImage        base64 -> bytes -> thumbnail, on a helper thread (ImageDecoder)
//   startPush/...      the progress WebSocket at <base>/ws/progress
//
// Every callback is called exactly once, later, on the worker. cancelAll() answers every
// request in flight (HTTP and image decodes) with ErrorKind::Cancelled.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "orchestrator/exchange_log.hpp"
#include "orchestrator/transport.hpp"
#include "protocol/image_codec.hpp"
#include "transport/http_client.hpp"
#include "transport/url.hpp"
#include "transport/websocket_client.hpp"

namespace genmon::transport {

class EventLoop;

struct TransportSettings {
    std::optional<std::string> apiKey;  // X-API-Key; held here only, never in a snapshot or log
    int connectTimeoutMs = 5000;
    int totalTimeoutMs = 30000;        // per HTTP request
    int downloadTimeoutMs = 60000;     // GET .../download (images can be large)
    size_t maxResponseBytes = size_t{64} << 20;
    size_t maxMessageBytes = size_t{16} << 20;  // one WebSocket message
    std::vector<int> getRetryDelaysMs{150, 300};  // spec §1.2: 3 attempts for GET
    int wsBackoffBaseMs = 3000;        // spec §3.2: 3, 6, 12, 24, 24 ... s
    int wsBackoffCapMs = 0;            // 0: min(60 s, 8 x base)
    int wsIdleTimeoutMs = 40000;
    int wsHandshakeTimeoutMs = 10000;
    protocol::ImageLimits imageLimits{};
    int thumbnailMaxSide = 128;        // model::kThumbnailMaxSide
    bool insecureTls = false;          // also set per backend by BackendConfig::insecureTls
    std::shared_ptr<orchestrator::ExchangeLog> log;  // what went over the wire (the Inspector)
};

// A small helper thread that decodes images off the worker. Results come back on the worker
// through EventLoop::post. Shared by the transports one factory makes.
class ImageDecoder {
public:
    explicit ImageDecoder(EventLoop& loop);
    ~ImageDecoder();  // drops what is queued, finishes the image in hand, joins
    ImageDecoder(const ImageDecoder&) = delete;
    ImageDecoder& operator=(const ImageDecoder&) = delete;

    // Runs work on the helper thread, then deliver(result) on the worker.
    void submit(std::function<model::Outcome<model::ImagePtr>()> work,
                std::function<void(model::Outcome<model::ImagePtr>)> deliver);

private:
    void run();
    EventLoop& loop_;
    std::mutex mutex_;
    std::condition_variable cv_;
    struct Job {
        std::function<model::Outcome<model::ImagePtr>()> work;
        std::function<void(model::Outcome<model::ImagePtr>)> deliver;
    };
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

class RealTransport final : public orchestrator::Transport {
public:
    // An invalid base URL gives a transport whose every request fails with the reason.
    RealTransport(EventLoop& loop, const orchestrator::BackendConfig& backend, TransportSettings settings,
                  std::shared_ptr<ImageDecoder> images = nullptr);
    ~RealTransport() override;  // worker (or after the loop stopped): answers what is open with Cancelled

    void fetchSystemStatus(orchestrator::Callback<orchestrator::FetchedStatus> done) override;
    void fetchActiveJobs(int limit, orchestrator::Callback<orchestrator::FetchedJobs> done) override;
    void fetchResults(int limit, int offset, orchestrator::Callback<orchestrator::FetchedResults> done) override;
    void generate(const model::GenerationRequest& request, orchestrator::Callback<model::GenerateResponse> done) override;
    void queueGeneration(const model::GenerationRequest& request,
                         orchestrator::Callback<model::QueueGenerationResponse> done) override;
    void cancelJob(const std::string& backendId, orchestrator::Callback<model::CancelResponse> done) override;
    void deleteResult(const std::string& resultId, orchestrator::Callback<model::Unit> done) override;
    void decodeImage(std::string base64, orchestrator::Callback<model::ImagePtr> done) override;
    void downloadImage(const std::string& resultId, orchestrator::Callback<model::ImagePtr> done) override;
    void startPush(orchestrator::UpdateSink* listener) override;
    void stopPush() override;
    void reconnect() override;
    void cancelAll() override;
    orchestrator::ParseTotals parseTotals() const override;  // the decoder's tally (live metrics)

    // For tests and the inspector.
    const std::optional<BaseUrl>& baseUrl() const noexcept;
    std::string webSocketUrl() const;
    const orchestrator::ConnectionInfo* pushInfo() const noexcept;  // null before startPush
    size_t requestsInFlight() const noexcept;

private:
    struct Core;
    std::shared_ptr<Core> core_;
};

// The factory the orchestrator calls for initialize() and backend changes. One ImageDecoder
// thread is shared by every transport it makes (it lives as long as the factory).
orchestrator::TransportFactory makeTransportFactory(EventLoop& loop, TransportSettings settings);

}  // namespace genmon::transport
