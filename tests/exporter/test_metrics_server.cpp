// Issue 17.4: the /metrics server over real loopback sockets. The address forms of
// --serve-metrics, GET/HEAD, the index, 404 and 405, the request limits, the timeout, a port in
// use, and a stuck client that does not hold up the next scrape.
#include <doctest/doctest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <thread>

#include "exporter/metrics_server.hpp"
#include "exporter/prometheus_text.hpp"
#include "http_fetch.hpp"

using namespace genmon;
namespace ex = genmon::exporter;
using genmon::test::httpFetch;
using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<ex::MetricsServer> serve(ex::MetricsServer::BodyFn body, ex::MetricsServer::Options options = {}) {
    auto started = ex::MetricsServer::start(ex::ListenAddress{}, std::move(body), options);
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? std::string() : started.error().message));
    return std::move(started).value();
}

// Sends raw bytes on a new connection and reads until the server closes it (or `limit`).
std::string rawExchange(uint16_t port, const std::string& bytes, std::chrono::milliseconds limit = 5s) {
    boost::asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    boost::system::error_code ec;
    if (!bytes.empty()) boost::asio::write(socket, boost::asio::buffer(bytes), ec);
    std::string answer;
    std::array<char, 4096> buf{};
    const auto deadline = std::chrono::steady_clock::now() + limit;
    socket.non_blocking(true);
    while (std::chrono::steady_clock::now() < deadline) {
        const size_t n = socket.read_some(boost::asio::buffer(buf), ec);
        if (ec == boost::asio::error::would_block) {
            std::this_thread::sleep_for(5ms);
            continue;
        }
        if (ec) return answer + "\n<closed>";
        answer.append(buf.data(), n);
    }
    return answer;
}

}  // namespace

TEST_CASE("issue 17.4 server: --serve-metrics takes PORT, ADDR:PORT and [IPv6]:PORT, loopback unless an address is given") {
    auto a = ex::parseListenAddress("9464");
    REQUIRE(a.ok());
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 9464);
    CHECK(ex::isLoopback(a.value()));
    a = ex::parseListenAddress("0.0.0.0:9464");
    REQUIRE(a.ok());
    CHECK(a->host == "0.0.0.0");
    CHECK_FALSE(ex::isLoopback(a.value()));
    a = ex::parseListenAddress("[::1]:0");
    REQUIRE(a.ok());
    CHECK(a->host == "::1");
    CHECK(a->port == 0);
    CHECK(ex::isLoopback(a.value()));
    CHECK(ex::hostPort(a.value()) == "[::1]:0");
    a = ex::parseListenAddress("localhost:9464");
    REQUIRE(a.ok());
    CHECK(a->host == "127.0.0.1");
    a = ex::parseListenAddress("127.3.4.5:80");
    REQUIRE(a.ok());
    CHECK(ex::isLoopback(a.value()));

    struct Bad {
        const char* text;
        const char* says;
    };
    for (const Bad& bad : {Bad{"", "no port"}, Bad{"abc", "the port must be a number"},
                           Bad{"70000", "from 0 to 65535"}, Bad{"1.2.3.4:", "the port must be a number"},
                           Bad{":9464", "no address before ':'"}, Bad{"::1:9464", "in brackets"},
                           Bad{"[::1]9464", "in brackets"}, Bad{"metrics.example.com:9464", "is not an IP address"},
                           Bad{"999.1.1.1:80", "is not an IP address"}}) {
        const auto r = ex::parseListenAddress(bad.text);
        REQUIRE_MESSAGE(!r.ok(), bad.text);
        CHECK(r.error().kind == model::ErrorKind::InvalidArgument);
        CHECK_MESSAGE(r.error().message.find(bad.says) != std::string::npos, r.error().message);
        CHECK(r.error().message.find(std::string("'") + bad.text + "'") != std::string::npos);
    }
}

TEST_CASE("issue 17.4 server: GET /metrics answers the exposition with the 0.0.4 content type, HEAD the same head") {
    std::atomic<int> calls{0};
    auto server = serve([&] {
        ++calls;
        return std::string("# HELP genmon_x X.\n# TYPE genmon_x gauge\ngenmon_x 1\n");
    });
    CHECK(server->port() != 0);  // port 0: the system picked one
    CHECK(server->url() == "http://127.0.0.1:" + std::to_string(server->port()) + "/metrics");

    const auto get = httpFetch(server->port(), "/metrics");
    REQUIRE_MESSAGE(get.ok, get.error);
    CHECK(get.status == 200);
    CHECK(get.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(get.body == "# HELP genmon_x X.\n# TYPE genmon_x gauge\ngenmon_x 1\n");
    CHECK(calls == 1);

    const auto head = httpFetch(server->port(), "/metrics", "HEAD");
    REQUIRE_MESSAGE(head.ok, head.error);
    CHECK(head.status == 200);
    CHECK(head.headers.at("content-type") == std::string(ex::kContentType));
    CHECK(head.headers.at("content-length") == std::to_string(get.body.size()));
    CHECK(head.body.empty());

    const auto query = httpFetch(server->port(), "/metrics?name[]=genmon_x");  // Prometheus may add a query
    CHECK(query.status == 200);
    CHECK(query.body == get.body);
}

TEST_CASE("issue 17.4 server: / is a small index, other paths 404 and other methods 405 with Allow") {
    auto server = serve([] { return std::string("genmon_x 1\n"); });
    const auto index = httpFetch(server->port(), "/");
    CHECK(index.status == 200);
    CHECK(index.headers.at("content-type").rfind("text/html", 0) == 0);
    CHECK(index.body.find("href=\"/metrics\"") != std::string::npos);

    const auto missing = httpFetch(server->port(), "/metrics/extra");
    CHECK(missing.status == 404);
    CHECK(httpFetch(server->port(), "/favicon.ico").status == 404);

    for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
        const auto r = httpFetch(server->port(), "/metrics", method);
        REQUIRE_MESSAGE(r.ok, method << ": " << r.error);
        CHECK_MESSAGE(r.status == 405, method);
        CHECK(r.headers.at("allow") == "GET, HEAD");
    }
    CHECK(server->requests() >= 7);
}

TEST_CASE("issue 17.4 server: a request head over the limit gets 431, a request body 413, and the connection closes") {
    auto server = serve([] { return std::string("genmon_x 1\n"); });
    const std::string huge = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(20'000, 'a') + "\r\n\r\n";
    const std::string a = rawExchange(server->port(), huge);
    CHECK(a.rfind("HTTP/1.1 431", 0) == 0);
    CHECK(a.find("<closed>") != std::string::npos);

    const std::string withBody = "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
    const std::string b = rawExchange(server->port(), withBody);
    CHECK(b.rfind("HTTP/1.1 413", 0) == 0);
    CHECK(b.find("<closed>") != std::string::npos);

    const std::string garbage = "THIS IS NOT HTTP\r\n\r\n";
    const std::string c = rawExchange(server->port(), garbage);
    CHECK(c.rfind("HTTP/1.1 400", 0) == 0);
    // The server is still there for the next scraper.
    CHECK(httpFetch(server->port(), "/metrics").status == 200);
}

TEST_CASE("issue 17.4 server: a connection that sends nothing is closed after the request timeout") {
    ex::MetricsServer::Options o;
    o.requestTimeout = 300ms;
    auto server = serve([] { return std::string("genmon_x 1\n"); }, o);
    const std::string silent = rawExchange(server->port(), "", 10s);
    CHECK(silent == "\n<closed>");  // closed by the server, well before the test's own 10 s
    // A request that never finishes (a slowloris head) is cut the same way.
    const std::string partial = rawExchange(server->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n", 10s);
    CHECK(partial == "\n<closed>");
}

TEST_CASE("issue 17.4 server: keep-alive serves several scrapes on one connection, and a stuck client holds up no other") {
    auto server = serve([] { return std::string("genmon_x 1\n"); });
    // A client that connected and then hangs.
    boost::asio::io_context io;
    tcp::socket stuck(io);
    stuck.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server->port()));
    boost::asio::write(stuck, boost::asio::buffer(std::string("GET /metr")));
    CHECK(httpFetch(server->port(), "/metrics").status == 200);

    const std::string two = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const std::string answers = rawExchange(server->port(), two);
    CHECK(answers.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(answers.find("HTTP/1.1 200", 12) != std::string::npos);
    CHECK(answers.find("<closed>") != std::string::npos);
}

TEST_CASE("issue 17.4 server: a body that throws answers 500 and the server keeps serving") {
    std::atomic<bool> fail{true};
    auto server = serve([&]() -> std::string {
        if (fail) throw std::runtime_error("no snapshot");
        return "genmon_x 1\n";
    });
    const auto r = httpFetch(server->port(), "/metrics");
    CHECK(r.status == 500);
    CHECK(r.body.find("no snapshot") != std::string::npos);
    fail = false;
    CHECK(httpFetch(server->port(), "/metrics").status == 200);
}

TEST_CASE("issue 17.4 server: a port in use and an address of another machine are readable errors and stop frees the port") {
    auto first = serve([] { return std::string(); });
    ex::ListenAddress same;
    same.port = first->port();
    const auto second = ex::MetricsServer::start(same, [] { return std::string(); });
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().kind == model::ErrorKind::Network);
    CHECK(second.error().message ==
          "cannot listen on 127.0.0.1:" + std::to_string(same.port) +
              ": Address already in use (is another genmon or exporter using it?)");

    first->stop();
    first->stop();  // idempotent
    CHECK_FALSE(httpFetch(same.port, "/metrics", "GET", "127.0.0.1", 2s).ok);
    const auto again = ex::MetricsServer::start(same, [] { return std::string(); });
    CHECK_MESSAGE(again.ok(), (again.ok() ? std::string() : again.error().message));

    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
    const auto elsewhere = ex::MetricsServer::start(ex::ListenAddress{"192.0.2.1", 0}, [] { return std::string(); });
    REQUIRE_FALSE(elsewhere.ok());
    CHECK(elsewhere.error().kind == model::ErrorKind::InvalidArgument);
    CHECK(elsewhere.error().message.find("not an address of this machine") != std::string::npos);
}
