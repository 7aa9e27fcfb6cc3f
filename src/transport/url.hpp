#pragma once
// The backend base URL (spec §1.1 for an absolute base) and the URLs derived from it.
//
//   parseBaseUrl("http://127.0.0.1:8000/api/v1/")  -> http, 127.0.0.1, 8000, "/api/v1"
//   base.join("generation/results?limit=10")       -> http://127.0.0.1:8000/api/v1/generation/results?limit=10
//   base.webSocketUrl()                            -> ws://127.0.0.1:8000/api/v1/ws/progress  (spec §0.3:
//                                                     NOT <base>/generation/ws/progress, which the server refuses)
//
// Only an absolute http:// or https:// base is accepted (a native client has no page origin to
// resolve a relative base against). The path is kept as the user gave it (/api/v1 under
// app.main, /v1 under backend.main, anything behind a proxy) with its trailing slashes trimmed.
// Credentials in the URL (user:pass@) are refused: the API key goes through GENMON_API_KEY or a
// key file, never in a URL that could be shown or logged.
#include <cstdint>
#include <string>
#include <string_view>

#include "model/error.hpp"

namespace genmon::transport {

struct BaseUrl {
    std::string scheme;         // "http" or "https" (lower case)
    std::string host;           // without brackets: "127.0.0.1", "::1", "example.com"
    uint16_t port = 0;          // the effective port (80/443 when none was given)
    bool explicitPort = false;  // a port was written in the URL
    std::string path;           // "" or "/api/v1": starts with '/', no trailing slash

    bool tls() const noexcept { return scheme == "https"; }
    // "127.0.0.1:8000", "[::1]:8000", "example.com" (default port omitted when not written).
    std::string authority() const;
    // "127.0.0.1:8000", "[::1]:443": always with the port, for messages.
    std::string hostPort() const;
    // scheme://authority/path without a trailing slash: what the user gave, normalised.
    std::string str() const;
    // base + "/" + path without its leading slashes; a "?query" suffix is kept as it is.
    std::string join(std::string_view relative) const;
    // ws(s)://authority<path>/ws/progress
    std::string webSocketUrl() const;

    friend bool operator==(const BaseUrl&, const BaseUrl&) = default;
};

// Errors are ErrorKind::InvalidArgument with a message that says what to change, e.g.
// "unsupported scheme 'ftp' in 'ftp://h/x': use http:// or https://".
model::Outcome<BaseUrl> parseBaseUrl(std::string_view text);

// A parsed ws:// or wss:// URL (what webSocketUrl() produces).
struct WebSocketUrl {
    bool tls = false;
    std::string host;
    uint16_t port = 0;
    std::string hostHeader;  // the Host header: authority as written
    std::string target;      // "/api/v1/ws/progress" (with ?query when there is one)
};
model::Outcome<WebSocketUrl> parseWebSocketUrl(std::string_view text);

// One path segment percent-encoded like encodeURIComponent (unreserved characters kept).
std::string encodePathSegment(std::string_view segment);

}  // namespace genmon::transport
