// Issue 15.3, one wire schema: what the encoders of the backend's side write (encode_wire.hpp,
// used by genmon-sim and --dump-snapshot) is what genmon's decoders read, field by field. A name
// spelt differently on one side fails here, not in a screenshot.
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "model/system_status.hpp"
#include "protocol/decode.hpp"
#include "protocol/encode_wire.hpp"
#include "protocol_test_util.hpp"

using namespace genmon;
using namespace genmon::protocol;
using model::JobStatus;

namespace {

constexpr int64_t kReceived = 1'800'000'000'000'000;
constexpr std::string_view kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4EaCBFTEMLQkAaplQAc/OcKAAAAAASUVORK5CYII=";

model::GenerationRequest lighthouse() {
    model::GenerationRequest p;
    p.prompt = "a lighthouse at dusk, <lora:test:0.8>";
    p.negative_prompt = "blurry";
    p.steps = 25;
    p.sampler_name = "Euler a";
    p.cfg_scale = 6.5;
    p.width = 768;
    p.height = 512;
    p.seed = 42;
    return p;
}

wire::GenerationInfo infoOf(const model::GenerationRequest& p, int64_t seed) {
    return {p.prompt, seed, p.width, p.height, p.sampler_name, p.steps, p.cfg_scale};
}

template <class T>
T socketMessage(Decoder& decoder, std::string_view type, const std::string& data) {
    auto decoded = decoder.wsMessage(encodeEnvelope(type, "2026-11-26T07:00:01.5+00:00", data), kReceived);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    CHECK(decoded->warnings.empty());
    const T* m = std::get_if<T>(&decoded->value);
    REQUIRE_MESSAGE(m != nullptr, "variant index " << decoded->value.index());
    return *m;
}

}  // namespace

TEST_CASE("issue 15.3: /jobs/active written by encodeActiveJobs reads back field by field (spec 2.2)") {
    const auto params = lighthouse();
    wire::ActiveJob queued;
    queued.id = "6f1c-queued";
    queued.prompt = params.prompt;
    queued.status = "queued";
    queued.progress = 0;
    queued.params = params;
    queued.created_at = "2026-11-26T07:00:00.250000";
    queued.startTime = queued.created_at;
    wire::ActiveJob running = queued;
    running.id = "8a2d-running";
    running.status = "processing";
    running.progress = 42.0;
    running.startTime = "2026-11-26T07:00:03.000000";
    running.result.kind = wire::StoredResult::Kind::Cancelled;  // cancelled while the worker holds it (§2.5)

    Decoder decoder;
    auto decoded = decoder.activeJobs(encodeActiveJobs({queued, running}), kReceived);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    CHECK(decoded->warnings.empty());
    REQUIRE(decoded->value.size() == 2);
    const model::Job& q = decoded->value[0];
    const model::Job& r = decoded->value[1];
    CHECK(q.uiId == "6f1c-queued");
    CHECK(q.backendId == "6f1c-queued");
    CHECK(q.status == JobStatus::Queued);
    CHECK(q.progress == 0);
    REQUIRE(q.prompt);
    CHECK(*q.prompt == params.prompt);
    REQUIRE(q.params);
    CHECK(q.params->steps == 25);
    CHECK(q.params->sampler_name == std::optional<model::Text>("Euler a"));
    CHECK(q.params->cfg_scale == 6.5);
    CHECK(q.params->width == 768);
    CHECK(q.params->height == 512);
    CHECK(q.params->seed == 42);
    CHECK(q.params->negative_prompt == std::optional<model::Text>("blurry"));
    CHECK(q.params->backend == std::optional<model::Text>("sdnext"));
    CHECK(q.created_at == model::Timestamp::parse("2026-11-26T07:00:00.250000"));
    CHECK(r.status == JobStatus::Processing);
    CHECK(r.progress == 42);
    CHECK(r.startTime == model::Timestamp::parse("2026-11-26T07:00:03.000000"));
}

TEST_CASE("issue 15.3: progress_update written by the encoder reads back as the same ProgressMessage (spec 3.1)") {
    Decoder decoder;
    wire::ProgressUpdate u;
    u.job_id = "8a2d-running";
    u.progress = 0.25;
    u.status = "processing";
    u.current_step = 5;
    u.total_steps = 20;
    u.eta_seconds = 9.5;
    auto m = socketMessage<model::ProgressMessage>(decoder, "progress_update", encodeProgressUpdate(u));
    CHECK(m.job_id == "8a2d-running");
    CHECK(m.progress == std::optional<uint8_t>(25));
    CHECK(m.status == JobStatus::Processing);
    CHECK(m.current_step == 5);
    CHECK(m.total_steps == 20);
    CHECK(m.eta_seconds == 9.5);
    CHECK_FALSE(m.error_message);

    u.status = "failed";
    u.error_message = "CUDA out of memory";
    u.current_step.reset();
    u.eta_seconds.reset();
    m = socketMessage<model::ProgressMessage>(decoder, "progress_update", encodeProgressUpdate(u));
    CHECK(m.status == JobStatus::Failed);
    CHECK_FALSE(m.current_step);
    CHECK_FALSE(m.eta_seconds);
    CHECK(m.error_message == std::optional<std::string>("CUDA out of memory"));
}

TEST_CASE("issue 15.3: generation_complete and generation_started round-trip (spec 3.1, 3.3)") {
    Decoder decoder;
    const auto params = lighthouse();
    wire::GenerationComplete c;
    c.job_id = "8a2d-running";
    c.completed = true;
    c.image = std::string(kPng);
    c.total_duration = 12.25;
    c.generation_info = infoOf(params, 1234567);
    const auto done = socketMessage<model::CompletionMessage>(decoder, "generation_complete", encodeGenerationComplete(c));
    CHECK(done.job_id == "8a2d-running");
    CHECK(done.image_base64 == std::optional<std::string>(std::string(kPng)));
    CHECK(done.total_duration == 12.25);
    REQUIRE(done.generation_info_json);
    CHECK(done.generation_info_json->find("\"seed\":1234567") != std::string::npos);

    c.completed = false;
    c.error_message = "Generation timed out after 120 seconds";
    const auto failed = socketMessage<model::ErrorMessage>(decoder, "generation_complete", encodeGenerationComplete(c));
    CHECK(failed.job_id == "8a2d-running");
    CHECK(failed.error == "Generation timed out after 120 seconds");

    const auto started =
        socketMessage<model::StartedMessage>(decoder, "generation_started", encodeGenerationStarted("6f1c", params));
    CHECK(started.job_id == "6f1c");
    REQUIRE(started.params);
    CHECK(started.params->prompt == std::optional<model::Text>(params.prompt));
    CHECK(started.params->steps == 25);
    CHECK_FALSE(started.estimated_duration);

    const auto hello = socketMessage<WsConnected>(decoder, "connected", encodeConnected("conn_1_9", "Connected"));
    CHECK(hello.connection_id == "conn_1_9");
    const auto confirmed = socketMessage<WsSubscriptionConfirmed>(decoder, "subscription_confirmed",
                                                                  encodeSubscriptionConfirmed(std::vector<std::string>{"a", "b"}));
    CHECK(confirmed.job_ids == std::optional<std::vector<std::string>>({"a", "b"}));
}

TEST_CASE("issue 15.3: /results written by encodeResults reads back field by field (spec 2.3, decision 6)") {
    const auto params = lighthouse();
    wire::ResultEntry e;
    e.id = e.job_id = "r-1";
    e.prompt = params.prompt;
    e.negative_prompt = "blurry";
    e.image_url = "/srv/lora-manager/outputs/r-1-000.png";
    e.width = 768;
    e.height = 512;
    e.steps = 25;
    e.cfg_scale = 6.5;
    e.seed = 42;
    e.created_at = "2026-11-26T07:00:00.250000";
    e.finished_at = "2026-11-26T07:00:20.500000";
    e.generation_info = infoOf(params, 99);
    e.rating = 4;
    e.is_favorite = true;
    e.rating_updated_at = e.favorite_updated_at = "2026-11-26T07:02:00.000321";
    wire::ResultEntry inline64 = e;
    inline64.id = inline64.job_id = "r-2";
    inline64.image_url = std::string(kPng);
    inline64.rating.reset();
    inline64.is_favorite = false;
    inline64.rating_updated_at.reset();
    inline64.favorite_updated_at.reset();

    Decoder decoder;
    auto decoded = decoder.results(encodeResults({e, inline64}));
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    CHECK(decoded->warnings.empty());
    REQUIRE(decoded->value.size() == 2);
    const auto& a = decoded->value[0];
    CHECK(a.result.id == "r-1");
    CHECK(a.result.job_id == "r-1");
    CHECK(a.result.prompt == std::optional<std::string>(params.prompt));
    CHECK(a.result.negative_prompt == std::optional<std::string>("blurry"));
    CHECK(a.result.imageSource == model::ImageSource::ServerPath);
    CHECK(a.result.image_path == std::optional<std::string>("/srv/lora-manager/outputs/r-1-000.png"));
    CHECK_FALSE(a.imageBase64);
    CHECK(a.result.width == 768);
    CHECK(a.result.height == 512);
    CHECK(a.result.steps == 25);
    CHECK(a.result.cfg_scale == 6.5);
    CHECK(a.result.seed == 42);
    CHECK(a.result.generation_seed == 99);
    CHECK(a.result.sampler_name == std::optional<std::string>("Euler a"));
    CHECK(a.result.rating == 4);
    CHECK(a.result.is_favorite);
    CHECK(a.result.created_at == model::Timestamp::parse("2026-11-26T07:00:00.250000"));
    CHECK(a.result.finished_at == model::Timestamp::parse("2026-11-26T07:00:20.500000"));
    CHECK(a.result.rating_updated_at == model::Timestamp::parse("2026-11-26T07:02:00.000321"));
    const auto& b = decoded->value[1];
    CHECK(b.result.imageSource == model::ImageSource::Base64);
    CHECK(b.imageBase64 == std::optional<std::string>(std::string(kPng)));
    CHECK_FALSE(b.result.rating);
    CHECK_FALSE(b.result.is_favorite);
}

TEST_CASE("issue 15.3: an immediate generation's answer and a job's detail round-trip (spec 2.4, 2.9)") {
    const auto params = lighthouse();
    wire::StoredResult r;
    r.kind = wire::StoredResult::Kind::Completed;
    r.job_id = "imm-1";
    r.image = std::string(kPng);
    r.progress = 1.0;
    r.generation_info = infoOf(params, 777);
    Decoder decoder;
    auto generated = decoder.generateResponse(encodeStoredResult(r));
    REQUIRE_MESSAGE(generated.ok(), test::why(generated));
    CHECK(generated->job_id == "imm-1");
    CHECK(generated->status == JobStatus::Completed);
    CHECK(generated->images == std::vector<std::string>{std::string(kPng)});
    CHECK(generated->progress == std::optional<uint8_t>(100));
    CHECK(generated->generation_seed == 777);

    r = {};
    r.kind = wire::StoredResult::Kind::Failed;
    r.job_id = "imm-2";
    r.error_message = "SDNext API not available";
    auto failed = decoder.generateResponse(encodeStoredResult(r));
    REQUIRE_MESSAGE(failed.ok(), test::why(failed));
    CHECK(failed->status == JobStatus::Failed);
    CHECK(failed->error_message == std::optional<std::string>("SDNext API not available"));
    CHECK_FALSE(failed->progress);

    wire::JobDetail d;
    d.id = "6f1c";
    d.prompt = params.prompt;
    d.params = params;
    d.status = "processing";
    d.created_at = "2026-11-26T07:00:00.250000";
    d.started_at = "2026-11-26T07:00:03.000000";
    auto detail = decoder.jobDetail(encodeJobDetail(d), kReceived);
    REQUIRE_MESSAGE(detail.ok(), test::why(detail));
    CHECK(detail->job.backendId == "6f1c");
    CHECK(detail->job.status == JobStatus::Processing);
    CHECK(detail->job.prompt == std::optional<model::Text>(params.prompt));
    REQUIRE(detail->job.params);
    CHECK(detail->job.params->width == 768);
    CHECK(detail->started_at == std::optional<std::string>("2026-11-26T07:00:03.000000"));
}

namespace {

model::SystemStatus busyStatus() {
    model::SystemStatus s;
    s.gpu_available = true;
    s.queue_length = 3;
    s.status = "warning";
    s.gpu_status = "NVIDIA GeForce RTX 4090";
    s.memory_used = 11650;
    s.memory_total = 24564;
    s.active_workers = 1;
    s.backend = "redis";
    s.last_updated = "2026-11-26T07:07:28.605206+00:00";
    s.warnings = std::vector<std::string>{"Queue backlog above threshold: 6 active > 5"};
    s.sdnext = model::SdNextStatus{true, "http://127.0.0.1:7861", true, std::nullopt, "2026-11-26T07:07:28.612578+00:00"};
    s.importer = model::ImporterStatus{"/srv/lora-manager/loras", std::nullopt, 3, 137, false, 24};
    s.recommendations = model::Recommendations{true, true};
    s.queue = model::QueueCounts{40, 3, 1, 2};
    s.thresholds = model::Thresholds{5, 0, 24};
    return s;
}

}  // namespace

TEST_CASE("issue 15.3: /system/status written by encodeSystemStatus merges back into the same state (spec 2.1, 6.2)") {
    wire::SystemStatusPayload payload;
    payload.state = busyStatus();
    payload.metrics.emplace();
    payload.metrics->cpu_percent = 41;
    payload.metrics->gpus.push_back({0, "NVIDIA GeForce RTX 4090", 24564, 11650, 47, 70, 97, 75, 402.5});
    payload.metrics->uptime_seconds = 474;
    payload.metrics->timestamp = "2026-11-26T07:07:28.629405+00:00";
    payload.message = "System status collected successfully";
    payload.updated_at = "2026-11-26T07:07:28.605206+00:00";

    Decoder decoder;
    auto decoded = decoder.systemStatus(encodeSystemStatus(payload));
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    CHECK(decoded->warnings.empty());
    const auto& patch = decoded->value;
    REQUIRE(patch.queue_eta_seconds);  // sent, as null
    CHECK_FALSE(*patch.queue_eta_seconds);
    CHECK(patch.message == payload.message);
    CHECK(patch.updated_at == payload.updated_at);
    REQUIRE(patch.metrics);
    CHECK(patch.metrics->cpu_percent == 41);
    REQUIRE(patch.metrics->gpus.size() == 1);
    CHECK(patch.metrics->gpus[0].id == "0");
    CHECK(patch.metrics->gpus[0].power_draw_watts == 402.5);
    CHECK(patch.metrics->uptime_seconds == 474);
    CHECK(patch.extra.empty());  // every key written is one the decoder knows

    model::SystemStatus merged;
    model::mergeSystemStatus(merged, patch);
    CHECK(merged == payload.state);
}

TEST_CASE("issue 15.3: the merged state as --dump-snapshot writes it decodes back to itself, absent keys absent") {
    model::SystemStatus fresh;  // DEFAULT_SYSTEM_STATUS: the optional keys have not arrived
    JsonWriter w;
    writeSystemStatusState(w, fresh);
    CHECK(w.str() ==
          R"({"gpu_available":false,"queue_length":0,"status":"unknown","gpu_status":"Unknown","memory_used":0,"memory_total":0})");

    const model::SystemStatus busy = busyStatus();
    JsonWriter full;
    writeSystemStatusState(full, busy);
    Decoder decoder;
    auto decoded = decoder.systemStatus(full.str());
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    model::SystemStatus merged;
    model::mergeSystemStatus(merged, decoded->value);
    CHECK(merged == busy);
}

TEST_CASE("issue 15.3: the actions' answers and the error bodies round-trip (spec 1.3, 2.5, 2.8)") {
    Decoder decoder;
    auto queued = decoder.queueGenerationResponse(encodeQueueGenerationAnswer("6f1c-delivery"));
    REQUIRE_MESSAGE(queued.ok(), test::why(queued));
    CHECK(queued->delivery_id == "6f1c-delivery");

    auto cancelled = decoder.cancelResponse(encodeCancelAnswer("Generation job cancelled"));
    REQUIRE_MESSAGE(cancelled.ok(), test::why(cancelled));
    CHECK(cancelled->success);
    CHECK(cancelled->status == "cancelled");
    CHECK(cancelled->message == "Generation job cancelled");

    CHECK(errorMessageFromBody(404, "Not Found", encodeProblem(404, "Job not found", std::nullopt)) == "Job not found");
    CHECK(errorMessageFromBody(400, "Bad Request",
                               encodeProblem(400, "Job cannot be cancelled", std::string("it already finished")))
              .find("it already finished") != std::string::npos);
    CHECK(errorMessageFromBody(405, "Method Not Allowed", encodeDetail("Method Not Allowed")) == "Method Not Allowed");

    const std::string body = encodeValidationErrors(
        {{"greater_than_equal", {"query", "limit"}, "Input should be greater than or equal to 1", "\"0\"", "{\"ge\":1}"},
         {"string_type", {"body", "ids", "2"}, "Input should be a valid string", "7", ""}});
    CHECK(body.find(R"("loc":["body","ids",2])") != std::string::npos);  // an index is a number
    const std::string text = errorMessageFromBody(422, "Unprocessable Entity", body);
    CHECK(text.find("Input should be greater than or equal to 1") != std::string::npos);
    CHECK(text.find("limit") != std::string::npos);
}
