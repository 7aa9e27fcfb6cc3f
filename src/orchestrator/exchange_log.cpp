#include "orchestrator/exchange_log.hpp"

#include <algorithm>

namespace genmon::orchestrator {

const char* directionArrow(Direction d) noexcept {
    switch (d) {
        case Direction::Request: return "\xE2\x86\x92";   // →
        case Direction::Response: return "\xE2\x86\x90";  // ←
        case Direction::WsIn: return "\xE2\x87\xA3";      // ⇣
        case Direction::WsOut: return "\xE2\x87\xA1";     // ⇡
        case Direction::WsEvent: return "\xC2\xB7";       // ·
    }
    return "";
}

const char* directionName(Direction d) noexcept {
    switch (d) {
        case Direction::Request: return "request";
        case Direction::Response: return "response";
        case Direction::WsIn: return "ws in";
        case Direction::WsOut: return "ws out";
        case Direction::WsEvent: return "ws event";
    }
    return "";
}

std::string ExchangeLog::redact(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& key : secrets) {
        if (key.empty()) continue;
        for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 3)) text.replace(at, key.size(), "***");
    }
    return text;
}

std::string ExchangeLog::preview(std::string_view text, size_t cap, bool& cut) {
    if (text.size() <= cap) return std::string(text);
    cut = true;
    size_t end = cap;
    // Never end inside a UTF-8 sequence: back up over continuation bytes to the lead byte.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return std::string(text.substr(0, end));
}

bool ExchangeLog::isText(std::string_view s) noexcept {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return false;
            ++i;
            continue;
        }
        size_t more = 0;
        if (c >= 0xC2 && c <= 0xDF)
            more = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            more = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            more = 3;
        else
            return false;
        if (i + more >= s.size()) return false;
        for (size_t k = 1; k <= more; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += more + 1;
    }
    return true;
}

void ExchangeLog::addSocketMessage(int64_t atMicros, Direction direction, std::string what, std::string_view text,
                                   std::string error) {
    Exchange e;
    e.atMicros = atMicros;
    e.direction = direction;
    e.method = "WS";
    e.target = std::move(what);
    e.bytes = text.size();
    e.error = std::move(error);
    e.wsEvent = direction == Direction::WsOut ? "send" : "message";
    add(std::move(e), {}, text);
}

void ExchangeLog::addSocketPhase(int64_t atMicros, std::string event, std::string error, int reconnectAttempt,
                                 int64_t retryAtMicros) {
    Exchange e;
    e.atMicros = atMicros;
    e.direction = Direction::WsEvent;
    e.method = "WS";
    e.target = "phase: " + event;
    e.error = std::move(error);
    e.wsEvent = std::move(event);
    e.reconnectAttempt = reconnectAttempt;
    e.retryAtMicros = retryAtMicros;
    add(std::move(e));
}

void ExchangeLog::add(Exchange e, std::string_view requestBody, std::string_view responseBody) {
    std::vector<std::string> secrets;
    std::shared_ptr<ExchangeObserver> observer;
    {
        std::lock_guard lock(mutex_);
        secrets = secrets_;
        observer = observer_;
    }
    e.target = redact(std::move(e.target), secrets);
    e.error = redact(std::move(e.error), secrets);
    e.requestHeaders = redact(std::move(e.requestHeaders), secrets);
    size_t longest = 0;
    for (const auto& s : secrets) longest = std::max(longest, s.size());
    e.requestBytes = requestBody.size();
    e.responseBinary = !responseBody.empty() && !isText(responseBody);
    // Redact a little more than the preview, then cut: a key across the cut cannot survive in part.
    bool cut = false;
    e.requestBody = preview(redact(std::string(requestBody.substr(0, kRequestPreviewBytes + longest)), secrets),
                            kRequestPreviewBytes, cut);
    if (e.responseBinary) {
        e.responseBody.clear();
    } else {
        e.responseBody =
            preview(redact(std::string(responseBody.substr(0, kPreviewBytes + longest)), secrets), kPreviewBytes, cut);
    }
    e.previewCut = cut || requestBody.size() > kRequestPreviewBytes + longest ||
                   (!e.responseBinary && responseBody.size() > kPreviewBytes + longest);
    if (observer) {
        if (secrets.empty()) {
            observer->onExchange(e, requestBody, responseBody);
        } else {
            const std::string req = redact(std::string(requestBody), secrets);
            const std::string resp = redact(std::string(responseBody), secrets);
            observer->onExchange(e, req, resp);
        }
    }
    std::lock_guard lock(mutex_);
    e.seq = ++total_;
    previewBytes_ += e.requestBody.size() + e.responseBody.size();
    entries_.push_back(std::move(e));
    while (!entries_.empty() && (entries_.size() > capacity_ || previewBytes_ > kPreviewBudgetBytes)) {
        previewBytes_ -= entries_.front().requestBody.size() + entries_.front().responseBody.size();
        entries_.pop_front();
    }
}

std::vector<Exchange> ExchangeLog::recent() const {
    std::lock_guard lock(mutex_);
    return {entries_.begin(), entries_.end()};
}

uint64_t ExchangeLog::total() const {
    std::lock_guard lock(mutex_);
    return total_;
}

size_t ExchangeLog::previewBytes() const {
    std::lock_guard lock(mutex_);
    return previewBytes_;
}

void ExchangeLog::addSecret(const std::string& secret) {
    if (secret.empty()) return;
    std::lock_guard lock(mutex_);
    if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) secrets_.push_back(secret);
}

void ExchangeLog::setObserver(std::shared_ptr<ExchangeObserver> observer) {
    std::lock_guard lock(mutex_);
    observer_ = std::move(observer);
}

}  // namespace genmon::orchestrator
