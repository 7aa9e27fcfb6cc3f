#pragma once
// A blocking HTTP/1.1 client for tests (Boost.Beast over a real loopback socket): one request,
// the whole answer, or the error that ended it. Used for genmon's /metrics and Prometheus's API.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <map>
#include <string>

namespace genmon::test {

struct Fetched {
    bool ok = false;      // an answer arrived
    std::string error;    // why not
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
};

inline Fetched httpFetch(uint16_t port, const std::string& target, const std::string& method = "GET",
                         const std::string& host = "127.0.0.1", std::chrono::seconds timeout = std::chrono::seconds(10)) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    using tcp = boost::asio::ip::tcp;
    Fetched out;
    try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        stream.expires_after(timeout);
        stream.connect(tcp::endpoint(boost::asio::ip::make_address(host), port));
        http::request<http::empty_body> req{http::string_to_verb(method), target, 11};
        req.set(http::field::host, host + ":" + std::to_string(port));
        req.set(http::field::user_agent, "genmon-test");
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        if (method == "HEAD") parser.skip(true);  // a HEAD answer has the headers of a body it does not send
        http::read(stream, buffer, parser);
        auto res = parser.release();
        out.ok = true;
        out.status = static_cast<int>(res.result_int());
        for (const auto& f : res) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            out.headers[name] = std::string(f.value());
        }
        out.body = std::move(res.body());
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    } catch (const std::exception& e) {
        out.error = e.what();
    }
    return out;
}

}  // namespace genmon::test
