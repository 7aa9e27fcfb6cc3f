// WebSocket frames: spec §3.1 (server envelopes), §3.2 (flat legacy types), §3.3 (mapping),
// decision 1 (accept both).
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "protocol/decode.hpp"
#include "protocol_test_util.hpp"

using namespace genmon;
using namespace genmon::protocol;
using genmon::test::anyContains;
using genmon::test::joined;
using genmon::test::sv;
using model::JobStatus;

namespace {

constexpr int64_t kReceived = 1'800'000'000'000'000;
constexpr std::string_view kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4EaCBFTEMLQkAaplQAc/OcKAAAAAASUVORK5CYII=";

Decoded<WsMessage> decodeOk(const std::string& frame) {
    Decoder decoder;
    auto decoded = decoder.wsMessage(frame, kReceived);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    return std::move(decoded).value();
}

template <class T>
T as(const std::string& frame) {
    auto d = decodeOk(frame);
    const T* m = std::get_if<T>(&d.value);
    REQUIRE_MESSAGE(m != nullptr, "variant index " << d.value.index());
    return *m;
}

}  // namespace

TEST_CASE("spec 3.3: progress_update (envelope) and generation_progress (flat) are the same progress") {
    const auto envelope = as<model::ProgressMessage>(
        R"({"type":"progress_update","timestamp":"2026-11-26T07:07:28+00:00","data":{"job_id":"j1","progress":0.25,)"
        R"("status":"running","current_step":5,"total_steps":20,"eta_seconds":12.5,"preview_image":null,"error_message":null}})");
    const auto flat = as<model::ProgressMessage>(
        R"({"type":"generation_progress","job_id":"j1","progress":0.25,"status":"running","current_step":5,"total_steps":20,"eta_seconds":12.5})");
    for (const auto& m : {envelope, flat}) {
        CHECK(sv(m.job_id) == "j1");
        CHECK(m.progress == 25);  // 0-1 on the socket (decision 2)
        CHECK(m.status == JobStatus::Processing);
        CHECK(m.current_step == 5);
        CHECK(m.total_steps == 20);
        CHECK(m.eta_seconds == 12.5);
        CHECK_FALSE(m.error_message);
    }
}

TEST_CASE("decision 2: socket progress is a fraction: 1.0 is 100 %, 0.999 rounds to 100, 1.5 clamps") {
    auto progressOf = [](const char* raw) {
        return as<model::ProgressMessage>(std::string(R"({"type":"progress_update","data":{"job_id":"j","progress":)") +
                                          raw + "}}")
            .progress;
    };
    CHECK(progressOf("0") == 0);
    CHECK(progressOf("0.004") == 0);
    CHECK(progressOf("0.5") == 50);
    CHECK(progressOf("0.999") == 100);
    CHECK(progressOf("1.0") == 100);
    CHECK(progressOf("1.5") == 100);
    CHECK(progressOf("-0.25") == 0);
    CHECK_FALSE(progressOf("null"));
}

TEST_CASE("spec 3.2: a progress field of the wrong type is ignored with a warning") {
    const auto d =
        decodeOk(R"({"type":"progress_update","data":{"job_id":"j","progress":"lots","status":3,"current_step":"x"}})");
    const auto& m = std::get<model::ProgressMessage>(d.value);
    CHECK_FALSE(m.progress);
    CHECK_FALSE(m.status);
    CHECK_FALSE(m.current_step);
    CHECK(d.warnings.size() == 3);
    CHECK(anyContains(d.warnings, "progress_update: progress must be a number, got string \"lots\"; ignored"));
    CHECK(anyContains(d.warnings, "progress_update: status must be a string or null"));
}

TEST_CASE("spec 3.3: generation_complete with status completed is a completion with images[0]") {
    const auto m = as<model::CompletionMessage>(
        std::string(R"({"type":"generation_complete","data":{"job_id":"j1","status":"completed",)") + R"("images":[")" +
        std::string(kPng) + R"(","second"],"error_message":null,"total_duration":6.5,)" +
        R"("generation_info":{"seed":99}}})");
    CHECK(sv(m.job_id) == "j1");
    REQUIRE(m.image_base64);
    CHECK(*m.image_base64 == kPng);
    CHECK_FALSE(m.image_path);
    CHECK(m.total_duration == 6.5);
    REQUIRE(m.generation_info_json);
    CHECK(*m.generation_info_json == R"({"seed":99})");
}

TEST_CASE("spec 3.3: generation_complete with status failed is an error with data.error_message") {
    const auto m = as<model::ErrorMessage>(
        R"({"type":"generation_complete","data":{"job_id":"j2","status":"failed","images":null,"error_message":"SDNext API not available"}})");
    CHECK(sv(m.job_id) == "j2");
    CHECK(m.error == "SDNext API not available");
    const auto fallback = as<model::ErrorMessage>(
        R"({"type":"generation_complete","data":{"job_id":"j2","status":"failed","error_message":null}})");
    CHECK(fallback.error == "Unknown error");
    const auto cancelled =
        as<model::ErrorMessage>(R"({"type":"generation_complete","data":{"job_id":"j3","status":"cancelled"}})");
    CHECK(cancelled.error == "Unknown error");
}

TEST_CASE("spec 3.2: flat generation_complete carries result_id, prompt, image_url and sizes") {
    const auto m = as<model::CompletionMessage>(
        R"({"type":"generation_complete","job_id":"j1","result_id":"r1","prompt":"a cat","negative_prompt":"blurry",)"
        R"("image_url":"/srv/outputs/r1.png","images":["iVBORw0KGgoAAAANSUhEUgAA"],"width":512,"height":768,"steps":30,)"
        R"("cfg_scale":6.5,"seed":123,"created_at":"2026-11-26T07:07:33"})");
    CHECK(sv(m.job_id) == "j1");
    CHECK(m.result_id == "r1");
    CHECK(m.prompt == "a cat");
    CHECK(m.negative_prompt == "blurry");
    REQUIRE(m.image_path);  // image_url wins over images[0] (§5.3)
    CHECK(*m.image_path == "/srv/outputs/r1.png");
    CHECK_FALSE(m.image_base64);
    CHECK(m.width == 512);
    CHECK(m.height == 768);
    CHECK(m.steps == 30);
    CHECK(m.cfg_scale == 6.5);
    CHECK(m.seed == 123);
    CHECK(m.created_at == "2026-11-26T07:07:33");
}

TEST_CASE("spec 3.2: flat generation_error takes error, then status, then Unknown error") {
    CHECK(as<model::ErrorMessage>(R"({"type":"generation_error","job_id":"j","error":"something failed"})").error ==
          "something failed");
    CHECK(as<model::ErrorMessage>(R"({"type":"generation_error","job_id":"j","status":"failed"})").error == "failed");
    CHECK(as<model::ErrorMessage>(R"({"type":"generation_error","job_id":"j","error":""})").error == "Unknown error");
    const auto m = as<model::ErrorMessage>(R"({"type":"generation_error","job_id":42})");
    CHECK(sv(m.job_id) == "42");
    CHECK(m.error == "Unknown error");
}

TEST_CASE("spec 3.1: generation_started carries the job id and its params") {
    const auto m = as<model::StartedMessage>(
        R"({"type":"generation_started","timestamp":"x","data":{"job_id":"j","params":{"prompt":"p","steps":25,"seed":-1},"estimated_duration":30}})");
    CHECK(sv(m.job_id) == "j");
    REQUIRE(m.params);
    CHECK(m.params->steps == 25);
    CHECK(m.params->seed == -1);
    CHECK(m.estimated_duration == 30.0);
}

TEST_CASE("spec 3.1: connected and subscription_confirmed, with and without a job list") {
    const auto c = as<WsConnected>(R"({"type":"connected","data":{"connection_id":"conn_9_1","message":"hi"}})");
    CHECK(c.connection_id == "conn_9_1");
    CHECK(c.message == "hi");
    const auto all = as<WsSubscriptionConfirmed>(R"({"type":"subscription_confirmed","data":{"job_ids":null}})");
    CHECK_FALSE(all.job_ids);
    const auto some = as<WsSubscriptionConfirmed>(R"({"type":"subscription_confirmed","data":{"job_ids":["a",7]}})");
    REQUIRE(some.job_ids);
    CHECK(*some.job_ids == std::vector<std::string>{"a", "7"});
}

TEST_CASE("spec 3.2: flat queue_update jobs decode like /jobs/active (percent scale, per-entry validation)") {
    const auto d = decodeOk(
        R"({"type":"queue_update","jobs":[{"id":"a","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"},)"
        R"({"id":null,"status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"},)"
        R"({"id":"b","status":"processing","progress":50,"created_at":"2026-01-01T00:00:00"}]})");
    const auto& m = std::get<WsQueueUpdate>(d.value);
    REQUIRE(m.jobs.size() == 2);
    CHECK(sv(m.jobs[0].uiId) == "a");
    CHECK(m.jobs[1].progress == 50);
    CHECK(m.jobs[1].receivedMicros == kReceived);
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0].find("queue_update job #1: id must be") == 0);
}

TEST_CASE("spec 3.2: a queue_update without a job array clears the queue, with a warning") {
    const auto d = decodeOk(R"({"type":"queue_update","jobs":{"a":1}})");
    CHECK(std::get<WsQueueUpdate>(d.value).jobs.empty());
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0] == "queue_update: jobs must be an array, got an object; treated as an empty queue");
    const auto missing = decodeOk(R"({"type":"queue_update"})");
    CHECK(std::get<WsQueueUpdate>(missing.value).jobs.empty());
    CHECK(anyContains(missing.warnings, "treated as an empty queue"));
}

TEST_CASE("spec 3.2: flat system_status is a status patch") {
    const auto m =
        as<WsSystemStatus>(R"({"type":"system_status","status":"degraded","queue_length":3,"metrics":null})");
    CHECK(m.patch.status == "degraded");
    CHECK(m.patch.queue_length == 3);
    CHECK(m.patch.type == "system_status");
    CHECK(m.patch.extra.empty());
}

TEST_CASE("decision 1: unknown types are passed on by name and a frame without a type is reported") {
    CHECK(as<WsUnknown>(R"({"type":"ping","data":{"x":[1,2]}})").type == "ping");
    const auto d = decodeOk(R"({"data":{"job_id":"j"}})");
    REQUIRE(std::holds_alternative<WsUnknown>(d.value));
    CHECK(std::get<WsUnknown>(d.value).type.empty());
    CHECK(anyContains(d.warnings, "WebSocket frame: no \"type\""));
}

TEST_CASE("decision 1: field order does not matter: data may come before type") {
    const auto m = as<model::ProgressMessage>(
        R"({"data":{"progress":0.5,"job_id":"j"},"timestamp":"t","type":"progress_update"})");
    CHECK(sv(m.job_id) == "j");
    CHECK(m.progress == 50);
}

TEST_CASE("spec 3.2: a JSON parse error drops the frame with a readable error") {
    Decoder decoder;
    for (const char* frame :
         {"", "not json", R"({"type":"progress_update","data":{"job_id":"j")", R"([1,2])",
          R"({"type":"connected"} {"type":"connected"})", R"({"type":"progress_update","data":{}}})"}) {
        CAPTURE(frame);
        auto decoded = decoder.wsMessage(frame, kReceived);
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error().message.rfind("WebSocket frame: ", 0) == 0);
    }
    auto array = decoder.wsMessage("[1,2]", kReceived);
    CHECK(array.error().message == "WebSocket frame: expected a JSON object, got array");
}

TEST_CASE("spec 3.1: one decoder decodes a long stream of frames") {
    Decoder decoder;
    for (int i = 0; i <= 100; ++i) {
        const std::string frame = std::string(R"({"type":"progress_update","data":{"job_id":"j","progress":)") +
                                  std::to_string(i / 100.0) + "}}";
        auto d = decoder.wsMessage(frame, kReceived);
        REQUIRE(d.ok());
        CHECK(std::get<model::ProgressMessage>(d->value).progress == i);
    }
}

TEST_CASE("issue 16.1: the one-walk envelope read gives what the general read gives, in every field order") {
    const std::string type = R"("type":"progress_update")", stamp = R"("timestamp":"2026-11-26T07:07:26Z")",
                      data = R"("data":{"job_id":" j7 ","progress":0.25,"status":"processing","current_step":"x"})";
    const std::string orders[] = {"{" + type + "," + stamp + "," + data + "}", "{" + type + "," + data + "," + stamp + "}",
                                  "{" + stamp + "," + type + "," + data + "}", "{" + data + "," + type + "," + stamp + "}",
                                  "{" + stamp + "," + data + "," + type + "}",
                                  // a second data is ignored whichever way the frame is read
                                  "{" + type + "," + data + R"(,"data":{"job_id":"other"}})"};
    for (const auto& frame : orders) {
        CAPTURE(frame);
        const auto d = decodeOk(frame);
        const auto* m = std::get_if<model::ProgressMessage>(&d.value);
        REQUIRE(m != nullptr);
        CHECK(sv(m->job_id) == "j7");
        CHECK(m->progress == 25);
        CHECK(m->status == JobStatus::Processing);
        CHECK_FALSE(m->current_step);
        REQUIRE(d.warnings.size() == 1);
        CHECK(d.warnings[0] == "progress_update: current_step must be an integer or null, got string \"x\"; ignored");
    }
    // A flat frame whose field happens to be called data (not an object) is read as flat.
    const auto flat = as<model::ProgressMessage>(R"({"type":"generation_progress","data":"x","job_id":"f","progress":0.5})");
    CHECK(sv(flat.job_id) == "f");
    CHECK(flat.progress == 50);
    // Text after the envelope is refused on the one-walk path too.
    Decoder decoder;
    auto trailing = decoder.wsMessage("{" + type + "," + data + "} x", kReceived);
    REQUIRE_FALSE(trailing.ok());
    CHECK(trailing.error().message.find("WebSocket frame: ") == 0);
}
