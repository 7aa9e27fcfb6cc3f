// /generation/results decoding: spec §2.3, §5.2, §9 item 9 (nulls kept), decision 6 (images).
#include <doctest/doctest.h>

#include <string>

#include "protocol/decode.hpp"
#include "protocol_test_util.hpp"

using namespace genmon;
using namespace genmon::protocol;
using genmon::test::anyContains;
using genmon::test::cat;
using genmon::test::joined;
using genmon::test::jsonArray;
using genmon::test::sv;
using model::ImageSource;
using model::Timestamp;

namespace {

Decoded<std::vector<DecodedResult>> decodeOk(const std::string& body, int64_t receivedMicros = 0) {
    Decoder decoder;
    auto decoded = decoder.results(body, receivedMicros);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    return std::move(decoded).value();
}

DecodedResult single(const std::string& resultJson) {
    auto d = decodeOk(jsonArray({resultJson}));
    REQUIRE_MESSAGE(d.value.size() == 1, joined(d.warnings));
    return d.value.front();
}

std::string withImage(const std::string& imageUrlJson) {
    return cat(R"({"id":"r1","job_id":"r1","status":"completed","image_url":)", imageUrlJson, "}");
}

}  // namespace

TEST_CASE("spec 9 item 9: results with null prompt, width, height, steps and cfg_scale are kept") {
    const DecodedResult r =
        single(R"({"id":"r1","job_id":"r1","prompt":null,"negative_prompt":null,"status":"completed",)"
               R"("image_url":null,"thumbnail_url":null,"width":null,"height":null,"steps":null,)"
               R"("cfg_scale":null,"seed":null,"created_at":"2026-11-26T07:07:25","finished_at":null,)"
               R"("generation_info":null,"rating":null,"is_favorite":false})");
    CHECK(sv(r.result.id) == "r1");
    CHECK_FALSE(r.result.prompt);
    CHECK_FALSE(r.result.width);
    CHECK_FALSE(r.result.height);
    CHECK_FALSE(r.result.steps);
    CHECK_FALSE(r.result.cfg_scale);
    CHECK_FALSE(r.result.seed);
    CHECK_FALSE(r.result.generation_info_json);
    CHECK(r.result.imageSource == ImageSource::None);
    CHECK_FALSE(r.imageBase64);
}

TEST_CASE("spec 2.3: a result without a usable id is dropped with a warning naming its index") {
    const auto d = decodeOk(jsonArray({R"({"id":"a"})", R"({"job_id":"no-id"})", R"({"id":null})", R"({"id":""})",
                                       R"({"id":{"nested":1}})", R"("text")", R"({"id":"b"})"}));
    REQUIRE(d.value.size() == 2);
    CHECK(sv(d.value[0].result.id) == "a");
    CHECK(sv(d.value[1].result.id) == "b");
    REQUIRE_MESSAGE(d.warnings.size() == 5, joined(d.warnings));
    CHECK(d.warnings[0] == "result #1: id is required (a non-empty string or a number), missing; entry dropped");
    CHECK(d.warnings[1] == "result #2: id must be a non-empty string or a number, got null; entry dropped");
    CHECK(d.warnings[2].find("result #3: id must be a non-empty string") == 0);
    CHECK(d.warnings[3] == "result #4: id must be a non-empty string or a number, got an object; entry dropped");
    CHECK(d.warnings[4] == "result #5: expected an object, got string \"text\"; entry dropped");
}

TEST_CASE("spec 2.3: numeric ids become text and job_id falls back to id") {
    const DecodedResult r = single(R"({"id":123,"status":"completed"})");
    CHECK(sv(r.result.id) == "123");
    CHECK(sv(r.result.job_id) == "123");
    const DecodedResult s = single(R"({"id":"r","job_id":"j","result_id":"x9"})");
    CHECK(sv(s.result.job_id) == "j");
    REQUIRE(s.result.result_id);
    CHECK(sv(*s.result.result_id) == "x9");
}

TEST_CASE("decision 6: a base64 PNG image_url travels beside the result, not inside it") {
    const std::string png =
        "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4EaCBFTEMLQkAaplQAc/OcKAAAAAASUVORK5CYII=";
    const DecodedResult r = single(withImage(cat("\"", png, "\"")));
    CHECK(r.result.imageSource == ImageSource::Base64);
    REQUIRE(r.imageBase64);
    CHECK(*r.imageBase64 == png);
    CHECK_FALSE(r.result.image_path);
}

TEST_CASE("decision 6: base64 JPEG (starting /9j/) is an image, not a server path") {
    const DecodedResult r =
        single(withImage(R"("/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRof")"));
    CHECK(r.result.imageSource == ImageSource::Base64);
    REQUIRE(r.imageBase64);
    CHECK(r.imageBase64->rfind("/9j/", 0) == 0);
    CHECK_FALSE(r.result.image_path);
}

TEST_CASE("decision 6: data: URLs are base64 images too") {
    const DecodedResult r = single(withImage(R"("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAI")"));
    CHECK(r.result.imageSource == ImageSource::Base64);
    REQUIRE(r.imageBase64);
    CHECK(r.imageBase64->rfind("data:image/png;base64,", 0) == 0);
}

TEST_CASE("decision 6: server paths and file:// URLs go to image_path, to fetch through /download") {
    for (const char* url : {"/srv/lora-manager/outputs/5e8ee68e-000.png", "file:///srv/outputs/a.png",
                            "outputs\\\\win\\\\a.png", "http://host:8000/outputs/a.png"}) {
        CAPTURE(url);
        const DecodedResult r = single(withImage(cat("\"", url, "\"")));
        CHECK(r.result.imageSource == ImageSource::ServerPath);
        REQUIRE(r.result.image_path);
        CHECK_FALSE(r.imageBase64);
    }
    CHECK(sv(*single(withImage(R"("file:///srv/outputs/a.png")")).result.image_path) == "file:///srv/outputs/a.png");
}

TEST_CASE("decision 6: a null or empty image_url means no image") {
    for (const char* url : {"null", "\"\"", "\"   \""}) {
        CAPTURE(url);
        const DecodedResult r = single(withImage(url));
        CHECK(r.result.imageSource == ImageSource::None);
        CHECK_FALSE(r.imageBase64);
        CHECK_FALSE(r.result.image_path);
    }
}

TEST_CASE("spec 2.3: generation_info is kept minified with the seed really used, sampler and model") {
    const DecodedResult r =
        single(R"({"id":"r","seed":-1,"generation_info": { "seed" : 987654321 , "sampler_name":"Euler a",)"
               R"( "model" : "sdxl-base", "extra" : [1, {"x": "y z"}] }})");
    CHECK(r.result.seed == -1);  // what was asked for
    CHECK(r.result.generation_seed == 987654321);
    REQUIRE(r.result.generation_info_json);
    CHECK(sv(*r.result.generation_info_json) ==
          R"({"seed":987654321,"sampler_name":"Euler a","model":"sdxl-base","extra":[1,{"x":"y z"}]})");
    REQUIRE(r.result.sampler_name);
    CHECK(sv(*r.result.sampler_name) == "Euler a");
    REQUIRE(r.result.model_name);
    CHECK(sv(*r.result.model_name) == "sdxl-base");
}

TEST_CASE("spec 9 item 15: generation_info given as JSON text is parsed like an object") {
    const DecodedResult r = single(R"({"id":"r","generation_info":"{\"seed\": 42, \"model_name\": \"m\"}"})");
    CHECK(r.result.generation_seed == 42);
    REQUIRE(r.result.generation_info_json);
    CHECK(sv(*r.result.generation_info_json) == R"({"seed":42,"model_name":"m"})");
    REQUIRE(r.result.model_name);
    CHECK(sv(*r.result.model_name) == "m");

    const auto d = decodeOk(R"([{"id":"r","generation_info":"not json"}])");
    REQUIRE(d.value.size() == 1);
    CHECK_FALSE(d.value[0].result.generation_info_json);
    CHECK(anyContains(d.warnings, "result #0: generation_info must be an object, JSON text or null"));
}

TEST_CASE("spec 5.2: top-level sampler_name and model_name win over generation_info's") {
    const DecodedResult r = single(
        R"({"id":"r","sampler_name":"DDIM","model_name":"top","generation_info":{"sampler_name":"Euler","model":"inner"}})");
    CHECK(sv(*r.result.sampler_name) == "DDIM");
    CHECK(sv(*r.result.model_name) == "top");
}

TEST_CASE("spec 2.3: a field of the wrong type is ignored with a warning and the result stays") {
    const auto d = decodeOk(R"([{"id":"r","width":"wide","height":512,"steps":20.5,"cfg_scale":"7","seed":"x",)"
                            R"("rating":"5","is_favorite":"yes","created_at":12,"prompt":["a"]}])");
    REQUIRE(d.value.size() == 1);
    const model::GenerationResult& r = d.value[0].result;
    CHECK_FALSE(r.width);
    CHECK(r.height == 512);
    CHECK_FALSE(r.steps);
    CHECK_FALSE(r.cfg_scale);
    CHECK_FALSE(r.seed);
    CHECK_FALSE(r.rating);
    CHECK_FALSE(r.is_favorite);
    CHECK_FALSE(r.created_at.valid);
    CHECK_FALSE(r.prompt);
    CHECK_MESSAGE(d.warnings.size() == 8, joined(d.warnings));
    CHECK(anyContains(d.warnings, "result #0: width must be an integer or null, got string \"wide\"; ignored"));
    CHECK(anyContains(d.warnings, "result #0: steps must be an integer or null, got number 20.5; ignored"));
    CHECK(anyContains(d.warnings, "result #0: is_favorite must be a boolean or null"));
    CHECK(anyContains(d.warnings, "result #0: prompt must be a string or null, got an array; ignored"));
}

TEST_CASE("spec 2.3: timestamps, rating and favourite flags are decoded") {
    const DecodedResult r =
        single(R"({"id":"r","created_at":"2026-11-26T07:07:25.819705","finished_at":"2026-11-26T07:07:33",)"
               R"("rating":4,"is_favorite":true,"rating_updated_at":"2026-11-27T00:00:00+00:00",)"
               R"("favorite_updated_at":null,"thumbnail_url":"/thumbs/r.png"})");
    CHECK(r.result.created_at == Timestamp::parse("2026-11-26T07:07:25.819705"));
    CHECK(r.result.finished_at == Timestamp::parse("2026-11-26T07:07:33"));
    CHECK(r.result.rating == 4);
    CHECK(r.result.is_favorite);
    CHECK(r.result.rating_updated_at.valid);
    CHECK(r.result.rating_updated_at.hadOffset);
    CHECK_FALSE(r.result.favorite_updated_at.valid);
    REQUIRE(r.result.thumbnail_url);
    CHECK(sv(*r.result.thumbnail_url) == "/thumbs/r.png");
}

TEST_CASE("spec 2.3: a missing created_at becomes the receipt time when one is given") {
    constexpr int64_t received = 1'800'000'000'000'000;
    const auto d = decodeOk(R"([{"id":"r"}])", received);
    REQUIRE(d.value.size() == 1);
    CHECK(d.value[0].result.created_at == Timestamp::fromMicros(received));
    const auto without = decodeOk(R"([{"id":"r"}])");
    CHECK_FALSE(without.value[0].result.created_at.valid);
}

TEST_CASE("spec 2.3: a results body that is not an array is an error") {
    Decoder decoder;
    auto decoded = decoder.results(R"({"detail":"Not Found"})");
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().message == "results: expected a JSON array, got object");
    auto broken = decoder.results(R"([{"id":"a",}])");
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().message.find("results: invalid JSON (") == 0);
}

TEST_CASE("issue 9: results beyond maxResults are left out with one warning") {
    DecodeLimits limits;
    limits.maxResults = 2;
    Decoder decoder(limits);
    auto decoded = decoder.results(jsonArray({R"({"id":"1"})", R"({"id":"2"})", R"({"id":"3"})", R"({"id":"4"})"}));
    REQUIRE(decoded.ok());
    REQUIRE(decoded->value.size() == 2);
    CHECK(sv(decoded->value[1].result.id) == "2");
    REQUIRE(decoded->warnings.size() == 1);
    CHECK(decoded->warnings[0] == "2 more results beyond the limit of 2 were left out");
}
