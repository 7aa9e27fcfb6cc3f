// Security (issue 9): the API key never leaves the transport (errors, events, snapshot JSON,
// --dump-snapshot output, stderr), even from a hostile server that echoes it; only http(s) and
// ws(s) URLs; genmon-sim listens on loopback unless told otherwise.
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/dump_snapshot.hpp"
#include "app/snapshot_json.hpp"
#include "orchestrator/orchestrator.hpp"
#include "key_echo_server.hpp"
#include "reliability_util.hpp"
#include "test_support.hpp"
#include "transport/url.hpp"

using namespace genmon;
using namespace genmon::reliability;

namespace {

const std::string kSecret = "GENMON-SECRET-7f3a9c1e-do-not-show";

std::string readAll(std::FILE* f) {
    std::string s;
    std::rewind(f);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
    return s;
}

// Sends everything written to fd 2 to a temporary file while it lives.
class StderrCapture {
public:
    StderrCapture() : file_(std::tmpfile()) {
        REQUIRE(file_);
        std::fflush(stderr);
        saved_ = ::dup(2);
        ::dup2(::fileno(file_), 2);
    }
    ~StderrCapture() {
        restore();
        std::fclose(file_);
    }
    std::string text() {
        restore();
        return readAll(file_);
    }

private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
        saved_ = -1;
    }
    std::FILE* file_;
    int saved_ = -1;
};

struct Dumped {
    int code = 0;
    std::string out, err;
};

Dumped dump(const app::CliOptions& o) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    REQUIRE(out);
    REQUIRE(err);
    Dumped d;
    d.code = app::runDumpSnapshot(o, out, err);
    d.out = readAll(out);
    d.err = readAll(err);
    std::fclose(out);
    std::fclose(err);
    return d;
}

// Everything a person (or a log, or a screenshot) could see of a session.
std::string everythingShown(Session& s) {
    std::string all = app::snapshotToJson(*s.snap(), true);
    all += s.snap()->lastRefreshError + "\n" + s.snap()->connection.lastError + "\n" + s.snap()->backendUrl + "\n";
    for (const auto& e : s.events()) all += e.message + "\n" + e.detail + "\n" + e.jobId + "\n";
    if (auto e = s.rt->lastInitError()) all += e->message + "\n";
    // The Inspector's log of every HTTP attempt and socket event.
    for (const auto& x : s.rt->exchanges().recent()) all += x.method + " " + x.target + " " + x.error + "\n";
    return all;
}

// A hostile backend: every answer is 403 and echoes the X-API-Key header back in its body,
// its status text and a header. padding: characters before the echoed key in the title, to put
// the key across the point where the message is cut (500 bytes).
testing::KeyEchoServer::Respond echoKeyIn403(size_t padding) {
    return [padding](const std::string& key) {
        const std::string body = R"({"title":")" + std::string(padding, 'x') + R"(Forbidden: key )" + key +
                                 R"( is wrong \u001b[2J","detail":"you sent )" + key + R"("})";
        return testing::KeyEchoServer::response("403 Key \x1b[31m" + key + " refused", key, body);
    };
}

}  // namespace

TEST_CASE("security: the API key appears in no error, event, snapshot JSON or stderr line (right and wrong key)") {
    auto options = quietSim();
    options.apiKey = kSecret;
    options.initialResults = 2;
    {
        StderrCapture captured;
        Session s(options);
        s.sim->queueJob("with the right key");
        REQUIRE(s.start(fastPolls(), kSecret).ok());
        REQUIRE(waitUntil([&] { return s.snap()->isConnected; }));
        auto cancel = s.rt->orchestrator().cancelJob("no-such-job");  // an error event
        REQUIRE(cancel.wait_for(5s) == std::future_status::ready);
        CHECK_FALSE(cancel.get().ok());
        const std::string shown = everythingShown(s);
        CHECK(contains(shown, "Job not found"));
        CHECK_FALSE(contains(shown, kSecret));
        s.rt->shutdown();
        CHECK_FALSE(contains(captured.text(), kSecret));
    }
    {
        StderrCapture captured;
        Session s(options);
        const std::string wrong = kSecret + "-but-wrong";
        REQUIRE_FALSE(s.start(fastPolls(), wrong).ok());
        const std::string shown = everythingShown(s);
        CHECK(contains(shown, "Invalid API Key"));
        CHECK_FALSE(contains(shown, kSecret));
        s.rt->shutdown();
        CHECK_FALSE(contains(captured.text(), kSecret));
    }
}

TEST_CASE("security: --dump-snapshot with the key from GENMON_API_KEY or a file never prints it") {
    auto options = quietSim();
    options.apiKey = kSecret;
    auto sim = sim::SimServer::start(options);
    REQUIRE(sim.ok());
    sim.value()->queueJob("dumped");
    app::CliOptions o;
    o.mode = app::CliOptions::Mode::DumpSnapshot;
    o.backendUrl = sim.value()->baseUrl();
    o.waitMs = 10000;

    ::setenv("GENMON_API_KEY", kSecret.c_str(), 1);
    const Dumped fromEnv = dump(o);
    CHECK(fromEnv.code == 0);
    CHECK(contains(fromEnv.out, "\"dumped\""));
    CHECK_FALSE(contains(fromEnv.out, kSecret));
    CHECK_FALSE(contains(fromEnv.err, kSecret));

    ::setenv("GENMON_API_KEY", (kSecret + "-wrong").c_str(), 1);
    const Dumped wrong = dump(o);
    CHECK(wrong.code == 1);
    CHECK(contains(wrong.err, "answered HTTP 403: Invalid API Key"));
    CHECK_FALSE(contains(wrong.out + wrong.err, kSecret));
    ::unsetenv("GENMON_API_KEY");

    const auto keyFile = test::outputDir() / ("reliability-key-" + std::to_string(::getpid()));
    std::ofstream(keyFile) << kSecret << "\n";
    o.apiKeyFile = keyFile.string();
    const Dumped fromFile = dump(o);
    CHECK(fromFile.code == 0);
    CHECK_FALSE(contains(fromFile.out + fromFile.err, kSecret));
    std::filesystem::remove(keyFile);
}

TEST_CASE("security: a hostile server echoing the key back: the key is replaced by *** everywhere") {
    for (const size_t padding : {size_t{0}, size_t{460}, size_t{470}, size_t{500}}) {
        CAPTURE(padding);
        testing::KeyEchoServer echo(echoKeyIn403(padding));
        auto ro = fastRuntime();
        ro.retryInitialize = false;
        Session s(quietSim(), ro);
        StderrCapture captured;
        const std::string url = "http://127.0.0.1:" + std::to_string(echo.port()) + "/api/v1";
        const model::Status st = s.start(fastPolls(), kSecret, url);
        REQUIRE_FALSE(st.ok());
        MESSAGE("shown: " << st.error().message);
        CHECK(st.error().httpStatus == 403);
        CHECK(contains(st.error().message, padding < 460 ? "***" : "xxx"));
        CHECK(st.error().message.size() <= 503);  // cut to length, after the key was scrubbed
        for (const char c : st.error().message) CHECK(static_cast<unsigned char>(c) >= 0x20);  // no ESC for the terminal
        CHECK(echo.requests() >= 3);  // the server really got (and echoed) the key
        const std::string shown = everythingShown(s);
        CHECK_FALSE(contains(shown, kSecret));
        CHECK_FALSE(contains(shown, kSecret.substr(0, 14)));  // not even in part
        s.rt->shutdown();
        CHECK_FALSE(contains(captured.text(), kSecret));
    }
}

TEST_CASE("security: credentials in the backend URL are refused and never shown") {
    auto ro = fastRuntime();
    ro.retryInitialize = false;
    Session s(quietSim(), ro);
    const std::string url = "http://genmon:" + kSecret + "@127.0.0.1:" + std::to_string(s.sim->port()) + "/api/v1";
    const model::Status st = s.start(fastPolls(), std::nullopt, url);
    REQUIRE_FALSE(st.ok());
    CHECK(contains(st.error().message, "credentials in the backend URL (user:password@) are not supported"));
    const std::string shown = everythingShown(s);
    CHECK_FALSE(contains(shown, kSecret));
    CHECK(s.sim->stats().httpConnections == 0);  // nothing was sent anywhere
}

TEST_CASE("security: only http and https backends, only ws and wss sockets") {
    for (const char* bad : {"file:///etc/passwd", "file://host/etc/passwd", "ftp://example.com/api", "gopher://example.com:70/1",
                            "javascript:alert(1)", "javascript://example.com/%0aalert(1)", "data:text/plain;base64,SGk=",
                            "data://text/plain,hi", "ldap://example.com/", "dict://127.0.0.1:11211/", "telnet://h:23",
                            "tftp://h/x", "smb://h/share", "scp://h/x", "sftp://h/x", "mailto:a@b.c",
                            "http://user:pw@example.com/api/v1", "http://user@example.com/api/v1", "https://:pw@example.com/",
                            "http://example.com@evil.example/", "ws://example.com/api/v1", "wss://example.com/api/v1",
                            "http//example.com", "://example.com", "http://", "http://exa mple.com/"}) {
        CAPTURE(bad);
        auto r = transport::parseBaseUrl(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == model::ErrorKind::InvalidArgument);
        CHECK_FALSE(r.error().message.empty());
        CHECK_FALSE(contains(r.error().message, ":pw@"));
    }
    CHECK(contains(transport::parseBaseUrl("gopher://example.com:70/1").error().message, "unsupported scheme 'gopher'"));
    CHECK(contains(transport::parseBaseUrl("file:///etc/passwd").error().message, "file"));
    for (const char* good : {"http://127.0.0.1:8000/api/v1", "https://example.com/v1", "HTTP://EXAMPLE.com/x", "http://[::1]:8000"})
        CHECK_MESSAGE(transport::parseBaseUrl(good).ok(), good);

    for (const char* bad : {"http://h/ws", "https://h/ws", "file:///ws", "ftp://h/ws", "ws://user:pw@h/ws", "gopher://h/ws"}) {
        CAPTURE(bad);
        auto r = transport::parseWebSocketUrl(bad);
        REQUIRE_FALSE(r.ok());
        CHECK_FALSE(contains(r.error().message, ":pw@"));
    }
    CHECK(transport::parseWebSocketUrl("ws://127.0.0.1:8000/api/v1/ws/progress").ok());
    CHECK(transport::parseWebSocketUrl("wss://example.com/api/v1/ws/progress")->tls);
}

namespace {

// openssl s_server with a fresh self-signed certificate, answering every GET with its HTML
// status page. Empty port() when the openssl program is missing.
class SelfSignedServer {
public:
    SelfSignedServer() {
        if (::access("/usr/bin/openssl", X_OK) != 0) return;
        const std::string dir = (test::outputDir() / ("tls-" + std::to_string(::getpid()))).string();
        std::filesystem::create_directories(dir);
        key_ = dir + "/key.pem";
        cert_ = dir + "/cert.pem";
        const std::string make = "/usr/bin/openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
                                 key_ + " -out " + cert_ + " -subj /CN=genmon-test -days 1 >/dev/null 2>&1";
        REQUIRE(std::system(make.c_str()) == 0);
        // A free port: bound once, then handed to s_server.
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        ::close(fd);
        const uint16_t port = ntohs(addr.sin_port);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            const int devnull = ::open("/dev/null", O_RDWR);
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
            const std::string accept = "127.0.0.1:" + std::to_string(port);
            ::execl("/usr/bin/openssl", "openssl", "s_server", "-accept", accept.c_str(), "-key", key_.c_str(), "-cert",
                    cert_.c_str(), "-www", "-quiet", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        const bool up = waitUntil([&] {
            const int c = ::socket(AF_INET, SOCK_STREAM, 0);
            const bool ok = ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
            ::close(c);
            return ok;
        }, 5s);
        REQUIRE(up);
        port_ = port;
    }
    ~SelfSignedServer() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    std::optional<uint16_t> port() const { return port_; }

private:
    std::string key_, cert_;
    pid_t pid_ = -1;
    std::optional<uint16_t> port_;
};

model::Status connectOnce(const std::string& url, bool insecure, orchestrator::SnapshotPtr* snapshot = nullptr) {
    auto ro = fastRuntime();
    ro.retryInitialize = false;
    app::Runtime rt(ro);
    orchestrator::BackendConfig b;
    b.baseUrl = url;
    b.insecureTls = insecure;
    auto first = rt.start(b, std::nullopt, fastPolls());
    REQUIRE(first.wait_for(20s) == std::future_status::ready);
    if (snapshot) *snapshot = rt.snapshots().acquire();
    return first.get();
}

}  // namespace

TEST_CASE("security: TLS verification is on by default, --insecure reaches the transport and the snapshot") {
    transport::TransportSettings defaults;
    CHECK_FALSE(defaults.insecureTls);
    orchestrator::BackendConfig backend;
    CHECK_FALSE(backend.insecureTls);

    SelfSignedServer server;
    if (!server.port()) {
        MESSAGE("no /usr/bin/openssl: the self-signed server is not available, only the defaults were checked");
        return;
    }
    const std::string hp = "127.0.0.1:" + std::to_string(*server.port());
    const std::string url = "https://" + hp + "/api/v1";

    // Verification on: the self-signed certificate is refused, and the error says how to opt out.
    orchestrator::SnapshotPtr snap;
    const model::Status verified = connectOnce(url, false, &snap);
    REQUIRE_FALSE(verified.ok());
    MESSAGE("verified: " << verified.error().message);
    CHECK(contains(verified.error().message, "TLS error with " + hp));
    CHECK(contains(verified.error().message, "certificate"));
    CHECK(contains(verified.error().message, "(--insecure skips verification)"));
    CHECK_FALSE(snap->insecureTls);

    // --insecure (BackendConfig::insecureTls, set from the CLI by main.cpp and dump_snapshot.cpp):
    // the handshake goes through and the server's (HTML) answer is read; the snapshot says so.
    const model::Status insecure = connectOnce(url, true, &snap);
    REQUIRE_FALSE(insecure.ok());  // s_server's status page is no job list
    MESSAGE("insecure: " << insecure.error().message);
    CHECK_FALSE(contains(insecure.error().message, "TLS"));
    CHECK(insecure.error().kind == model::ErrorKind::Decode);
    CHECK(snap->insecureTls);
    CHECK(contains(app::snapshotToJson(*snap, false), "\"insecureTls\":true"));
}

TEST_CASE("security: genmon-sim listens on loopback unless --bind says otherwise") {
    sim::SimOptions defaults;
    CHECK(defaults.bind == "127.0.0.1");

    // A non-loopback address of this machine, if it has one.
    std::optional<std::string> external;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) == 0) {
        for (ifaddrs* i = list; i; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
            const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
            if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
            char text[INET_ADDRSTRLEN];
            ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
            external = text;
            break;
        }
        ::freeifaddrs(list);
    }
    auto tryConnect = [](const std::string& host, uint16_t port) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        return ok;
    };

    auto loopback = quietSim();
    auto s = sim::SimServer::start(loopback);
    REQUIRE(s.ok());
    CHECK(s.value()->baseUrl().rfind("http://127.0.0.1:", 0) == 0);
    CHECK(tryConnect("127.0.0.1", s.value()->port()));
    if (external) {
        MESSAGE("non-loopback address: " << *external);
        CHECK_FALSE(tryConnect(*external, s.value()->port()));
        auto everywhere = quietSim();
        everywhere.bind = "0.0.0.0";
        auto open = sim::SimServer::start(everywhere);
        REQUIRE(open.ok());
        CHECK(tryConnect(*external, open.value()->port()));
    } else {
        MESSAGE("this machine has no non-loopback IPv4 address: only the default is checked");
    }

#ifdef GENMON_SIM_EXE
    // The program: its first line is the URL, on 127.0.0.1, and /proc says it listens there only.
    int out[2];
    REQUIRE(::pipe(out) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::close(out[0]);
        ::close(out[1]);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 2);
        ::execl(GENMON_SIM_EXE, "genmon-sim", "--port", "0", "--scenario", "idle", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    MESSAGE("genmon-sim said: " << line);
    REQUIRE(line.rfind("http://127.0.0.1:", 0) == 0);
    const std::string port = line.substr(17, line.find('/', 17) - 17);
    char hexPort[8];
    std::snprintf(hexPort, sizeof hexPort, "%04X", static_cast<unsigned>(std::stoi(port)));
    std::ifstream tcp("/proc/" + std::to_string(pid) + "/net/tcp");
    bool listensOnLoopback = false, listensElsewhere = false;
    for (std::string row; std::getline(tcp, row);) {
        std::istringstream fields(row);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (state != "0A" || local.size() < 13 || local.substr(9) != hexPort) continue;  // LISTEN on our port
        (local.substr(0, 8) == "0100007F" ? listensOnLoopback : listensElsewhere) = true;
    }
    CHECK(listensOnLoopback);
    CHECK_FALSE(listensElsewhere);
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
#endif
}
