#include "app/replay_session.hpp"

#include <chrono>

#include "transport/replay_transport.hpp"

namespace genmon::app {

model::Outcome<std::unique_ptr<ReplaySession>> ReplaySession::open(const std::string& path, ReplayOptions options) {
    auto loaded = transport::loadRecording(path);
    if (!loaded) return std::move(loaded).error();
    return fromRecording(std::move(loaded).value(), options);
}

std::unique_ptr<ReplaySession> ReplaySession::fromRecording(transport::Recording recording, ReplayOptions options) {
    return std::unique_ptr<ReplaySession>(
        new ReplaySession(std::make_shared<const transport::Recording>(std::move(recording)), options));
}

ReplaySession::ReplaySession(std::shared_ptr<const transport::Recording> recording, ReplayOptions options)
    : recording_(std::move(recording)),
      options_(options),
      clock_(recording_->startedAtMicros),
      log_(std::make_shared<orchestrator::ExchangeLog>()) {
    orchestrator::OrchestratorOptions o;
    o.backend.baseUrl = recording_->baseUrl;
    o.backend.replayName = recording_->name.empty() ? std::string("recording") : recording_->name;
    // A file cut short says so in the REPLAY badge too: what is shown stops where the file does.
    if (!recording_->endNote.empty()) o.backend.replayName += " " + recording_->endNote;
    o.polls = options_.polls;
    o.usePush = true;
    manager_ = std::make_unique<orchestrator::OrchestratorManager>(
        clock_, transport::makeReplayTransportFactory(clock_, recording_, log_), buffer_, events_, std::move(o));
    binding_.emplace(manager_->acquire());
}

ReplaySession::~ReplaySession() { shutdown(); }

void ReplaySession::initialize() {
    // The answer is the recording's: a backend that was down at the start shows as such.
    (void)binding_->initialize();
}

void ReplaySession::runToEnd() {
    initialize();
    clock_.advanceTo(endMicros());
    finished_ = true;
}

void ReplaySession::start() {
    if (started_) return;
    started_ = true;
    initialize();
    driver_ = std::thread([this] { drive(); });
}

void ReplaySession::drive() {
    using namespace std::chrono;
    const auto realStart = steady_clock::now();
    const int64_t start = recording_->startedAtMicros, end = endMicros();
    while (!stopping_) {
        int64_t target = end;
        if (options_.speed > 0) {
            const double elapsed = static_cast<double>(duration_cast<microseconds>(steady_clock::now() - realStart).count());
            target = std::min(end, start + static_cast<int64_t>(elapsed * options_.speed));
        }
        clock_.advanceTo(target);
        if (target >= end) finished_ = true;
        // Sleep until the next timer is due in real time, a command arrives, or 50 ms pass.
        int64_t waitMicros = 50'000;
        if (!finished_ && options_.speed > 0)
            if (const auto next = clock_.nextTimerAt())
                waitMicros = std::clamp<int64_t>(static_cast<int64_t>(static_cast<double>(*next - target) / options_.speed),
                                                 1'000, 50'000);
        clock_.waitForWork(waitMicros);
    }
}

void ReplaySession::shutdown() {
    if (shutDown_) return;
    shutDown_ = true;
    stopping_ = true;
    if (driver_.joinable()) driver_.join();
    // This thread is the worker now: the last release destroys (transport closed, answers
    // cancelled); drain it before the manager, which waits for what it posted, goes.
    binding_.reset();
    clock_.runUntilIdle();
    manager_.reset();
}

}  // namespace genmon::app
