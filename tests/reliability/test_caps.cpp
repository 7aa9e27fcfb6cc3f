// Every cap of issue 9, hit on purpose, with the readable error it gives: response size (see
// test_content_faults), JSON nesting depth, list lengths, image bytes and dimensions
// (decompression bombs), WebSocket message size, results kept (history limit <= 200), events
// kept.
#include <chrono>
#include <cstring>

#include "orchestrator/orchestrator.hpp"
#include "protocol/base64.hpp"
#include "protocol/decode.hpp"
#include "protocol/image_codec.hpp"
#include "reliability_util.hpp"

using namespace genmon;
using namespace genmon::reliability;

namespace {

// A PNG signature and IHDR claiming w x h (no pixel data): what a decompression bomb starts with.
std::vector<uint8_t> pngHeader(uint32_t w, uint32_t h) {
    std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    for (uint32_t v : {w, h})
        for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(v >> shift));
    for (uint8_t x : {8, 6, 0, 0, 0}) b.push_back(x);  // 8-bit RGBA
    for (int i = 0; i < 4; ++i) b.push_back(0);         // CRC (stb does not check it)
    return b;
}

}  // namespace

TEST_CASE("cap: JSON nesting depth (64) refuses a deeper body with a readable error") {
    protocol::Decoder decoder;
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    for (const auto& message : {decoder.activeJobs(deep, 0).error().message, decoder.results(deep, 0).error().message,
                                decoder.systemStatus(deep).error().message, decoder.wsMessage(deep, 0).error().message,
                                decoder.jobDetail(deep, 0).error().message}) {
        CHECK(contains(message, "JSON nested deeper than 64 levels; refused"));
    }
    CHECK(decoder.activeJobs(deep, 0).error().kind == model::ErrorKind::TooLarge);
    CHECK(protocol::errorMessageFromBody(500, "Internal Server Error", deep).size() < 200);
}

TEST_CASE("cap: jobs and results per answer (DecodeLimits maxJobs and maxResults)") {
    protocol::DecodeLimits limits;
    CHECK(limits.maxJobs == 200000);
    CHECK(limits.maxResults == 1000);
    limits.maxJobs = 3;
    limits.maxResults = 2;
    protocol::Decoder decoder(limits);
    std::string jobs = "[", results = "[";
    for (int i = 0; i < 10; ++i) {
        const std::string id = std::to_string(i);
        jobs += (i ? "," : "") + std::string(R"({"id":")") + id + R"(","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"})";
        results += (i ? "," : "") + std::string(R"({"id":")") + id + R"(","job_id":")" + id +
                   R"(","prompt":"p","width":8,"height":8,"steps":1,"cfg_scale":1,"seed":1,"created_at":"2026-01-01T00:00:00"})";
    }
    jobs += "]";
    results += "]";
    auto j = decoder.activeJobs(jobs, 0);
    REQUIRE(j.ok());
    CHECK(j->value.size() == 3);
    REQUIRE_FALSE(j->warnings.empty());
    CHECK(j->warnings.back() == "7 more active jobs beyond the limit of 3 were left out");
    auto r = decoder.results(results, 0);
    REQUIRE(r.ok());
    CHECK(r->value.size() == 2);
    REQUIRE_FALSE(r->warnings.empty());
    MESSAGE("results cap: " << r->warnings.back());
    CHECK(contains(r->warnings.back(), "beyond the limit of 2"));
}

TEST_CASE("cap: image bytes, dimensions and pixel count (decompression bombs)") {
    const auto bomb = pngHeader(100000, 100000);
    auto huge = protocol::decodeImage(bomb.data(), bomb.size());
    REQUIRE_FALSE(huge.ok());
    CHECK(huge.error().kind == model::ErrorKind::TooLarge);
    CHECK(huge.error().message == "image is 100000x100000, larger than the 8192x8192 limit");
    const auto many = pngHeader(8000, 8000);
    CHECK(protocol::decodeThumbnail(many.data(), many.size(), {}, 128).error().message ==
          "image is 8000x8000 (64000000 pixels), more than the limit of 40000000 pixels");
    protocol::ImageLimits small;
    small.maxBytes = 2u << 20;
    const std::vector<uint8_t> big(3u << 20, 0);
    auto bytes = protocol::decodeImage(big.data(), big.size(), small);
    REQUIRE_FALSE(bytes.ok());
    CHECK(bytes.error().kind == model::ErrorKind::TooLarge);
    CHECK(bytes.error().message == "image file is 3.0 MiB, larger than the 2.0 MiB limit");
    // base64 text decoding to more than the cap is refused before it is decoded.
    const std::string text = protocol::base64Encode(big);
    CHECK_FALSE(protocol::base64Decode(text, 2u << 20).has_value());
}

TEST_CASE("cap: images over the dimension limit fail their result's thumbnail, readably, end to end") {
    auto options = quietSim();
    options.initialResults = 2;
    options.imageSize = 32;
    auto ro = fastRuntime();
    ro.transport.imageLimits.maxWidth = 16;
    ro.transport.imageLimits.maxHeight = 16;
    Session s(options, ro);
    REQUIRE(s.start().ok());
    REQUIRE(waitUntil([&] {
        const auto r = s.snap()->recentResults;
        return r->size() == 2 && std::all_of(r->begin(), r->end(), [](const model::ResultPtr& x) {
                   return x->imageState == model::ImageState::Failed;
               });
    }));
    const auto held = s.snap();  // the snapshot outlives the loop over its results
    for (const auto& r : *held->recentResults) CHECK(r->imageError == "image is 32x32, larger than the 16x16 limit");
}

TEST_CASE("cap: a WebSocket message over maxMessageBytes closes the socket with a readable error") {
    auto ro = fastRuntime();
    ro.transport.maxMessageBytes = 600;  // the greeting and progress fit, a completion with its image does not
    Session s(quietSim(), ro);
    const std::string a = s.sim->queueJob("its completion is too large");
    REQUIRE(s.start().ok());
    REQUIRE(waitUntil([&] { return s.snap()->isConnected; }));
    s.sim->advance(30000);
    REQUIRE(waitUntil([&] { return contains(s.snap()->connection.lastError, "WebSocket message larger than 600 bytes"); }));
    CHECK(s.phase() == ConnectionPhase::Reconnecting);
    // The polls (and the resync after the reconnect) still bring the truth.
    s.requireConverged();
    CHECK(s.resultCount(a) == 1);
}

TEST_CASE("cap: results kept: the history limit is at most 200 whatever is asked") {
    CHECK(orchestrator::effectiveHistoryLimit(1e9) == 200);
    CHECK(orchestrator::effectiveHistoryLimit(201) == 200);
    CHECK(orchestrator::effectiveHistoryLimit(-5) == 10);
    auto options = quietSim();
    options.initialResults = 260;
    options.imageSize = 8;
    Session s(options);
    REQUIRE(s.start().ok());
    s.rt->manager().setHistoryLimitOverride(100000);
    REQUIRE(waitUntil([&] { return s.snap()->historyLimit == 200 && s.snap()->recentResults->size() == 200; }, 15s));
    s.requireConverged(15s);
    CHECK(routeCount(*s.sim, "GET /generation/results") >= 3);  // pages of at most 100
}

TEST_CASE("cap: events kept when nobody drains them (10000, the rest counted)") {
    orchestrator::EventQueue q;
    for (int i = 0; i < 10005; ++i) q.push(orchestrator::Event{orchestrator::Event::Type::Notification, {}, std::to_string(i), {}, {}, 0});
    CHECK(q.dropped() == 5);
    const auto all = q.drain();
    REQUIRE(all.size() == 10000);
    CHECK(all.front().message == "5");
}
