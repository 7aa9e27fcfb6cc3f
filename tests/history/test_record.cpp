// Issue 18.2: what a stored job carries: LoRA tags parsed from the prompt, a thumbnail of a few
// KB, the backend's name, and the way back to a request for "Run again".
#include <doctest/doctest.h>

#include "history/record.hpp"

using namespace genmon;
using history::LoraTag;
using history::parseLoraTags;

TEST_CASE("issue 18.2: LoRA tags are parsed from <lora:name:weight> in the prompt") {
    const auto tags = parseLoraTags("a lighthouse, <lora:film_grain:0.8> and <LoRA:Detail Tweaker:-1.5>, <lora:plain>");
    REQUIRE(tags.size() == 3);
    CHECK(tags[0] == LoraTag{"film_grain", 0.8});
    CHECK(tags[1] == LoraTag{"Detail Tweaker", -1.5});
    CHECK(tags[2].name == "plain");
    CHECK_FALSE(tags[2].weight);
}

TEST_CASE("issue 18.2: text that only looks like a LoRA tag is not one") {
    CHECK(parseLoraTags("no tags here").empty());
    CHECK(parseLoraTags("<lora:unclosed:0.5").empty());
    CHECK(parseLoraTags("<lora::0.5> <hypernet:x:1> <lora:>").empty());
    // A name with a colon keeps it; only what follows the last colon is the weight.
    const auto tags = parseLoraTags("<lora:style:v2:0.7> <lora:odd:heavy>");
    REQUIRE(tags.size() == 2);
    CHECK(tags[0] == LoraTag{"style:v2", 0.7});
    CHECK(tags[1].name == "odd");
    CHECK_FALSE(tags[1].weight);
}

TEST_CASE("issue 18.2: a stored thumbnail is at most 32 pixels a side and averages its pixels") {
    model::Image img;
    img.width = 128;
    img.height = 64;
    img.rgba.resize(128 * 64 * 4);
    // Left half black, right half white: the shrunk picture keeps the split.
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 128; ++x)
            for (int c = 0; c < 4; ++c) img.rgba[(static_cast<size_t>(y) * 128 + x) * 4 + c] = c == 3 ? 255 : (x < 64 ? 0 : 255);
    const auto t = history::shrinkForHistory(img);
    REQUIRE(t);
    CHECK(t->width == 32);
    CHECK(t->height == 16);
    CHECK(t->rgba.size() == 32 * 16 * 4);
    CHECK(t->rgba.size() <= 4096);
    CHECK(t->rgba[0] == 0);
    CHECK(t->rgba[(31) * 4] == 255);
    CHECK(t->rgba[3] == 255);
    // A small picture is kept as it is; an inconsistent one is refused.
    model::Image small{8, 8, std::vector<uint8_t>(8 * 8 * 4, 7)};
    CHECK(history::shrinkForHistory(small)->width == 8);
    model::Image bad{8, 8, std::vector<uint8_t>(10)};
    CHECK_FALSE(history::shrinkForHistory(bad));
}

TEST_CASE("issue 18.2: a backend is named by its host and port, never its credentials") {
    CHECK(history::backendName("http://127.0.0.1:8000/api/v1") == "127.0.0.1:8000");
    CHECK(history::backendName("https://user:secret@gpu.example:8782/v1?x=1") == "gpu.example:8782");
    CHECK(history::backendName("not a url") == "not a url");
}

TEST_CASE("issue 18.2: a live job becomes a record with its params, times and error") {
    model::Job j;
    j.uiId = "ui-1";
    j.backendId = "3fa2c1d0-0000-4000-8000-000000000001";
    j.status = model::JobStatus::Failed;
    j.created_at = model::Timestamp::fromMicros(1000);
    j.runningSinceMicros = 2000;
    j.finished_at = model::Timestamp::fromMicros(3000);
    j.error = model::Text("CUDA out of memory");
    model::GenerationParams p;
    p.prompt = model::Text("a cat <lora:x:1>");
    p.sampler_name = model::Text("Euler a");
    p.width = 640;
    p.height = 480;
    p.steps = 25;
    p.cfg_scale = 6.5;
    p.seed = 7;
    j.params = p;
    const auto r = history::recordFromJob(j, "sim", "http://127.0.0.1:1/api/v1");
    CHECK(r.jobId == "3fa2c1d0-0000-4000-8000-000000000001");
    CHECK(r.backend == "sim");
    CHECK(r.status == history::RunStatus::Failed);
    CHECK(r.createdMicros == 1000);
    CHECK(r.startedMicros == 2000);
    CHECK(r.finishedMicros == 3000);
    CHECK(*r.error == "CUDA out of memory");
    CHECK(*r.params.prompt == "a cat <lora:x:1>");
    CHECK(*r.params.sampler == "Euler a");
    CHECK(r.loras().size() == 1);
    // Run again: the same parameters, the backend's defaults where none was stored.
    const auto req = history::requestToRunAgain(r.params);
    CHECK(req.prompt == "a cat <lora:x:1>");
    CHECK(req.sampler_name == "Euler a");
    CHECK(req.width == 640);
    CHECK(req.height == 480);
    CHECK(req.steps == 25);
    CHECK(req.cfg_scale == 6.5);
    CHECK(req.seed == 7);
    CHECK(req.batch_size == 1);
}

TEST_CASE("issue 18.2: status names round-trip and only final states are final") {
    for (auto s : history::kAllRunStatuses) CHECK(history::runStatusFromName(history::runStatusName(s)) == s);
    CHECK_FALSE(history::isFinal(history::RunStatus::Queued));
    CHECK_FALSE(history::isFinal(history::RunStatus::Running));
    CHECK(history::isFinal(history::RunStatus::Succeeded));
    CHECK(history::isFinal(history::RunStatus::Cancelled));
    CHECK(history::isFinal(history::RunStatus::Left));
}
