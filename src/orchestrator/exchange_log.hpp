#pragma once
// What went over the wire, for the Inspector panel: one line per HTTP attempt and per WebSocket
// event, newest last, bounded. Written by the transport on the worker, read by the UI only while
// the Inspector is open. Nothing secret goes in: the API key travels in a header, headers are
// not recorded, and error texts are scrubbed of the key before they get here.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace genmon::orchestrator {

struct Exchange {
    int64_t atMicros = 0;
    std::string method;  // GET, POST, DELETE, or WS
    std::string target;  // URL (no credentials), or the WebSocket event / message type
    int status = 0;      // HTTP status; 0: no answer (network error, timeout)
    double millis = 0;   // duration of the attempt
    size_t bytes = 0;    // response body or message size
    int attempt = 1;
    std::string error;   // readable, empty when fine
};

class ExchangeLog {
public:
    explicit ExchangeLog(size_t capacity = 1000) : capacity_(capacity) {}

    void add(Exchange e) {
        std::lock_guard lock(mutex_);
        if (entries_.size() >= capacity_) entries_.pop_front();
        entries_.push_back(std::move(e));
        ++total_;
    }
    std::vector<Exchange> recent() const {
        std::lock_guard lock(mutex_);
        return {entries_.begin(), entries_.end()};
    }
    uint64_t total() const {
        std::lock_guard lock(mutex_);
        return total_;
    }

private:
    mutable std::mutex mutex_;
    std::deque<Exchange> entries_;
    size_t capacity_;
    uint64_t total_ = 0;
};

}  // namespace genmon::orchestrator
