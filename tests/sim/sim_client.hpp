#pragma once
// A small blocking HTTP and WebSocket client for the sim's tests, with timeouts so that a broken
// server fails a test instead of hanging it. Tests only; Beast stays inside sim_client.cpp.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace genmon::simtest {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Reply {
    int status = 0;
    std::string contentType;  // empty when the header is absent
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string error;                           // transport failure; status is 0 then
    bool transportOk() const { return error.empty(); }
};

// One keep-alive connection; reconnects when the server closed it.
class HttpClient {
public:
    explicit HttpClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    ~HttpClient();
    Reply request(std::string_view method, std::string_view target, std::string_view body = {}, const Headers& headers = {});
    Reply get(std::string_view target, const Headers& headers = {}) { return request("GET", target, {}, headers); }
    Reply post(std::string_view target, std::string_view body = {}, const Headers& headers = {}) {
        return request("POST", target, body, headers);
    }
    Reply del(std::string_view target, const Headers& headers = {}) { return request("DELETE", target, {}, headers); }
    int connectionsMade() const;  // how many TCP connections this client opened

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A one-shot request on a fresh connection ("Connection: close").
Reply httpOnce(uint16_t port, std::string_view method, std::string_view target, std::string_view body = {},
               const Headers& headers = {});

// True when a TCP connection to 127.0.0.1:port is accepted.
bool canConnect(uint16_t port);

class WsClient {
public:
    // Connects to ws://127.0.0.1:<port><path>. On failure returns nullptr with the reason, and
    // the HTTP status when the server answered the upgrade with one.
    static std::unique_ptr<WsClient> connect(uint16_t port, const std::string& path, std::string* error = nullptr,
                                             int* rejectedStatus = nullptr);
    ~WsClient();

    // The next text message; nullopt when none arrived within the timeout or the socket closed.
    std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(3));
    bool send(const std::string& text);
    bool closed() const;
    std::optional<int> closeCode() const;  // set when the server sent a close frame
    int pingsReceived() const;

private:
    struct Impl;
    explicit WsClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace genmon::simtest
