// The sim against the captures of the real backend (tests/fixtures/upstream): the same request
// gets the same status, content type and JSON shape; error bodies match byte for byte.
#include <filesystem>
#include <set>

#include "sim_test_util.hpp"

using namespace genmon;
using namespace genmon::simtest;

namespace {

const std::string kLighthouse =
    R"({"prompt":"a lighthouse at dusk, <lora:test:0.8>","negative_prompt":"blurry","steps":20,"sampler_name":"DPM++ 2M",)"
    R"("cfg_scale":7.0,"width":512,"height":512,"seed":42,"batch_size":1,"n_iter":1,"denoising_strength":null})";

enum class Body { Shape, Exact };

void checkFixture(const std::string& name, const Reply& reply, Body compare = Body::Shape) {
    INFO("fixture ", name, ", reply ", reply.status, " ", reply.body.substr(0, 300));
    REQUIRE(reply.transportOk());
    const Fixture fixture = loadFixture(name);
    CHECK(reply.status == fixture.status);
    if (fixture.status == 204) {
        CHECK(reply.body.empty());
        CHECK(reply.contentType.empty());
        return;
    }
    if (!fixture.contentType.empty()) CHECK(reply.contentType == fixture.contentType);
    CHECK(reply.contentType == "application/json");  // spec §1.3: every JSON answer says so
    const Json expected(fixture.body), actual(reply.body);
    REQUIRE(actual.ok);
    CHECK(shapeMismatch(expected.root, actual.root) == "");
    if (compare == Body::Exact) CHECK(minified(actual.root) == fixture.body);
}

std::string queueLighthouse(HttpClient& http, const sim::SimServer& server) {
    const Reply reply = http.post(prefixed(server, "/generation/queue-generation"), kLighthouse);
    REQUIRE(reply.status == 200);
    return Json(reply.body).str("delivery_id");
}

// Fixtures outside the generation API, checked elsewhere or not at all.
const std::set<std::string> kOutsideTheApi{"health_GET.json", "frontend_settings_GET.json"};

}  // namespace

TEST_CASE("spec 10: every captured fixture has a conformance case") {
    const std::set<std::string> covered{
        "auth_403_missing_key.json",        "cancel_POST_200.json",          "cancel_POST_400_completed.json",
        "cancel_POST_404.json",             "generate_POST_422.json",        "generate_POST_immediate.json",
        "job_GET_running.json",             "jobs_active_GET_after_cancel.json", "jobs_active_GET_before_cancel.json",
        "jobs_active_GET_empty.json",       "jobs_active_GET_running.json",  "queue_generation_POST.json",
        "result_DELETE_204.json",           "result_DELETE_404.json",        "results_GET.json",
        "results_GET_422_limit0.json",      "results_GET_after_ops.json",    "system_status_GET_busy.json",
        "system_status_GET_idle.json",      "unknown_route_404.json",        "ws_progress_no_subscribe.json",
        "ws_progress_subscribed_all.json"};
    for (const auto& entry : std::filesystem::directory_iterator(test::fixturesDir() / "upstream")) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".json" || kOutsideTheApi.count(name)) continue;
        CHECK_MESSAGE(covered.count(name) == 1, "no conformance case for ", name);
    }
}

TEST_CASE("spec 2.1: system status has the shape of system_status_GET_idle.json and _busy.json") {
    auto server = startSim();
    HttpClient http(server->port());
    checkFixture("system_status_GET_idle.json", http.get(prefixed(*server, "/system/status")));
    queueLighthouse(http, *server);
    server->advance(2000);
    const Reply busy = http.get(prefixed(*server, "/system/status"));
    checkFixture("system_status_GET_busy.json", busy);
    const Json status(busy.body);
    CHECK(int64_t(status["queue_length"]) == 1);
    CHECK(int64_t(status["active_workers"]) == 1);
    CHECK(status.str("status") == "warning");  // the idle scenario has no GPU, like the capture

    // The demo scenarios report a GPU; the shape stays the same.
    auto options = quietOptions();
    options.scenario = "busy";
    auto demo = startSim(options);
    HttpClient demoHttp(demo->port());
    checkFixture("system_status_GET_busy.json", demoHttp.get(prefixed(*demo, "/system/status")));
}

TEST_CASE("spec 2.2: active jobs have the shape of the jobs_active_GET captures") {
    auto server = startSim();
    HttpClient http(server->port());
    checkFixture("jobs_active_GET_empty.json", http.get(prefixed(*server, "/generation/jobs/active")), Body::Exact);
    const std::string id = queueLighthouse(http, *server);
    const Reply queued = http.get(prefixed(*server, "/generation/jobs/active"));
    checkFixture("jobs_active_GET_before_cancel.json", queued);
    CHECK(Json(queued.body).root.at(0)["status"].get_string().value() == "queued");
    server->advance(2000);
    const Reply running = http.get(prefixed(*server, "/generation/jobs/active"));
    checkFixture("jobs_active_GET_running.json", running);
    CHECK(Json(running.body).root.at(0)["status"].get_string().value() == "processing");
    REQUIRE(http.post(prefixed(*server, "/generation/jobs/" + id + "/cancel")).status == 200);
    checkFixture("jobs_active_GET_after_cancel.json", http.get(prefixed(*server, "/generation/jobs/active")), Body::Exact);
}

TEST_CASE("spec 2.3: results have the shape of results_GET.json and results_GET_after_ops.json") {
    auto server = startSim();
    HttpClient http(server->port());
    const std::string first = queueLighthouse(http, *server);
    server->advance(10000);
    checkFixture("results_GET.json", http.get(prefixed(*server, "/generation/results?limit=10")));
    REQUIRE(server->finishJob(queueLighthouse(http, *server), true).ok());
    REQUIRE(http.del(prefixed(*server, "/generation/results/" + first)).status == 204);
    const Reply after = http.get(prefixed(*server, "/generation/results?limit=10"));
    checkFixture("results_GET_after_ops.json", after);
    CHECK(simdjson::dom::array(Json(after.body).root).size() == 1);
}

TEST_CASE("spec 2.3: limit=0 answers like results_GET_422_limit0.json") {
    auto server = startSim();
    checkFixture("results_GET_422_limit0.json", httpOnce(server->port(), "GET", prefixed(*server, "/generation/results?limit=0")),
                 Body::Exact);
}

TEST_CASE("spec 2.4: immediate generation answers like generate_POST_immediate.json (the captures' stand-in SDNext)") {
    // The capture was made against a stand-in SDNext whose `info` is a dict (spec §2.4, §9.15).
    auto options = quietOptions();
    options.sdnextInfoAsString = false;
    auto server = startSim(options);
    checkFixture("generate_POST_immediate.json",
                 httpOnce(server->port(), "POST", prefixed(*server, "/generation/generate"), kLighthouse));
}

TEST_CASE("spec 9.15 / issue 14.3: by default immediate generation answers 500 with the pydantic message") {
    // Real SDNext returns `info` as a JSON string; SDNextGenerationResult.generation_info is a dict.
    auto server = startSim();
    const Reply reply = httpOnce(server->port(), "POST", prefixed(*server, "/generation/generate"), kLighthouse);
    CHECK(reply.status == 500);
    CHECK(reply.contentType == "application/json");
    const Json body(reply.body);
    REQUIRE(body.ok);
    // Spec §1.3's shape of an unhandled exception, with str(exc) as the detail.
    CHECK(body.str("type") == "about:blank");
    CHECK(body.str("title") == "Internal Server Error");
    CHECK(int64_t(body["status"]) == 500);
    const std::string detail = body.str("detail");
    CHECK(detail.starts_with("1 validation error for SDNextGenerationResult\ngeneration_info\n"));
    CHECK(detail.find("Input should be a valid dictionary [type=dict_type, input_value='{\"prompt\": \"a lighthouse") !=
          std::string::npos);
    CHECK(detail.find("input_type=str]") != std::string::npos);
    CHECK(server->jobs().empty());
}

TEST_CASE("spec 2.4: a missing prompt answers like generate_POST_422.json") {
    auto server = startSim();
    checkFixture("generate_POST_422.json",
                 httpOnce(server->port(), "POST", prefixed(*server, "/generation/generate"), R"({"negative_prompt":"x"})"),
                 Body::Exact);
}

TEST_CASE("spec 2.5: cancel answers like cancel_POST_200, _400_completed and _404") {
    auto server = startSim();
    HttpClient http(server->port());
    const std::string pending = queueLighthouse(http, *server);
    checkFixture("cancel_POST_200.json", http.post(prefixed(*server, "/generation/jobs/" + pending + "/cancel")), Body::Exact);
    const std::string done = queueLighthouse(http, *server);
    REQUIRE(server->finishJob(done, true).ok());
    checkFixture("cancel_POST_400_completed.json", http.post(prefixed(*server, "/generation/jobs/" + done + "/cancel")),
                 Body::Exact);
    checkFixture("cancel_POST_404.json",
                 http.post(prefixed(*server, "/generation/jobs/00000000-0000-4000-8000-000000000000/cancel")), Body::Exact);
}

TEST_CASE("spec 2.6: delete answers like result_DELETE_204 and result_DELETE_404") {
    auto server = startSim();
    HttpClient http(server->port());
    const std::string id = queueLighthouse(http, *server);
    REQUIRE(server->finishJob(id, true).ok());
    checkFixture("result_DELETE_204.json", http.del(prefixed(*server, "/generation/results/" + id)));
    checkFixture("result_DELETE_404.json", http.del(prefixed(*server, "/generation/results/" + id)), Body::Exact);
}

TEST_CASE("spec 2.8: queue-generation answers like queue_generation_POST.json") {
    auto server = startSim();
    checkFixture("queue_generation_POST.json",
                 httpOnce(server->port(), "POST", prefixed(*server, "/generation/queue-generation"), kLighthouse));
}

TEST_CASE("spec 2.9: job detail has the shape of job_GET_running.json") {
    auto server = startSim();
    HttpClient http(server->port());
    const std::string id = queueLighthouse(http, *server);
    server->advance(2000);
    const Reply reply = http.get(prefixed(*server, "/generation/jobs/" + id));
    checkFixture("job_GET_running.json", reply);
    CHECK(Json(reply.body)["delivery"]["status"].get_string().value() == "processing");
}

TEST_CASE("spec 1.3: an unknown route answers like unknown_route_404.json") {
    auto server = startSim();
    checkFixture("unknown_route_404.json", httpOnce(server->port(), "GET", "/api/v1/does-not-exist"), Body::Exact);
    checkFixture("unknown_route_404.json", httpOnce(server->port(), "GET", "/elsewhere"), Body::Exact);
}

TEST_CASE("spec 0.7: a missing API key answers like auth_403_missing_key.json") {
    auto options = quietOptions();
    options.apiKey = "secret-key";
    auto server = startSim(options);
    checkFixture("auth_403_missing_key.json", httpOnce(server->port(), "GET", prefixed(*server, "/generation/jobs/active")),
                 Body::Exact);
}

TEST_CASE("spec 2: /health answers like health_GET.json") {
    auto server = startSim();
    CHECK(httpOnce(server->port(), "GET", "/health").body == R"({"status":"ok","service":"lora-manager"})");
    CHECK(httpOnce(server->port(), "GET", "/api/health").body == R"({"status":"ok"})");
}
