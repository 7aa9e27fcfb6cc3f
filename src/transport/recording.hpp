#pragma once
// Recordings of a session's traffic (genmon --record FILE, --replay FILE): JSON lines.
//
//   line 1, the header:  {"genmon_recording":1,"base_url":"http://127.0.0.1:8000/api/v1",
//                         "started_at":"2026-11-26T12:00:00.000Z","started_us":1795694400000000,
//                         "simulated":false}
//   an HTTP attempt:     {"t_us":5123,"kind":"http","method":"GET","path":"/generation/jobs/active?limit=200",
//                         "status":200,"ms":3.2,"attempt":1,"final":true,"body":"{...}"}
//                         (+ "request_body" for a POST, "body_base64" instead of "body" for bytes
//                         that are not text (images), "error" and "error_kind" when it failed)
//   a socket event:      {"t_us":9000,"kind":"ws","event":"message","text":"{...}"}
//                         {"t_us":8000,"kind":"ws","event":"connected"}   (connecting, reconnecting
//                         with "error", "attempt", "retry_in_ms"; disconnected; idle; "send")
//   the last line:       {"t_us":60000000,"kind":"end"}   (missing when genmon did not close it)
//
// Durability (issue 14.2): the header is on disk at once, and what was written is flushed at
// least once a second (on the next write once a second has passed, and by Runtime's 1 s timer
// in quiet times), so a SIGKILL or a crash loses at most the last second. Such a file may end
// in the middle of a line and has no "end" line: parseRecording plays what is there and says
// where it ends (Recording::truncation); a bad line before the last one is still an error.
//
// t_us: microseconds since started_us (an HTTP attempt: when its answer was complete). The base
// URL carries no credentials and the API key is never written: the recorder sees the exchange
// log's entries, which are redacted before anything else sees them.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.hpp"
#include "orchestrator/exchange_log.hpp"

namespace genmon::transport {

inline constexpr int kRecordingVersion = 1;

struct RecordedHttp {
    int64_t tMicros = 0;      // when the answer was complete, since the start
    std::string method;       // GET, POST, DELETE
    std::string path;         // relative to the base URL, with a leading slash and the query
    int status = 0;           // 0: no answer
    double millis = 0;
    int attempt = 1;
    bool finalAttempt = true; // false: a failed GET attempt that was tried again
    std::string body;         // the answer's bytes (decoded from body_base64 when binary)
    std::string requestBody;
    std::string error;        // empty when it succeeded
    std::string errorKind;
    int line = 0;             // in the file, for messages
    int64_t startMicros() const { return tMicros - static_cast<int64_t>(millis * 1000.0); }
};

struct RecordedWs {
    int64_t tMicros = 0;
    std::string event;  // "message", "send", or a connection phase name
    std::string text;   // a message's text
    std::string error;
    int attempt = 0;
    int64_t retryInMicros = 0;
    int line = 0;
};

struct Recording {
    std::string name;  // the file's name (shown in the window's REPLAY badge)
    int version = kRecordingVersion;
    std::string baseUrl;
    int64_t startedAtMicros = 0;  // wall clock, Unix microseconds
    int64_t endMicros = 0;        // since the start: the "end" line, else the last event
    bool ended = false;           // the file has its "end" line
    bool simulated = false;
    // Empty when the file ends with its "end" line. Else one line saying where it ends and what is
    // played: "session.jsonl ends at line 812 (cut mid-line, no end line): replaying the first
    // 811 lines, 87.3 s".
    std::string truncation;
    std::string endNote;          // its middle: "ends at line 812 (cut mid-line, no end line)"
    int endsAtLine = 0;           // with truncation: the last line of the file (cut or not)
    bool cutMidLine = false;      // the last line was cut short (a kill during a write)
    std::vector<RecordedHttp> http;  // in file order
    std::vector<RecordedWs> ws;      // in file order
};

// Parses a recording. Errors are one line and name the line: "rec.jsonl line 7: not valid JSON
// (...)", "rec.jsonl line 1: not a genmon recording (no \"genmon_recording\")". A last line cut
// short (no newline after it) is not an error: it is left out and noted in `truncation`.
model::Outcome<Recording> parseRecording(std::string_view text, const std::string& name);
model::Outcome<Recording> loadRecording(const std::string& path);

// The --record writer: an ExchangeObserver that appends one JSON line per exchange. Writes are
// buffered (stdio, 256 KiB) on the thread that adds to the log (the worker), never the UI's, and
// flushed when a second has passed since the last flush; flushIfDirty() covers quiet times.
// close() writes the "end" line and flushes. A write error is remembered, not thrown.
class Recorder final : public orchestrator::ExchangeObserver {
public:
    // baseUrl: the backend's base URL (no credentials); startedAtMicros: wall clock now.
    static model::Outcome<std::shared_ptr<Recorder>> create(const std::string& path, const std::string& baseUrl,
                                                            int64_t startedAtMicros, bool simulated);
    ~Recorder() override;

    void onExchange(const orchestrator::Exchange& e, std::string_view requestBody, std::string_view responseBody) override;
    // Writes the "end" line (at the given wall-clock time) and closes the file. Idempotent.
    model::Status close(int64_t atMicros);
    // The same at the current wall-clock time, giving up after `wait` if a write holds the lock
    // (the forced exit at the shutdown deadline must not hang on a stuck writer).
    model::Status closeWithin(std::chrono::milliseconds wait);
    // Hands what the buffer holds to the kernel if anything was written since the last flush
    // (a killed process loses nothing the kernel has). Cheap when there is nothing.
    void flushIfDirty();
    static constexpr std::chrono::milliseconds kFlushInterval{1000};
    const std::string& path() const { return path_; }
    uint64_t linesWritten() const;

private:
    Recorder(std::string path, std::FILE* file, std::string baseUrl, int64_t startedAt);
    void writeLine(const std::string& line);  // with mutex_ held
    void flushLocked();
    model::Status closeLocked(int64_t atMicros);

    // A plain mutex: closeWithin polls try_lock. std::timed_mutex's try_lock_for goes through
    // pthread_mutex_clocklock, which GCC 12's ThreadSanitizer does not intercept (it then reports
    // the unlock as one of an unlocked mutex).
    mutable std::mutex mutex_;
    std::string path_;
    std::FILE* file_ = nullptr;
    std::vector<char> buffer_;
    std::string baseUrl_;
    int64_t startedAt_ = 0;
    uint64_t lines_ = 0;
    bool failed_ = false;
    std::string failure_;
    bool dirty_ = false;  // written since the last flush
    std::chrono::steady_clock::time_point lastFlush_;
};

}  // namespace genmon::transport
