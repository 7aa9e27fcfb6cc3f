#include "transport/recording.hpp"

#include <simdjson.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "model/timestamp.hpp"
#include "protocol/base64.hpp"
#include "protocol/json_writer.hpp"

namespace genmon::transport {

using model::Error;
using model::ErrorKind;
using simdjson::dom::element;

namespace {

// The path of a URL relative to the base ("/generation/jobs/active?limit=200"); a URL under
// another base (the backend was changed during the session) is kept whole.
std::string relativePath(const std::string& url, const std::string& base) {
    if (!base.empty() && url.rfind(base, 0) == 0) {
        std::string rest = url.substr(base.size());
        if (rest.empty() || rest.front() != '/') rest.insert(rest.begin(), '/');
        return rest;
    }
    return url;
}

Error lineError(const std::string& name, int line, const std::string& what) {
    return Error::make(ErrorKind::Decode, name + " line " + std::to_string(line) + ": " + what);
}

}  // namespace

// ---- Recorder ------------------------------------------------------------------------------

model::Outcome<std::shared_ptr<Recorder>> Recorder::create(const std::string& path, const std::string& baseUrl,
                                                           int64_t startedAtMicros, bool simulated) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Error::make(ErrorKind::InvalidArgument, "cannot write the recording " + path + ": " + std::strerror(errno));
    std::string base = baseUrl;
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::shared_ptr<Recorder> r(new Recorder(path, f, base, startedAtMicros));
    protocol::JsonWriter w;
    w.beginObject();
    w.field("genmon_recording", kRecordingVersion);
    w.field("base_url", base);
    w.field("started_at", model::Timestamp::fromMicros(startedAtMicros, true).toIso());
    w.field("started_us", startedAtMicros);
    w.field("simulated", simulated);
    w.endObject();
    std::lock_guard lock(r->mutex_);
    r->writeLine(w.str());
    r->flushLocked();  // a file killed at once is still a recording (a header and nothing else)
    return r;
}

Recorder::Recorder(std::string path, std::FILE* file, std::string baseUrl, int64_t startedAt)
    : path_(std::move(path)),
      file_(file),
      buffer_(size_t{256} << 10),
      baseUrl_(std::move(baseUrl)),
      startedAt_(startedAt),
      lastFlush_(std::chrono::steady_clock::now()) {
    std::setvbuf(file_, buffer_.data(), _IOFBF, buffer_.size());
}

Recorder::~Recorder() {
    std::lock_guard lock(mutex_);
    if (file_) std::fclose(file_);  // without an "end" line: replay ends at the last event
    file_ = nullptr;
}

void Recorder::writeLine(const std::string& line) {
    if (!file_ || failed_) return;
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fputc('\n', file_) == EOF) {
        failed_ = true;
        failure_ = std::strerror(errno);
        return;
    }
    ++lines_;
    dirty_ = true;
    if (std::chrono::steady_clock::now() - lastFlush_ >= kFlushInterval) flushLocked();
}

void Recorder::flushLocked() {
    lastFlush_ = std::chrono::steady_clock::now();
    if (!file_ || !dirty_) return;
    dirty_ = false;
    if (std::fflush(file_) != 0 && !failed_) {
        failed_ = true;
        failure_ = std::strerror(errno);
    }
}

void Recorder::flushIfDirty() {
    std::lock_guard lock(mutex_);
    flushLocked();
}

uint64_t Recorder::linesWritten() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

void Recorder::onExchange(const orchestrator::Exchange& e, std::string_view requestBody, std::string_view responseBody) {
    protocol::JsonWriter w;
    w.beginObject();
    w.field("t_us", e.atMicros - startedAt_);
    if (e.method == "WS") {
        w.field("kind", "ws");
        w.field("event", e.wsEvent.empty() ? std::string("message") : e.wsEvent);
        if (e.direction == orchestrator::Direction::WsIn || e.direction == orchestrator::Direction::WsOut) {
            if (orchestrator::ExchangeLog::isText(responseBody))
                w.field("text", responseBody);
            else
                w.field("text_base64", protocol::base64Encode(reinterpret_cast<const uint8_t*>(responseBody.data()),
                                                              responseBody.size()));
        }
        if (!e.error.empty()) w.field("error", e.error);
        if (e.direction == orchestrator::Direction::WsEvent) {
            if (e.reconnectAttempt > 0) w.field("attempt", e.reconnectAttempt);
            if (e.retryAtMicros > 0) w.field("retry_in_ms", (e.retryAtMicros - e.atMicros) / 1000);
        }
    } else {
        w.field("kind", "http");
        w.field("method", e.method);
        w.field("path", relativePath(e.target, baseUrl_));
        w.field("status", e.status);
        w.field("ms", e.millis);
        w.field("attempt", e.attempt);
        w.field("final", e.finalAttempt);
        if (!requestBody.empty()) w.field("request_body", requestBody);
        if (orchestrator::ExchangeLog::isText(responseBody))
            w.field("body", responseBody);
        else
            w.field("body_base64",
                    protocol::base64Encode(reinterpret_cast<const uint8_t*>(responseBody.data()), responseBody.size()));
        if (!e.error.empty()) {
            w.field("error", e.error);
            w.field("error_kind", e.errorKind);
        }
    }
    w.endObject();
    std::lock_guard lock(mutex_);
    writeLine(w.str());
}

model::Status Recorder::close(int64_t atMicros) {
    std::lock_guard lock(mutex_);
    return closeLocked(atMicros);
}

model::Status Recorder::closeWithin(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_, std::defer_lock);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!lock.try_lock()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return Error::make(ErrorKind::Internal, "cannot close the recording " + path_ + ": a write is stuck");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return closeLocked(now);
}

model::Status Recorder::closeLocked(int64_t atMicros) {
    if (!file_) return model::okStatus();
    protocol::JsonWriter w;
    w.beginObject();
    w.field("t_us", atMicros - startedAt_);
    w.field("kind", "end");
    w.endObject();
    writeLine(w.str());
    const bool closedOk = std::fclose(file_) == 0;
    file_ = nullptr;
    if (failed_ || !closedOk)
        return Error::make(ErrorKind::Internal,
                           "cannot write the recording " + path_ + ": " + (failed_ ? failure_ : std::strerror(errno)));
    return model::okStatus();
}

// ---- parsing -------------------------------------------------------------------------------

model::Outcome<Recording> parseRecording(std::string_view text, const std::string& name) {
    Recording rec;
    rec.name = name;
    simdjson::dom::parser parser;
    int lineNo = 0;
    bool haveHeader = false;
    int64_t lastT = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        const bool terminated = end != std::string_view::npos;  // a line without its newline was cut
        if (!terminated) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        const simdjson::padded_string padded(line);
        element obj;
        if (auto err = parser.parse(padded).get(obj); err != simdjson::SUCCESS) {
            if (!terminated && haveHeader) {
                // genmon was killed in the middle of writing it: play what came before.
                rec.cutMidLine = true;
                rec.endsAtLine = lineNo;
                break;
            }
            std::string why = simdjson::error_message(err);
            while (!why.empty() && (why.back() == '.' || why.back() == ' ')) why.pop_back();
            if (!terminated) why += "; is the file cut short?";
            return lineError(name, lineNo, "not valid JSON (" + why + ")");
        }
        if (!obj.is_object()) return lineError(name, lineNo, "expected a JSON object");
        if (!haveHeader) {
            int64_t version = 0;
            if (obj["genmon_recording"].get(version) != simdjson::SUCCESS)
                return lineError(name, lineNo, "not a genmon recording (the first line has no \"genmon_recording\")");
            if (version < 1 || version > kRecordingVersion)
                return lineError(name, lineNo, "recording format " + std::to_string(version) +
                                                   " is not one this genmon reads (" + std::to_string(kRecordingVersion) + ")");
            rec.version = static_cast<int>(version);
            std::string_view base;
            if (obj["base_url"].get(base) != simdjson::SUCCESS) return lineError(name, lineNo, "the header has no \"base_url\"");
            rec.baseUrl = std::string(base);
            if (obj["started_us"].get(rec.startedAtMicros) != simdjson::SUCCESS)
                return lineError(name, lineNo, "the header has no \"started_us\"");
            bool simulated = false;
            if (obj["simulated"].get(simulated) == simdjson::SUCCESS) rec.simulated = simulated;
            haveHeader = true;
            continue;
        }
        int64_t t = 0;
        std::string_view kind;
        if (obj["t_us"].get(t) != simdjson::SUCCESS) return lineError(name, lineNo, "missing \"t_us\" (an integer)");
        if (obj["kind"].get(kind) != simdjson::SUCCESS) return lineError(name, lineNo, "missing \"kind\"");
        if (t < lastT) return lineError(name, lineNo, "\"t_us\" goes back in time (" + std::to_string(t) + " < " + std::to_string(lastT) + ")");
        lastT = t;
        auto str = [&](const char* key, std::string& out) {
            std::string_view v;
            if (obj[key].get(v) == simdjson::SUCCESS) out = std::string(v);
        };
        if (kind == "http") {
            RecordedHttp h;
            h.tMicros = t;
            h.line = lineNo;
            str("method", h.method);
            str("path", h.path);
            if (h.method.empty() || h.path.empty()) return lineError(name, lineNo, "an http line needs \"method\" and \"path\"");
            int64_t status = 0;
            if (obj["status"].get(status) != simdjson::SUCCESS) return lineError(name, lineNo, "an http line needs \"status\"");
            h.status = static_cast<int>(status);
            double ms = 0;
            if (obj["ms"].get(ms) == simdjson::SUCCESS) h.millis = ms;
            int64_t attempt = 1;
            if (obj["attempt"].get(attempt) == simdjson::SUCCESS) h.attempt = static_cast<int>(attempt);
            bool final = true;
            if (obj["final"].get(final) == simdjson::SUCCESS) h.finalAttempt = final;
            str("body", h.body);
            std::string encoded;
            str("body_base64", encoded);
            if (!encoded.empty()) {
                auto bytes = protocol::base64Decode(encoded);
                if (!bytes) return lineError(name, lineNo, "\"body_base64\" is not base64");
                h.body.assign(bytes->begin(), bytes->end());
            }
            str("request_body", h.requestBody);
            str("error", h.error);
            str("error_kind", h.errorKind);
            rec.http.push_back(std::move(h));
        } else if (kind == "ws") {
            RecordedWs w;
            w.tMicros = t;
            w.line = lineNo;
            str("event", w.event);
            if (w.event.empty()) return lineError(name, lineNo, "a ws line needs \"event\"");
            str("text", w.text);
            std::string encoded;
            str("text_base64", encoded);
            if (!encoded.empty()) {
                auto bytes = protocol::base64Decode(encoded);
                if (!bytes) return lineError(name, lineNo, "\"text_base64\" is not base64");
                w.text.assign(bytes->begin(), bytes->end());
            }
            str("error", w.error);
            int64_t attempt = 0, retryMs = 0;
            if (obj["attempt"].get(attempt) == simdjson::SUCCESS) w.attempt = static_cast<int>(attempt);
            if (obj["retry_in_ms"].get(retryMs) == simdjson::SUCCESS) w.retryInMicros = retryMs * 1000;
            rec.ws.push_back(std::move(w));
        } else if (kind == "end") {
            rec.ended = true;
        } else {
            return lineError(name, lineNo, "unknown \"kind\": \"" + std::string(kind) + "\" (http, ws or end)");
        }
        rec.endMicros = t;
    }
    if (!haveHeader) return lineError(name, std::max(lineNo, 1), "empty: no genmon recording header");
    if (!rec.ended || rec.cutMidLine) {
        if (!rec.cutMidLine) rec.endsAtLine = lineNo;
        const int played = rec.cutMidLine ? rec.endsAtLine - 1 : rec.endsAtLine;
        const std::string why = !rec.cutMidLine ? "no end line" : rec.ended ? "cut mid-line" : "cut mid-line, no end line";
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(rec.endMicros) / 1e6);
        rec.endNote = "ends at line " + std::to_string(rec.endsAtLine) + " (" + why + ")";
        rec.truncation = name + " " + rec.endNote + ": replaying " +
                         (rec.cutMidLine ? "the first " : "all ") + std::to_string(played) + (played == 1 ? " line, " : " lines, ") +
                         seconds + " s";
    }
    return rec;
}

model::Outcome<Recording> loadRecording(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::make(ErrorKind::InvalidArgument, "cannot read the recording " + path + ": " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    auto parsed = parseRecording(ss.str(), path);  // errors name the file as it was given
    if (!parsed) return parsed;
    const size_t slash = path.find_last_of('/');
    parsed->name = slash == std::string::npos ? path : path.substr(slash + 1);  // the badge shows the name only
    return parsed;
}

}  // namespace genmon::transport
