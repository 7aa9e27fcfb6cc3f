// The only translation unit of the exporter that includes Boost.Beast: the listener and the HTTP
// sessions of /metrics, all on the server's own io_context thread.
#include "exporter/metrics_server.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "exporter/prometheus_text.hpp"

namespace genmon::exporter {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using model::Error;
using model::ErrorKind;

namespace {

constexpr std::string_view kIndexHtml =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>genmon</title></head><body>\n"
    "<h1>genmon</h1>\n<p><a href=\"/metrics\">/metrics</a>: every backend genmon watches, in the Prometheus text "
    "format 0.0.4.</p>\n</body></html>\n";

Error badAddress(std::string_view text, const std::string& why) {
    return Error::make(ErrorKind::InvalidArgument, "'" + std::string(text) + "': " + why);
}

}  // namespace

model::Outcome<ListenAddress> parseListenAddress(std::string_view text) {
    const std::string kForms = "write PORT (this machine only), ADDR:PORT such as 0.0.0.0:9464, or [::1]:9464";
    if (text.empty()) return badAddress(text, "no port; " + kForms);
    ListenAddress a;
    std::string_view portText = text;
    if (text.front() == '[') {
        const size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return badAddress(text, "an IPv6 address goes in brackets followed by :PORT, e.g. [::1]:9464");
        a.host = std::string(text.substr(1, close - 1));
        portText = text.substr(close + 2);
    } else if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
        if (text.find(':') != colon)
            return badAddress(text, "an IPv6 address goes in brackets followed by :PORT, e.g. [::1]:9464");
        if (colon == 0) return badAddress(text, "no address before ':'; " + kForms);
        a.host = std::string(text.substr(0, colon));
        portText = text.substr(colon + 1);
    }
    unsigned port = 0;
    const auto r = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (portText.empty() || r.ec != std::errc() || r.ptr != portText.data() + portText.size() || port > 65535)
        return badAddress(text, "the port must be a number from 0 to 65535 (0: any free port)");
    a.port = static_cast<uint16_t>(port);
    if (a.host == "localhost") a.host = "127.0.0.1";
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(a.host, ec);
    if (ec)
        return badAddress(text, "'" + a.host +
                                    "' is not an IP address; use 127.0.0.1 (this machine only), 0.0.0.0 (every "
                                    "address) or one of this machine's addresses");
    a.host = address.to_string();
    return a;
}

bool isLoopback(const ListenAddress& a) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(a.host, ec);
    return !ec && address.is_loopback();
}

std::string hostPort(const ListenAddress& a) {
    const bool v6 = a.host.find(':') != std::string::npos;
    return (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

// ---- the server ------------------------------------------------------------------------------

struct MetricsServer::Impl {
    Impl(BodyFn b, Options o) : body(std::move(b)), options(o) {}

    BodyFn body;
    Options options;
    ListenAddress address;
    std::atomic<uint64_t> requests{0};
    int sessions = 0;  // server thread (and the io_context's destructor, which ends pending sessions)
    // Destroyed in reverse: the thread is joined already, then the acceptor, then the io_context,
    // whose pending handlers end the sessions still open (they count down `sessions` above).
    asio::io_context io{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::optional<tcp::acceptor> acceptor;
    std::optional<asio::steady_timer> retryAccept;
    std::thread thread;

    void accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(MetricsServer::Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
        ++server_.sessions;
    }
    ~Session() { --server_.sessions; }

    void read() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_.options.maxHeaderBytes));
        // The whole request (an idle keep-alive included) within the timeout: a client that
        // dribbles or just holds the connection open loses it.
        stream_.expires_after(server_.options.requestTimeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
    }

private:
    void onRead(beast::error_code ec) {
        if (ec == http::error::header_limit) return fail(http::status::request_header_fields_too_large, "request head too large\n");
        if (ec == http::error::unexpected_body || ec == http::error::body_limit)
            return fail(http::status::payload_too_large, "a request to genmon's metrics has no body\n");
        if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message)
            return fail(http::status::bad_request, "malformed HTTP request\n");
        if (ec) return close();  // the client left, or the timeout passed

        const auto& req = parser_->get();
        ++server_.requests;
        std::string_view target = req.target();
        target = target.substr(0, target.find('?'));
        const bool head = req.method() == http::verb::head;
        if (req.method() != http::verb::get && !head) {
            auto res = text(http::status::method_not_allowed, "only GET and HEAD\n", req);
            res.set(http::field::allow, "GET, HEAD");
            return send(std::move(res), head, req.keep_alive());
        }
        if (target == "/metrics") {
            std::string body;
            try {
                body = server_.body();
            } catch (const std::exception& e) {  // never lose the server to one bad scrape
                return send(text(http::status::internal_server_error, std::string("cannot format the metrics: ") + e.what() + "\n", req),
                            head, req.keep_alive());
            }
            auto res = response(http::status::ok, std::string(kContentType), std::move(body), req);
            return send(std::move(res), head, req.keep_alive());
        }
        if (target == "/")
            return send(response(http::status::ok, "text/html; charset=utf-8", std::string(kIndexHtml), req), head,
                        req.keep_alive());
        send(text(http::status::not_found, "not found: genmon serves /metrics\n", req), head, req.keep_alive());
    }

    using Response = http::response<http::string_body>;

    static Response response(http::status status, std::string contentType, std::string body,
                             const http::request<http::empty_body>& req) {
        Response res{status, req.version()};
        res.set(http::field::server, "genmon");
        res.set(http::field::content_type, contentType);
        res.set(http::field::cache_control, "no-store");
        res.body() = std::move(body);
        return res;
    }
    static Response text(http::status status, std::string body, const http::request<http::empty_body>& req) {
        return response(status, "text/plain; charset=utf-8", std::move(body), req);
    }

    // HEAD: the same head (Content-Length of the body it would get), no body.
    void send(Response res, bool head, bool keepAlive) {
        res.keep_alive(keepAlive);
        res.prepare_payload();
        if (head) {
            http::response<http::empty_body> headOnly{res.result(), res.version()};
            for (const auto& field : res) headOnly.set(field.name_string(), field.value());
            headOnly.keep_alive(keepAlive);
            write(http::message_generator(std::move(headOnly)), keepAlive);
        } else {
            write(http::message_generator(std::move(res)), keepAlive);
        }
    }

    void write(http::message_generator message, bool keepAlive) {
        stream_.expires_after(server_.options.writeTimeout);
        beast::async_write(stream_, std::move(message),
                           [self = shared_from_this(), keepAlive](beast::error_code ec, size_t) {
                               if (ec || !keepAlive) return self->close();
                               self->read();
                           });
    }

    // A request that cannot be served: say why, then close (the rest of it is not read).
    void fail(http::status status, std::string why) {
        Response res{status, 11};
        res.set(http::field::server, "genmon");
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = std::move(why);
        res.keep_alive(false);
        res.prepare_payload();
        stream_.expires_after(server_.options.writeTimeout);
        beast::async_write(stream_, http::message_generator(std::move(res)),
                           [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->close();
                               self->lingerClose();
                           });
    }

    // Closing with the rest of the request unread would reset the connection, and the client
    // could lose the answer: stop sending, read what is left for a moment, then close.
    void lingerClose() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(std::chrono::seconds(1));
        drain();
    }
    void drain() {
        stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->close();
            self->drain();
        });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    MetricsServer::Impl& server_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::empty_body>> parser_;
    std::array<char, 1024> discard_{};
};

}  // namespace

void MetricsServer::Impl::accept() {
    acceptor->async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) {
            // Out of file descriptors and the like: try again shortly instead of spinning.
            retryAccept->expires_after(std::chrono::milliseconds(100));
            retryAccept->async_wait([this](beast::error_code waitError) {
                if (!waitError) accept();
            });
            return;
        }
        if (sessions < options.maxConnections) {
            std::make_shared<Session>(*this, std::move(socket))->read();
        } else {
            beast::error_code ignored;
            socket.close(ignored);  // too many at once: a scraper needs one
        }
        accept();
    });
}

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

model::Outcome<std::unique_ptr<MetricsServer>> MetricsServer::start(const ListenAddress& address, BodyFn metrics,
                                                                    Options options) {
    auto impl = std::make_unique<Impl>(std::move(metrics), options);
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(address.host, ec);
    if (ec) return Error::make(ErrorKind::InvalidArgument, "'" + address.host + "' is not an IP address");
    const tcp::endpoint endpoint(ip, address.port);
    auto failed = [&] {
        // Not an address of this machine is a bad argument; a port in use is the machine's state.
        const bool notHere = ec == boost::system::errc::address_not_available;
        const bool inUse = ec == boost::system::errc::address_in_use;
        return Error::make(notHere ? ErrorKind::InvalidArgument : ErrorKind::Network,
                           "cannot listen on " + hostPort(address) + ": " + ec.message() +
                               (notHere  ? " (not an address of this machine)"
                                : inUse ? " (is another genmon or exporter using it?)"
                                        : ""));
    };
    impl->acceptor.emplace(impl->io);
    impl->acceptor->open(endpoint.protocol(), ec);
    if (ec) return failed();
    impl->acceptor->set_option(asio::socket_base::reuse_address(true), ec);  // a restart binds at once
    if (ec) return failed();
    impl->acceptor->bind(endpoint, ec);
    if (ec) return failed();
    impl->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return failed();
    impl->address = address;
    impl->address.host = ip.to_string();
    impl->address.port = impl->acceptor->local_endpoint().port();
    impl->retryAccept.emplace(impl->io);
    impl->work.emplace(impl->io.get_executor());
    impl->accept();
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] {
        for (;;) {
            try {
                raw->io.run();
                return;
            } catch (const std::exception&) {
                // A handler threw (out of memory while formatting): that session is gone, the
                // server keeps serving.
            }
        }
    });
    return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::stop() {
    if (!impl_ || !impl_->thread.joinable()) return;
    // Nothing waits for a scraper: the loop stops after the handler it is running, and pending
    // reads and writes are dropped with the io_context.
    impl_->work.reset();
    impl_->io.stop();
    impl_->thread.join();
    beast::error_code ignored;
    impl_->acceptor->close(ignored);  // the port is free from here
}

uint16_t MetricsServer::port() const noexcept { return impl_->address.port; }
const ListenAddress& MetricsServer::address() const noexcept { return impl_->address; }
std::string MetricsServer::url() const { return "http://" + hostPort(impl_->address) + "/metrics"; }
uint64_t MetricsServer::requests() const noexcept { return impl_->requests.load(); }

}  // namespace genmon::exporter
