#pragma once
// A hostile backend for the API-key tests: it reads each request's X-API-Key header and answers
// with whatever `respond(key)` builds (a whole HTTP response, usually echoing the key back).
// Plain sockets on 127.0.0.1, one thread, one connection at a time, Connection: close.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

namespace genmon::testing {

class KeyEchoServer {
public:
    using Respond = std::function<std::string(const std::string& key)>;

    explicit KeyEchoServer(Respond respond) : respond_(std::move(respond)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~KeyEchoServer() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    KeyEchoServer(const KeyEchoServer&) = delete;
    KeyEchoServer& operator=(const KeyEchoServer&) = delete;

    uint16_t port() const { return port_; }
    std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v1"; }
    int requests() const { return requests_; }

    // "HTTP/1.1 <status>", the headers given, X-Echo: key, and the body, as a whole response.
    static std::string response(const std::string& statusLine, const std::string& key, const std::string& body) {
        return "HTTP/1.1 " + statusLine + "\r\nContent-Type: application/json\r\nX-Echo: " + key +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }

private:
    void run() {
        while (!stop_) {
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            std::string request;
            char buf[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                request.append(buf, static_cast<size_t>(n));
            }
            ++requests_;
            std::string key = "(none)";
            std::istringstream lines(request);
            for (std::string line; std::getline(lines, line);) {
                if (line.rfind("X-API-Key: ", 0) == 0 || line.rfind("x-api-key: ", 0) == 0) {
                    key = line.substr(11);
                    if (!key.empty() && key.back() == '\r') key.pop_back();
                }
            }
            const std::string answer = respond_(key);
            (void)::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
            ::close(c);
        }
    }

    Respond respond_;
    int fd_ = -1;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::thread thread_;
};

}  // namespace genmon::testing
