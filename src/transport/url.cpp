#include "transport/url.hpp"

#include <cctype>
#include <optional>

namespace genmon::transport {

using model::Error;
using model::ErrorKind;

namespace {

Error invalid(std::string message) { return Error::make(ErrorKind::InvalidArgument, std::move(message)); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '\'';
    out.append(s);
    out += '\'';
    return out;
}

struct Parts {
    std::string scheme;
    std::string host;
    uint16_t port = 0;
    bool explicitPort = false;
    std::string path;   // as written, may be empty
    std::string query;  // without '?', empty when none
    bool hasQuery = false;
    bool hasFragment = false;
};

bool hostChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// Parses scheme://host[:port][/path][?query][#fragment]. `what` names the URL in messages.
model::Outcome<Parts> parseAbsolute(std::string_view text, std::string_view what) {
    text = trim(text);
    if (text.empty()) return invalid("the " + std::string(what) + " is empty: give one like http://127.0.0.1:8000/api/v1");
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == ' ')
            return invalid("the " + std::string(what) + " " + quoted(text) + " contains a space or a control character");
    }
    const size_t sep = text.find("://");
    if (sep == std::string_view::npos) {
        if (text.front() == '/')
            return invalid("the " + std::string(what) + " " + quoted(text) +
                           " is relative: give the full address, e.g. http://127.0.0.1:8000" + std::string(text));
        return invalid("the " + std::string(what) + " " + quoted(text) + " has no scheme: did you mean http://" +
                       std::string(text) + "?");
    }
    Parts p;
    const std::string_view scheme = text.substr(0, sep);
    if (scheme.empty() || !std::isalpha(static_cast<unsigned char>(scheme.front())))
        return invalid("the " + std::string(what) + " " + quoted(text) + " has no valid scheme: use http:// or https://");
    for (const char c : scheme)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
            return invalid("the " + std::string(what) + " " + quoted(text) + " has no valid scheme: use http:// or https://");
    p.scheme = lower(scheme);

    std::string_view rest = text.substr(sep + 3);
    const size_t authorityEnd = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authorityEnd);
    std::string_view remainder = authorityEnd == std::string_view::npos ? std::string_view{} : rest.substr(authorityEnd);
    if (authority.find('@') != std::string_view::npos)
        // The text is not repeated: it holds credentials.
        return invalid("credentials in the " + std::string(what) +
                       " (user:password@) are not supported: remove them and give the API key with GENMON_API_KEY "
                       "or --api-key-file");
    if (authority.empty()) return invalid("the " + std::string(what) + " " + quoted(text) + " has no host");

    std::string_view hostPart, portPart;
    bool hasPort = false;
    if (authority.front() == '[') {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos)
            return invalid("the " + std::string(what) + " " + quoted(text) + " has an unclosed '[' in its host");
        hostPart = authority.substr(1, close - 1);
        for (const char c : hostPart)
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
                return invalid("the " + std::string(what) + " " + quoted(text) + " has an invalid IPv6 address");
        if (hostPart.find(':') == std::string_view::npos)
            return invalid("the " + std::string(what) + " " + quoted(text) + " has an invalid IPv6 address");
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return invalid("the " + std::string(what) + " " + quoted(text) + " has text after the IPv6 address");
            hasPort = true;
            portPart = after.substr(1);
        }
    } else {
        const size_t colon = authority.find(':');
        if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
            return invalid("the " + std::string(what) + " " + quoted(text) +
                           " has an IPv6 address without brackets: write it like http://[::1]:8000/api/v1");
        hostPart = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            hasPort = true;
            portPart = authority.substr(colon + 1);
        }
        for (const char c : hostPart)
            if (!hostChar(c))
                return invalid("the " + std::string(what) + " " + quoted(text) + " has an invalid character '" +
                               std::string(1, c) + "' in its host");
    }
    if (hostPart.empty()) return invalid("the " + std::string(what) + " " + quoted(text) + " has no host");
    p.host = std::string(hostPart);

    if (hasPort) {
        if (portPart.empty() || portPart.size() > 5)
            return invalid("the " + std::string(what) + " " + quoted(text) + " has an invalid port");
        unsigned value = 0;
        for (const char c : portPart) {
            if (!std::isdigit(static_cast<unsigned char>(c)))
                return invalid("the " + std::string(what) + " " + quoted(text) + " has an invalid port");
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535)
            return invalid("the " + std::string(what) + " " + quoted(text) + " has a port outside 1-65535");
        p.port = static_cast<uint16_t>(value);
        p.explicitPort = true;
    }

    const size_t hash = remainder.find('#');
    if (hash != std::string_view::npos) {
        p.hasFragment = true;
        remainder = remainder.substr(0, hash);
    }
    const size_t question = remainder.find('?');
    if (question != std::string_view::npos) {
        p.hasQuery = true;
        p.query = std::string(remainder.substr(question + 1));
        remainder = remainder.substr(0, question);
    }
    p.path = std::string(remainder);
    return p;
}

std::string bracketed(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

}  // namespace

std::string BaseUrl::authority() const {
    return explicitPort ? bracketed(host) + ":" + std::to_string(port) : bracketed(host);
}

std::string BaseUrl::hostPort() const { return bracketed(host) + ":" + std::to_string(port); }

std::string BaseUrl::str() const { return scheme + "://" + authority() + path; }

std::string BaseUrl::join(std::string_view relative) const {
    while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
    std::string out = str();
    out += '/';
    out += relative;
    return out;
}

std::string BaseUrl::webSocketUrl() const {
    return std::string(tls() ? "wss" : "ws") + "://" + authority() + path + "/ws/progress";
}

model::Outcome<BaseUrl> parseBaseUrl(std::string_view text) {
    auto parsed = parseAbsolute(text, "backend URL");
    if (!parsed) return std::move(parsed).error();
    Parts& p = parsed.value();
    const std::string shown = quoted(trim(text));
    if (p.scheme == "ws" || p.scheme == "wss")
    {
        std::string example = "http://" + bracketed(p.host);
        if (p.explicitPort) example.append(":").append(std::to_string(p.port));
        example.append("/api/v1");
        return invalid(shown + " is a WebSocket address: give the HTTP base URL, e.g. " + example);
    }
    if (p.scheme != "http" && p.scheme != "https")
        return invalid("unsupported scheme '" + p.scheme + "' in " + shown + ": use http:// or https://");
    if (p.hasQuery || p.hasFragment)
        return invalid("the backend URL " + shown + " must not carry a query (?) or fragment (#)");
    BaseUrl b;
    b.scheme = p.scheme;
    b.host = p.host;
    b.explicitPort = p.explicitPort;
    b.port = p.explicitPort ? p.port : (p.scheme == "https" ? 443 : 80);
    b.path = p.path;
    while (!b.path.empty() && b.path.back() == '/') b.path.pop_back();  // §1.1: trailing slashes trimmed
    return b;
}

model::Outcome<WebSocketUrl> parseWebSocketUrl(std::string_view text) {
    auto parsed = parseAbsolute(text, "WebSocket URL");
    if (!parsed) return std::move(parsed).error();
    Parts& p = parsed.value();
    if (p.scheme != "ws" && p.scheme != "wss")
        return invalid("unsupported scheme '" + p.scheme + "' in WebSocket URL " + quoted(trim(text)) +
                       ": use ws:// or wss://");
    WebSocketUrl w;
    w.tls = p.scheme == "wss";
    w.host = p.host;
    w.port = p.explicitPort ? p.port : (w.tls ? 443 : 80);
    w.hostHeader = p.explicitPort ? bracketed(p.host) + ":" + std::to_string(p.port) : bracketed(p.host);
    w.target = p.path.empty() ? "/" : p.path;
    if (p.hasQuery) w.target += "?" + p.query;
    return w;
}

std::string encodePathSegment(std::string_view segment) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(segment.size());
    for (const char c : segment) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' ||
            c == '(' || c == ')') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        }
    }
    return out;
}

}  // namespace genmon::transport
