// Issue 15.3: one summary line per decoded WebSocket frame, shared by the live socket and the
// replay (they kept two copies that had drifted apart: the replay's progress line had no percent).
#include <doctest/doctest.h>

#include <string>

#include "protocol/decode.hpp"
#include "protocol_test_util.hpp"

using namespace genmon;
using namespace genmon::protocol;

namespace {

std::string summaryOf(const std::string& frame) {
    Decoder decoder;
    auto decoded = decoder.wsMessage(frame, 1'800'000'000'000'000);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    return messageSummary(decoded->value);
}

}  // namespace

TEST_CASE("issue 15.3: a progress frame's summary names the job and its percent, live and in a replay") {
    CHECK(summaryOf(R"({"type":"progress_update","data":{"job_id":"j1","progress":0.25}})") ==
          "progress_update j1 25%");
    CHECK(summaryOf(R"({"type":"generation_progress","job_id":"j1"})") == "progress_update j1");
}

TEST_CASE("issue 15.3: every frame kind has its summary, named as the server names the type") {
    CHECK(summaryOf(R"({"type":"connected","data":{"connection_id":"c"}})") == "connected");
    CHECK(summaryOf(R"({"type":"subscription_confirmed","data":{"job_ids":null}})") == "subscription_confirmed");
    CHECK(summaryOf(R"({"type":"generation_started","data":{"job_id":"j2"}})") == "generation_started j2");
    CHECK(summaryOf(R"({"type":"generation_complete","data":{"job_id":"j3","status":"completed"}})") ==
          "generation_complete j3");
    CHECK(summaryOf(R"({"type":"generation_error","job_id":"j4","error":"boom"})") == "generation failed j4");
    CHECK(summaryOf(R"({"type":"queue_update","jobs":[]})") == "queue_update (0 jobs)");
    CHECK(summaryOf(R"({"type":"system_status","gpu_available":true})") == "system_status");
    CHECK(summaryOf(R"({"type":"pong"})") == "ignored type pong");
}
