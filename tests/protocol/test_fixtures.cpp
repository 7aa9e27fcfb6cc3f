// Every captured upstream response (spec §10, tests/fixtures/upstream/) through the decoder,
// field by field. A fixture added to the folder without a case here fails the last test.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <variant>

#include "model/system_status.hpp"
#include "protocol/base64.hpp"
#include "protocol/decode.hpp"
#include "protocol/encode.hpp"
#include "protocol/image_codec.hpp"
#include "protocol_fixtures.hpp"
#include "protocol_test_util.hpp"

using namespace genmon;
using namespace genmon::protocol;
using genmon::test::httpFixture;
using genmon::test::sv;
using model::JobStatus;
using model::Timestamp;

namespace {

constexpr int64_t kReceived = 1'795'676'900'000'000;  // 2026-11-26T07:08:20Z, after every capture
constexpr std::string_view kRunningId = "5e8ee68e-6ce4-470b-a005-e19a58b91284";
constexpr std::string_view kCancelId = "ee30acb6-5205-4b52-adef-56df3231c725";
constexpr std::string_view kLighthouse = "a lighthouse at dusk, <lora:test:0.8>";
constexpr std::string_view kPng8x8 =
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4EaCBFTEMLQkAaplQAc/OcKAAAAAASUVORK5CYII=";
constexpr std::string_view kGenerationInfo =
    R"({"prompt":"a lighthouse at dusk, <lora:test:0.8>","seed":1234567,"width":512,"height":512,)"
    R"("sampler_name":"DPM++ 2M","steps":20,"cfg_scale":7.0})";

void checkStoredParams(const model::GenerationParams& p, std::string_view prompt) {
    REQUIRE(p.prompt);
    CHECK(sv(*p.prompt) == prompt);
    REQUIRE(p.negative_prompt);
    CHECK(sv(*p.negative_prompt) == "blurry");
    CHECK(p.steps == 20);
    REQUIRE(p.sampler_name);
    CHECK(sv(*p.sampler_name) == "DPM++ 2M");
    CHECK(p.cfg_scale == 7.0);
    CHECK(p.width == 512);
    CHECK(p.height == 512);
    CHECK(p.seed == 42);
    CHECK(p.batch_size == 1);
    CHECK(p.n_iter == 1);
    CHECK_FALSE(p.denoising_strength);  // null in the capture
}

model::Job onlyJob(const std::string& fixture) {
    Decoder decoder;
    auto decoded = decoder.activeJobs(httpFixture(fixture).body, kReceived);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    CHECK(decoded->warnings.empty());
    REQUIRE(decoded->value.size() == 1);
    return decoded->value.front();
}

std::string errorText(const std::string& fixture, std::string_view statusText) {
    const auto f = httpFixture(fixture);
    return errorMessageFromBody(f.httpStatus, statusText, f.body);
}

}  // namespace

TEST_CASE("spec 2.2 fixture jobs_active_GET_running: one processing job, every field") {
    CHECK(httpFixture("jobs_active_GET_running.json").httpStatus == 200);
    const model::Job job = onlyJob("jobs_active_GET_running.json");
    CHECK(sv(job.uiId) == kRunningId);
    CHECK(sv(job.backendId) == kRunningId);  // id == jobId: both keys are the DB uuid (§4.4)
    CHECK(job.status == JobStatus::Processing);
    CHECK(job.progress == 0);
    REQUIRE(job.prompt);
    CHECK(sv(*job.prompt) == kLighthouse);
    CHECK_FALSE(job.message);
    CHECK_FALSE(job.error);
    REQUIRE(job.params);
    checkStoredParams(*job.params, kLighthouse);
    REQUIRE(job.params->backend);
    CHECK(sv(*job.params->backend) == "sdnext");
    CHECK(job.created_at == Timestamp::parse("2026-11-26T07:07:25.819705"));
    CHECK(job.startTime == Timestamp::parse("2026-11-26T07:07:27.858249"));
    CHECK_FALSE(job.created_at.hadOffset);  // naive DB time, UTC (§8.4)
    CHECK_FALSE(job.finished_at.valid);
    CHECK_FALSE(job.result_json);
    CHECK(job.receivedMicros == kReceived);
}

TEST_CASE("spec 2.2 fixture jobs_active_GET_before_cancel: one queued job") {
    const model::Job job = onlyJob("jobs_active_GET_before_cancel.json");
    CHECK(sv(job.uiId) == kCancelId);
    CHECK(sv(job.backendId) == kCancelId);
    CHECK(job.status == JobStatus::Queued);
    CHECK(job.progress == 0);
    REQUIRE(job.prompt);
    CHECK(sv(*job.prompt) == "job to cancel");
    REQUIRE(job.params);
    checkStoredParams(*job.params, "job to cancel");
    CHECK(job.created_at == Timestamp::parse("2026-11-26T07:07:43.224748"));
    CHECK(job.startTime == job.created_at);  // not started: the backend repeats created_at
}

TEST_CASE("spec 2.2 fixtures jobs_active_GET_empty and _after_cancel: empty queue, no warnings") {
    for (const char* name : {"jobs_active_GET_empty.json", "jobs_active_GET_after_cancel.json"}) {
        CAPTURE(name);
        Decoder decoder;
        auto decoded = decoder.activeJobs(httpFixture(name).body, kReceived);
        REQUIRE(decoded.ok());
        CHECK(decoded->value.empty());
        CHECK(decoded->warnings.empty());
    }
}

TEST_CASE("spec 2.9 fixture job_GET_running: the delivery with its nested generation params") {
    Decoder decoder;
    auto decoded = decoder.jobDetail(httpFixture("job_GET_running.json").body, kReceived);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    const model::JobDetail& detail = decoded.value();
    CHECK(sv(detail.job.uiId) == kRunningId);
    CHECK(sv(detail.job.backendId) == kRunningId);
    REQUIRE(detail.mode);
    CHECK(*detail.mode == "sdnext");
    REQUIRE(detail.started_at);
    CHECK(*detail.started_at == "2026-11-26T07:07:27.858249");
    CHECK(detail.job.status == JobStatus::Processing);
    CHECK(detail.job.progress == 0);
    REQUIRE(detail.job.prompt);
    CHECK(sv(*detail.job.prompt) == kLighthouse);
    REQUIRE(detail.job.params);
    checkStoredParams(*detail.job.params, kLighthouse);
    REQUIRE(detail.job.params->backend);
    CHECK(sv(*detail.job.params->backend) == "sdnext");
    CHECK(detail.job.created_at == Timestamp::parse("2026-11-26T07:07:25.819705"));
    CHECK(detail.job.startTime == Timestamp::parse("2026-11-26T07:07:27.858249"));
    CHECK_FALSE(detail.job.finished_at.valid);
    CHECK_FALSE(detail.job.result_json);
}

TEST_CASE("spec 2.3 fixture results_GET: one result, base64 image beside it, generation_info kept") {
    Decoder decoder;
    auto decoded = decoder.results(httpFixture("results_GET.json").body);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    CHECK(decoded->warnings.empty());
    REQUIRE(decoded->value.size() == 1);
    const DecodedResult& entry = decoded->value.front();
    const model::GenerationResult& r = entry.result;
    CHECK(sv(r.id) == kRunningId);
    CHECK(sv(r.job_id) == kRunningId);
    REQUIRE(r.prompt);
    CHECK(sv(*r.prompt) == kLighthouse);
    REQUIRE(r.negative_prompt);
    CHECK(sv(*r.negative_prompt) == "blurry");
    CHECK(sv(r.status) == "completed");
    CHECK(r.imageSource == model::ImageSource::Base64);
    REQUIRE(entry.imageBase64);
    CHECK(*entry.imageBase64 == kPng8x8);
    CHECK_FALSE(r.image_path);
    CHECK_FALSE(r.thumbnail_url);
    CHECK(r.width == 512);
    CHECK(r.height == 512);
    CHECK(r.steps == 20);
    CHECK(r.cfg_scale == 7.0);
    CHECK(r.seed == 42);
    CHECK(r.created_at == Timestamp::parse("2026-11-26T07:07:25.819705"));
    CHECK(r.finished_at == Timestamp::parse("2026-11-26T07:07:33.876102"));
    REQUIRE(r.generation_info_json);
    CHECK(sv(*r.generation_info_json) == kGenerationInfo);
    CHECK(r.generation_seed == 1234567);
    REQUIRE(r.sampler_name);
    CHECK(sv(*r.sampler_name) == "DPM++ 2M");
    CHECK_FALSE(r.model_name);
    CHECK_FALSE(r.rating);
    CHECK_FALSE(r.is_favorite);
    CHECK_FALSE(r.rating_updated_at.valid);
    CHECK_FALSE(r.favorite_updated_at.valid);

    // The base64 text is a real 8x8 PNG (decision 6: decoded on the worker).
    const auto bytes = base64Decode(*entry.imageBase64);
    REQUIRE(bytes);
    auto image = decodeImage(bytes->data(), bytes->size());
    REQUIRE_MESSAGE(image.ok(), test::why(image));
    CHECK(image->width == 8);
    CHECK(image->height == 8);
}

TEST_CASE("spec 2.3 fixture results_GET_after_ops: the cancelled job that a worker still completed") {
    Decoder decoder;
    auto decoded = decoder.results(httpFixture("results_GET_after_ops.json").body);
    REQUIRE(decoded.ok());
    REQUIRE(decoded->value.size() == 1);
    const model::GenerationResult& r = decoded->value.front().result;
    CHECK(sv(r.id) == kCancelId);
    REQUIRE(r.prompt);
    CHECK(sv(*r.prompt) == "job to cancel");
    CHECK(r.created_at == Timestamp::parse("2026-11-26T07:07:43.224748"));
    CHECK(r.finished_at == Timestamp::parse("2026-11-26T07:07:43.757617"));
    CHECK(r.generation_seed == 1234567);
    CHECK(r.imageSource == model::ImageSource::Base64);
}

TEST_CASE("spec 2.1 fixture system_status_GET_busy: every field, presence kept") {
    Decoder decoder;
    auto decoded = decoder.systemStatus(httpFixture("system_status_GET_busy.json").body);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    CHECK_MESSAGE(decoded->warnings.empty(), test::joined(decoded->warnings));
    const model::SystemStatusPatch& p = decoded->value;
    CHECK(p.gpu_available == false);
    CHECK(p.queue_length == 1);
    CHECK(p.status == "warning");
    CHECK(p.gpu_status == "GPU unavailable (CPU mode)");
    CHECK(p.memory_used == 410);
    CHECK(p.memory_total == 24105);
    REQUIRE(p.active_workers);
    CHECK(*p.active_workers == 1);
    REQUIRE(p.backend);
    CHECK(*p.backend == "redis");
    REQUIRE(p.queue_eta_seconds);                   // present ...
    CHECK_FALSE(p.queue_eta_seconds->has_value());  // ... and null
    REQUIRE(p.last_updated);
    CHECK(*p.last_updated == "2026-11-26T07:07:28.605206+00:00");
    REQUIRE(p.warnings);
    REQUIRE(p.warnings->size() == 2);
    CHECK((*p.warnings)[0] == "GPU unavailable; falling back to CPU execution");
    CHECK((*p.warnings)[1] == "Recommendation models not preloaded; first requests may be slow");
    REQUIRE(p.metrics);
    CHECK(p.metrics->cpu_percent == 0);
    CHECK(p.metrics->memory_percent == 2);
    CHECK(p.metrics->memory_used == 410);
    CHECK(p.metrics->memory_total == 24105);
    CHECK(p.metrics->disk_percent == 17);
    CHECK(p.metrics->disk_used == 17504);
    CHECK(p.metrics->disk_total == 258019);
    CHECK(p.metrics->gpus.empty());
    CHECK(p.metrics->uptime_seconds == 474);
    CHECK(p.metrics->timestamp == "2026-11-26T07:07:28.629405+00:00");
    CHECK(p.message == "System status collected successfully");
    CHECK(p.updated_at == "2026-11-26T07:07:28.605206+00:00");
    REQUIRE(p.sdnext);
    REQUIRE(p.sdnext->has_value());
    const model::SdNextStatus& sd = **p.sdnext;
    CHECK(sd.configured);
    CHECK(sd.base_url == "http://127.0.0.1:7861");
    CHECK(sd.available);
    CHECK_FALSE(sd.error);
    CHECK(sd.checked_at == "2026-11-26T07:07:28.612578+00:00");
    REQUIRE(p.importer);
    REQUIRE(p.importer->has_value());
    const model::ImporterStatus& imp = **p.importer;
    CHECK(imp.import_path == "/srv/lora-manager/loras");
    CHECK_FALSE(imp.last_ingested_at);
    CHECK(imp.recent_imports == 0);
    CHECK(imp.total_adapters == 0);
    CHECK_FALSE(imp.stale);
    CHECK(imp.stale_threshold_hours == 24);
    REQUIRE(p.recommendations);
    REQUIRE(p.recommendations->has_value());
    CHECK_FALSE((*p.recommendations)->models_loaded);
    CHECK_FALSE((*p.recommendations)->gpu_available);
    REQUIRE(p.queue);
    REQUIRE(p.queue->has_value());
    CHECK(**p.queue == model::QueueCounts{1, 1, 1, 0});
    REQUIRE(p.thresholds);
    REQUIRE(p.thresholds->has_value());
    CHECK((*p.thresholds)->queue_active_warning == 5);
    CHECK((*p.thresholds)->queue_failed_warning == 0);
    CHECK((*p.thresholds)->importer_stale_hours == 24);
    CHECK_FALSE(p.type);
    CHECK(p.extra.empty());

    // Merged like §6.2: the status the views draw.
    model::SystemStatus merged;
    model::mergeSystemStatus(merged, p);
    CHECK(merged.queue_length == 1);
    CHECK(merged.status == "warning");
    CHECK(model::memoryLabel(merged.memory_used, merged.memory_total) == "0.4GB / 23.5GB (2%)");
}

TEST_CASE("spec 2.1 fixture system_status_GET_idle: idle queue counts and metrics") {
    Decoder decoder;
    auto decoded = decoder.systemStatus(httpFixture("system_status_GET_idle.json").body);
    REQUIRE(decoded.ok());
    CHECK(decoded->warnings.empty());
    const model::SystemStatusPatch& p = decoded->value;
    CHECK(p.queue_length == 0);
    CHECK(p.memory_used == 412);
    REQUIRE(p.active_workers);
    CHECK(*p.active_workers == 0);
    REQUIRE(p.metrics);
    CHECK(p.metrics->cpu_percent == 48);
    CHECK(p.metrics->uptime_seconds == 508);
    REQUIRE(p.queue);
    REQUIRE(p.queue->has_value());
    CHECK(**p.queue == model::QueueCounts{1, 0, 0, 0});
    REQUIRE(p.last_updated);
    REQUIRE(p.last_updated->has_value());
    CHECK(sv(**p.last_updated) == "2026-11-26T07:08:02.852482+00:00");
}

TEST_CASE("spec 2.4 fixture generate_POST_immediate: completed, one base64 image, fraction progress") {
    Decoder decoder;
    auto decoded = decoder.generateResponse(httpFixture("generate_POST_immediate.json").body);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    const model::GenerateResponse& g = decoded.value();
    CHECK(sv(g.job_id) == "d7ad5304-aa82-4792-a4c9-e72fced071b9");
    CHECK(g.status == JobStatus::Completed);
    REQUIRE(g.images.size() == 1);
    CHECK(sv(g.images[0]) == kPng8x8);
    CHECK(g.progress == std::optional<uint8_t>(100));  // 1.0 on the 0-1 scale (decision 2)
    CHECK_FALSE(g.error_message);
    REQUIRE(g.generation_info_json);
    CHECK(sv(*g.generation_info_json) == kGenerationInfo);
    CHECK(g.generation_seed == 1234567);
}

TEST_CASE("spec 2.8 fixture queue_generation_POST: the delivery id") {
    Decoder decoder;
    auto decoded = decoder.queueGenerationResponse(httpFixture("queue_generation_POST.json").body);
    REQUIRE(decoded.ok());
    CHECK(sv(decoded->delivery_id) == kRunningId);
}

TEST_CASE("spec 2.5 fixture cancel_POST_200: success, cancelled") {
    Decoder decoder;
    auto decoded = decoder.cancelResponse(httpFixture("cancel_POST_200.json").body);
    REQUIRE(decoded.ok());
    CHECK(decoded->success);
    CHECK(sv(decoded->status) == "cancelled");
    CHECK(sv(decoded->message) == "Generation job cancelled");
}

TEST_CASE("spec 1.3 fixtures: error bodies give the text a person can act on") {
    CHECK(httpFixture("cancel_POST_400_completed.json").httpStatus == 400);
    CHECK(errorText("cancel_POST_400_completed.json", "Bad Request") == "Job cannot be cancelled in its current state");
    CHECK(errorText("cancel_POST_404.json", "Not Found") == "Job not found");
    CHECK(errorText("result_DELETE_404.json", "Not Found") == "Result not found");
    CHECK(errorText("auth_403_missing_key.json", "Forbidden") == "Invalid API Key");
    CHECK(errorText("unknown_route_404.json", "Not Found") == "Not Found");
    CHECK(errorText("generate_POST_422.json", "Unprocessable Entity") == "prompt: Field required");
    CHECK(errorText("results_GET_422_limit0.json", "Unprocessable Entity") ==
          "limit: Input should be greater than or equal to 1");
}

TEST_CASE("spec 2.6 fixture result_DELETE_204: no body to decode") {
    const auto f = httpFixture("result_DELETE_204.json");
    CHECK(f.httpStatus == 204);
    CHECK(f.body == "null");
    // Were it ever reported as an error, the status text is what a person sees.
    CHECK(errorMessageFromBody(f.httpStatus, "No Content", "") == "No Content");
}

TEST_CASE("spec 3.1 fixture ws_progress_no_subscribe: an unsubscribed socket only gets connected") {
    const auto messages = test::wsFixture("ws_progress_no_subscribe.json");
    REQUIRE(messages.size() == 1);
    Decoder decoder;
    auto decoded = decoder.wsMessage(messages[0].json, kReceived);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    const auto* connected = std::get_if<WsConnected>(&decoded->value);
    REQUIRE(connected);
    CHECK(connected->connection_id == "conn_2_1795676844");
    CHECK(connected->message == "Connected to progress monitoring");
}

TEST_CASE("spec 3.1 fixture ws_progress_subscribed_all: the whole sequence, in order") {
    const auto messages = test::wsFixture("ws_progress_subscribed_all.json");
    REQUIRE(messages.size() == 12);
    Decoder decoder;
    std::vector<WsMessage> in;
    for (const auto& m : messages) {
        if (m.dir == "out") {
            // What the client sent is exactly what encodeSubscribe writes (decision 1).
            CHECK(test::minifiedJson(m.json) == encodeSubscribe(std::nullopt));
            continue;
        }
        auto decoded = decoder.wsMessage(m.json, kReceived);
        REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
        CHECK_MESSAGE(decoded->warnings.empty(), test::joined(decoded->warnings));
        in.push_back(std::move(decoded->value));
    }
    REQUIRE(in.size() == 11);

    const auto* connected = std::get_if<WsConnected>(&in[0]);
    REQUIRE(connected);
    CHECK(connected->connection_id == "conn_1_1795676844");

    const auto* confirmed = std::get_if<WsSubscriptionConfirmed>(&in[1]);
    REQUIRE(confirmed);
    CHECK_FALSE(confirmed->job_ids);  // null: every job

    const auto* started = std::get_if<model::StartedMessage>(&in[2]);
    REQUIRE(started);
    CHECK(sv(started->job_id) == kRunningId);
    REQUIRE(started->params);
    checkStoredParams(*started->params, kLighthouse);
    CHECK_FALSE(started->params->backend);  // the broadcast params have no backend key
    CHECK_FALSE(started->estimated_duration);

    struct Expected {
        size_t at;
        JobStatus status;
        uint8_t progress;
    };
    for (const Expected& e : {Expected{3, JobStatus::Queued, 0}, Expected{4, JobStatus::Processing, 4},
                              Expected{5, JobStatus::Processing, 37}, Expected{6, JobStatus::Processing, 71},
                              Expected{7, JobStatus::Completed, 100}}) {
        CAPTURE(e.at);
        const auto* progress = std::get_if<model::ProgressMessage>(&in[e.at]);
        REQUIRE(progress);
        CHECK(sv(progress->job_id) == kRunningId);
        CHECK(progress->status == e.status);
        CHECK(progress->progress == e.progress);  // 0-1 on the socket, normalised once
        CHECK_FALSE(progress->current_step);
        CHECK_FALSE(progress->total_steps);
        CHECK_FALSE(progress->eta_seconds);
        CHECK_FALSE(progress->error_message);
    }

    const auto* complete = std::get_if<model::CompletionMessage>(&in[8]);
    REQUIRE(complete);
    CHECK(sv(complete->job_id) == kRunningId);
    REQUIRE(complete->image_base64);
    CHECK(*complete->image_base64 == kPng8x8);  // images[0] (§5.3)
    CHECK_FALSE(complete->image_path);
    CHECK(complete->total_duration == doctest::Approx(6.017853));
    REQUIRE(complete->generation_info_json);
    CHECK(*complete->generation_info_json == kGenerationInfo);
    CHECK_FALSE(complete->result_id);
    CHECK_FALSE(complete->seed);

    const auto* second = std::get_if<model::StartedMessage>(&in[9]);
    REQUIRE(second);
    CHECK(sv(second->job_id) == kCancelId);
    REQUIRE(second->params);
    REQUIRE(second->params->prompt);
    CHECK(sv(*second->params->prompt) == "job to cancel");

    const auto* queued = std::get_if<model::ProgressMessage>(&in[10]);
    REQUIRE(queued);
    CHECK(sv(queued->job_id) == kCancelId);
    CHECK(queued->status == JobStatus::Queued);
    CHECK(queued->progress == 0);
}

TEST_CASE("spec 10: settings and health captures are plain JSON the protocol layer does not decode") {
    // GET /frontend/settings and /health are not used by the orchestrator (§0.2, §8.1); the
    // captures stay valid JSON so a later decoder can start from them.
    for (const char* name : {"frontend_settings_GET.json", "health_GET.json"}) {
        CAPTURE(name);
        const std::string text = test::upstreamFixture(name);
        CHECK_NOTHROW(test::minifiedJson(text));
        CHECK(text.find("\"http_status\"") != std::string::npos);
    }
    CHECK(httpFixture("frontend_settings_GET.json").body.find("\"systemStatusMs\": 10000") != std::string::npos);
}

TEST_CASE("spec 10: every capture in tests/fixtures/upstream has a test above") {
    const std::set<std::string> covered = {
        "auth_403_missing_key.json",
        "cancel_POST_200.json",
        "cancel_POST_400_completed.json",
        "cancel_POST_404.json",
        "frontend_settings_GET.json",
        "generate_POST_422.json",
        "generate_POST_immediate.json",
        "health_GET.json",
        "job_GET_running.json",
        "jobs_active_GET_after_cancel.json",
        "jobs_active_GET_before_cancel.json",
        "jobs_active_GET_empty.json",
        "jobs_active_GET_running.json",
        "queue_generation_POST.json",
        "result_DELETE_204.json",
        "result_DELETE_404.json",
        "results_GET.json",
        "results_GET_422_limit0.json",
        "results_GET_after_ops.json",
        "system_status_GET_busy.json",
        "system_status_GET_idle.json",
        "unknown_route_404.json",
        "ws_progress_no_subscribe.json",
        "ws_progress_subscribed_all.json",
    };
    size_t seen = 0;
    for (const auto& entry : std::filesystem::directory_iterator(test::fixturesDir() / "upstream")) {
        const std::string name = entry.path().filename().string();
        CAPTURE(name);
        CHECK(covered.count(name) == 1);
        ++seen;
    }
    CHECK(seen == covered.size());
}
