#include "transport/http_client.hpp"

#include <curl/curl.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "protocol/decode.hpp"
#include "transport/event_loop.hpp"

namespace genmon::transport {

namespace asio = boost::asio;
using model::Error;
using model::ErrorKind;
using model::Outcome;

static_assert(HttpClient::kBodyPadding >= simdjson::SIMDJSON_PADDING, "bodies must keep simdjson's padding");

const char* methodName(HttpMethod m) noexcept {
    switch (m) {
        case HttpMethod::Get: return "GET";
        case HttpMethod::Post: return "POST";
        case HttpMethod::Delete: return "DELETE";
    }
    return "GET";
}

const char* errorKindName(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::Network: return "network";
        case ErrorKind::Timeout: return "timeout";
        case ErrorKind::Http: return "http";
        case ErrorKind::Decode: return "decode";
        case ErrorKind::TooLarge: return "too-large";
        case ErrorKind::InvalidArgument: return "invalid-argument";
        case ErrorKind::NotFound: return "not-found";
        case ErrorKind::Cancelled: return "cancelled";
        case ErrorKind::Internal: return "internal";
    }
    return "internal";
}

std::optional<ErrorKind> errorKindFromName(std::string_view name) noexcept {
    for (const ErrorKind k : {ErrorKind::Network, ErrorKind::Timeout, ErrorKind::Http, ErrorKind::Decode, ErrorKind::TooLarge,
                              ErrorKind::InvalidArgument, ErrorKind::NotFound, ErrorKind::Cancelled, ErrorKind::Internal})
        if (name == errorKindName(k)) return k;
    return std::nullopt;
}

std::string formatDuration(int64_t ms) {
    if (ms < 1000) return std::to_string(ms) + " ms";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
    return buf;
}

std::string formatBytes(size_t bytes) {
    constexpr size_t kKiB = 1024, kMiB = kKiB * 1024;
    if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
    if (bytes >= kMiB) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / static_cast<double>(kMiB));
        return buf;
    }
    if (bytes >= kKiB && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
    return std::to_string(bytes) + " bytes";
}

namespace {

void globalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Replaces every occurrence of the key (a hostile server could echo it back) by "***".
std::string scrub(std::string text, const std::optional<std::string>& key) {
    if (!key || key->empty()) return text;
    for (size_t at = text.find(*key); at != std::string::npos; at = text.find(*key, at + 3)) text.replace(at, key->size(), "***");
    return text;
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return std::string(s);
}

// host:port of a URL for messages ("127.0.0.1:8000", "[::1]:443"); the URL itself when it
// does not parse.
std::optional<std::string> hostPortOf(const std::string& url) {
    CURLU* u = curl_url();
    if (!u) return std::nullopt;
    std::optional<std::string> out;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
        char* host = nullptr;
        char* port = nullptr;
        if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
            out = std::string(host) + ":" + port;
        curl_free(host);
        curl_free(port);
    }
    curl_url_cleanup(u);
    return out;
}

struct SocketWatch {
    SocketWatch(asio::io_context& io, curl_socket_t s) : fd(s), descriptor(io) {}
    curl_socket_t fd;
    asio::posix::stream_descriptor descriptor;
    int what = 0;  // CURL_POLL_IN / OUT / INOUT
    bool readArmed = false, writeArmed = false;
    bool released = false;
};

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<Impl> {
    struct Transfer {
        RequestId id = 0;
        HttpRequest request;
        HttpCallback done;
        std::string hostPort;
        size_t cap = 0;
        int timeoutMs = 0;
        int attempt = 0;
        int64_t attemptStartedMicros = 0;  // steady clock, for the Inspector's durations
        CURL* easy = nullptr;
        curl_slist* headers = nullptr;
        std::string body;
        std::string statusText;
        bool tooLarge = false;
        std::unique_ptr<asio::steady_timer> retryTimer;
        char errbuf[CURL_ERROR_SIZE] = {};
    };

    Impl(EventLoop& l, HttpSettings s) : loop(l), io(l.context()), settings(std::move(s)), curlTimer(io) {
        globalInit();
        multi = curl_multi_init();
        if (multi) {
            curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::socketCallback);
            curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
            curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::timerCallback);
            curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
        }
    }

    ~Impl() {
        // Answer what is still open, then let curl close its connections (it tells us about
        // each socket, so the watches let go of the descriptors before they are closed).
        std::vector<RequestId> ids;
        for (const auto& [id, t] : transfers) ids.push_back(id);
        for (const RequestId id : ids) cancel(id, "request cancelled: the HTTP client was closed");
        if (multi) curl_multi_cleanup(multi);
        multi = nullptr;
        for (auto& [fd, w] : sockets) release(*w);
        sockets.clear();
        curlTimer.cancel();
    }

    // ---- curl callbacks (run inside curl_multi_* calls: no curl calls from here) ----

    static int socketCallback(CURL*, curl_socket_t s, int what, void* userp, void* socketp) {
        auto* self = static_cast<Impl*>(userp);
        if (what == CURL_POLL_REMOVE) {
            self->forget(s);
            return 0;
        }
        auto it = self->sockets.find(s);
        // curl hands back the pointer we assigned to this socket; when it does not match, the
        // descriptor number was closed behind our back (e.g. the resolver's socketpair) and
        // reused: the old watch is stale, its epoll registration gone.
        if (it != self->sockets.end() && it->second.get() != socketp) {
            release(*it->second);
            self->sockets.erase(it);
            it = self->sockets.end();
        }
        if (it == self->sockets.end()) {
            auto watch = std::make_shared<SocketWatch>(self->io, s);
            boost::system::error_code ec;
            watch->descriptor.assign(s, ec);
            if (ec) {
                std::fprintf(stderr, "genmon: http: cannot watch socket %d: %s\n", static_cast<int>(s), ec.message().c_str());
                return -1;
            }
            curl_multi_assign(self->multi, s, watch.get());
            it = self->sockets.emplace(s, std::move(watch)).first;
        }
        const std::shared_ptr<SocketWatch> watch = it->second;
        watch->what = what;
        self->arm(watch);
        return 0;
    }

    // curl opens every connection socket through here: a watch still registered under the
    // same number belongs to a descriptor that was closed without telling us.
    static curl_socket_t openSocketCallback(void* clientp, curlsocktype, curl_sockaddr* address) {
        const curl_socket_t s = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
        if (s != CURL_SOCKET_BAD) static_cast<Impl*>(clientp)->forget(s);
        return s;
    }

    static int timerCallback(CURLM*, long timeoutMs, void* userp) {
        auto* self = static_cast<Impl*>(userp);
        if (timeoutMs < 0) {
            self->curlTimer.cancel();
            return 0;
        }
        self->curlTimer.expires_after(std::chrono::milliseconds(timeoutMs));
        self->curlTimer.async_wait([weak = self->weak_from_this()](const boost::system::error_code& ec) {
            if (ec) return;
            if (auto impl = weak.lock()) impl->onTimeout();
        });
        return 0;
    }

    static int closeSocketCallback(void* clientp, curl_socket_t s) {
        static_cast<Impl*>(clientp)->forget(s);
        return ::close(s);
    }

    static size_t writeCallback(char* data, size_t size, size_t count, void* userp) {
        auto* t = static_cast<Transfer*>(userp);
        const size_t bytes = size * count;
        if (t->body.size() + bytes > t->cap) {
            t->tooLarge = true;
            return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
        }
        const size_t needed = t->body.size() + bytes + kBodyPadding;
        if (t->body.capacity() < needed) t->body.reserve(std::max(needed, t->body.capacity() * 2));
        t->body.append(data, bytes);
        return bytes;
    }

    static size_t headerCallback(char* data, size_t size, size_t count, void* userp) {
        auto* t = static_cast<Transfer*>(userp);
        const std::string_view line(data, size * count);
        if (line.starts_with("HTTP/")) {
            // "HTTP/1.1 404 Not Found": a new status line (a 100 Continue may come first).
            const size_t first = line.find(' ');
            const size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
            t->statusText = second == std::string_view::npos ? std::string() : trimmed(line.substr(second + 1));
        }
        return size * count;
    }

    // ---- socket watches ----

    void arm(const std::shared_ptr<SocketWatch>& w) {
        if (w->released) return;
        if ((w->what & CURL_POLL_IN) && !w->readArmed) {
            w->readArmed = true;
            w->descriptor.async_wait(asio::posix::descriptor_base::wait_read,
                                     [weak = weak_from_this(), w](const boost::system::error_code& ec) {
                                         w->readArmed = false;
                                         if (ec == asio::error::operation_aborted || w->released) return;
                                         if (auto impl = weak.lock()) impl->onSocket(w, CURL_CSELECT_IN, ec);
                                     });
        }
        if ((w->what & CURL_POLL_OUT) && !w->writeArmed) {
            w->writeArmed = true;
            w->descriptor.async_wait(asio::posix::descriptor_base::wait_write,
                                     [weak = weak_from_this(), w](const boost::system::error_code& ec) {
                                         w->writeArmed = false;
                                         if (ec == asio::error::operation_aborted || w->released) return;
                                         if (auto impl = weak.lock()) impl->onSocket(w, CURL_CSELECT_OUT, ec);
                                     });
        }
    }

    void onSocket(const std::shared_ptr<SocketWatch>& w, int direction, const boost::system::error_code& ec) {
        const int wanted = direction == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
        if (!(w->what & wanted) && !ec) return;  // curl changed its mind; nothing to do
        int running = 0;
        curl_multi_socket_action(multi, w->fd, direction | (ec ? CURL_CSELECT_ERR : 0), &running);
        processDone();
        if (!w->released) arm(w);
    }

    void onTimeout() {
        if (!multi) return;
        int running = 0;
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
        processDone();
    }

    static void release(SocketWatch& w) {
        if (w.released) return;
        w.released = true;
        // Cancels the waits and hands the descriptor back without closing it: curl owns it.
        boost::system::error_code ignored;
        w.descriptor.cancel(ignored);
        (void)w.descriptor.release();
    }

    void forget(curl_socket_t s) {
        auto it = sockets.find(s);
        if (it == sockets.end()) return;
        release(*it->second);
        sockets.erase(it);
    }

    // ---- transfers ----

    RequestId send(HttpRequest request, HttpCallback done) {
        auto t = std::make_unique<Transfer>();
        t->id = nextId++;
        t->request = std::move(request);
        t->done = std::move(done);
        t->cap = t->request.maxResponseBytes ? t->request.maxResponseBytes : settings.maxResponseBytes;
        t->timeoutMs = t->request.totalTimeoutMs > 0 ? t->request.totalTimeoutMs : settings.totalTimeoutMs;
        const RequestId id = t->id;
        auto hp = hostPortOf(t->request.url);
        if (!hp || !multi) {
            Error e = Error::make(multi ? ErrorKind::InvalidArgument : ErrorKind::Internal,
                                  multi ? "invalid URL: " + scrub(t->request.url, settings.apiKey) : "cannot start libcurl");
            finish(std::move(t), std::move(e));
            return id;
        }
        t->hostPort = std::move(*hp);
        Transfer& ref = *t;
        transfers.emplace(id, std::move(t));
        startAttempt(ref);
        return id;
    }

    void startAttempt(Transfer& t) {
        ++t.attempt;
        t.attemptStartedMicros = steadyMicros();
        t.body.clear();
        t.body.reserve(kBodyPadding);
        t.statusText.clear();
        t.tooLarge = false;
        t.errbuf[0] = '\0';
        CURL* e = curl_easy_init();
        if (!e) return fail(t.id, Error::make(ErrorKind::Internal, "cannot start libcurl"));
        t.easy = e;
        curl_easy_setopt(e, CURLOPT_URL, t.request.url.c_str());
        curl_easy_setopt(e, CURLOPT_PRIVATE, static_cast<void*>(&t));
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::writeCallback);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(&t));
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::headerCallback);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(&t));
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Impl::openSocketCallback);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, static_cast<void*>(this));
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &Impl::closeSocketCallback);
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, static_cast<void*>(this));
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connectTimeoutMs));
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t.timeoutMs));
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t.cap));
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, settings.insecureTls ? 0L : 1L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, settings.insecureTls ? 0L : 2L);
        curl_easy_setopt(e, CURLOPT_USERAGENT, settings.userAgent.c_str());
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);

        curl_slist* headers = nullptr;
        if (settings.apiKey && !settings.apiKey->empty())
            headers = curl_slist_append(headers, ("X-API-Key: " + *settings.apiKey).c_str());
        if (t.request.jsonBody) headers = curl_slist_append(headers, "Content-Type: application/json");
        headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
        t.headers = headers;
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);

        switch (t.request.method) {
            case HttpMethod::Get: curl_easy_setopt(e, CURLOPT_HTTPGET, 1L); break;
            case HttpMethod::Post:
                curl_easy_setopt(e, CURLOPT_POST, 1L);
                break;
            case HttpMethod::Delete: curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE"); break;
        }
        if (t.request.method != HttpMethod::Get) {
            const std::string& body = t.request.jsonBody ? *t.request.jsonBody : empty;
            if (t.request.method == HttpMethod::Post || t.request.jsonBody) {
                curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
                curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
            }
        }
        if (const CURLMcode rc = curl_multi_add_handle(multi, e); rc != CURLM_OK) {
            dropEasy(t);
            return fail(t.id, Error::make(ErrorKind::Internal, std::string("cannot start the request: ") + curl_multi_strerror(rc)));
        }
    }

    void dropEasy(Transfer& t) {
        if (t.easy) {
            curl_multi_remove_handle(multi, t.easy);
            curl_easy_cleanup(t.easy);
            t.easy = nullptr;
        }
        if (t.headers) {
            curl_slist_free_all(t.headers);
            t.headers = nullptr;
        }
    }

    void processDone() {
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL* easy = msg->easy_handle;
            const CURLcode code = msg->data.result;  // copied: msg dies with the handle
            char* priv = nullptr;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
            auto* t = reinterpret_cast<Transfer*>(priv);
            if (!t || transfers.find(t->id) == transfers.end()) {
                curl_multi_remove_handle(multi, easy);
                curl_easy_cleanup(easy);
                continue;
            }
            attemptDone(*t, code);
        }
    }

    Error errorFor(Transfer& t, CURLcode code) {
        const std::string& hp = t.hostPort;
        const std::string detail = t.errbuf[0] ? std::string(t.errbuf) : std::string(curl_easy_strerror(code));
        long osErrno = 0;
        curl_easy_getinfo(t.easy, CURLINFO_OS_ERRNO, &osErrno);
        curl_off_t connectMicros = 0;
        curl_easy_getinfo(t.easy, CURLINFO_CONNECT_TIME_T, &connectMicros);
        switch (code) {
            case CURLE_COULDNT_CONNECT:
                return Error::make(ErrorKind::Network, "cannot connect to " + hp + ": " +
                                                           (osErrno ? std::string(std::strerror(static_cast<int>(osErrno))) : detail));
            case CURLE_COULDNT_RESOLVE_HOST:
            case CURLE_COULDNT_RESOLVE_PROXY:
                return Error::make(ErrorKind::Network, "cannot resolve the host of " + hp + ": " + detail);
            case CURLE_OPERATION_TIMEDOUT:
                if (connectMicros == 0)
                    return Error::make(ErrorKind::Timeout,
                                       "cannot connect to " + hp + " within " +
                                           formatDuration(std::min(settings.connectTimeoutMs, t.timeoutMs)));
                return Error::make(ErrorKind::Timeout, "no answer from " + hp + " within " + formatDuration(t.timeoutMs));
            case CURLE_FILESIZE_EXCEEDED: return Error::make(ErrorKind::TooLarge, "response larger than " + formatBytes(t.cap));
            case CURLE_WRITE_ERROR:
                if (t.tooLarge) return Error::make(ErrorKind::TooLarge, "response larger than " + formatBytes(t.cap));
                break;
            case CURLE_GOT_NOTHING:
                return Error::make(ErrorKind::Network, hp + " closed the connection without answering");
            case CURLE_PARTIAL_FILE: return Error::make(ErrorKind::Network, "the answer from " + hp + " was cut short");
            case CURLE_SEND_ERROR:
            case CURLE_RECV_ERROR:
                return Error::make(ErrorKind::Network, "connection to " + hp + " failed: " +
                                                           (osErrno ? std::string(std::strerror(static_cast<int>(osErrno))) : detail));
            case CURLE_SSL_CONNECT_ERROR:
            case CURLE_PEER_FAILED_VERIFICATION:
            case CURLE_SSL_CERTPROBLEM:
            case CURLE_SSL_CIPHER:
            case CURLE_SSL_CACERT_BADFILE:
            case CURLE_SSL_ISSUER_ERROR:
            case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            case CURLE_SSL_INVALIDCERTSTATUS:
                return Error::make(ErrorKind::Network,
                                   "TLS error with " + hp + ": " + detail +
                                       (code == CURLE_PEER_FAILED_VERIFICATION && !settings.insecureTls
                                            ? " (--insecure skips verification)"
                                            : ""));
            case CURLE_UNSUPPORTED_PROTOCOL:
                return Error::make(ErrorKind::InvalidArgument, "unsupported URL scheme for " + hp + ": " + detail);
            default: break;
        }
        return Error::make(ErrorKind::Network, "request to " + hp + " failed: " + detail);
    }

    void attemptDone(Transfer& t, CURLcode code) {
        std::optional<Outcome<HttpResponse>> outcome;
        long status = 0;
        curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
        if (code == CURLE_OK) {
            if (status >= 200 && status < 300) {
                HttpResponse r;
                r.status = static_cast<int>(status);
                char* ct = nullptr;
                if (curl_easy_getinfo(t.easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) r.contentType = ct;
                if (t.body.capacity() < t.body.size() + kBodyPadding) t.body.reserve(t.body.size() + kBodyPadding);
                r.body = std::move(t.body);
                r.attempts = t.attempt;
                outcome.emplace(std::move(r));
            } else if (status >= 300 && status < 400) {
                char* location = nullptr;
                curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &location);
                outcome.emplace(Error::http(static_cast<int>(status),
                                            "the server redirected to " +
                                                (location ? std::string(location) : std::string("another address")) +
                                                " (HTTP " + std::to_string(status) +
                                                "); genmon does not follow redirects: check the backend URL"));
            } else {
                // The key is scrubbed from what the server said before the message is cut to
                // length, so an echo of it cannot survive in part (issue 9).
                outcome.emplace(Error::http(static_cast<int>(status),
                                            protocol::errorMessageFromBody(static_cast<int>(status),
                                                                           scrub(t.statusText, settings.apiKey),
                                                                           scrub(t.body, settings.apiKey))));
            }
        } else {
            outcome.emplace(errorFor(t, code));
        }
        dropEasy(t);
        const size_t retries = settings.getRetryDelaysMs.size();
        const bool willRetry =
            !outcome->ok() && t.request.method == HttpMethod::Get && static_cast<size_t>(t.attempt) <= retries;
        record(t, static_cast<int>(status), outcome->ok() ? std::string_view(outcome->value().body) : std::string_view(t.body),
               outcome->ok() ? nullptr : &outcome->error(), !willRetry);
        if (!outcome->ok()) {
            Error e = std::move(*outcome).error();
            e.message = scrub(std::move(e.message), settings.apiKey);
            if (willRetry) {
                // §1.2: any failure of a GET is retried, 150 ms then 300 ms later.
                const int delay = settings.getRetryDelaysMs[static_cast<size_t>(t.attempt) - 1];
                t.retryTimer = std::make_unique<asio::steady_timer>(io);
                t.retryTimer->expires_after(std::chrono::milliseconds(std::max(0, delay)));
                t.retryTimer->async_wait([weak = weak_from_this(), id = t.id](const boost::system::error_code& ec) {
                    if (ec) return;
                    auto impl = weak.lock();
                    if (!impl) return;
                    auto it = impl->transfers.find(id);
                    if (it == impl->transfers.end()) return;
                    it->second->retryTimer.reset();
                    impl->startAttempt(*it->second);
                });
                return;
            }
            return fail(t.id, std::move(e));
        }
        complete(t.id, std::move(*outcome));
    }

    void fail(RequestId id, Error e) { complete(id, std::move(e)); }

    static int64_t steadyMicros() {
        return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }

    // One Inspector line per attempt, with the bodies (the log previews, redacts and records
    // them). The URL carries no credentials (url.hpp refuses userinfo); of the headers only
    // their names and "X-API-Key: ***" are kept.
    void record(const Transfer& t, int status, std::string_view responseBody, const Error* error, bool finalAttempt) {
        if (!settings.log) return;
        orchestrator::Exchange e;
        e.atMicros = loop.nowMicros();
        e.direction = status == 0 ? orchestrator::Direction::Request : orchestrator::Direction::Response;
        e.method = methodName(t.request.method);
        e.target = t.request.url;
        e.status = status;
        e.millis = static_cast<double>(steadyMicros() - t.attemptStartedMicros) / 1000.0;
        e.bytes = responseBody.size();
        e.attempt = t.attempt;
        e.finalAttempt = finalAttempt;
        if (error) {
            e.error = scrub(error->message, settings.apiKey);
            e.errorKind = errorKindName(error->kind);
        }
        if (settings.apiKey && !settings.apiKey->empty()) e.requestHeaders += "X-API-Key: ***\n";
        if (t.request.jsonBody) e.requestHeaders += "Content-Type: application/json\n";
        e.requestHeaders += "User-Agent: " + settings.userAgent;
        const std::string_view requestBody = t.request.jsonBody ? std::string_view(*t.request.jsonBody) : std::string_view();
        settings.log->add(std::move(e), requestBody, responseBody);
    }

    void complete(RequestId id, Outcome<HttpResponse> outcome) {
        auto it = transfers.find(id);
        if (it == transfers.end()) return;
        std::unique_ptr<Transfer> t = std::move(it->second);
        transfers.erase(it);
        finish(std::move(t), std::move(outcome));
    }

    void finish(std::unique_ptr<Transfer> t, Outcome<HttpResponse> outcome) {
        dropEasy(*t);
        // Posted: the caller's callback never runs inside send() or inside curl.
        asio::post(io, [done = std::move(t->done), o = std::move(outcome)]() mutable {
            if (done) done(std::move(o));
        });
    }

    void cancel(RequestId id, const std::string& why = "request cancelled") {
        auto it = transfers.find(id);
        if (it == transfers.end()) return;
        if (it->second->retryTimer) it->second->retryTimer->cancel();
        complete(id, Error::make(ErrorKind::Cancelled, why));
    }

    EventLoop& loop;
    asio::io_context& io;
    HttpSettings settings;
    CURLM* multi = nullptr;
    asio::steady_timer curlTimer;
    std::unordered_map<curl_socket_t, std::shared_ptr<SocketWatch>> sockets;
    std::unordered_map<RequestId, std::unique_ptr<Transfer>> transfers;
    RequestId nextId = 1;
    const std::string empty;
};

HttpClient::HttpClient(EventLoop& loop, HttpSettings settings) : impl_(std::make_shared<Impl>(loop, std::move(settings))) {}

HttpClient::~HttpClient() = default;

RequestId HttpClient::send(HttpRequest request, HttpCallback done) { return impl_->send(std::move(request), std::move(done)); }

void HttpClient::cancel(RequestId id) { impl_->cancel(id); }

void HttpClient::cancelAll() {
    std::vector<RequestId> ids;
    for (const auto& [id, t] : impl_->transfers) ids.push_back(id);
    for (const RequestId id : ids) impl_->cancel(id);
}

size_t HttpClient::inFlight() const { return impl_->transfers.size(); }

const HttpSettings& HttpClient::settings() const { return impl_->settings; }

}  // namespace genmon::transport
