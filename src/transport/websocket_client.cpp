// The only translation unit of the transport that includes Boost.Beast (it compiles slowly).
#include "transport/websocket_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "protocol/decode.hpp"
#include "protocol/encode.hpp"
#include "transport/answers.hpp"
#include "transport/event_loop.hpp"
#include "transport/http_client.hpp"
#include "transport/url.hpp"

namespace genmon::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using orchestrator::ConnectionInfo;
using orchestrator::ConnectionPhase;

int64_t backoffDelayMs(const WebSocketSettings& s, int attempt) noexcept {
    const int64_t base = std::max(1, s.backoffBaseMs);
    const int64_t cap = s.backoffCapMs > 0 ? s.backoffCapMs : std::min<int64_t>(60000, base * 8);
    const int shift = std::clamp(attempt - 1, 0, 30);
    const int64_t delay = base << shift;  // base * 2^(attempt-1); shift <= 30 cannot overflow int64
    return std::min(delay, cap);
}

namespace {

enum class Stage : uint8_t { Resolve, Connect, Tls, Handshake, Open };

std::string lowerFirst(std::string s) {
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
    return s;
}

}  // namespace

struct WebSocketClient::Impl : std::enable_shared_from_this<Impl> {
    struct SessionBase {
        virtual ~SessionBase() = default;
        virtual void run() = 0;
        virtual void close() = 0;
    };
    template <class Stream>
    class Session;

    Impl(EventLoop& l, std::string u, protocol::Decoder& d, WebSocketSettings st)
        : loop(l), io(l.context()), url(std::move(u)), parsed(parseWebSocketUrl(url)), decoder(d), s(std::move(st)),
          retryTimer(io) {
        info.socketUrl = url;
        if (parsed.ok() && parsed->tls) {
            sslContext = std::make_unique<ssl::context>(ssl::context::tls_client);
            boost::system::error_code ec;
            sslContext->set_default_verify_paths(ec);
            sslContext->set_verify_mode(s.insecureTls ? ssl::verify_none : ssl::verify_peer);
        }
    }

    ~Impl() { stop(); }

    bool alive(uint64_t gen) const { return running && gen == generation; }

    void report() {
        if (!running || !listener) return;
        const ConnectionInfo copy = info;
        notePhase(copy);
        listener->apply(copy);
    }

    // One Inspector line per phase change, with what a replay needs to report it again.
    void notePhase(const ConnectionInfo& c) {
        if (s.log)
            s.log->addSocketPhase(loop.nowMicros(), orchestrator::phaseName(c.phase), c.lastError, c.reconnectAttempt,
                                  c.nextRetryAtMicros);
    }

    // One Inspector line per message, with its text (the socket carries no credentials).
    void note(std::string what, std::string_view text, orchestrator::Direction direction, std::string error = {}) {
        if (s.log) s.log->addSocketMessage(loop.nowMicros(), direction, std::move(what), text, std::move(error));
    }

    void start(orchestrator::UpdateSink* l) {
        listener = l;
        if (running) return;
        running = true;
        attempt = 0;
        if (!parsed) {
            info.phase = ConnectionPhase::Disconnected;
            info.lastError = parsed.error().message;
            const uint64_t gen = generation;
            // Reported later, never inside startPush().
            asio::post(io, [weak = weak_from_this(), gen] {
                if (auto self = weak.lock(); self && self->alive(gen)) self->report();
            });
            return;
        }
        connect(ConnectionPhase::Connecting, /*deferReport=*/true);
    }

    void stop() {
        if (!running) return;
        running = false;
        listener = nullptr;
        ++generation;
        retryTimer.cancel();
        if (session) {
            session->close();
            session.reset();
        }
        info.phase = ConnectionPhase::Idle;
        info.nextRetryAtMicros = 0;
    }

    void reconnect() {
        if (!running || !parsed) return;
        retryTimer.cancel();
        if (session) {
            session->close();
            session.reset();
        }
        attempt = 0;
        connect(ConnectionPhase::Connecting, true);
    }

    void connect(ConnectionPhase phase, bool deferReport);

    // The session reached the point where pushes flow.
    void onGood(uint64_t gen) {
        if (!alive(gen)) return;
        attempt = 0;
        info.phase = ConnectionPhase::Connected;
        info.lastError.clear();
        info.reconnectAttempt = 0;
        info.nextRetryAtMicros = 0;
        info.lastConnectedAtMicros = loop.nowMicros();
        report();
    }

    void onFailed(uint64_t gen, std::string error, bool wasGood) {
        if (!alive(gen)) return;
        session.reset();
        ++attempt;
        const int64_t delay = backoffDelayMs(s, attempt);
        const int64_t now = loop.nowMicros();
        info.phase = ConnectionPhase::Reconnecting;
        info.lastError = std::move(error);
        info.reconnectAttempt = attempt;
        info.nextRetryAtMicros = now + delay * 1000;
        if (wasGood) info.lastDisconnectedAtMicros = now;
        const uint64_t myGen = ++generation;
        retryTimer.expires_after(std::chrono::milliseconds(delay));
        retryTimer.async_wait([weak = weak_from_this(), myGen](const boost::system::error_code& ec) {
            if (ec) return;
            auto self = weak.lock();
            if (!self || !self->alive(myGen)) return;
            self->connect(ConnectionPhase::Reconnecting, false);
        });
        report();
    }

    void dispatch(uint64_t gen, protocol::WsMessage& message);

    EventLoop& loop;
    asio::io_context& io;
    std::string url;
    model::Outcome<WebSocketUrl> parsed;
    protocol::Decoder& decoder;
    WebSocketSettings s;
    asio::steady_timer retryTimer;
    std::unique_ptr<ssl::context> sslContext;

    orchestrator::UpdateSink* listener = nullptr;
    bool running = false;
    uint64_t generation = 0;  // bumped by every new attempt, stop() and reconnect(): stale handlers bow out
    int attempt = 0;          // failed attempts since the last good connection
    ConnectionInfo info;
    std::shared_ptr<SessionBase> session;
    uint64_t messages = 0;
};

// One connection attempt and, when it succeeds, the open socket. Handlers hold the session
// alive; they reach the client only through a weak pointer and only while their generation is
// current, so nothing runs after stop() or after the client is gone.
template <class Stream>
class WebSocketClient::Impl::Session final : public WebSocketClient::Impl::SessionBase,
                                             public std::enable_shared_from_this<Session<Stream>> {
    static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

public:
    template <class... Args>
    Session(const std::shared_ptr<Impl>& owner, uint64_t gen, Args&&... args)
        : owner_(owner),
          gen_(gen),
          url_(owner->parsed.value()),
          settings_(owner->s),
          resolver_(owner->io),
          resolveTimer_(owner->io),
          ws_(std::forward<Args>(args)...) {}

    void run() override {
        stage_ = Stage::Resolve;
        resolveTimer_.expires_after(std::chrono::milliseconds(settings_.connectTimeoutMs));
        resolveTimer_.async_wait([self = this->shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) {
                self->resolveTimedOut_ = true;
                self->resolver_.cancel();
            }
        });
        resolver_.async_resolve(url_.host, std::to_string(url_.port),
                                [self = this->shared_from_this()](const beast::error_code& ec, tcp::resolver::results_type results) {
                                    self->onResolve(ec, std::move(results));
                                });
    }

    void close() override {
        if (closed_) return;
        closed_ = true;
        resolveTimer_.cancel();
        resolver_.cancel();
        if (open_ && !writing_) {
            // A close frame, so the server sees a clean going-away; bounded by the timeout.
            websocket::stream_base::timeout t{};
            t.handshake_timeout = std::chrono::milliseconds(std::min(settings_.handshakeTimeoutMs, 1000));
            t.idle_timeout = websocket::stream_base::none();
            t.keep_alive_pings = false;
            ws_.set_option(t);
            ws_.async_close(websocket::close_code::going_away, [self = this->shared_from_this()](const beast::error_code&) {
                beast::error_code ignored;
                beast::get_lowest_layer(self->ws_).socket().close(ignored);
            });
            return;
        }
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

private:
    std::shared_ptr<Impl> owner() const {
        auto o = owner_.lock();
        if (!o || !o->alive(gen_) || closed_) return nullptr;
        return o;
    }

    void fail(const beast::error_code& ec) {
        auto o = owner();
        if (!o) return;
        std::string text = describe(ec);
        closed_ = true;
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        o->onFailed(gen_, std::move(text), good_);
    }

    std::string describe(const beast::error_code& ec) const {
        const std::string hp = (url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host) + ":" +
                               std::to_string(url_.port);
        if (ec == asio::error::connection_refused) return "connection refused";
        if (ec == beast::error::timeout || (stage_ == Stage::Resolve && resolveTimedOut_)) {
            switch (stage_) {
                case Stage::Resolve:
                case Stage::Connect: return "cannot connect to " + hp + " within " + formatDuration(settings_.connectTimeoutMs);
                case Stage::Tls:
                case Stage::Handshake: return "WebSocket handshake with " + hp + " timed out after " + formatDuration(settings_.handshakeTimeoutMs);
                case Stage::Open:
                    return "no answer from the server for " + formatDuration(settings_.idleTimeoutMs) + " (ping timed out)";
            }
        }
        if (ec == websocket::error::upgrade_declined)
            return "handshake rejected: HTTP " + std::to_string(response_.result_int());
        if (ec == websocket::error::closed) {
            const auto& reason = ws_.reason();
            std::string text = "WebSocket closed by the server (" + std::to_string(reason.code);
            if (!reason.reason.empty()) text += ": " + std::string(reason.reason.c_str());
            return text + ")";
        }
        if (ec == websocket::error::message_too_big || ec == beast::http::error::buffer_overflow)
            return "WebSocket message larger than " + formatBytes(settings_.maxMessageBytes);
        const bool tlsError =
            ec.category() == asio::error::get_ssl_category() || ec.category() == ssl::error::get_stream_category();
        if (tlsError && stage_ == Stage::Tls)
            return "TLS handshake with " + hp + " failed: " + ec.message() +
                   (!settings_.insecureTls && ec.message().find("certificate") != std::string::npos
                        ? " (--insecure skips verification)"
                        : "");
        if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
            ec == beast::http::error::end_of_stream || ec == ssl::error::stream_truncated) {
            if (stage_ == Stage::Open) return "WebSocket closed by the server (1006)";
            return "the server closed the connection during the handshake";
        }
        if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again)
            return "cannot resolve host '" + url_.host + "'";
        if (tlsError) return "TLS error with " + hp + ": " + ec.message();
        if (stage_ == Stage::Handshake && ec.category() == beast::http::make_error_code(beast::http::error::bad_version).category())
            return "handshake rejected: the server did not answer as a WebSocket (" + ec.message() + ")";
        return lowerFirst(ec.message());
    }

    void onResolve(const beast::error_code& ec, tcp::resolver::results_type results) {
        resolveTimer_.cancel();
        if (!owner()) return;
        if (ec) return fail(ec);
        stage_ = Stage::Connect;
        beast::get_lowest_layer(ws_).expires_after(std::chrono::milliseconds(settings_.connectTimeoutMs));
        beast::get_lowest_layer(ws_).async_connect(
            results, [self = this->shared_from_this()](const beast::error_code& e, const tcp::endpoint&) { self->onConnect(e); });
    }

    void onConnect(const beast::error_code& ec) {
        if (!owner()) return;
        if (ec) return fail(ec);
        if constexpr (kTls) {
            stage_ = Stage::Tls;
            auto& tlsStream = ws_.next_layer();
            boost::system::error_code parseEc;
            (void)asio::ip::make_address(url_.host, parseEc);
            const bool isIp = !parseEc;
            if (!isIp) SSL_set_tlsext_host_name(tlsStream.native_handle(), url_.host.c_str());
            if (!settings_.insecureTls) tlsStream.set_verify_callback(ssl::host_name_verification(url_.host));
            beast::get_lowest_layer(ws_).expires_after(std::chrono::milliseconds(settings_.handshakeTimeoutMs));
            tlsStream.async_handshake(ssl::stream_base::client,
                                      [self = this->shared_from_this()](const beast::error_code& e) { self->onTls(e); });
        } else {
            startHandshake();
        }
    }

    void onTls(const beast::error_code& ec) {
        if (!owner()) return;
        if (ec) return fail(ec);
        startHandshake();
    }

    void startHandshake() {
        stage_ = Stage::Handshake;
        beast::get_lowest_layer(ws_).expires_never();  // the websocket stream keeps its own timers
        websocket::stream_base::timeout t{};
        t.handshake_timeout = std::chrono::milliseconds(settings_.handshakeTimeoutMs);
        t.idle_timeout = std::chrono::milliseconds(std::max(1, settings_.idleTimeoutMs));
        t.keep_alive_pings = true;  // a ping after half the idle time; no answer: timeout
        ws_.set_option(t);
        ws_.set_option(websocket::stream_base::decorator(
            [agent = settings_.userAgent](websocket::request_type& req) { req.set(beast::http::field::user_agent, agent); }));
        ws_.read_message_max(settings_.maxMessageBytes);
        ws_.async_handshake(response_, url_.hostHeader, url_.target,
                            [self = this->shared_from_this()](const beast::error_code& e) { self->onHandshake(e); });
    }

    void onHandshake(const beast::error_code& ec) {
        if (!owner()) return;
        if (ec) return fail(ec);
        stage_ = Stage::Open;
        open_ = true;
        subscribe_ = protocol::encodeSubscribe(std::nullopt);
        writing_ = true;
        ws_.text(true);
        ws_.async_write(asio::buffer(subscribe_), [self = this->shared_from_this()](const beast::error_code& e, size_t) {
            self->writing_ = false;
            if (!self->owner()) return;
            if (e) return self->fail(e);
            self->subscribed_ = true;
            if (auto o = self->owner()) o->note("subscribe", self->subscribe_, orchestrator::Direction::WsOut);
        });
        read();
    }

    void read() {
        ws_.async_read(buffer_, [self = this->shared_from_this()](const beast::error_code& e, size_t) { self->onRead(e); });
    }

    void onRead(const beast::error_code& ec) {
        auto o = owner();
        if (!o) return;
        if (ec) return fail(ec);
        const auto data = buffer_.cdata();
        std::string frame;
        frame.reserve(data.size() + HttpClient::kBodyPadding);  // parsed in place by simdjson
        frame.assign(static_cast<const char*>(data.data()), data.size());
        buffer_.consume(buffer_.size());
        ++o->messages;
        auto decoded = o->decoder.wsMessage(frame, o->loop.nowMicros());
        o->note(decoded ? protocol::messageSummary(decoded->value) : std::string("undecodable frame"), frame,
                orchestrator::Direction::WsIn, decoded ? std::string() : decoded.error().message);
        if (decoded) {
            protocol::WsMessage& message = decoded->value;
            const bool confirms = std::holds_alternative<protocol::WsSubscriptionConfirmed>(message);
            const bool greeting = std::holds_alternative<protocol::WsConnected>(message);
            if (!good_ && (confirms || (subscribed_ && !greeting))) {
                good_ = true;
                o->onGood(gen_);
                if (!owner()) return;  // the listener stopped us
            }
            o->dispatch(gen_, message);
            if (!owner()) return;
        }
        // Frames that do not decode are ignored, as the server ignores ours.
        read();
    }

    std::weak_ptr<Impl> owner_;
    const uint64_t gen_;
    const WebSocketUrl url_;
    const WebSocketSettings settings_;
    tcp::resolver resolver_;
    asio::steady_timer resolveTimer_;
    websocket::stream<Stream> ws_;
    websocket::response_type response_;
    beast::flat_buffer buffer_;
    std::string subscribe_;
    Stage stage_ = Stage::Resolve;
    bool resolveTimedOut_ = false;
    bool open_ = false, writing_ = false, subscribed_ = false, good_ = false, closed_ = false;
};

void WebSocketClient::Impl::connect(ConnectionPhase phase, bool deferReport) {
    const uint64_t gen = ++generation;
    info.phase = phase;
    info.reconnectAttempt = attempt;
    info.nextRetryAtMicros = 0;  // with Reconnecting: an attempt is under way now
    if (parsed->tls)
        session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(shared_from_this(), gen, io, *sslContext);
    else
        session = std::make_shared<Session<beast::tcp_stream>>(shared_from_this(), gen, io);
    session->run();
    if (deferReport) {
        asio::post(io, [weak = weak_from_this(), gen] {
            if (auto self = weak.lock(); self && self->alive(gen) && self->info.phase != ConnectionPhase::Connected)
                self->report();
        });
    } else {
        report();
    }
}

void WebSocketClient::Impl::dispatch(uint64_t gen, protocol::WsMessage& message) {
    if (alive(gen) && listener) deliverPush(*listener, message);
}

WebSocketClient::WebSocketClient(EventLoop& loop, std::string url, protocol::Decoder& decoder, WebSocketSettings settings)
    : impl_(std::make_shared<Impl>(loop, std::move(url), decoder, std::move(settings))) {}

WebSocketClient::~WebSocketClient() { impl_->stop(); }

void WebSocketClient::start(orchestrator::UpdateSink* listener) { impl_->start(listener); }
void WebSocketClient::stop() { impl_->stop(); }
void WebSocketClient::reconnect() { impl_->reconnect(); }
bool WebSocketClient::running() const noexcept { return impl_->running; }
const orchestrator::ConnectionInfo& WebSocketClient::info() const noexcept { return impl_->info; }
uint64_t WebSocketClient::messagesReceived() const noexcept { return impl_->messages; }

}  // namespace genmon::transport
