#include "sim_client.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace genmon::simtest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr size_t kMaxBody = 64u << 20;  // the huge-body fault sends 10 MiB

tcp::endpoint loopback(uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Runs the io_context until `done` or the timeout; an unfinished operation is cancelled by
// closing the socket, and its handler is drained so nothing refers to the stack afterwards.
template <class Socket>
bool runUntil(asio::io_context& io, const bool& done, std::chrono::milliseconds timeout, Socket& socket) {
    io.restart();
    io.run_for(timeout);
    if (done) return true;
    beast::error_code ignored;
    socket.close(ignored);
    io.restart();
    io.run();
    return false;
}

}  // namespace

struct HttpClient::Impl {
    asio::io_context io;
    tcp::socket socket{io};
    beast::flat_buffer buffer;
    uint16_t port;
    std::chrono::milliseconds timeout;
    int connections = 0;

    bool ensureConnected(std::string& error) {
        if (socket.is_open()) return true;
        buffer.clear();
        bool done = false;
        beast::error_code result;
        socket.async_connect(loopback(port), [&](beast::error_code ec) {
            result = ec;
            done = true;
        });
        if (!runUntil(io, done, timeout, socket) || result) {
            error = "connect: " + (done ? result.message() : std::string("timed out"));
            socket.close(result);
            return false;
        }
        ++connections;
        return true;
    }

    Reply exchange(http::request<http::string_body>& request) {
        Reply reply;
        if (!ensureConnected(reply.error)) return reply;
        bool done = false;
        beast::error_code result;
        http::response_parser<http::string_body> parser;
        parser.body_limit(kMaxBody);
        parser.eager(true);
        http::async_write(socket, request, [&](beast::error_code ec, size_t) {
            if (ec) {
                result = ec;
                done = true;
                return;
            }
            http::async_read(socket, buffer, parser, [&](beast::error_code readError, size_t) {
                result = readError;
                done = true;
            });
        });
        if (!runUntil(io, done, timeout, socket)) {
            reply.error = "timed out";
            return reply;
        }
        if (result) {
            reply.error = result.message();
            beast::error_code ignored;
            socket.close(ignored);
            return reply;
        }
        auto& response = parser.get();
        reply.status = static_cast<int>(response.result_int());
        for (const auto& field : response) reply.headers[lower(field.name_string())] = std::string(field.value());
        if (auto it = reply.headers.find("content-type"); it != reply.headers.end()) reply.contentType = it->second;
        reply.body = std::move(response.body());
        if (!response.keep_alive()) {
            beast::error_code ignored;
            socket.close(ignored);
        }
        return reply;
    }
};

HttpClient::HttpClient(uint16_t port, std::chrono::milliseconds timeout) : impl_(std::make_unique<Impl>()) {
    impl_->port = port;
    impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

Reply HttpClient::request(std::string_view method, std::string_view target, std::string_view body, const Headers& headers) {
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port));
    request.keep_alive(true);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty()) {
        if (request.find(http::field::content_type) == request.end()) request.set(http::field::content_type, "application/json");
        request.body() = std::string(body);
    }
    request.prepare_payload();
    Reply reply = impl_->exchange(request);
    if (!reply.transportOk() && impl_->connections > 0) {
        // The server may have closed an idle keep-alive connection: one retry on a new one.
        beast::error_code ignored;
        impl_->socket.close(ignored);
        reply = impl_->exchange(request);
    }
    return reply;
}

int HttpClient::connectionsMade() const { return impl_->connections; }

Reply httpOnce(uint16_t port, std::string_view method, std::string_view target, std::string_view body,
               const Headers& headers) {
    HttpClient client(port);
    Headers withClose = headers;
    withClose.emplace_back("Connection", "close");
    return client.request(method, target, body, withClose);
}

bool canConnect(uint16_t port) {
    asio::io_context io;
    tcp::socket socket(io);
    beast::error_code ec;
    socket.connect(loopback(port), ec);
    return !ec;
}

// ---- WebSocket ------------------------------------------------------------------------------

struct WsClient::Impl {
    asio::io_context io;
    websocket::stream<tcp::socket> ws{io};
    beast::flat_buffer buffer;
    bool reading = false, readDone = false, isClosed = false;
    beast::error_code readError;
    int pings = 0;
};

WsClient::WsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WsClient::~WsClient() {
    if (!impl_->isClosed) {
        beast::error_code ignored;
        impl_->ws.next_layer().close(ignored);
    }
    impl_->io.restart();
    impl_->io.run();  // drain a pending read's handler
}

std::unique_ptr<WsClient> WsClient::connect(uint16_t port, const std::string& path, std::string* error, int* rejectedStatus) {
    auto impl = std::make_unique<Impl>();
    beast::error_code ec;
    impl->ws.next_layer().connect(loopback(port), ec);
    if (ec) {
        if (error) *error = "connect: " + ec.message();
        return nullptr;
    }
    websocket::response_type response;
    bool done = false;
    impl->ws.async_handshake(response, "127.0.0.1:" + std::to_string(port), path, [&](beast::error_code handshakeError) {
        ec = handshakeError;
        done = true;
    });
    if (!runUntil(impl->io, done, std::chrono::seconds(5), impl->ws.next_layer()) || ec) {
        if (error) *error = done ? ec.message() : "handshake timed out";
        if (rejectedStatus) *rejectedStatus = static_cast<int>(response.result_int());
        return nullptr;
    }
    impl->ws.control_callback([raw = impl.get()](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::ping) ++raw->pings;
    });
    return std::unique_ptr<WsClient>(new WsClient(std::move(impl)));
}

std::optional<std::string> WsClient::read(std::chrono::milliseconds timeout) {
    auto& s = *impl_;
    if (s.isClosed) return std::nullopt;
    if (!s.reading) {
        // A read left pending by an earlier timeout simply carries on.
        s.reading = true;
        s.readDone = false;
        s.ws.async_read(s.buffer, [&s](beast::error_code ec, size_t) {
            s.readError = ec;
            s.readDone = true;
        });
    }
    s.io.restart();
    s.io.run_for(timeout);
    if (!s.readDone) return std::nullopt;
    s.reading = false;
    if (s.readError) {
        s.isClosed = true;
        return std::nullopt;
    }
    std::string text = beast::buffers_to_string(s.buffer.data());
    s.buffer.consume(s.buffer.size());
    return text;
}

bool WsClient::send(const std::string& text) {
    auto& s = *impl_;
    if (s.isClosed) return false;
    bool done = false;
    beast::error_code ec;
    s.ws.text(true);
    s.ws.async_write(asio::buffer(text), [&](beast::error_code writeError, size_t) {
        ec = writeError;
        done = true;
    });
    // Run only until the write completes; a pending read stays pending.
    s.io.restart();
    while (!done && s.io.run_one_for(std::chrono::seconds(3)) > 0) {
    }
    return done && !ec;
}

bool WsClient::closed() const { return impl_->isClosed; }

std::optional<int> WsClient::closeCode() const {
    const auto reason = impl_->ws.reason();
    if (reason.code == websocket::close_code::none) return std::nullopt;
    return static_cast<int>(reason.code);
}

int WsClient::pingsReceived() const { return impl_->pings; }

}  // namespace genmon::simtest
