// Job lifecycle, queries, validation, auth, prefixes, images and determinism (spec §0, §2).
#include <stb_image.h>

#include <cstdlib>

#include "protocol/base64.hpp"
#include "sim_test_util.hpp"

using namespace genmon;
using namespace genmon::simtest;

namespace {

std::vector<std::string> ids(const Reply& reply) {
    const Json list(reply.body);
    REQUIRE_MESSAGE(list.ok, reply.body);
    std::vector<std::string> out;
    for (auto item : simdjson::dom::array(list.root)) out.emplace_back(std::string_view(item["id"]));
    return out;
}

struct Decoded {
    int width = 0, height = 0, channels = 0;
    std::vector<uint8_t> pixels;
};

Decoded decodePng(const std::vector<uint8_t>& png) {
    Decoded d;
    uint8_t* pixels = stbi_load_from_memory(png.data(), static_cast<int>(png.size()), &d.width, &d.height, &d.channels, 3);
    REQUIRE_MESSAGE(pixels != nullptr, "not a PNG stb_image can decode");
    d.pixels.assign(pixels, pixels + static_cast<size_t>(d.width) * static_cast<size_t>(d.height) * 3);
    stbi_image_free(pixels);
    return d;
}

std::vector<uint8_t> bytesOf(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("spec 2.2: active jobs are ordered by coalesce(started_at, created_at) descending") {
    auto server = startSim();
    const std::string a = server->queueJob("first");
    server->advance(100);
    const std::string b = server->queueJob("second");
    server->advance(100);
    const std::string c = server->queueJob("third");
    server->advance(1300);  // the single worker picks "first" up 1500 ms after it was created
    HttpClient http(server->port());
    const Reply reply = http.get(prefixed(*server, "/generation/jobs/active"));
    CHECK(ids(reply) == std::vector<std::string>{a, c, b});
    const Json jobs(reply.body);
    CHECK(std::string_view(jobs.root.at(0)["status"]) == "processing");
    CHECK(std::string_view(jobs.root.at(1)["status"]) == "queued");
    // Naive timestamps; upstream's progress stays 0.0 while a worker runs (it writes none).
    CHECK(std::string_view(jobs.root.at(0)["created_at"]).find('+') == std::string_view::npos);
    server->advance(3000);
    const double progress = double(Json(http.get(prefixed(*server, "/generation/jobs/active")).body).root.at(0)["progress"]);
    CHECK(progress == 0.0);
}

TEST_CASE("spec 2.2: with --progress per-job, active jobs report their own progress on the 0-100 scale") {
    auto options = quietOptions();
    options.progressMode = sim::ProgressMode::PerJob;
    auto server = startSim(options);
    server->queueJob("first");
    server->advance(1500 + 3000);  // picked up after 1.5 s, then half of its 6 s
    HttpClient http(server->port());
    const double progress = double(Json(http.get(prefixed(*server, "/generation/jobs/active")).body).root.at(0)["progress"]);
    CHECK(progress == doctest::Approx(50.0));
}

TEST_CASE("spec 2.5 / 9.7: a cancelled pending job is still picked up, ends succeeded and becomes a result") {
    auto options = quietOptions();
    options.progressMode = sim::ProgressMode::PerJob;  // to see its own run in the listing
    auto server = startSim(options);
    HttpClient http(server->port());
    const std::string first = server->queueJob("first");
    const std::string cancelled = server->queueJob("cancelled while pending");
    server->advance(2000);  // the single worker runs "first"; the other waits
    REQUIRE(http.post(prefixed(*server, "/generation/jobs/" + cancelled + "/cancel")).status == 200);
    CHECK(server->jobs().back().rawStatus == "cancelled");
    CHECK(ids(http.get(prefixed(*server, "/generation/jobs/active"))) == std::vector<std::string>{first});
    // "first" ends at 7.5 s; the worker then takes the cancelled job and marks it running again.
    server->advance(6000);
    CHECK(server->jobs().back().rawStatus == "running");
    const Json active(http.get(prefixed(*server, "/generation/jobs/active")).body);
    REQUIRE(simdjson::dom::array(active.root).size() == 1);
    const auto row = active.root.at(0);
    CHECK(std::string_view(row["id"]) == cancelled);
    CHECK(std::string_view(row["status"]) == "processing");
    CHECK(minified(row["result"]) == R"({"status":"cancelled"})");  // the cancel's, until the worker writes its own
    // finished_at is the cancel's (2 s), startTime the pickup (7.5 s).
    CHECK(std::string_view(row["finished_at"]) < std::string_view(row["startTime"]));
    CHECK(http.post(prefixed(*server, "/generation/jobs/" + cancelled + "/cancel")).status == 200);  // running again
    server->advance(20000);
    CHECK(server->jobs().back().rawStatus == "succeeded");
    CHECK(ids(http.get(prefixed(*server, "/generation/results"))) == std::vector<std::string>{cancelled, first});
    const Json detail(http.get(prefixed(*server, "/generation/jobs/" + cancelled)).body);
    CHECK(std::string_view(detail["delivery"]["status"]) == "completed");
    CHECK(std::string_view(detail["delivery"]["finished_at"]) < std::string_view(detail["delivery"]["started_at"]));
}

TEST_CASE("spec 2.5: a cancelled running job leaves the active list, then the worker's outcome overwrites the cancel") {
    auto server = startSim();
    HttpClient http(server->port());
    const std::string id = server->queueJob("running");
    server->advance(2000);
    REQUIRE(server->jobs().back().rawStatus == "running");
    REQUIRE(http.post(prefixed(*server, "/generation/jobs/" + id + "/cancel")).status == 200);
    CHECK(ids(http.get(prefixed(*server, "/generation/jobs/active"))).empty());
    CHECK(ids(http.get(prefixed(*server, "/generation/results"))).empty());
    server->advance(20000);
    CHECK(server->jobs().back().rawStatus == "succeeded");
    CHECK(ids(http.get(prefixed(*server, "/generation/results"))) == std::vector<std::string>{id});
    // finished_at stays the cancel's time (2 s after the manual clock's fixed start), not the
    // run's real end (7.5 s); started_at is the pickup (1.5 s).
    const Json detail(http.get(prefixed(*server, "/generation/jobs/" + id)).body);
    CHECK(std::string_view(detail["delivery"]["started_at"]) == "2026-11-26T07:00:01.500000");
    CHECK(std::string_view(detail["delivery"]["finished_at"]) == "2026-11-26T07:00:02");
    const Json result(http.get(prefixed(*server, "/generation/results")).body);
    CHECK(std::string_view(result.root.at(0)["finished_at"]) == "2026-11-26T07:00:02");
}

TEST_CASE("spec 2.2: limit defaults to 50 and must lie within 1..200") {
    auto server = startSim();
    for (int i = 0; i < 60; ++i) server->queueJob("job " + std::to_string(i));
    HttpClient http(server->port());
    CHECK(ids(http.get(prefixed(*server, "/generation/jobs/active"))).size() == 50);
    CHECK(ids(http.get(prefixed(*server, "/generation/jobs/active?limit=200"))).size() == 60);
    CHECK(ids(http.get(prefixed(*server, "/generation/jobs/active?limit=1"))).size() == 1);
    const Reply tooMany = http.get(prefixed(*server, "/generation/jobs/active?limit=201"));
    CHECK(tooMany.status == 422);
    CHECK(tooMany.body ==
          R"({"detail":[{"type":"less_than_equal","loc":["query","limit"],"msg":"Input should be less than or equal to 200","input":"201","ctx":{"le":200}}]})");
    const Reply notANumber = http.get(prefixed(*server, "/generation/jobs/active?limit=abc"));
    CHECK(notANumber.status == 422);
    CHECK(std::string_view(Json(notANumber.body)["detail"].at(0)["type"]) == "int_parsing");
}

TEST_CASE("spec 2.3: results take limit 1..100 and offset >= 0, newest first") {
    auto server = startSim();
    std::vector<std::string> made;
    for (int i = 0; i < 5; ++i) {
        made.push_back(server->queueJob("result " + std::to_string(i)));
        REQUIRE(server->finishJob(made.back(), true).ok());
        server->advance(10);
    }
    HttpClient http(server->port());
    CHECK(ids(http.get(prefixed(*server, "/generation/results"))) ==
          std::vector<std::string>{made[4], made[3], made[2], made[1], made[0]});
    CHECK(ids(http.get(prefixed(*server, "/generation/results?limit=2&offset=1"))) == std::vector<std::string>{made[3], made[2]});
    CHECK(http.get(prefixed(*server, "/generation/results?limit=101")).status == 422);
    CHECK(http.get(prefixed(*server, "/generation/results?offset=-1")).status == 422);
    CHECK(http.get(prefixed(*server, "/generation/results?limit=100")).status == 200);
}

TEST_CASE("spec 2.3: a result's image_url is the raw base64 of the PNG that /download serves") {
    auto server = startSim();
    const std::string id = server->queueJob("a red fox in fresh snow");
    REQUIRE(server->finishJob(id, true).ok());
    HttpClient http(server->port());
    const Json results(http.get(prefixed(*server, "/generation/results")).body);
    const std::string imageUrl(std::string_view(results.root.at(0)["image_url"]));
    CHECK_FALSE(imageUrl.starts_with("data:"));
    const auto fromBase64 = protocol::base64Decode(imageUrl);
    REQUIRE(fromBase64.has_value());

    // spec 2.7
    const Reply download = http.get(prefixed(*server, "/generation/results/" + id + "/download"));
    CHECK(download.status == 200);
    CHECK(download.contentType == "image/png");
    CHECK(download.headers.at("content-disposition") == "attachment; filename=\"" + id + "-000.png\"");
    CHECK(download.headers.at("content-length") == std::to_string(download.body.size()));
    CHECK(bytesOf(download.body) == *fromBase64);
    const Decoded image = decodePng(*fromBase64);
    CHECK(image.width == 64);
    CHECK(image.height == 64);
}

TEST_CASE("spec 2.7: download answers 404 for an unknown id and for a job without an image") {
    auto server = startSim();
    const std::string pending = server->queueJob("not yet");
    HttpClient http(server->port());
    const Reply unknown = http.get(prefixed(*server, "/generation/results/nope/download"));
    CHECK(unknown.status == 404);
    CHECK(unknown.body == R"({"type":"about:blank","title":"Result not found","status":404})");
    CHECK(http.get(prefixed(*server, "/generation/results/" + pending + "/download")).body ==
          R"({"type":"about:blank","title":"Result asset is unavailable","status":404})");
}

TEST_CASE("spec 2.5: cancel answers 400 for a succeeded job, and for failed and cancelled ones") {
    auto server = startSim();
    HttpClient http(server->port());
    const std::string succeeded = server->queueJob("ok");
    const std::string failed = server->queueJob("bad");
    const std::string cancelled = server->queueJob("cancel me");
    REQUIRE(server->finishJob(succeeded, true).ok());
    REQUIRE(server->finishJob(failed, false).ok());
    REQUIRE(http.post(prefixed(*server, "/generation/jobs/" + cancelled + "/cancel")).status == 200);
    for (const auto& id : {succeeded, failed, cancelled}) {
        const Reply reply = http.post(prefixed(*server, "/generation/jobs/" + id + "/cancel"));
        CHECK(reply.status == 400);
        CHECK(reply.body == R"({"type":"about:blank","title":"Job cannot be cancelled in its current state","status":400})");
    }
}

TEST_CASE("spec 2.5: with cancelStopsWorker a cancelled running job leaves the queue and never becomes a result") {
    auto options = quietOptions();
    options.cancelStopsWorker = true;
    auto server = startSim(options);
    HttpClient http(server->port());
    const std::string id = server->queueJob("running");
    server->advance(2000);
    CHECK(server->jobs().back().rawStatus == "running");
    CHECK(http.post(prefixed(*server, "/generation/jobs/" + id + "/cancel")).status == 200);
    server->advance(20000);
    CHECK(server->jobs().back().rawStatus == "cancelled");
    CHECK(ids(http.get(prefixed(*server, "/generation/jobs/active"))).empty());
    CHECK(ids(http.get(prefixed(*server, "/generation/results"))).empty());
    const Json detail(http.get(prefixed(*server, "/generation/jobs/" + id)).body);
    CHECK(std::string_view(detail["delivery"]["status"]) == "failed");  // cancelled normalises to failed
    CHECK(minified(detail["delivery"]["result"]) == R"({"status":"cancelled"})");
}

TEST_CASE("spec 2.6: delete answers 204 then 404, for results and for any other job") {
    auto server = startSim();
    HttpClient http(server->port());
    const std::string result = server->queueJob("done");
    REQUIRE(server->finishJob(result, true).ok());
    const std::string active = server->queueJob("still queued");
    for (const auto& id : {result, active}) {
        const Reply first = http.del(prefixed(*server, "/generation/results/" + id));
        CHECK(first.status == 204);
        CHECK(first.body.empty());
        CHECK(http.del(prefixed(*server, "/generation/results/" + id)).status == 404);
        CHECK(http.get(prefixed(*server, "/generation/jobs/" + id)).status == 404);
    }
    CHECK(server->jobs().empty());
}

TEST_CASE("spec 2: bulk delete removes the listed jobs and counts them") {
    auto server = startSim();
    const std::string a = server->queueJob("a"), b = server->queueJob("b");
    const Reply reply = httpOnce(server->port(), "DELETE", prefixed(*server, "/generation/results/bulk-delete"),
                                 R"({"ids":[")" + a + R"(","unknown",")" + b + R"("]})");
    CHECK(reply.status == 200);
    CHECK(reply.body == R"({"deleted":2})");
}

TEST_CASE("spec 4.1: jobs go pending, running, succeeded, and succeeded jobs become results") {
    auto server = startSim();
    const std::string id = server->queueJob("lifecycle");
    CHECK(server->jobs().back().rawStatus == "pending");
    server->advance(1500);
    CHECK(server->jobs().back().rawStatus == "running");
    server->advance(3000);
    CHECK(server->jobs().back().progress == doctest::Approx(0.5));
    server->advance(3000);
    CHECK(server->jobs().back().rawStatus == "succeeded");
    HttpClient http(server->port());
    CHECK(ids(http.get(prefixed(*server, "/generation/results"))) == std::vector<std::string>{id});
    const Json detail(http.get(prefixed(*server, "/generation/jobs/" + id)).body);
    CHECK(std::string_view(detail["delivery"]["status"]) == "completed");
    CHECK(std::string_view(detail["delivery"]["result"]["status"]) == "completed");
}

TEST_CASE("spec 4.1: in the failing scenario jobs fail with an error and never become results") {
    auto options = quietOptions();
    options.scenario = "failing";
    options.failRate = 1.0;
    options.arrivalIntervalMs = 0;
    auto server = startSim(options);
    const std::string id = server->queueJob("doomed");
    server->advance(600000);  // behind the scenario's own queue
    CHECK(server->jobs().back().rawStatus == "failed");
    HttpClient http(server->port());
    const Json detail(http.get(prefixed(*server, "/generation/jobs/" + id)).body);
    CHECK(std::string_view(detail["delivery"]["status"]) == "failed");
    CHECK_FALSE(std::string_view(detail["delivery"]["result"]["error_message"]).empty());
    for (const auto& result : ids(http.get(prefixed(*server, "/generation/results")))) CHECK(result != id);
    const Json status(http.get(prefixed(*server, "/system/status")).body);
    CHECK(int64_t(status["queue"]["failed"]) >= 1);
    bool warned = false;
    for (auto w : simdjson::dom::array(status["warnings"])) warned |= std::string_view(w).starts_with("Delivery failures exceed threshold: ");
    CHECK(warned);
}

TEST_CASE("spec 2.4: immediate generation renders in the request and stores no job") {
    auto options = quietOptions();
    options.sdnextInfoAsString = false;  // the captures' stand-in SDNext (spec §9.15)
    auto server = startSim(options);
    const Reply reply = httpOnce(server->port(), "POST", prefixed(*server, "/generation/generate"),
                                 R"({"prompt":"now","seed":7,"steps":"30","cfg_scale":"6.5"})");
    REQUIRE(reply.status == 200);
    const Json body(reply.body);
    CHECK(body.str("status") == "completed");
    CHECK(int64_t(body["generation_info"]["seed"]) == 7);
    CHECK(int64_t(body["generation_info"]["steps"]) == 30);  // lax parsing, as pydantic
    const auto png = protocol::base64Decode(std::string_view(body["images"].at(0)));
    REQUIRE(png.has_value());
    CHECK(*png == sim::SimServer::renderPng(7, "now", 64));
    CHECK(server->jobs().empty());
}

TEST_CASE("spec 2.4: the body is validated field by field like FastAPI") {
    auto server = startSim();
    HttpClient http(server->port());
    const auto generate = [&](std::string_view body) { return http.post(prefixed(*server, "/generation/generate"), body); };
    CHECK(generate("").body == R"({"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]})");
    CHECK(std::string_view(Json(generate("{not json").body)["detail"].at(0)["type"]) == "json_invalid");
    CHECK(std::string_view(Json(generate("[1]").body)["detail"].at(0)["type"]) == "model_attributes_type");
    const Reply wrong = generate(R"({"prompt":5,"steps":1.5,"width":null,"cfg_scale":"x","negative_prompt":null})");
    CHECK(wrong.status == 422);
    const Json errors(wrong.body);
    std::vector<std::string> types;
    for (auto e : simdjson::dom::array(errors["detail"])) types.emplace_back(std::string_view(e["type"]));
    CHECK(types == std::vector<std::string>{"string_type", "int_from_float", "float_parsing", "int_type"});
    const Reply badMode = http.post(prefixed(*server, "/generation/queue-generation?return_format=png"), R"({"prompt":"p"})");
    CHECK(badMode.status == 422);
    CHECK(std::string_view(Json(badMode.body)["detail"].at(0)["msg"]) == "Input should be 'base64', 'file_path' or 'url'");
    CHECK(http.get(prefixed(*server, "/generation/generate")).status == 405);
}

TEST_CASE("spec 2.3: return_format decides what image_url holds") {
    auto server = startSim();
    HttpClient http(server->port());
    const Reply queued =
        http.post(prefixed(*server, "/generation/queue-generation?return_format=file_path"), R"({"prompt":"on disk"})");
    const std::string id = Json(queued.body).str("delivery_id");
    REQUIRE(server->finishJob(id, true).ok());
    const Json results(http.get(prefixed(*server, "/generation/results")).body);
    CHECK(std::string_view(results.root.at(0)["image_url"]) == "/srv/lora-manager/outputs/" + id + "-000.png");
    CHECK(http.get(prefixed(*server, "/generation/results/" + id + "/download")).status == 200);
}

TEST_CASE("spec 0.7: the API key guards /generation/* only") {
    auto options = quietOptions();
    options.apiKey = "secret-key";
    auto server = startSim(options);
    HttpClient http(server->port());
    CHECK(http.get(prefixed(*server, "/generation/jobs/active")).status == 403);
    CHECK(http.get(prefixed(*server, "/generation/jobs/active"), {{"X-API-Key", "wrong"}}).status == 403);
    CHECK(http.post(prefixed(*server, "/generation/generate"), R"({"prompt":"x"})").status == 403);
    CHECK(http.get(prefixed(*server, "/generation/jobs/active"), {{"x-api-key", "secret-key"}}).status == 200);
    CHECK(http.get(prefixed(*server, "/system/status")).status == 200);
    CHECK(http.get(prefixed(*server, "/generation/nothing-here")).status == 404);  // routing comes first
}

TEST_CASE("spec 0.1: the routes are also served under /v1 when asked") {
    auto options = quietOptions();
    CHECK(httpOnce(startSim(options)->port(), "GET", "/v1/system/status").status == 404);
    options.alsoServeV1 = true;
    auto server = startSim(options);
    CHECK(httpOnce(server->port(), "GET", "/v1/system/status").status == 200);
    CHECK(httpOnce(server->port(), "GET", "/api/v1/system/status").status == 200);
    CHECK(WsClient::connect(server->port(), "/v1/ws/progress") != nullptr);
    options.prefix = "/v1";
    options.alsoServeV1 = false;
    auto docker = startSim(options);
    CHECK(docker->baseUrl() == "http://127.0.0.1:" + std::to_string(docker->port()) + "/v1");
    CHECK(httpOnce(docker->port(), "GET", "/v1/generation/jobs/active").status == 200);
}

TEST_CASE("spec 1.2: keep-alive serves many requests on one connection") {
    auto server = startSim();
    HttpClient http(server->port());
    for (int i = 0; i < 20; ++i) REQUIRE(http.get(prefixed(*server, "/system/status")).status == 200);
    CHECK(http.connectionsMade() == 1);
    const auto stats = server->stats();
    CHECK(stats.requestsByRoute.at("GET /system/status") == 20);
    CHECK(stats.httpConnections == 1);
}

TEST_CASE("sim: the same seed replays the same scenario byte for byte, another seed does not") {
    auto options = quietOptions();
    options.scenario = "busy";
    const auto snapshot = [](sim::SimOptions o) {
        auto server = startSim(o);
        server->advance(7000);
        HttpClient http(server->port());
        return http.get(prefixed(*server, "/generation/jobs/active?limit=200")).body +
               http.get(prefixed(*server, "/generation/results?limit=100")).body +
               http.get(prefixed(*server, "/system/status")).body;
    };
    const std::string first = snapshot(options);
    CHECK(first == snapshot(options));
    options.seed = 2;
    CHECK(first != snapshot(options));
}

TEST_CASE("sim: the busy scenario starts as if the backend had been running a while") {
    auto options = quietOptions();
    options.scenario = "busy";
    auto server = startSim(options);
    int succeeded = 0, failed = 0, running = 0, pending = 0;
    for (const auto& job : server->jobs()) {
        succeeded += job.rawStatus == "succeeded";
        failed += job.rawStatus == "failed";
        running += job.rawStatus == "running";
        pending += job.rawStatus == "pending";
    }
    CHECK(succeeded == 20);
    CHECK(failed >= 1);
    CHECK(running >= 1);
    CHECK(pending >= 1);
    // Arrivals keep coming.
    const size_t before = server->jobs().size();
    server->advance(60000);
    CHECK(server->jobs().size() > before);
}

TEST_CASE("sim: the burst scenario queues N jobs at once") {
    auto options = quietOptions();
    options.scenario = "burst";
    options.burstJobs = 30;
    auto server = startSim(options);
    int pending = 0;
    for (const auto& job : server->jobs()) pending += job.rawStatus == "pending";
    CHECK(pending == 30);
}

TEST_CASE("sim: images are deterministic PNGs that differ between prompts and seeds") {
    const auto a = sim::SimServer::renderPng(42, "a lighthouse at dusk");
    CHECK(a == sim::SimServer::renderPng(42, "a lighthouse at dusk"));
    const Decoded lighthouse = decodePng(a);
    CHECK(lighthouse.width == 256);
    CHECK(lighthouse.height == 256);
    const auto meanDifference = [&](const std::vector<uint8_t>& other) {
        const Decoded d = decodePng(other);
        REQUIRE(d.pixels.size() == lighthouse.pixels.size());
        double sum = 0;
        for (size_t i = 0; i < d.pixels.size(); ++i) sum += std::abs(int(d.pixels[i]) - int(lighthouse.pixels[i]));
        return sum / static_cast<double>(d.pixels.size());
    };
    CHECK(meanDifference(sim::SimServer::renderPng(42, "a red fox in fresh snow")) > 20.0);
    CHECK(meanDifference(sim::SimServer::renderPng(43, "a lighthouse at dusk")) > 5.0);
    // Not a flat colour: the picture has structure.
    std::set<uint32_t> colours;
    for (size_t i = 0; i < lighthouse.pixels.size(); i += 3)
        colours.insert(uint32_t(lighthouse.pixels[i]) << 16 | uint32_t(lighthouse.pixels[i + 1]) << 8 | lighthouse.pixels[i + 2]);
    CHECK(colours.size() > 100);
}

TEST_CASE("sim: start refuses unknown scenarios and bad addresses with a readable error") {
    auto options = quietOptions();
    options.scenario = "chaos";
    auto bad = sim::SimServer::start(options);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "unknown scenario 'chaos' (idle, busy, burst, failing, flaky)");
    options = quietOptions();
    options.bind = "not an address";
    CHECK_FALSE(sim::SimServer::start(options).ok());
    auto taken = startSim();
    options = quietOptions();
    options.port = taken->port();
    auto clash = sim::SimServer::start(options);
    REQUIRE_FALSE(clash.ok());
    CHECK(clash.error().kind == model::ErrorKind::Network);
}
