#include "transport/replay_transport.hpp"

#include <map>
#include <unordered_map>
#include <variant>

#include "model/names.hpp"
#include "protocol/decode.hpp"
#include "transport/answers.hpp"
#include "transport/http_client.hpp"
#include "transport/real_transport.hpp"
#include "transport/url.hpp"

namespace genmon::transport {

using model::Error;
using model::ErrorKind;
using model::Outcome;
using orchestrator::Callback;
using orchestrator::ConnectionInfo;
using orchestrator::ConnectionPhase;

struct ReplayCursor {
    // "GET /system/status" -> indexes into recording.http of the final attempts, in file order.
    std::map<std::string, std::vector<size_t>> answers;
    std::map<std::string, size_t> next;  // the first answer not used yet, per key
    size_t nextWs = 0;                   // the next socket event to deliver
};

std::shared_ptr<ReplayCursor> makeReplayCursor(const Recording& recording) {
    auto c = std::make_shared<ReplayCursor>();
    for (size_t i = 0; i < recording.http.size(); ++i) {
        const auto& h = recording.http[i];
        if (!h.finalAttempt) continue;
        c->answers[h.method + " " + h.path].push_back(i);
        // Asked with another query (a history limit changed during the session): the same
        // path's answers, as a fallback.
        c->answers["~" + h.method + " " + h.path.substr(0, h.path.find('?'))].push_back(i);
    }
    return c;
}

struct ReplayTransport::Core : std::enable_shared_from_this<Core> {
    Core(orchestrator::ManualExecutor& c, std::shared_ptr<const Recording> r, std::shared_ptr<ReplayCursor> cur,
         std::shared_ptr<orchestrator::ExchangeLog> l)
        : clock(c), rec(std::move(r)), cursor(std::move(cur)), log(std::move(l)) {
        auto base = parseBaseUrl(rec->baseUrl);
        if (base) socketUrl = base->webSocketUrl();
    }

    int64_t sinceStart() const { return clock.nowMicros() - rec->startedAtMicros; }

    // The recorded answer for this request, and when (since the start) to give it.
    struct Pick {
        const RecordedHttp* answer = nullptr;
        int64_t atMicros = 0;
    };
    Pick pick(const std::string& method, const std::string& path) {
        std::string key = method + " " + path;
        auto it = cursor->answers.find(key);
        if (it == cursor->answers.end()) {
            key = "~" + method + " " + path.substr(0, path.find('?'));
            it = cursor->answers.find(key);
        }
        const int64_t now = sinceStart();
        if (it == cursor->answers.end() || it->second.empty()) return {};
        const auto& list = it->second;
        size_t& next = cursor->next[key];
        if (next < list.size()) {
            size_t chosen = next;
            while (chosen + 1 < list.size() && rec->http[list[chosen + 1]].tMicros <= now) ++chosen;
            next = chosen + 1;
            const RecordedHttp& h = rec->http[list[chosen]];
            return {&h, std::max(now, h.tMicros)};
        }
        // Asked more often than recorded: the latest answer at or before now (else the first).
        const RecordedHttp* best = &rec->http[list.front()];
        for (const size_t i : list)
            if (rec->http[i].tMicros <= now) best = &rec->http[i];
        return {best, now};
    }

    void logHttp(const RecordedHttp& h) {
        if (!log) return;
        orchestrator::Exchange e;
        e.atMicros = clock.nowMicros();
        e.direction = h.status == 0 ? orchestrator::Direction::Request : orchestrator::Direction::Response;
        e.method = h.method;
        e.target = h.path.rfind("/", 0) == 0 ? rec->baseUrl + h.path : h.path;
        e.status = h.status;
        e.millis = h.millis;
        e.bytes = h.body.size();
        e.attempt = h.attempt;
        e.error = h.error;
        e.errorKind = h.errorKind;
        if (!h.requestBody.empty()) e.requestHeaders = "Content-Type: application/json";
        log->add(std::move(e), h.requestBody, h.body);
    }

    static Error errorOf(const RecordedHttp& h) {
        const auto kind = errorKindFromName(h.errorKind).value_or(h.status >= 300 ? ErrorKind::Http : ErrorKind::Network);
        const std::string text = h.error.empty() ? "HTTP " + std::to_string(h.status) : h.error;
        if (kind == ErrorKind::Http) return Error::http(h.status, text);
        return Error::make(kind, text);
    }

    // Answers `done` at `atMicros` (since the start) with what produce() gives, unless
    // cancelAll comes first (then Cancelled, later).
    template <class T, class Produce>
    void answerAt(int64_t atMicros, Callback<T> done, Produce produce) {
        const uint64_t id = nextId++;
        auto shared = std::make_shared<Callback<T>>(std::move(done));
        auto fire = [weak = weak_from_this(), id, shared, produce = std::move(produce)]() mutable {
            auto self = weak.lock();
            if (!self || self->pending.erase(id) == 0) return;
            (*shared)(produce(*self));
        };
        Pending entry;
        entry.timer = clock.scheduleAt(rec->startedAtMicros + atMicros, std::move(fire));
        entry.fail = [shared](Error e) { (*shared)(std::move(e)); };
        pending.emplace(id, std::move(entry));
    }

    // Answers `done` with decode(recorded body) at the recorded time, or with the recorded error.
    template <class T, class Decode>
    void answer(const std::string& method, const std::string& path, Callback<T> done, Decode decode) {
        const std::string what = method + " /" + path;
        const Pick p = pick(method, "/" + path);
        if (!p.answer) {
            answerAt<T>(sinceStart(), std::move(done), [what](Core&) -> Outcome<T> {
                return Error::make(ErrorKind::NotFound, "replay: " + what + " was never recorded");
            });
            return;
        }
        const RecordedHttp* h = p.answer;
        answerAt<T>(p.atMicros, std::move(done), [h, decode = std::move(decode)](Core& self) -> Outcome<T> {
            self.logHttp(*h);
            if (!h->error.empty() || h->status < 200 || h->status >= 300) return errorOf(*h);
            std::string body;
            body.reserve(h->body.size() + HttpClient::kBodyPadding);  // simdjson parses in place
            body = h->body;
            return decode(self, body);
        });
    }

    template <class T>
    void refuse(Callback<T> done) {
        answerAt<T>(sinceStart(), std::move(done), [](Core&) -> Outcome<T> {
            return Error::make(ErrorKind::InvalidArgument, kReplayRefusal);
        });
    }

    void cancelAll() {
        auto open = std::move(pending);
        pending.clear();
        for (auto& [id, p] : open) {
            clock.cancel(p.timer);
            clock.post([fail = std::move(p.fail)] { fail(Error::make(ErrorKind::Cancelled, "request cancelled")); });
        }
    }

    // ---- the socket ----
    void scheduleNextWs() {
        if (!listener || wsTimer || cursor->nextWs >= rec->ws.size()) return;
        const RecordedWs& ev = rec->ws[cursor->nextWs];
        wsTimer = clock.scheduleAt(rec->startedAtMicros + ev.tMicros, [weak = weak_from_this()] {
            auto self = weak.lock();
            if (!self) return;
            self->wsTimer = 0;
            self->deliverWs();
        });
    }

    void deliverWs() {
        if (!listener || cursor->nextWs >= rec->ws.size()) return;
        const RecordedWs& ev = rec->ws[cursor->nextWs++];
        const int64_t now = clock.nowMicros();
        if (ev.event == "message") {
            auto decoded = decoder.wsMessage(ev.text, now);
            noteWs(orchestrator::Direction::WsIn,
                   decoded ? protocol::messageSummary(decoded->value) : std::string("undecodable frame"), ev.text,
                   decoded ? std::string() : decoded.error().message);
            if (decoded && listener) deliverPush(*listener, decoded->value);
        } else if (ev.event == "send") {
            noteWs(orchestrator::Direction::WsOut, "subscribe", ev.text, {});
        } else if (const auto phase = model::phaseFromName(ev.event)) {
            ConnectionInfo info;
            info.phase = *phase;
            info.lastError = ev.error;
            info.reconnectAttempt = ev.attempt;
            info.socketUrl = socketUrl;
            if (ev.retryInMicros > 0) info.nextRetryAtMicros = now + ev.retryInMicros;
            if (*phase == ConnectionPhase::Connected) {
                info.lastConnectedAtMicros = now;
                lastConnectedAt = now;
            } else {
                info.lastConnectedAtMicros = lastConnectedAt;
            }
            if (*phase == ConnectionPhase::Reconnecting && wasConnected) lastDisconnectedAt = now;
            info.lastDisconnectedAtMicros = lastDisconnectedAt;
            wasConnected = *phase == ConnectionPhase::Connected;
            if (log) log->addSocketPhase(now, ev.event, ev.error, ev.attempt, info.nextRetryAtMicros);
            if (listener) listener->apply(info);
        }
        scheduleNextWs();
    }

    void noteWs(orchestrator::Direction d, std::string what, const std::string& text, std::string error) {
        if (log) log->addSocketMessage(clock.nowMicros(), d, std::move(what), text, std::move(error));
    }

    struct Pending {
        orchestrator::TimerId timer = 0;
        std::function<void(Error)> fail;
    };

    orchestrator::ManualExecutor& clock;
    std::shared_ptr<const Recording> rec;
    std::shared_ptr<ReplayCursor> cursor;
    std::shared_ptr<orchestrator::ExchangeLog> log;
    protocol::Decoder decoder;
    std::string socketUrl;
    std::unordered_map<uint64_t, Pending> pending;
    uint64_t nextId = 1;
    TransportSettings defaults;  // image limits and thumbnail size, as the live transport's
    orchestrator::UpdateSink* listener = nullptr;
    orchestrator::TimerId wsTimer = 0;
    bool wasConnected = false;
    int64_t lastConnectedAt = 0, lastDisconnectedAt = 0;
};


ReplayTransport::ReplayTransport(orchestrator::ManualExecutor& clock, std::shared_ptr<const Recording> recording,
                                 std::shared_ptr<ReplayCursor> cursor, std::shared_ptr<orchestrator::ExchangeLog> log)
    : core_(std::make_shared<Core>(clock, std::move(recording), std::move(cursor), std::move(log))) {}

ReplayTransport::~ReplayTransport() {
    stopPush();
    core_->cancelAll();
}

void ReplayTransport::fetchSystemStatus(Callback<orchestrator::FetchedStatus> done) {
    core_->answer<orchestrator::FetchedStatus>("GET", systemStatusPath(), std::move(done),
                                               [](Core& c, std::string& body) { return decodeStatusAnswer(c.decoder, body); });
}

void ReplayTransport::fetchActiveJobs(int limit, Callback<orchestrator::FetchedJobs> done) {
    core_->answer<orchestrator::FetchedJobs>("GET", activeJobsPath(limit), std::move(done), [](Core& c, std::string& body) {
        return decodeJobsAnswer(c.decoder, body, c.clock.nowMicros());
    });
}

void ReplayTransport::fetchResults(int limit, int offset, Callback<orchestrator::FetchedResults> done) {
    core_->answer<orchestrator::FetchedResults>("GET", resultsPath(limit, offset), std::move(done),
                                                [](Core& c, std::string& body) {
                                                    return decodeResultsAnswer(c.decoder, body, c.clock.nowMicros());
                                                });
}

void ReplayTransport::generate(const model::GenerationRequest&, Callback<model::GenerateResponse> done) {
    core_->refuse(std::move(done));
}

void ReplayTransport::queueGeneration(const model::GenerationRequest&, Callback<model::QueueGenerationResponse> done) {
    core_->refuse(std::move(done));
}

void ReplayTransport::cancelJob(const std::string&, Callback<model::CancelResponse> done) { core_->refuse(std::move(done)); }

void ReplayTransport::deleteResult(const std::string&, Callback<model::Unit> done) { core_->refuse(std::move(done)); }

void ReplayTransport::decodeImage(std::string base64, Callback<model::ImagePtr> done) {
    // Decoded on the worker: a replay has time, and the order of answers stays fixed.
    core_->answerAt<model::ImagePtr>(core_->sinceStart(), std::move(done), [text = std::move(base64)](Core& c) {
        return thumbnailFromBase64(text, c.defaults.imageLimits, c.defaults.thumbnailMaxSide);
    });
}

void ReplayTransport::downloadImage(const std::string& resultId, Callback<model::ImagePtr> done) {
    core_->answer<model::ImagePtr>("GET", downloadPath(resultId), std::move(done), [](Core& c, std::string& body) {
        return thumbnailFromBytes(reinterpret_cast<const uint8_t*>(body.data()), body.size(), c.defaults.imageLimits,
                                  c.defaults.thumbnailMaxSide);
    });
}

void ReplayTransport::startPush(orchestrator::UpdateSink* listener) {
    core_->listener = listener;
    core_->scheduleNextWs();
}

void ReplayTransport::stopPush() {
    core_->listener = nullptr;
    if (core_->wsTimer) core_->clock.cancel(core_->wsTimer);
    core_->wsTimer = 0;
}

void ReplayTransport::reconnect() {}

void ReplayTransport::cancelAll() { core_->cancelAll(); }

orchestrator::TransportFactory makeReplayTransportFactory(orchestrator::ManualExecutor& clock,
                                                          std::shared_ptr<const Recording> recording,
                                                          std::shared_ptr<orchestrator::ExchangeLog> log) {
    auto cursor = makeReplayCursor(*recording);
    return [&clock, recording, cursor, log](const orchestrator::BackendConfig&) -> std::unique_ptr<orchestrator::Transport> {
        return std::make_unique<ReplayTransport>(clock, recording, cursor, log);
    };
}

}  // namespace genmon::transport
