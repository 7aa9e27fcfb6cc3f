#pragma once
// What went over the wire, for the Inspector panel and for --record: one entry per HTTP attempt
// and per WebSocket event, newest last, bounded. Written by the transport on the worker, read by
// the UI only while the Inspector is open.
//
// Nothing secret stays in an entry: the API key travels in the X-API-Key header, and headers are
// kept only as "X-API-Key: ***"; every text that comes in (URL, error, headers, bodies) has each
// registered secret replaced by "***" before it is stored or handed to the observer (a hostile
// server may echo the key back in a body or an error).
//
// Bounded: at most `capacity` entries; each body preview is cut to kPreviewBytes (request bodies
// to kRequestPreviewBytes, so "Copy as curl" has the whole generation request); and the previews
// of all entries together stay under kPreviewBudgetBytes (the oldest entries go first).
//
// An observer (the --record writer) sees every entry with the full bodies, redacted, on the
// thread that adds it (the worker), before the previews are cut.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace genmon::orchestrator {

// → request (sent, no answer), ← response (an HTTP answer), WS in / WS out (messages), and the
// socket's own phase changes (connecting, connected, reconnecting, ...).
enum class Direction : uint8_t { Request, Response, WsIn, WsOut, WsEvent };
const char* directionArrow(Direction d) noexcept;  // "→", "←", "⇣", "⇡", "·" (UTF-8)
const char* directionName(Direction d) noexcept;   // "request", "response", "ws in", "ws out", "ws event"

struct Exchange {
    uint64_t seq = 0;     // set by the log: 1, 2, 3 ... in the order of adding
    int64_t atMicros = 0; // when it happened (an HTTP attempt: when it finished)
    Direction direction = Direction::Response;
    std::string method;  // GET, POST, DELETE, or WS
    std::string target;  // URL (no credentials), or the WebSocket event / message type
    int status = 0;      // HTTP status; 0: no answer (network error, timeout)
    double millis = 0;   // duration of the attempt
    size_t bytes = 0;    // response body or message size
    int attempt = 1;
    bool finalAttempt = true;  // false: a GET attempt that failed and is tried again
    std::string error;         // readable, empty when fine
    std::string errorKind;     // "network", "timeout", "http", ... (model::ErrorKind), empty when fine

    std::string requestHeaders;  // one per line; the key only as "X-API-Key: ***"
    std::string requestBody;     // preview of a POST body
    size_t requestBytes = 0;
    std::string responseBody;    // preview of the HTTP body, or the WebSocket message text
    bool responseBinary = false; // not text (an image): the preview says so instead
    bool previewCut = false;     // a preview was cut to its cap

    // WebSocket phase changes (direction WsEvent).
    std::string wsEvent;         // "message", "send", or a phase: connecting, connected, ...
    int reconnectAttempt = 0;
    int64_t retryAtMicros = 0;   // reconnecting: when the next attempt starts
};

// Sees every entry as it is added, with the whole bodies (redacted). Called on the worker.
class ExchangeObserver {
public:
    virtual ~ExchangeObserver() = default;
    virtual void onExchange(const Exchange& e, std::string_view requestBody, std::string_view responseBody) = 0;
};

class ExchangeLog {
public:
    static constexpr size_t kPreviewBytes = 2048;
    static constexpr size_t kRequestPreviewBytes = 16384;
    static constexpr size_t kPreviewBudgetBytes = size_t{4} << 20;

    explicit ExchangeLog(size_t capacity = 1000) : capacity_(capacity) {}

    // e's body fields are ignored: the bodies are given whole and previewed here.
    void add(Exchange e, std::string_view requestBody = {}, std::string_view responseBody = {});
    // One line per socket message (in or out) with its text, and one per phase change with
    // what a replay needs to report it again: the live socket and the replay write the same.
    void addSocketMessage(int64_t atMicros, Direction direction, std::string what, std::string_view text,
                          std::string error = {});
    void addSocketPhase(int64_t atMicros, std::string event, std::string error, int reconnectAttempt,
                        int64_t retryAtMicros);
    std::vector<Exchange> recent() const;
    uint64_t total() const;
    size_t previewBytes() const;

    // Texts equal to a secret (the API key) are replaced by "***" in everything added from now on.
    void addSecret(const std::string& secret);
    void setObserver(std::shared_ptr<ExchangeObserver> observer);

    // Shared helpers (the recorder, the replay, tests).
    static std::string redact(std::string text, const std::vector<std::string>& secrets);
    // A preview of at most `cap` bytes, cut on a UTF-8 boundary; `cut` tells whether it was.
    static std::string preview(std::string_view text, size_t cap, bool& cut);
    // UTF-8 text without control characters other than tab, CR and LF.
    static bool isText(std::string_view bytes) noexcept;

private:
    mutable std::mutex mutex_;
    std::deque<Exchange> entries_;
    size_t capacity_;
    uint64_t total_ = 0;
    size_t previewBytes_ = 0;
    std::vector<std::string> secrets_;
    std::shared_ptr<ExchangeObserver> observer_;
};

}  // namespace genmon::orchestrator
