// The only translation unit of the sim that includes Boost.Beast: sockets, HTTP sessions,
// WebSocket sessions and the delivery-level faults. Everything runs on one server thread; the
// public methods reach it by posting to its io_context.
#include "sim/sim_server.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "sim/backend.hpp"
#include "sim/faults.hpp"
#include "sim/images.hpp"
#include "sim/routes.hpp"

namespace genmon::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr size_t kMaxRequestBody = 1u << 20;
constexpr size_t kMaxWsFrame = 64u << 10;
constexpr size_t kMaxQueuedWsMessages = 20000;  // a subscriber this far behind is dropped
constexpr auto kHttpIdleTimeout = 60s;
constexpr auto kWriteTimeout = 30s;
constexpr auto kMaxTick = 250ms;             // the steady clock's longest sleep between event checks
constexpr auto kCloseGrace = 300ms;          // WebSockets get this long to answer a close frame at stop()
constexpr auto kStopDeadline = 3s;           // then the io_context is stopped regardless

void logError(std::string_view what, std::string_view detail) {
    std::cerr << "genmon-sim: " << what << ": " << detail << '\n';
}

// The flaky scenario's faults: a bit of everything, none often enough to make the demo useless.
FaultOptions flakyPreset() {
    FaultOptions f;
    f.latencyMs = 30;
    f.serverErrorRate = 0.08;
    f.malformedJsonRate = 0.03;
    f.truncatedJsonRate = 0.03;
    f.wrongTypesRate = 0.03;
    f.hugeBodyRate = 0.005;
    f.slowResponseRate = 0.03;
    f.wsDropEveryN = 40;
    return f;
}

std::string hostForUrl(const std::string& bind) {
    if (bind == "0.0.0.0" || bind.empty()) return "127.0.0.1";
    if (bind == "::") return "[::1]";
    if (bind.find(':') != std::string::npos) return "[" + bind + "]";
    return bind;
}

class Session {
public:
    virtual ~Session() = default;
    virtual void shutdown() = 0;  // server thread only
};

class WsSession;

// Everything the server thread works with; SimServer::Impl is this under the public name.
struct ServerCore {
    ServerCore(SimOptions o, const ScenarioPlan& plan)
        : options(std::move(o)),
          backend(options, plan),
          router(backend, options),
          injector(options.seed),
          faults(options.scenario == "flaky" && options.faults == FaultOptions{} ? flakyPreset() : options.faults) {}
    ~ServerCore() { stop(); }
    ServerCore(const ServerCore&) = delete;
    ServerCore& operator=(const ServerCore&) = delete;

    model::Status listen(uint16_t port);
    void stop();
    void shutdownOnServerThread();
    void openAcceptor(boost::system::error_code& ec);
    void accept();
    void scheduleTick();
    void flush();  // server thread: hand new backend messages to the WebSocket subscribers
    void postFlush();
    void applyRefusal(bool refuse);
    FaultOptions currentFaults() const {
        std::lock_guard lock(faultsMutex);
        return faults;
    }
    void countRequest(const std::string& route, int faultsInjected) {
        std::lock_guard lock(statsMutex);
        ++stats.requestsByRoute[route];
        ++stats.httpRequests;
        stats.faultsInjected += static_cast<uint64_t>(faultsInjected);
    }
    void countStat(uint64_t SimStats::*member, int64_t delta = 1) {
        std::lock_guard lock(statsMutex);
        stats.*member += static_cast<uint64_t>(delta);
    }

    const SimOptions options;
    Backend backend;
    Router router;
    FaultInjector injector;  // server thread only

    mutable std::mutex faultsMutex;
    FaultOptions faults;
    mutable std::mutex statsMutex;
    SimStats stats;

    // Lifecycle: guarded by lifecycleMutex where other threads touch it.
    mutable std::mutex lifecycleMutex;
    std::unique_ptr<asio::io_context> io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
    std::atomic<bool> running{false};
    tcp::endpoint endpoint;  // the bound address, with the real port once listening

    // Server thread only.
    std::optional<tcp::acceptor> acceptor;
    std::optional<asio::steady_timer> tickTimer;
    std::optional<std::chrono::steady_clock::time_point> tickDue;
    std::optional<asio::steady_timer> closeTimer;
    bool stopping = false;
    uint64_t nextSessionId = 1;
    std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;
    std::unordered_map<uint64_t, std::weak_ptr<WsSession>> sockets;
};

// ---- WebSocket -------------------------------------------------------------------------------

class WsSession : public Session, public std::enable_shared_from_this<WsSession> {
public:
    // The connection was counted open by the HttpSession that upgraded it.
    WsSession(ServerCore& server, tcp::socket socket) : server_(server), id_(server.nextSessionId++), ws_(std::move(socket)) {}
    ~WsSession() override {
        server_.sessions.erase(id_);
        server_.sockets.erase(id_);
        server_.countStat(&SimStats::openConnections, -1);
    }

    void run(http::request<http::string_body> request) {
        server_.sessions.emplace(id_, weak_from_this());
        beast::get_lowest_layer(ws_).expires_never();  // the websocket stream keeps its own timers
        auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        timeouts.handshake_timeout = 10s;
        timeouts.idle_timeout = std::chrono::milliseconds(2 * std::max(1, server_.options.wsPingIntervalMs));
        timeouts.keep_alive_pings = true;  // a ping after half the idle time, like uvicorn's 20 s pings
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& response) { response.set(http::field::server, "genmon-sim"); }));
        ws_.read_message_max(kMaxWsFrame);
        ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->onAccept(ec); });
    }

    void deliver(const WsOutgoing& message) {
        if (subscribedAll_ || jobs_.count(message.jobId) != 0) send(message.text);
    }

    void shutdown() override {
        if (closing_) return;
        closing_ = true;
        if (!open_) {
            beast::get_lowest_layer(ws_).close();
            return;
        }
        ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {
            beast::get_lowest_layer(self->ws_).close();
        });
    }

    void forceClose() { beast::get_lowest_layer(ws_).close(); }

private:
    void onAccept(beast::error_code ec) {
        if (ec || closing_) return;  // a failed handshake: the session ends here
        open_ = true;
        server_.sockets.emplace(id_, weak_from_this());
        server_.countStat(&SimStats::wsConnections);
        send(std::make_shared<const std::string>(server_.backend.connectedMessage()));
        read();
    }

    void read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec) {
        if (ec) return;  // closed, dropped or timed out: the last reference goes with this handler
        const bool text = ws_.got_text();
        const std::string frame = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        // Only a subscribe counts; everything else (ping, junk, binary) is ignored, as upstream.
        if (const auto subscription = text ? parseSubscribe(frame) : std::nullopt) {
            if (!*subscription)
                subscribedAll_ = true;
            else
                jobs_.insert((*subscription)->begin(), (*subscription)->end());
            send(std::make_shared<const std::string>(server_.backend.subscriptionConfirmedMessage(*subscription)));
        }
        read();
    }

    void send(std::shared_ptr<const std::string> text) {
        if (!open_ || closing_) return;
        if (queue_.size() >= kMaxQueuedWsMessages) {
            logError("websocket", "subscriber too slow, dropping it");
            drop();
            return;
        }
        queue_.push_back(std::move(text));
        if (!writing_) write();
    }

    void write() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(asio::buffer(*queue_.front()),
                        [self = shared_from_this()](beast::error_code ec, size_t) { self->onWrite(ec); });
    }

    void onWrite(beast::error_code ec) {
        writing_ = false;
        if (ec) {
            drop();
            return;
        }
        queue_.pop_front();
        ++sent_;
        server_.countStat(&SimStats::wsMessagesSent);
        const int dropEvery = server_.currentFaults().wsDropEveryN;
        if (dropEvery > 0 && sent_ % static_cast<uint64_t>(dropEvery) == 0) {
            server_.countStat(&SimStats::faultsInjected);
            drop();  // fault: the connection vanishes without a close frame
            return;
        }
        if (!queue_.empty() && !closing_) write();
    }

    void drop() {
        closing_ = true;
        queue_.clear();
        beast::error_code ignored;
        auto& socket = beast::get_lowest_layer(ws_).socket();
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }

    ServerCore& server_;
    const uint64_t id_;
    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    bool open_ = false, writing_ = false, closing_ = false;
    bool subscribedAll_ = false;
    std::unordered_set<std::string> jobs_;
    uint64_t sent_ = 0;
};

// ---- HTTP ------------------------------------------------------------------------------------

class HttpSession : public Session, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(ServerCore& server, tcp::socket socket)
        : server_(server), id_(server.nextSessionId++), stream_(std::move(socket)), timer_(stream_.get_executor()) {
        server_.countStat(&SimStats::openConnections);
    }
    ~HttpSession() override {
        server_.sessions.erase(id_);
        if (!upgraded_) server_.countStat(&SimStats::openConnections, -1);
    }

    void start() {
        server_.sessions.emplace(id_, weak_from_this());
        read();
    }

    void shutdown() override {
        closed_ = true;
        timer_.cancel();
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

private:
    void read() {
        parser_.emplace();
        parser_->body_limit(kMaxRequestBody);
        stream_.expires_after(kHttpIdleTimeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec) {
        if (closed_) return;
        if (ec == http::error::end_of_stream) {
            closeGracefully();
            return;
        }
        if (ec == http::error::body_limit) {
            respond(plain(413, "application/json", R"({"detail":"Request body too large"})"), false, {});
            return;
        }
        if (ec) {
            // A malformed request gets h11's answer; resets and timeouts just end the session.
            if (ec.category() == http::make_error_code(http::error::bad_target).category())
                respond(plain(400, "text/plain; charset=utf-8", "Invalid HTTP request received."), false, {});
            return;
        }
        auto request = parser_->release();
        if (websocket::is_upgrade(request)) {
            if (server_.router.isProgressSocket(request.target())) {
                server_.countRequest("WS /ws/progress", 0);
                upgraded_ = true;
                std::make_shared<WsSession>(server_, stream_.release_socket())->run(std::move(request));
            } else {
                server_.countRequest("WS rejected", 0);
                respond(plain(403, "text/plain; charset=utf-8", ""), false, {});  // uvicorn: no such socket route
            }
            return;
        }

        const FaultOptions faults = server_.currentFaults();
        HttpRequest in{std::string(request.method_string()), std::string(request.target()), std::move(request.body()), {}};
        if (const auto key = request.find("X-API-Key"); key != request.end()) in.apiKey = std::string(key->value());
        RoutedResponse routed;
        try {
            routed = server_.router.handle(in, faults.statusNotFound);
        } catch (const std::exception& e) {
            // Upstream's unhandled-exception shape; the sim keeps serving.
            logError("request " + in.method + " " + in.target, e.what());
            routed = {problemResponse(500, "Internal Server Error", e.what()), "500"};
        }
        server_.flush();  // e.g. generation_started after queue-generation
        server_.scheduleTick();
        const DeliveryPlan plan = server_.injector.apply(faults, routed.response);
        server_.countRequest(routed.route, plan.faultsInjected);
        respond(std::move(routed.response), request.keep_alive(), plan, request.version());
    }

    static HttpResponse plain(int status, std::string contentType, std::string body) {
        return HttpResponse{status, std::move(contentType), std::move(body), {}};
    }

    void respond(HttpResponse in, bool keepAlive, DeliveryPlan plan, unsigned version = 11) {
        keepAlive_ = keepAlive;
        response_ = {};
        response_.version(version);
        response_.result(static_cast<unsigned>(in.status));
        response_.set(http::field::server, "genmon-sim");
        if (!in.contentType.empty()) response_.set(http::field::content_type, in.contentType);
        for (const auto& [name, value] : in.headers) response_.set(name, value);
        response_.body() = std::move(in.body);
        response_.keep_alive(keepAlive);
        response_.prepare_payload();
        slow_ = plan.slow;
        if (plan.latencyMs <= 0) {
            write();
            return;
        }
        timer_.expires_after(std::chrono::milliseconds(plan.latencyMs));
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec && !self->closed_) self->write();
        });
    }

    void write() {
        stream_.expires_after(kWriteTimeout);
        if (!slow_) {
            http::async_write(stream_, response_,
                              [self = shared_from_this()](beast::error_code ec, size_t) { self->onWrite(ec); });
            return;
        }
        std::ostringstream serialized;
        serialized << response_;
        raw_ = serialized.str();
        rawSent_ = 0;
        dribble();
    }

    // Slowloris in reverse: the answer trickles out a few bytes at a time.
    void dribble() {
        const FaultOptions faults = server_.currentFaults();
        const size_t chunk = std::min(raw_.size() - rawSent_, static_cast<size_t>(std::max(1, faults.slowChunkBytes)));
        stream_.expires_after(kWriteTimeout);
        asio::async_write(stream_, asio::buffer(raw_.data() + rawSent_, chunk),
                          [self = shared_from_this(), interval = faults.slowChunkIntervalMs](beast::error_code ec, size_t n) {
                              self->rawSent_ += n;
                              if (ec || self->rawSent_ >= self->raw_.size()) {
                                  self->onWrite(ec);
                                  return;
                              }
                              self->timer_.expires_after(std::chrono::milliseconds(std::max(0, interval)));
                              self->timer_.async_wait([self](beast::error_code waitError) {
                                  if (!waitError && !self->closed_) self->dribble();
                              });
                          });
    }

    void onWrite(beast::error_code ec) {
        raw_.clear();
        if (ec || closed_) return;
        if (!keepAlive_) {
            closeGracefully();
            return;
        }
        read();
    }

    void closeGracefully() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.close();
    }

    ServerCore& server_;
    const uint64_t id_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    asio::steady_timer timer_;
    std::string raw_;
    size_t rawSent_ = 0;
    bool keepAlive_ = false, slow_ = false, closed_ = false, upgraded_ = false;
};

// ---- the server -----------------------------------------------------------------------------

void ServerCore::openAcceptor(boost::system::error_code& ec) {
    acceptor.emplace(*io);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);  // restart on the same port
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        acceptor.reset();
        return;
    }
    endpoint = acceptor->local_endpoint();
}

model::Status ServerCore::listen(uint16_t port) {
    std::lock_guard lock(lifecycleMutex);
    if (running) return model::okStatus();
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options.bind, ec);
    if (ec) return model::Error::make(model::ErrorKind::InvalidArgument, "cannot bind to '" + options.bind + "': " + ec.message());
    endpoint = tcp::endpoint(address, port);
    io = std::make_unique<asio::io_context>(1);
    openAcceptor(ec);
    if (ec) {
        io.reset();
        return model::Error::make(model::ErrorKind::Network,
                                  "cannot listen on " + options.bind + ":" + std::to_string(port) + ": " + ec.message());
    }
    stopping = false;
    backend.takeOutbox();  // nobody heard what happened while the server was down
    work.emplace(io->get_executor());
    accept();
    if (currentFaults().refuseConnections) acceptor->close(ec);
    if (!options.manualClock) {
        tickTimer.emplace(*io);
        tickDue.reset();
        scheduleTick();
    }
    running = true;
    thread = std::thread([this] {
        for (;;) {
            try {
                io->run();
                return;
            } catch (const std::exception& e) {
                logError("server thread", e.what());  // keep serving
            }
        }
    });
    return model::okStatus();
}

void ServerCore::accept() {
    acceptor->async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor || !acceptor->is_open()) return;
        if (!ec) {
            countStat(&SimStats::httpConnections);
            std::make_shared<HttpSession>(*this, std::move(socket))->start();
        } else {
            logError("accept", ec.message());
        }
        accept();
    });
}

void ServerCore::applyRefusal(bool refuse) {
    if (stopping) return;
    boost::system::error_code ec;
    if (refuse) {
        if (acceptor && acceptor->is_open()) acceptor->close(ec);
        return;
    }
    if (acceptor && acceptor->is_open()) return;
    openAcceptor(ec);
    if (ec) {
        logError("reopening the listening socket", ec.message());
        return;
    }
    accept();
}

void ServerCore::scheduleTick() {
    if (!tickTimer || stopping) return;
    const auto untilNext = backend.microsUntilNextEvent();
    auto delay = std::chrono::duration_cast<std::chrono::steady_clock::duration>(kMaxTick);
    if (untilNext) delay = std::min(delay, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                               std::chrono::microseconds(*untilNext)));
    const auto due = std::chrono::steady_clock::now() + delay;
    if (tickDue && *tickDue <= due) return;  // an earlier wake-up is already set
    tickDue = due;
    tickTimer->expires_at(due);
    tickTimer->async_wait([this](boost::system::error_code ec) {
        if (ec) return;  // re-armed or stopped
        tickDue.reset();
        backend.sync();
        flush();
        scheduleTick();
    });
}

void ServerCore::flush() {
    const auto messages = backend.takeOutbox();
    if (messages.empty()) return;
    // Deliver to a snapshot: a delivery may end a session, which unregisters it.
    std::vector<std::shared_ptr<WsSession>> subscribers;
    subscribers.reserve(sockets.size());
    for (const auto& [id, weak] : sockets)
        if (auto s = weak.lock()) subscribers.push_back(std::move(s));
    for (const auto& message : messages)
        for (const auto& s : subscribers) s->deliver(message);
}

void ServerCore::postFlush() {
    std::lock_guard lock(lifecycleMutex);
    if (!running) return;
    asio::post(*io, [this] {
        flush();
        scheduleTick();
    });
}

void ServerCore::shutdownOnServerThread() {
    stopping = true;
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);
    if (tickTimer) tickTimer->cancel();
    std::vector<std::shared_ptr<Session>> open;
    for (const auto& [id, weak] : sessions)
        if (auto s = weak.lock()) open.push_back(std::move(s));
    for (const auto& s : open) s->shutdown();
    if (sockets.empty()) return;
    // WebSockets got a going-away close frame; whoever has not answered soon is cut off.
    closeTimer.emplace(*io);
    closeTimer->expires_after(kCloseGrace);
    closeTimer->async_wait([this](boost::system::error_code) {
        for (const auto& [id, weak] : sockets)
            if (auto s = weak.lock()) s->forceClose();
    });
}

void ServerCore::stop() {
    // Held throughout: a restart() or a post from another thread waits until the old loop is gone.
    // The server thread never takes this mutex, so joining under it cannot deadlock.
    std::lock_guard lock(lifecycleMutex);
    if (!running) return;
    running = false;
    asio::post(*io, [this] { shutdownOnServerThread(); });
    work.reset();
    // The thread ends by itself once every socket and timer is closed; a deadline guards it.
    auto finished = std::async(std::launch::async, [this] { thread.join(); });
    if (finished.wait_for(kStopDeadline) != std::future_status::ready) {
        logError("stop", "connections did not close in time; stopping the event loop");
        io->stop();
    }
    finished.wait();
    // Handlers that never ran release their sessions here, before the registries go.
    tickTimer.reset();
    closeTimer.reset();
    acceptor.reset();
    io.reset();
    sessions.clear();
    sockets.clear();
}

}  // namespace

// ---- public API -------------------------------------------------------------------------------

struct SimServer::Impl final : ServerCore {
    using ServerCore::ServerCore;
};

SimServer::SimServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SimServer::~SimServer() = default;

model::Outcome<std::unique_ptr<SimServer>> SimServer::start(SimOptions options) {
    auto plan = planScenario(options);
    if (!plan) return std::move(plan).error();
    if (options.imageSize < 8 || options.imageSize > 2048)
        return model::Error::make(model::ErrorKind::InvalidArgument, "imageSize must be within 8..2048");
    auto impl = std::make_unique<Impl>(std::move(options), plan.value());
    if (auto listening = impl->listen(impl->options.port); !listening) return std::move(listening).error();
    return std::unique_ptr<SimServer>(new SimServer(std::move(impl)));
}

uint16_t SimServer::port() const {
    std::lock_guard lock(impl_->lifecycleMutex);
    return impl_->endpoint.port();
}

std::string SimServer::baseUrl() const {
    std::string prefix = impl_->options.prefix;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (!prefix.empty() && prefix.front() != '/') prefix.insert(prefix.begin(), '/');
    return "http://" + hostForUrl(impl_->options.bind) + ":" + std::to_string(port()) + prefix;
}

std::string SimServer::wsUrl() const { return "ws" + baseUrl().substr(4) + "/ws/progress"; }

const SimOptions& SimServer::options() const { return impl_->options; }

void SimServer::stop() { impl_->stop(); }

model::Status SimServer::restart() { return impl_->listen(port()); }

bool SimServer::listening() const { return impl_->running; }

void SimServer::setFaults(const FaultOptions& faults) {
    bool refusalChanged = false;
    {
        std::lock_guard lock(impl_->faultsMutex);
        refusalChanged = impl_->faults.refuseConnections != faults.refuseConnections;
        impl_->faults = faults;
    }
    if (!refusalChanged) return;
    // Wait until the listening socket really is closed (or open), so a test can rely on it.
    // The handler owns the promise: if stop() discards it unrun, the wait still ends.
    auto done = std::make_shared<std::promise<void>>();
    auto applied = done->get_future();
    {
        std::lock_guard lock(impl_->lifecycleMutex);
        if (!impl_->running) return;
        asio::post(*impl_->io, [this, refuse = faults.refuseConnections, done] {
            impl_->applyRefusal(refuse);
            done->set_value();
        });
    }
    applied.wait();
}

FaultOptions SimServer::faults() const { return impl_->currentFaults(); }

void SimServer::advance(int ms) {
    impl_->backend.advance(static_cast<int64_t>(ms) * 1000);
    impl_->postFlush();
}

int64_t SimServer::nowMicros() const { return impl_->backend.wallMicros(); }

std::string SimServer::queueJob(const model::GenerationRequest& request) {
    auto id = impl_->backend.queueGeneration(request, DeliveryOptions{});
    impl_->postFlush();
    return id;
}

std::string SimServer::queueJob(const std::string& prompt) {
    model::GenerationRequest request;
    request.prompt = prompt;
    request.negative_prompt = "blurry";
    request.seed = 42;
    return queueJob(request);
}

model::Status SimServer::finishJob(const std::string& id, bool ok) {
    auto status = impl_->backend.finish(id, ok);
    impl_->postFlush();
    return status;
}

std::vector<SimJobInfo> SimServer::jobs() const { return impl_->backend.jobs(); }

SimStats SimServer::stats() const {
    std::lock_guard lock(impl_->statsMutex);
    return impl_->stats;
}

std::vector<uint8_t> SimServer::renderPng(int64_t seed, const std::string& prompt, int size) {
    return sim::renderPng(seed, prompt, size);
}

const std::vector<std::string>& SimServer::scenarioNames() {
    static const std::vector<std::string> names{"idle", "busy", "burst", "failing", "flaky"};
    return names;
}

}  // namespace genmon::sim
