// /system/status decoding: spec §2.1 (fields, metrics, unknown keys) and §6.2 (presence).
#include <doctest/doctest.h>

#include <string>

#include "model/system_status.hpp"
#include "protocol/decode.hpp"
#include "protocol_test_util.hpp"

using namespace genmon;
using namespace genmon::protocol;
using genmon::test::anyContains;
using genmon::test::joined;
using genmon::test::sv;

namespace {

Decoded<model::SystemStatusPatch> decodeOk(const std::string& body) {
    Decoder decoder;
    auto decoded = decoder.systemStatus(body);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    return std::move(decoded).value();
}

}  // namespace

TEST_CASE("spec 6.2: absent keys stay absent, so the merge keeps the old values") {
    const auto d = decodeOk("{}");
    const model::SystemStatusPatch& p = d.value;
    CHECK(d.warnings.empty());
    CHECK_FALSE(p.gpu_available);
    CHECK_FALSE(p.queue_length);
    CHECK_FALSE(p.status);
    CHECK_FALSE(p.active_workers);
    CHECK_FALSE(p.backend);
    CHECK_FALSE(p.sdnext);
    CHECK_FALSE(p.metrics);
    CHECK(p.extra.empty());

    model::SystemStatus state;
    state.status = "healthy";
    state.queue_length = 4;
    model::mergeSystemStatus(state, p);
    CHECK(state.status == "healthy");
    CHECK(state.queue_length == 4);
}

TEST_CASE("spec 2.1: null on nullable keys is present-and-null, not absent") {
    const auto d = decodeOk(
        R"({"active_workers":null,"backend":null,"queue_eta_seconds":null,"last_updated":null,)"
        R"("sdnext":null,"importer":null,"recommendations":null,"queue":null,"thresholds":null,"metrics":null})");
    const model::SystemStatusPatch& p = d.value;
    CHECK(d.warnings.empty());
    for (bool presentAndNull :
         {p.active_workers && !*p.active_workers, p.backend && !*p.backend,
          p.queue_eta_seconds && !*p.queue_eta_seconds, p.last_updated && !*p.last_updated, p.sdnext && !*p.sdnext,
          p.importer && !*p.importer, p.recommendations && !*p.recommendations, p.queue && !*p.queue,
          p.thresholds && !*p.thresholds})
        CHECK(presentAndNull);
    CHECK_FALSE(p.metrics);  // null metrics: nothing to show

    model::SystemStatus state;
    state.backend = "redis";
    model::mergeSystemStatus(state, p);
    CHECK_FALSE(state.backend);  // null overwrites, as the SPA's shallow merge does
}

TEST_CASE("spec 2.1: a body that is not an object is an error") {
    Decoder decoder;
    for (const auto& [body, got] : {std::pair{"[]", "array"}, std::pair{"\"ok\"", "string"}, std::pair{"42", "number"},
                                    std::pair{"null", "null"}, std::pair{"true", "boolean"}}) {
        CAPTURE(body);
        auto decoded = decoder.systemStatus(body);
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error().kind == model::ErrorKind::Decode);
        CHECK(decoded.error().message == std::string("system status: expected a JSON object, got ") + got);
    }
}

TEST_CASE("spec 2.1: invalid JSON is an error that names the payload and the problem") {
    Decoder decoder;
    auto decoded = decoder.systemStatus(R"({"status":"ok","queue_length":})");
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().message.find("system status: invalid JSON (") == 0);
    auto html = decoder.systemStatus("<html><body>502 Bad Gateway</body></html>");
    REQUIRE_FALSE(html.ok());
    CHECK(html.error().message.find("system status: invalid JSON (TAPE_ERROR") == 0);
}

TEST_CASE("spec 2.1: a field of the wrong type is ignored with a warning naming it and the rest is kept") {
    const auto d = decodeOk(R"({"queue_length":"many","status":123,"gpu_available":"yes","memory_used":410,)"
                            R"("memory_total":24105.6,"warnings":"GPU missing","backend":7,"gpu_status":"GPU ok"})");
    const model::SystemStatusPatch& p = d.value;
    CHECK_FALSE(p.queue_length);
    CHECK_FALSE(p.status);
    CHECK_FALSE(p.gpu_available);
    CHECK_FALSE(p.warnings);
    CHECK_FALSE(p.backend);
    CHECK(p.memory_used == 410);
    CHECK(p.memory_total == 24106);  // a fractional MiB figure is rounded, not dropped
    CHECK(p.gpu_status == "GPU ok");
    CHECK_MESSAGE(d.warnings.size() == 5, joined(d.warnings));
    CHECK(anyContains(d.warnings, "system status: queue_length must be an integer, got string \"many\"; ignored"));
    CHECK(anyContains(d.warnings, "system status: status must be a string, got number 123; ignored"));
    CHECK(anyContains(d.warnings, "system status: gpu_available must be a boolean"));
    CHECK(anyContains(d.warnings, "system status: warnings must be an array of strings"));
    CHECK(anyContains(d.warnings, "system status: backend must be a string or null"));
}

TEST_CASE("spec 2.1: wrong types inside nested objects name the nested field") {
    const auto d = decodeOk(
        R"({"sdnext":{"configured":"yes","available":true,"base_url":5,"error":"Health check failed"},)"
        R"("queue":{"total":"1","active":2},"thresholds":{"queue":{"active_warning":"5","failed_warning":null},)"
        R"("importer":"x"},"importer":{"stale":1,"recent_imports":3}})");
    const model::SystemStatusPatch& p = d.value;
    REQUIRE(p.sdnext);
    REQUIRE(p.sdnext->has_value());
    CHECK_FALSE((*p.sdnext)->configured);
    CHECK((*p.sdnext)->available);
    CHECK_FALSE((*p.sdnext)->base_url);
    CHECK((*p.sdnext)->error == "Health check failed");
    REQUIRE(p.queue);
    CHECK((*p.queue)->active == 2);
    CHECK((*p.queue)->total == 0);
    REQUIRE(p.thresholds);
    CHECK_FALSE((*p.thresholds)->queue_active_warning);
    CHECK_FALSE((*p.thresholds)->queue_failed_warning);
    REQUIRE(p.importer);
    CHECK((*p.importer)->recent_imports == 3);
    CHECK(anyContains(d.warnings, "sdnext.configured must be a boolean, got string \"yes\"; ignored"));
    CHECK(anyContains(d.warnings, "sdnext.base_url must be a string or null"));
    CHECK(anyContains(d.warnings, "queue.total must be an integer"));
    CHECK(anyContains(d.warnings, "thresholds.queue.active_warning must be an integer or null"));
    CHECK(anyContains(d.warnings, "thresholds.importer must be an object or null"));
    CHECK(anyContains(d.warnings, "importer.stale must be a boolean"));
    CHECK_MESSAGE(d.warnings.size() == 6, joined(d.warnings));
}

TEST_CASE("spec 2.1: unknown keys pass through as minified raw JSON") {
    const auto d = decodeOk(
        R"({"status":"healthy","custom":{ "a" : [1, 2, "x y"] },"flag":true,"note":"hi","n":null,"we\"ird":1})");
    const model::SystemStatusPatch& p = d.value;
    CHECK(d.warnings.empty());
    REQUIRE(p.extra.size() == 5);
    CHECK(sv(p.extra.at("custom")) == R"({"a":[1,2,"x y"]})");
    CHECK(sv(p.extra.at("flag")) == "true");
    CHECK(sv(p.extra.at("note")) == "\"hi\"");
    CHECK(sv(p.extra.at("n")) == "null");
    CHECK(sv(p.extra.at("we\"ird")) == "1");  // the key is unescaped

    model::SystemStatus state;
    model::mergeSystemStatus(state, p);
    CHECK(state.extra.size() == 5);
}

TEST_CASE("spec 2.1: metrics with GPUs are decoded and missing required metrics are reported") {
    const auto d =
        decodeOk(R"({"metrics":{"cpu_percent":12.5,"memory_percent":40,"memory_used":4096,"memory_total":8192,)"
                 R"("gpus":[{"id":0,"name":"RTX 4090","memory_total":24564,"memory_used":1024,"memory_percent":4.2,)"
                 R"("temperature":51,"utilization":97,"fan_speed":null,"power_draw_watts":312.5},)"
                 R"({"id":"gpu-1","name":"A100","temperature":"hot"},"bogus"],"uptime_seconds":12,"timestamp":null}})");
    const model::SystemStatusPatch& p = d.value;
    REQUIRE(p.metrics);
    const model::SystemMetrics& m = *p.metrics;
    CHECK(m.cpu_percent == 12.5);
    CHECK(m.memory_percent == 40);
    CHECK(m.memory_used == 4096);
    CHECK(m.memory_total == 8192);
    CHECK_FALSE(m.disk_percent);
    CHECK(m.uptime_seconds == 12);
    CHECK_FALSE(m.timestamp);
    REQUIRE(m.gpus.size() == 2);
    CHECK(sv(m.gpus[0].id) == "0");
    CHECK(sv(m.gpus[0].name) == "RTX 4090");
    CHECK(m.gpus[0].memory_total == 24564);
    CHECK(m.gpus[0].memory_percent == 4.2);
    CHECK(m.gpus[0].temperature == 51);
    CHECK(m.gpus[0].utilization == 97);
    CHECK_FALSE(m.gpus[0].fan_speed);
    CHECK(m.gpus[0].power_draw_watts == 312.5);
    CHECK(sv(m.gpus[1].id) == "gpu-1");
    CHECK_FALSE(m.gpus[1].temperature);
    CHECK(anyContains(d.warnings, "metrics.gpus[1].temperature must be a number or null, got string \"hot\"; ignored"));
    CHECK(anyContains(d.warnings, "metrics.gpus[2] must be an object, got string \"bogus\"; ignored"));
    CHECK(d.warnings.size() == 2);

    const auto sparse = decodeOk(R"({"metrics":{"cpu_percent":3}})");
    REQUIRE(sparse.value.metrics);
    CHECK(sparse.warnings.size() == 4);
    CHECK(anyContains(sparse.warnings, "system status: metrics.memory_total is missing; shown as 0"));
    CHECK(anyContains(sparse.warnings, "metrics.gpus is missing"));
}

TEST_CASE("spec 2.1: warnings keep their strings, null means none, other entries are reported") {
    const auto list = decodeOk(R"({"warnings":["a",5,"b"]})");
    REQUIRE(list.value.warnings);
    CHECK(*list.value.warnings == std::vector<std::string>{"a", "b"});
    CHECK(anyContains(list.warnings, "warnings[1] must be a string, got number 5"));

    const auto none = decodeOk(R"({"warnings":null})");
    REQUIRE(none.value.warnings);
    CHECK(none.value.warnings->empty());
}

TEST_CASE("spec 6.2: message, updated_at and type are read but not merged") {
    const auto d = decodeOk(
        R"({"type":"system_status","message":"m","updated_at":"2026-01-01T00:00:00+00:00","status":"degraded"})");
    CHECK(d.value.type == "system_status");
    CHECK(d.value.message == "m");
    CHECK(d.value.updated_at == "2026-01-01T00:00:00+00:00");
    model::SystemStatus state;
    model::mergeSystemStatus(state, d.value);
    CHECK(state.status == "degraded");
    CHECK(state.extra.empty());
}
