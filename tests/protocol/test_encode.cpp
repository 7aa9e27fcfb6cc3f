// Request bodies and client frames: spec §2.4 (SDNextGenerationParams) and §3.1 (subscribe).
#include <doctest/doctest.h>

#include <simdjson.h>

#include <string>

#include "protocol/encode.hpp"

using namespace genmon;
using namespace genmon::protocol;

TEST_CASE("spec 2.4: a default request carries every field, nulls where unset, cfg_scale as a float") {
    model::GenerationRequest request;
    request.prompt = "a lighthouse at dusk, <lora:test:0.8>";
    CHECK(
        encodeGenerationRequest(request) ==
        R"({"prompt":"a lighthouse at dusk, <lora:test:0.8>","negative_prompt":null,"steps":20,"sampler_name":"DPM++ 2M",)"
        R"("cfg_scale":7.0,"width":512,"height":512,"seed":-1,"batch_size":1,"n_iter":1,"denoising_strength":null})");
}

TEST_CASE("spec 2.4: set optional fields are written and text is escaped") {
    model::GenerationRequest request;
    request.prompt = "say \"hi\"\n\tback\\slash caf\xC3\xA9 \x01";
    request.negative_prompt = "blurry";
    request.steps = 30;
    request.sampler_name = "Euler a";
    request.cfg_scale = 7.5;
    request.width = 768;
    request.height = 1024;
    request.seed = 4294967297;  // beyond 32 bits
    request.batch_size = 2;
    request.n_iter = 3;
    request.denoising_strength = 0.75;
    const std::string json = encodeGenerationRequest(request);
    CHECK(json ==
          R"({"prompt":"say \"hi\"\n\tback\\slash caf)"
          "\xC3\xA9"
          R"( \u0001","negative_prompt":"blurry","steps":30,"sampler_name":"Euler a","cfg_scale":7.5,"width":768,)"
          R"("height":1024,"seed":4294967297,"batch_size":2,"n_iter":3,"denoising_strength":0.75})");

    // And it reads back as the same values.
    simdjson::ondemand::parser parser;
    const simdjson::padded_string padded(json);
    simdjson::ondemand::document doc;
    REQUIRE(parser.iterate(padded).get(doc) == simdjson::SUCCESS);
    std::string_view prompt;
    REQUIRE(doc["prompt"].get_string().get(prompt) == simdjson::SUCCESS);
    CHECK(prompt == request.prompt);
    int64_t seed = 0;
    REQUIRE(doc["seed"].get_int64().get(seed) == simdjson::SUCCESS);
    CHECK(seed == 4294967297);
    double denoise = 0;
    REQUIRE(doc["denoising_strength"].get_double().get(denoise) == simdjson::SUCCESS);
    CHECK(denoise == 0.75);
}

TEST_CASE("spec 3.1: subscribe to every job is job_ids null, without previews") {
    CHECK(encodeSubscribe(std::nullopt) == R"({"type":"subscribe","job_ids":null,"include_previews":false})");
}

TEST_CASE("spec 3.1: subscribe to some jobs lists their ids") {
    CHECK(encodeSubscribe(std::vector<std::string>{"a", "b\"c"}) ==
          R"({"type":"subscribe","job_ids":["a","b\"c"],"include_previews":false})");
    CHECK(encodeSubscribe(std::vector<std::string>{}) ==
          R"({"type":"subscribe","job_ids":[],"include_previews":false})");
}
