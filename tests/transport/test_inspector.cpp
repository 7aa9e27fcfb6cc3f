// The Inspector's exchange log: every HTTP attempt and WebSocket event of a live session, with
// status and size; never the API key (issue 9: "redacted in the inspector").

#include <fstream>
#include <sstream>

#include "app/runtime.hpp"
#include "key_echo_server.hpp"
#include "test_support.hpp"
#include "transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;

TEST_CASE("issue 9: the inspector records requests and socket events, and never the API key") {
    const std::string key = "k3y-that-must-never-show-1234";
    auto options = quietSim();
    options.apiKey = key;
    auto sim = startSim(options);
    app::RuntimeOptions ro;
    ro.transport = fastSettings();
    ro.retryInitialize = false;
    app::Runtime rt(ro);
    orchestrator::BackendConfig backend;
    backend.baseUrl = sim->baseUrl();
    auto first = rt.start(backend, key);
    REQUIRE(first.wait_for(10s) == std::future_status::ready);
    REQUIRE(first.get().ok());
    // A request the server refuses, so an error text goes through the log too.
    auto cancel = rt.orchestrator().cancelJob("no-such-job");
    REQUIRE(cancel.wait_for(10s) == std::future_status::ready);
    CHECK_FALSE(cancel.get().ok());
    REQUIRE(waitUntil([&] { return rt.snapshots().acquire()->isConnected; }));

    const auto log = rt.exchanges().recent();
    bool sawJobs = false, sawCancel404 = false, sawSocket = false;
    for (const auto& e : log) {
        CAPTURE(e.target);
        CHECK(e.target.find(key) == std::string::npos);
        CHECK(e.error.find(key) == std::string::npos);
        if (e.method == "GET" && e.target.find("/generation/jobs/active") != std::string::npos && e.status == 200) {
            sawJobs = true;
            CHECK(e.bytes > 0);
            CHECK(e.millis >= 0);
        }
        if (e.method == "POST" && e.target.find("/jobs/no-such-job/cancel") != std::string::npos) {
            sawCancel404 = e.status == 404 && e.error == "Job not found";
        }
        if (e.method == "WS" && e.target == "phase: connected") sawSocket = true;
    }
    CHECK(sawJobs);
    CHECK(sawCancel404);
    CHECK(sawSocket);
    CHECK(rt.exchanges().total() >= log.size());
    rt.shutdown();
}

// ---- issue 10: direction, body previews, redaction everywhere, bounds ----------------------------

namespace {

// A hostile backend: every answer echoes the X-API-Key header back in its JSON body (HTTP 200,
// so the body is a response preview) and in a header.
std::string echoKeyIn200(const std::string& key) {
    const std::string body = R"({"gpu_available":true,"status":"healthy","note":"you sent )" + key + R"("})";
    return testing::KeyEchoServer::response("200 OK", key, body);
}

std::string everythingIn(const orchestrator::ExchangeLog& log) {
    std::string all;
    for (const auto& e : log.recent())
        all += e.method + " " + e.target + " " + e.error + "\n" + e.requestHeaders + "\n" + e.requestBody + "\n" +
               e.responseBody + "\n";
    return all;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("issue 10 inspector: directions and body previews of HTTP exchanges and socket messages") {
    auto options = quietSim();
    options.initialResults = 1;
    auto sim = startSim(options);
    sim->queueJob("a lighthouse at dusk");
    app::RuntimeOptions ro;
    ro.transport = fastSettings();
    ro.retryInitialize = false;
    app::Runtime rt(ro);
    orchestrator::BackendConfig backend;
    backend.baseUrl = sim->baseUrl();
    auto first = rt.start(backend, std::nullopt);
    REQUIRE(first.wait_for(10s) == std::future_status::ready);
    REQUIRE(first.get().ok());
    model::GenerationRequest request;
    request.prompt = "a paper boat on a pond";
    auto queued = rt.orchestrator().startGeneration(request);
    REQUIRE(queued.wait_for(10s) == std::future_status::ready);
    REQUIRE(queued.get().ok());
    REQUIRE(waitUntil([&] { return rt.snapshots().acquire()->isConnected; }));

    bool sawJobs = false, sawPost = false, sawWsIn = false, sawWsOut = false, sawPhase = false;
    for (const auto& e : rt.exchanges().recent()) {
        CAPTURE(e.target);
        if (e.method == "GET" && e.target.find("/generation/jobs/active") != std::string::npos) {
            sawJobs = true;
            CHECK(e.direction == orchestrator::Direction::Response);
            CHECK(e.responseBody.rfind("[{", 0) == 0);  // the JSON list the server sent
            CHECK(e.responseBody.find("a lighthouse at dusk") != std::string::npos);
        }
        if (e.method == "POST" && e.target.find("/generation/queue-generation") != std::string::npos) {
            sawPost = true;
            CHECK(e.requestBody.find("\"prompt\":\"a paper boat on a pond\"") != std::string::npos);
            CHECK(e.requestBytes == e.requestBody.size());
            CHECK(e.requestHeaders.find("Content-Type: application/json") != std::string::npos);
            CHECK(e.requestHeaders.find("X-API-Key") == std::string::npos);  // no key configured
        }
        if (e.direction == orchestrator::Direction::WsIn && e.target == "subscription_confirmed") {
            sawWsIn = true;
            CHECK(e.responseBody.find("\"type\":\"subscription_confirmed\"") != std::string::npos);
        }
        if (e.direction == orchestrator::Direction::WsOut) {
            sawWsOut = true;
            CHECK(e.responseBody.find("\"type\":\"subscribe\"") != std::string::npos);
        }
        if (e.direction == orchestrator::Direction::WsEvent && e.wsEvent == "connected") sawPhase = true;
    }
    CHECK(sawJobs);
    CHECK(sawPost);
    CHECK(sawWsIn);
    CHECK(sawWsOut);
    CHECK(sawPhase);
    rt.shutdown();
}

TEST_CASE("issue 10 inspector: the API key is *** in headers and bodies and never in a recording (right key and wrong key and echoed)") {
    const std::string key = "zq-distinctive-key-5e8d1c-do-not-leak";
    // Right key and wrong key against the sim: the header is shown redacted, the key nowhere.
    for (const std::string& sent : {key, key + "-wrong"}) {
        CAPTURE(sent);
        auto options = quietSim();
        options.apiKey = key;
        auto sim = startSim(options);
        app::RuntimeOptions ro;
        ro.transport = fastSettings();
        ro.retryInitialize = false;
        app::Runtime rt(ro);
        orchestrator::BackendConfig backend;
        backend.baseUrl = sim->baseUrl();
        const std::string path = (test::outputDir() / ("redaction-" + std::to_string(::getpid()) + ".jsonl")).string();
        std::filesystem::create_directories(test::outputDir());
        REQUIRE(rt.startRecording(path, backend).ok());
        auto first = rt.start(backend, sent);
        REQUIRE(first.wait_for(10s) == std::future_status::ready);
        CHECK(first.get().ok() == (sent == key));
        const auto log = rt.exchanges().recent();
        REQUIRE_FALSE(log.empty());
        for (const auto& e : log)
            if (e.method != "WS") CHECK(e.requestHeaders.find("X-API-Key: ***") != std::string::npos);
        CHECK(everythingIn(rt.exchanges()).find(key) == std::string::npos);
        rt.shutdown();
        REQUIRE(rt.stopRecording().ok());
        const std::string recorded = slurp(path);
        CHECK(recorded.size() > 100);
        CHECK(recorded.find(key) == std::string::npos);
    }
    // A hostile server echoing the key in its bodies: *** in the previews and in the recording.
    testing::KeyEchoServer echo(echoKeyIn200);
    auto settings = fastSettings();
    settings.getRetryDelaysMs = {};
    app::RuntimeOptions ro;
    ro.transport = settings;
    ro.retryInitialize = false;
    ro.usePush = false;
    app::Runtime rt(ro);
    orchestrator::BackendConfig backend;
    backend.baseUrl = echo.baseUrl();
    const std::string path = (test::outputDir() / ("echo-" + std::to_string(::getpid()) + ".jsonl")).string();
    REQUIRE(rt.startRecording(path, backend).ok());
    auto first = rt.start(backend, key);
    REQUIRE(first.wait_for(10s) == std::future_status::ready);
    (void)first.get();  // the echo is no job list: initialize fails, the bodies were seen
    CHECK(echo.requests() >= 3);
    const std::string shown = everythingIn(rt.exchanges());
    CHECK(shown.find("you sent ***") != std::string::npos);
    CHECK(shown.find(key) == std::string::npos);
    rt.shutdown();
    REQUIRE(rt.stopRecording().ok());
    const std::string recorded = slurp(path);
    CHECK(recorded.find("you sent ***") != std::string::npos);
    CHECK(recorded.find(key) == std::string::npos);
}

TEST_CASE("issue 10 inspector: previews are bounded per entry and in total and a key across the cut does not survive") {
    orchestrator::ExchangeLog log(1000);
    const std::string key = "k-across-the-cut-123456";
    log.addSecret(key);
    // A body whose key straddles the 2 KiB preview cut.
    std::string body(orchestrator::ExchangeLog::kPreviewBytes - 5, 'x');
    body += key;
    body += std::string(100000, 'y');
    orchestrator::Exchange e;
    e.method = "GET";
    e.target = "http://h/api/v1/generation/results?limit=10";
    log.add(e, {}, body);
    auto rows = log.recent();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].responseBody.size() <= orchestrator::ExchangeLog::kPreviewBytes);
    CHECK(rows[0].previewCut);
    CHECK(rows[0].responseBody.find("k-across") == std::string::npos);
    CHECK(rows[0].responseBody.find("***") != std::string::npos);
    // Multi-byte text is never cut inside a character.
    std::string accents;
    while (accents.size() < 3 * orchestrator::ExchangeLog::kPreviewBytes) accents += "\xC3\xA9";  // é
    log.add(e, {}, accents);
    CHECK(orchestrator::ExchangeLog::isText(log.recent().back().responseBody));
    // Binary bodies are not previewed.
    const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    log.add(e, {}, png);
    CHECK(log.recent().back().responseBinary);
    CHECK(log.recent().back().responseBody.empty());
    // 3000 entries with the largest previews: at most 1000 kept, and under the byte budget.
    const std::string bigRequest(orchestrator::ExchangeLog::kRequestPreviewBytes * 2, 'r');
    for (int i = 0; i < 3000; ++i) log.add(e, bigRequest, body);
    CHECK(log.recent().size() <= 1000);
    CHECK(log.previewBytes() <= orchestrator::ExchangeLog::kPreviewBudgetBytes);
    CHECK(log.total() == 3003);
    for (const auto& r : log.recent()) {
        CHECK(r.requestBody.size() <= orchestrator::ExchangeLog::kRequestPreviewBytes);
        CHECK(r.responseBody.size() <= orchestrator::ExchangeLog::kPreviewBytes);
    }
}
