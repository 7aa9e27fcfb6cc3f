// Spec §3.1: the WebSocket at <prefix>/ws/progress, stepped with the manual clock.
#include <regex>
#include <vector>

#include "sim_test_util.hpp"

using namespace genmon;
using namespace genmon::simtest;
using namespace std::chrono_literals;

namespace {

// The server's messages of a capture, as "type: data keys".
std::vector<std::string> capturedShape(const std::string& fixture) {
    const Json doc(test::upstreamFixture(fixture));
    REQUIRE(doc.ok);
    std::vector<std::string> out;
    for (auto message : simdjson::dom::array(doc["messages"])) {
        if (std::string_view(message["dir"]) != "in") continue;
        std::string line{std::string_view(message["msg"]["type"])};
        line += ':';
        for (auto field : simdjson::dom::object(message["msg"]["data"])) {
            line += ' ';
            line += field.key;
        }
        out.push_back(line);
    }
    return out;
}

std::string shapeOf(const std::string& text) {
    const Json message(text);
    REQUIRE(message.ok);
    std::string line = message.str("type");
    line += ':';
    for (auto field : simdjson::dom::object(message["data"])) {
        line += ' ';
        line += field.key;
    }
    return line;
}

std::unique_ptr<WsClient> connectProgress(const sim::SimServer& server) {
    std::string error;
    auto ws = WsClient::connect(server.port(), prefixed(server, "/ws/progress"), &error);
    REQUIRE_MESSAGE(ws != nullptr, error);
    return ws;
}

std::string readOrFail(WsClient& ws) {
    auto text = ws.read(3s);
    REQUIRE_MESSAGE(text.has_value(), "no WebSocket message within 3 s");
    return *text;
}

void subscribe(WsClient& ws, const std::string& jobIds = "null") {
    REQUIRE(ws.send(R"({"type":"subscribe","job_ids":)" + jobIds + R"(,"include_previews":false})"));
    CHECK(Json(readOrFail(ws)).str("type") == "subscription_confirmed");
}

}  // namespace

TEST_CASE("spec 3.1: a subscribed socket receives the sequence of ws_progress_subscribed_all.json") {
    auto server = startSim();
    auto ws = connectProgress(*server);
    std::vector<std::string> received;
    std::vector<std::string> texts;
    auto take = [&] {
        texts.push_back(readOrFail(*ws));
        received.push_back(shapeOf(texts.back()));
    };
    take();  // connected
    REQUIRE(ws->send(R"({"type":"subscribe","job_ids":null,"include_previews":false})"));
    take();  // subscription_confirmed

    // A job that runs to completion: started and queued at once, then one update per 2 s.
    const std::string first = server->queueJob("a lighthouse at dusk, <lora:test:0.8>");
    take();
    take();
    for (int tick = 0; tick < 4; ++tick) {
        server->advance(2000);
        take();
    }
    take();  // generation_complete follows the final progress_update
    // A job that is cancelled while queued: nothing after its first update.
    const std::string second = server->queueJob("job to cancel");
    take();
    take();
    REQUIRE(httpOnce(server->port(), "POST", prefixed(*server, "/generation/jobs/" + second + "/cancel")).status == 200);
    server->advance(10000);
    CHECK_FALSE(ws->read(300ms).has_value());

    CHECK(received == capturedShape("ws_progress_subscribed_all.json"));
    REQUIRE(texts.size() == 11);
    const Json connected(texts[0]);
    CHECK(std::regex_match(std::string(std::string_view(connected["data"]["connection_id"])), std::regex("conn_1_[0-9]{10}")));
    CHECK(std::string(std::string_view(connected["data"]["message"])) == "Connected to progress monitoring");
    CHECK(connected.str("timestamp").ends_with("+00:00"));
    const std::vector<std::string> statuses{"queued", "processing", "processing", "processing", "completed"};
    double lastProgress = -1;
    for (size_t i = 0; i < statuses.size(); ++i) {
        const Json update(texts[3 + i]);
        CHECK(std::string(std::string_view(update["data"]["job_id"])) == first);
        CHECK(std::string(std::string_view(update["data"]["status"])) == statuses[i]);
        const double progress = double(update["data"]["progress"]);
        CHECK(progress >= 0.0);
        CHECK(progress <= 1.0);
        CHECK(progress > lastProgress);
        lastProgress = progress;
    }
    const Json complete(texts[8]);
    CHECK(std::string(std::string_view(complete["data"]["status"])) == "completed");
    CHECK(double(complete["data"]["total_duration"]) == doctest::Approx(6.0));
    CHECK(simdjson::dom::array(complete["data"]["images"]).size() == 1);
}

TEST_CASE("spec 3.1: an unsubscribed socket receives only connected (ws_progress_no_subscribe.json)") {
    auto server = startSim();
    auto ws = connectProgress(*server);
    std::vector<std::string> received{shapeOf(readOrFail(*ws))};
    server->queueJob("a lighthouse at dusk");
    server->advance(10000);
    CHECK_FALSE(ws->read(300ms).has_value());
    CHECK(received == capturedShape("ws_progress_no_subscribe.json"));
}

TEST_CASE("spec 3.1: subscriptions to listed jobs accumulate and filter the messages") {
    auto server = startSim();
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    const std::string a = server->queueJob("job a");
    const std::string b = server->queueJob("job b");
    const std::string c = server->queueJob("job c");
    subscribe(*ws, "[\"" + a + "\"]");
    subscribe(*ws, "[\"" + c + "\"]");
    server->advance(2000);
    std::set<std::string> seen;
    while (auto text = ws->read(300ms)) seen.insert(std::string(std::string_view(Json(*text)["data"]["job_id"])));
    CHECK(seen == std::set<std::string>{a, c});
}

TEST_CASE("spec 3.1: frames other than subscribe are ignored") {
    auto server = startSim();
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    REQUIRE(ws->send("ping"));
    REQUIRE(ws->send(R"({"type":"ping"})"));
    REQUIRE(ws->send(R"({"type":"subscribe","job_ids":42})"));
    CHECK_FALSE(ws->read(200ms).has_value());
    subscribe(*ws);  // the socket still works
}

TEST_CASE("spec 3.1: a failed job ends with generation_complete status failed and an error_message") {
    auto server = startSim();
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    subscribe(*ws);
    const std::string id = server->queueJob("doomed");
    readOrFail(*ws);
    readOrFail(*ws);
    server->advance(2000);
    readOrFail(*ws);
    REQUIRE(server->finishJob(id, false).ok());
    server->advance(2000);
    const Json update(readOrFail(*ws));
    CHECK(std::string(std::string_view(update["data"]["status"])) == "failed");
    const Json complete(readOrFail(*ws));
    CHECK(complete.str("type") == "generation_complete");
    CHECK(std::string(std::string_view(complete["data"]["status"])) == "failed");
    CHECK(std::string(std::string_view(complete["data"]["error_message"])) == "SDNext API not available");
    CHECK(complete["data"]["images"].is_null());
}

TEST_CASE("spec 3.1: the cadence follows progressIntervalMs") {
    auto options = quietOptions();
    options.progressIntervalMs = 100;
    options.jobDurationMs = 1000;
    options.pickupDelayMs = 0;
    auto server = startSim(options);
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    subscribe(*ws);
    server->queueJob("fast");
    readOrFail(*ws);
    readOrFail(*ws);
    server->advance(500);  // five updates due, delivered in order
    for (int i = 1; i <= 5; ++i) {
        const Json update(readOrFail(*ws));
        CHECK(double(update["data"]["progress"]) == doctest::Approx(i * 0.1));
    }
}

TEST_CASE("spec 3.1: other socket paths are refused with HTTP 403") {
    auto server = startSim();
    for (const char* path : {"/api/v1/generation/ws/progress", "/api/v1/ws/other", "/ws/progress"}) {
        std::string error;
        int status = 0;
        CHECK(WsClient::connect(server->port(), path, &error, &status) == nullptr);
        CHECK_MESSAGE(status == 403, path);
    }
    // Plain HTTP to the socket path is Starlette's 404.
    CHECK(httpOnce(server->port(), "GET", "/api/v1/ws/progress").status == 404);
}

TEST_CASE("spec 3.1: no API key is asked on the socket, and the server pings an idle one") {
    auto options = quietOptions();
    options.apiKey = "secret-key";
    options.wsPingIntervalMs = 50;
    auto server = startSim(options);
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    CHECK_FALSE(ws->read(400ms).has_value());  // pings are answered inside the read
    CHECK(ws->pingsReceived() >= 1);
    CHECK_FALSE(ws->closed());
}

TEST_CASE("spec 2.4: generate?mode=deferred announces the id and reports it queued forever") {
    auto options = quietOptions();
    options.sdnextInfoAsString = false;  // with real SDNext's string `info` it is a 500 (spec §9.15)
    auto server = startSim(options);
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    subscribe(*ws);
    const Reply reply = httpOnce(server->port(), "POST", prefixed(*server, "/generation/generate?mode=deferred"),
                                 R"({"prompt":"ghost"})");
    REQUIRE(reply.status == 200);
    const std::string id = Json(reply.body).str("job_id");
    CHECK(Json(readOrFail(*ws)).str("type") == "generation_started");
    server->advance(4000);
    for (int i = 0; i < 2; ++i) {
        const Json update(readOrFail(*ws));
        CHECK(std::string(std::string_view(update["data"]["job_id"])) == id);
        CHECK(std::string(std::string_view(update["data"]["status"])) == "queued");
    }
    CHECK(httpOnce(server->port(), "POST", prefixed(*server, "/generation/jobs/" + id + "/cancel")).status == 404);
}

namespace {

struct Update {
    std::string jobId, status;
    double progress = 0;
    bool stepsNull = true;
};

// Every progress_update the socket has for us now (the clock is manual: nothing more comes).
std::vector<Update> drainUpdates(WsClient& ws) {
    std::vector<Update> out;
    while (auto text = ws.read(300ms)) {
        const Json m(*text);
        REQUIRE(m.ok);
        if (m.str("type") != "progress_update") continue;
        const auto d = m["data"];
        out.push_back({std::string(std::string_view(d["job_id"])), std::string(std::string_view(d["status"])),
                       double(d["progress"]),
                       d["current_step"].is_null() && d["total_steps"].is_null() && d["eta_seconds"].is_null()});
    }
    return out;
}

}  // namespace

TEST_CASE("spec 3.1 / issue 14.3: progress is global: a queued job reports the running job's fraction, status queued") {
    auto server = startSim();  // one worker, 6 s per job, picked up 1.5 s after creation
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    subscribe(*ws);
    const std::string running = server->queueJob("renders first");
    const std::string waiting = server->queueJob("waits");
    drainUpdates(*ws);  // started + the first updates, at 0
    // Ticks at 2, 4 and 6 s: "renders first" is 0.5/6, 2.5/6 and 4.5/6 through its run.
    for (const double expected : {0.5 / 6, 2.5 / 6, 4.5 / 6}) {
        server->advance(2000);
        const auto updates = drainUpdates(*ws);
        REQUIRE(updates.size() == 2);
        for (const auto& u : updates) {
            CHECK(u.progress == doctest::Approx(expected));
            CHECK(u.stepsNull);  // upstream never fills steps or ETA
            CHECK(u.status == (u.jobId == running ? "processing" : "queued"));
        }
    }
    // At 7.5 s the first ends and the worker takes the second: at 8 s it reports its own run.
    server->advance(2000);
    for (const auto& u : drainUpdates(*ws)) {
        if (u.jobId == waiting) {
            CHECK(u.status == "processing");
            CHECK(u.progress == doctest::Approx(0.5 / 6));
        } else {
            CHECK(u.status == "completed");
            CHECK(u.progress == 1.0);
        }
    }
}

TEST_CASE("spec 3.1 / issue 14.3: with two workers both running jobs report the fraction of the one that started first") {
    auto options = quietOptions();
    options.workers = 2;
    auto server = startSim(options);
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    subscribe(*ws);
    server->queueJob("first");
    server->advance(1000);
    server->queueJob("second");  // picked up at 2.5 s, a second after the first (1.5 s)
    drainUpdates(*ws);
    server->advance(2500);  // to 3.5 s: the first's monitor ticks at 2 s, the second's at 3 s
    const auto updates = drainUpdates(*ws);
    REQUIRE(updates.size() == 2);
    CHECK(updates[0].progress == doctest::Approx(0.5 / 6));  // 2 s: the first, 0.5 s into its run
    // 3 s, the second's own message: the first's 1.5 s of 6, not its own 0.5 s.
    CHECK(updates[1].progress == doctest::Approx(1.5 / 6));
    CHECK(updates[1].status == "processing");
}

TEST_CASE("spec 3.1 / issue 14.3: --progress per-job keeps each job's own progress and steps") {
    auto options = quietOptions();
    options.progressMode = sim::ProgressMode::PerJob;
    auto server = startSim(options);
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    subscribe(*ws);
    const std::string running = server->queueJob("renders first");
    server->queueJob("waits");
    drainUpdates(*ws);
    server->advance(4000);
    const auto updates = drainUpdates(*ws);
    REQUIRE(updates.size() == 4);
    for (const auto& u : updates) {
        if (u.jobId == running) {
            CHECK(u.progress > 0.0);
            CHECK_FALSE(u.stepsNull);
        } else {
            CHECK(u.status == "queued");
            CHECK(u.progress == 0.0);
        }
    }
}

TEST_CASE("spec 2.5 / issue 14.3: a cancelled pending job sends nothing more, even while the worker renders it") {
    auto server = startSim();
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    subscribe(*ws);
    const std::string first = server->queueJob("first");
    const std::string cancelled = server->queueJob("cancelled");
    drainUpdates(*ws);
    REQUIRE(httpOnce(server->port(), "POST", prefixed(*server, "/generation/jobs/" + cancelled + "/cancel")).status == 200);
    std::set<std::string> seen;
    bool completed = false;
    server->advance(30000);  // both are rendered in turn
    while (auto text = ws->read(300ms)) {
        const Json m(*text);
        seen.insert(std::string(std::string_view(m["data"]["job_id"])));
        completed |= m.str("type") == "generation_complete";
    }
    CHECK(seen == std::set<std::string>{first});
    CHECK(completed);
    CHECK(server->jobs().back().rawStatus == "succeeded");
}

TEST_CASE("spec 9.15: generate?mode=deferred that ends in the 500 announces nothing and starts no monitor") {
    auto server = startSim();
    auto ws = connectProgress(*server);
    readOrFail(*ws);
    subscribe(*ws);
    const Reply reply = httpOnce(server->port(), "POST", prefixed(*server, "/generation/generate?mode=deferred"),
                                 R"({"prompt":"ghost"})");
    CHECK(reply.status == 500);
    server->advance(10000);
    CHECK_FALSE(ws->read(300ms).has_value());
}
