// Base URL normalisation (spec §1.1 for absolute bases) and the derived URLs.
#include <doctest/doctest.h>

#include "transport/http_client.hpp"
#include "transport/url.hpp"
#include "transport/websocket_client.hpp"

using namespace genmon;
using transport::parseBaseUrl;

namespace {
transport::BaseUrl ok(std::string_view text) {
    auto r = parseBaseUrl(text);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().message));
    return r.value();
}
std::string err(std::string_view text) {
    auto r = parseBaseUrl(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == model::ErrorKind::InvalidArgument);
    return r.error().message;
}
}  // namespace

TEST_CASE("url: an /api/v1 base (app.main) keeps its path, ports and joins") {
    const auto b = ok("http://127.0.0.1:8000/api/v1");
    CHECK(b.scheme == "http");
    CHECK(b.host == "127.0.0.1");
    CHECK(b.port == 8000);
    CHECK(b.explicitPort);
    CHECK(b.path == "/api/v1");
    CHECK(b.str() == "http://127.0.0.1:8000/api/v1");
    CHECK(b.join("system/status") == "http://127.0.0.1:8000/api/v1/system/status");
    CHECK(b.join("/generation/jobs/active?limit=200") == "http://127.0.0.1:8000/api/v1/generation/jobs/active?limit=200");
    CHECK(b.webSocketUrl() == "ws://127.0.0.1:8000/api/v1/ws/progress");
}

TEST_CASE("url: a /v1 base (backend.main, Docker) derives /v1/ws/progress") {
    const auto b = ok("http://localhost:8782/v1");
    CHECK(b.join("generation/results?limit=10&offset=0") == "http://localhost:8782/v1/generation/results?limit=10&offset=0");
    CHECK(b.webSocketUrl() == "ws://localhost:8782/v1/ws/progress");
}

TEST_CASE("url: trailing slashes are trimmed, the path is kept as given") {
    CHECK(ok("http://h:1/api/v1/").str() == "http://h:1/api/v1");
    CHECK(ok("http://h:1/api/v1///").str() == "http://h:1/api/v1");
    CHECK(ok("http://h:1/").path.empty());
    CHECK(ok("http://h:1").str() == "http://h:1");
    CHECK(ok("http://h:1").join("system/status") == "http://h:1/system/status");
    CHECK(ok("http://h:1/").webSocketUrl() == "ws://h:1/ws/progress");
    CHECK(ok("  http://h:1/custom/prefix/  ").str() == "http://h:1/custom/prefix");
}

TEST_CASE("url: the socket path is <base>/ws/progress, never <base>/generation/ws/progress (spec §0.3)") {
    const auto ws = ok("http://h:8000/api/v1").webSocketUrl();
    CHECK(ws.find("/generation/") == std::string::npos);
    CHECK(ws == "ws://h:8000/api/v1/ws/progress");
}

TEST_CASE("url: https gives wss, default ports are implied") {
    const auto b = ok("https://example.com/api/v1");
    CHECK(b.tls());
    CHECK(b.port == 443);
    CHECK_FALSE(b.explicitPort);
    CHECK(b.authority() == "example.com");
    CHECK(b.hostPort() == "example.com:443");
    CHECK(b.webSocketUrl() == "wss://example.com/api/v1/ws/progress");
    CHECK(ok("http://example.com/x").port == 80);
    CHECK(ok("HTTPS://Example.com:8443/x").webSocketUrl() == "wss://Example.com:8443/x/ws/progress");
}

TEST_CASE("url: IPv6 literal hosts") {
    const auto b = ok("http://[::1]:8000/api/v1/");
    CHECK(b.host == "::1");
    CHECK(b.port == 8000);
    CHECK(b.str() == "http://[::1]:8000/api/v1");
    CHECK(b.hostPort() == "[::1]:8000");
    CHECK(b.webSocketUrl() == "ws://[::1]:8000/api/v1/ws/progress");
    CHECK(ok("https://[2001:db8::1]/v1").hostPort() == "[2001:db8::1]:443");
    CHECK(err("http://::1:8000/api").find("brackets") != std::string::npos);
    CHECK(err("http://[::1/api").find("'['") != std::string::npos);
}

TEST_CASE("url: other schemes, relative bases and credentials are refused with a readable reason") {
    CHECK(err("ftp://h/x") == "unsupported scheme 'ftp' in 'ftp://h/x': use http:// or https://");
    CHECK(err("file://host/etc/passwd").find("unsupported scheme 'file'") != std::string::npos);
    CHECK(err("ws://h:8000/api/v1/ws/progress").find("WebSocket address") != std::string::npos);
    CHECK(err("/api/v1").find("relative") != std::string::npos);
    CHECK(err("127.0.0.1:8000/api/v1").find("did you mean http://127.0.0.1:8000/api/v1") != std::string::npos);
    CHECK(err("").find("empty") != std::string::npos);
    const std::string creds = err("http://user:s3cret@h:8000/api/v1");
    CHECK(creds.find("credentials") != std::string::npos);
    CHECK(creds.find("s3cret") == std::string::npos);  // never repeated
    CHECK(err("http://h:0/x").find("port") != std::string::npos);
    CHECK(err("http://h:99999/x").find("port") != std::string::npos);
    CHECK(err("http://h:80a/x").find("port") != std::string::npos);
    CHECK(err("http://h/x?key=1").find("query") != std::string::npos);
    CHECK(err("http://h/x y").find("space") != std::string::npos);
    CHECK(err("http:///api").find("no host") != std::string::npos);
}

TEST_CASE("url: WebSocket URLs parse into host, port, Host header and target") {
    auto w = transport::parseWebSocketUrl("ws://127.0.0.1:9000/api/v1/ws/progress");
    REQUIRE(w.ok());
    CHECK_FALSE(w->tls);
    CHECK(w->host == "127.0.0.1");
    CHECK(w->port == 9000);
    CHECK(w->hostHeader == "127.0.0.1:9000");
    CHECK(w->target == "/api/v1/ws/progress");
    auto s = transport::parseWebSocketUrl("wss://[::1]/v1/ws/progress");
    REQUIRE(s.ok());
    CHECK(s->tls);
    CHECK(s->port == 443);
    CHECK(s->hostHeader == "[::1]");
    CHECK_FALSE(transport::parseWebSocketUrl("http://h/x").ok());
}

TEST_CASE("url: path segments are percent-encoded like encodeURIComponent") {
    CHECK(transport::encodePathSegment("391d5138-f365-4891") == "391d5138-f365-4891");
    CHECK(transport::encodePathSegment("a b/c?d#e%") == "a%20b%2Fc%3Fd%23e%25");
    CHECK(transport::encodePathSegment("job_1.2~(x)") == "job_1.2~(x)");
}

TEST_CASE("backoff: 3, 6, 12, 24, then 24 s (spec §3.2), configurable base and cap") {
    transport::WebSocketSettings s;
    CHECK(transport::backoffDelayMs(s, 1) == 3000);
    CHECK(transport::backoffDelayMs(s, 2) == 6000);
    CHECK(transport::backoffDelayMs(s, 3) == 12000);
    CHECK(transport::backoffDelayMs(s, 4) == 24000);
    CHECK(transport::backoffDelayMs(s, 5) == 24000);
    CHECK(transport::backoffDelayMs(s, 500) == 24000);
    s.backoffBaseMs = 10000;  // MAX = min(60000, base * 8)
    CHECK(transport::backoffDelayMs(s, 4) == 60000);
    s.backoffBaseMs = 50;
    s.backoffCapMs = 120;
    CHECK(transport::backoffDelayMs(s, 1) == 50);
    CHECK(transport::backoffDelayMs(s, 2) == 100);
    CHECK(transport::backoffDelayMs(s, 3) == 120);
}

TEST_CASE("messages: durations and sizes read naturally") {
    CHECK(transport::formatDuration(30000) == "30 s");
    CHECK(transport::formatDuration(1500) == "1.5 s");
    CHECK(transport::formatDuration(250) == "250 ms");
    CHECK(transport::formatBytes(size_t{64} << 20) == "64 MiB");
    CHECK(transport::formatBytes(size_t{1} << 20) == "1 MiB");
    CHECK(transport::formatBytes(512 * 1024) == "512 KiB");
    CHECK(transport::formatBytes(100) == "100 bytes");
}
