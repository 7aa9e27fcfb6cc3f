// Issue 15.3: the live socket and the replay name a decoded message with the same line (one
// summary, in protocol/), so a replay's Inspector reads as the live one did. The two copies they
// had before had drifted: the replay's progress line had lost its percent.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "orchestrator/exchange_log.hpp"
#include "orchestrator/executor.hpp"
#include "transport/recording.hpp"
#include "transport/replay_transport.hpp"

using namespace genmon;

namespace {

struct CountingListener final : orchestrator::UpdateSink {
    int progress = 0;
    void apply(orchestrator::Update u) override { progress += std::holds_alternative<model::ProgressMessage>(u) ? 1 : 0; }
};

}  // namespace

TEST_CASE("issue 15.3: a replayed progress message is named in the Inspector as the live socket names it") {
    const std::string text =
        R"({"genmon_recording":1,"base_url":"http://127.0.0.1:8000/api/v1","started_us":1795694400000000})" "\n"
        R"({"t_us":1000,"kind":"ws","event":"message","text":"{\"type\":\"progress_update\",\"data\":{\"job_id\":\"j1\",\"progress\":0.25}}"})" "\n"
        R"({"t_us":2000,"kind":"end"})" "\n";
    auto rec = transport::parseRecording(text, "summary.jsonl");
    REQUIRE_MESSAGE(rec.ok(), (rec.ok() ? std::string() : rec.error().message));
    auto recording = std::make_shared<const transport::Recording>(std::move(rec).value());
    orchestrator::ManualExecutor clock(recording->startedAtMicros);
    auto log = std::make_shared<orchestrator::ExchangeLog>();
    auto transport = transport::makeReplayTransportFactory(clock, recording, log)({});
    CountingListener listener;
    transport->startPush(&listener);
    clock.advanceTo(recording->startedAtMicros + 1'000'000);
    clock.runUntilIdle();
    transport->stopPush();

    CHECK(listener.progress == 1);
    std::vector<std::string> lines;
    for (const auto& e : log->recent())
        if (e.direction == orchestrator::Direction::WsIn) lines.push_back(e.target);
    CHECK(lines == std::vector<std::string>{"progress_update j1 25%"});
}
