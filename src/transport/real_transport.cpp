#include "transport/real_transport.hpp"

#include <exception>
#include <unordered_map>

#include "model/timestamp.hpp"
#include "transport/answers.hpp"
#include "protocol/decode.hpp"
#include "protocol/encode.hpp"
#include "transport/event_loop.hpp"

namespace genmon::transport {

using model::Error;
using model::ErrorKind;
using model::Outcome;
using orchestrator::Callback;

// ---- ImageDecoder ---------------------------------------------------------------------------

ImageDecoder::ImageDecoder(EventLoop& loop) : loop_(loop) {}

ImageDecoder::~ImageDecoder() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.clear();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ImageDecoder::submit(std::function<Outcome<model::ImagePtr>()> work,
                          std::function<void(Outcome<model::ImagePtr>)> deliver) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(Job{std::move(work), std::move(deliver)});
        if (!thread_.joinable()) thread_ = std::thread([this] { run(); });  // started on first use
    }
    cv_.notify_one();
}

void ImageDecoder::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        std::optional<Outcome<model::ImagePtr>> result;
        try {
            result.emplace(job.work());
        } catch (const std::exception& e) {
            result.emplace(Error::make(ErrorKind::Internal, std::string("image decoding failed: ") + e.what()));
        }
        job.work = nullptr;  // the encoded bytes go now, on this thread
        loop_.post([deliver = std::move(job.deliver), r = std::move(*result)]() mutable { deliver(std::move(r)); });
    }
}

// ---- RealTransport --------------------------------------------------------------------------

namespace {

bool blank(const std::string& s) {
    for (const char c : s)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    return true;
}

Error cancelled(const char* why = "request cancelled") { return Error::make(ErrorKind::Cancelled, why); }

}  // namespace

struct RealTransport::Core : std::enable_shared_from_this<Core> {
    Core(EventLoop& l, const orchestrator::BackendConfig& b, TransportSettings s, std::shared_ptr<ImageDecoder> img)
        : loop(l), backend(b), settings(std::move(s)), images(std::move(img)) {
        settings.insecureTls = settings.insecureTls || backend.insecureTls;
        auto parsed = parseBaseUrl(backend.baseUrl);
        if (parsed)
            base = std::move(parsed).value();
        else
            invalid = parsed.error();
        HttpSettings hs;
        hs.apiKey = settings.apiKey;
        hs.connectTimeoutMs = settings.connectTimeoutMs;
        hs.totalTimeoutMs = settings.totalTimeoutMs;
        hs.maxResponseBytes = settings.maxResponseBytes;
        hs.insecureTls = settings.insecureTls;
        hs.getRetryDelaysMs = settings.getRetryDelaysMs;
        hs.userAgent = std::string("genmon/") + kVersion;
        hs.log = settings.log;
        http = std::make_unique<HttpClient>(loop, std::move(hs));
    }

    ~Core() {
        if (ws) ws->stop();
        ws.reset();
        http.reset();  // answers its open requests with Cancelled
        for (auto& [id, done] : imageJobs)
            loop.post([done = std::move(done)] { done(cancelled("request cancelled: the transport was closed")); });
        imageJobs.clear();
    }

    static constexpr const char* kVersion = "0.1";

    // Sends and decodes on the worker; `decode(Core&, HttpResponse&)` gives Outcome<T>.
    template <class T, class Decode>
    void request(HttpRequest req, Callback<T> done, Decode decode) {
        if (invalid) {
            loop.post([done = std::move(done), e = *invalid] { done(e); });
            return;
        }
        http->send(std::move(req), [weak = weak_from_this(), done = std::move(done),
                                    decode = std::move(decode)](Outcome<HttpResponse> r) mutable {
            if (!r.ok()) return done(std::move(r).error());
            auto self = weak.lock();
            if (!self) return done(cancelled("request cancelled: the transport was closed"));
            std::optional<Outcome<T>> out;
            try {
                out.emplace(decode(*self, r.value()));
            } catch (const std::exception& e) {
                out.emplace(Error::make(ErrorKind::Internal, std::string("cannot read the answer: ") + e.what()));
            }
            done(std::move(*out));
        });
    }

    HttpRequest get(const std::string& path) const {
        HttpRequest r;
        r.method = HttpMethod::Get;
        r.url = base ? base->join(path) : std::string();
        return r;
    }
    HttpRequest post(const std::string& path, std::optional<std::string> json) const {
        HttpRequest r = get(path);
        r.method = HttpMethod::Post;
        r.jsonBody = std::move(json);
        return r;
    }

    // Decodes an image off the worker; done is answered on the worker, or Cancelled by cancelAll.
    void decodeOffWorker(std::function<Outcome<model::ImagePtr>()> work, Callback<model::ImagePtr> done) {
        const uint64_t id = nextImage++;
        imageJobs.emplace(id, std::move(done));
        auto deliver = [weak = weak_from_this(), id](Outcome<model::ImagePtr> r) {
            auto self = weak.lock();
            if (!self) return;  // the destructor answered it
            auto it = self->imageJobs.find(id);
            if (it == self->imageJobs.end()) return;  // cancelled
            auto cb = std::move(it->second);
            self->imageJobs.erase(it);
            cb(std::move(r));
        };
        if (images) {
            images->submit(std::move(work), std::move(deliver));
        } else {
            // No helper thread: decode on the worker, but answer later, as always.
            auto r = work();
            loop.post([deliver = std::move(deliver), r = std::move(r)]() mutable { deliver(std::move(r)); });
        }
    }

    void postConnection(orchestrator::UpdateSink* listener, orchestrator::ConnectionInfo info) {
        const uint64_t gen = pushGeneration;
        loop.post([weak = weak_from_this(), listener, info = std::move(info), gen] {
            auto self = weak.lock();
            if (self && self->pushGeneration == gen && self->pushListener == listener && listener) listener->apply(info);
        });
    }

    EventLoop& loop;
    orchestrator::BackendConfig backend;
    TransportSettings settings;
    std::optional<BaseUrl> base;
    std::optional<Error> invalid;
    std::unique_ptr<HttpClient> http;
    protocol::Decoder decoder;  // this worker's; also used by the socket
    std::unique_ptr<WebSocketClient> ws;
    std::shared_ptr<ImageDecoder> images;
    std::unordered_map<uint64_t, Callback<model::ImagePtr>> imageJobs;
    uint64_t nextImage = 1;
    orchestrator::UpdateSink* pushListener = nullptr;
    uint64_t pushGeneration = 0;
};

RealTransport::RealTransport(EventLoop& loop, const orchestrator::BackendConfig& backend, TransportSettings settings,
                             std::shared_ptr<ImageDecoder> images)
    : core_(std::make_shared<Core>(loop, backend, std::move(settings), std::move(images))) {}

RealTransport::~RealTransport() = default;

void RealTransport::fetchSystemStatus(Callback<orchestrator::FetchedStatus> done) {
    core_->request<orchestrator::FetchedStatus>(core_->get(systemStatusPath()), std::move(done),
                                                [](Core& c, HttpResponse& r) { return decodeStatusAnswer(c.decoder, r.body); });
}

void RealTransport::fetchActiveJobs(int limit, Callback<orchestrator::FetchedJobs> done) {
    core_->request<orchestrator::FetchedJobs>(core_->get(activeJobsPath(limit)), std::move(done), [](Core& c, HttpResponse& r) {
        return decodeJobsAnswer(c.decoder, r.body, c.loop.nowMicros());
    });
}

void RealTransport::fetchResults(int limit, int offset, Callback<orchestrator::FetchedResults> done) {
    core_->request<orchestrator::FetchedResults>(core_->get(resultsPath(limit, offset)), std::move(done),
                                                 [](Core& c, HttpResponse& r) {
                                                     return decodeResultsAnswer(c.decoder, r.body, c.loop.nowMicros());
                                                 });
}

void RealTransport::generate(const model::GenerationRequest& request, Callback<model::GenerateResponse> done) {
    core_->request<model::GenerateResponse>(core_->post("generation/generate", protocol::encodeGenerationRequest(request)),
                                            std::move(done), [](Core& c, HttpResponse& r) { return c.decoder.generateResponse(r.body); });
}

void RealTransport::queueGeneration(const model::GenerationRequest& request, Callback<model::QueueGenerationResponse> done) {
    core_->request<model::QueueGenerationResponse>(
        core_->post("generation/queue-generation", protocol::encodeGenerationRequest(request)), std::move(done),
        [](Core& c, HttpResponse& r) { return c.decoder.queueGenerationResponse(r.body); });
}

void RealTransport::cancelJob(const std::string& backendId, Callback<model::CancelResponse> done) {
    core_->request<model::CancelResponse>(
        core_->post("generation/jobs/" + encodePathSegment(backendId) + "/cancel", std::nullopt), std::move(done),
        [](Core& c, HttpResponse& r) -> Outcome<model::CancelResponse> {
            // The web client ignores the body (§2.5); a 2xx is success whatever it says.
            if (blank(r.body)) return model::CancelResponse{true, "cancelled", {}};
            auto d = c.decoder.cancelResponse(r.body);
            if (!d) return model::CancelResponse{true, "cancelled", {}};
            return d;
        });
}

void RealTransport::deleteResult(const std::string& resultId, Callback<model::Unit> done) {
    HttpRequest req = core_->get("generation/results/" + encodePathSegment(resultId));
    req.method = HttpMethod::Delete;
    core_->request<model::Unit>(std::move(req), std::move(done),
                                [](Core&, HttpResponse&) -> Outcome<model::Unit> { return model::Unit{}; });
}

void RealTransport::decodeImage(std::string base64, Callback<model::ImagePtr> done) {
    const protocol::ImageLimits limits = core_->settings.imageLimits;
    const int maxSide = core_->settings.thumbnailMaxSide;
    core_->decodeOffWorker(
        [text = std::move(base64), limits, maxSide]() -> Outcome<model::ImagePtr> {
            return thumbnailFromBase64(text, limits, maxSide);
        },
        std::move(done));
}

void RealTransport::downloadImage(const std::string& resultId, Callback<model::ImagePtr> done) {
    HttpRequest req = core_->get(downloadPath(resultId));
    req.totalTimeoutMs = core_->settings.downloadTimeoutMs;
    req.maxResponseBytes = std::min(core_->settings.maxResponseBytes, core_->settings.imageLimits.maxBytes);
    if (core_->invalid) {
        core_->loop.post([done = std::move(done), e = *core_->invalid] { done(e); });
        return;
    }
    core_->http->send(std::move(req), [weak = core_->weak_from_this(), done = std::move(done)](Outcome<HttpResponse> r) mutable {
        if (!r.ok()) return done(std::move(r).error());
        auto self = weak.lock();
        if (!self) return done(cancelled("request cancelled: the transport was closed"));
        const protocol::ImageLimits limits = self->settings.imageLimits;
        const int maxSide = self->settings.thumbnailMaxSide;
        self->decodeOffWorker(
            [body = std::move(r.value().body), limits, maxSide]() -> Outcome<model::ImagePtr> {
                return thumbnailFromBytes(reinterpret_cast<const uint8_t*>(body.data()), body.size(), limits, maxSide);
            },
            std::move(done));
    });
}

void RealTransport::startPush(orchestrator::UpdateSink* listener) {
    Core& c = *core_;
    c.pushListener = listener;
    ++c.pushGeneration;
    if (c.invalid) {
        orchestrator::ConnectionInfo info;
        info.phase = orchestrator::ConnectionPhase::Disconnected;
        info.lastError = c.invalid->message;
        c.postConnection(listener, std::move(info));
        return;
    }
    if (!c.ws) {
        WebSocketSettings ws;
        ws.connectTimeoutMs = c.settings.connectTimeoutMs;
        ws.handshakeTimeoutMs = c.settings.wsHandshakeTimeoutMs;
        ws.idleTimeoutMs = c.settings.wsIdleTimeoutMs;
        ws.maxMessageBytes = c.settings.maxMessageBytes;
        ws.backoffBaseMs = c.settings.wsBackoffBaseMs;
        ws.backoffCapMs = c.settings.wsBackoffCapMs;
        ws.insecureTls = c.settings.insecureTls;
        ws.userAgent = std::string("genmon/") + Core::kVersion;
        ws.log = c.settings.log;
        c.ws = std::make_unique<WebSocketClient>(c.loop, c.base->webSocketUrl(), c.decoder, std::move(ws));
    }
    c.ws->start(listener);
}

void RealTransport::stopPush() {
    core_->pushListener = nullptr;
    ++core_->pushGeneration;
    if (core_->ws) core_->ws->stop();
}

void RealTransport::reconnect() {
    if (core_->ws && core_->ws->running()) core_->ws->reconnect();
}

void RealTransport::cancelAll() {
    Core& c = *core_;
    c.http->cancelAll();
    for (auto& [id, done] : c.imageJobs) c.loop.post([done = std::move(done)] { done(cancelled()); });
    c.imageJobs.clear();
}

orchestrator::ParseTotals RealTransport::parseTotals() const {
    const protocol::DecodeTally t = core_->decoder.tally();
    return {t.decodes, t.nanos};
}

const std::optional<BaseUrl>& RealTransport::baseUrl() const noexcept { return core_->base; }

std::string RealTransport::webSocketUrl() const { return core_->base ? core_->base->webSocketUrl() : std::string(); }

const orchestrator::ConnectionInfo* RealTransport::pushInfo() const noexcept {
    return core_->ws ? &core_->ws->info() : nullptr;
}

size_t RealTransport::requestsInFlight() const noexcept { return core_->http->inFlight() + core_->imageJobs.size(); }

orchestrator::TransportFactory makeTransportFactory(EventLoop& loop, TransportSettings settings) {
    auto images = std::make_shared<ImageDecoder>(loop);
    return [&loop, settings = std::move(settings), images](const orchestrator::BackendConfig& backend)
               -> std::unique_ptr<orchestrator::Transport> {
        return std::make_unique<RealTransport>(loop, backend, settings, images);
    };
}

}  // namespace genmon::transport
