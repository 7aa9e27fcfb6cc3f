#pragma once
// ReplayTransport: orchestrator::Transport answered from a recording (transport/recording.hpp),
// with no network at all (it opens no socket). The orchestrator runs unchanged on a
// ManualExecutor whose clock starts at the recording's start.
//
//   fetches   answered with the recorded answer for the same method and path (the final attempt
//             of each request): in order; when several recorded answers were complete by now,
//             the latest of them; when asked more often than recorded, the latest one at or
//             before now. An answer still in the recording's future arrives at its recorded
//             time. Never recorded: "replay: GET /system/status was never recorded".
//   images    base64 decoded here; downloads answered from the recorded bytes.
//   socket    after startPush, the recorded messages and phase changes arrive at their recorded
//             times (decoded as the live client does), until stopPush.
//   actions   generate, queue, cancel, delete: "replay: the backend is a recording".
//
// Every callback runs later, on the executor, exactly once. What is answered goes to the
// exchange log too, so the Inspector shows the replayed traffic.
#include <memory>
#include <string>

#include "orchestrator/exchange_log.hpp"
#include "orchestrator/transport.hpp"
#include "orchestrator/executor.hpp"
#include "transport/recording.hpp"

namespace genmon::transport {

inline constexpr const char* kReplayRefusal = "replay: the backend is a recording";

// Which recorded answers have been used, shared by the transports one replay makes.
struct ReplayCursor;

class ReplayTransport final : public orchestrator::Transport {
public:
    ReplayTransport(orchestrator::ManualExecutor& clock, std::shared_ptr<const Recording> recording,
                    std::shared_ptr<ReplayCursor> cursor, std::shared_ptr<orchestrator::ExchangeLog> log);
    ~ReplayTransport() override;

    void fetchSystemStatus(orchestrator::Callback<orchestrator::FetchedStatus> done) override;
    void fetchActiveJobs(int limit, orchestrator::Callback<orchestrator::FetchedJobs> done) override;
    void fetchResults(int limit, int offset, orchestrator::Callback<orchestrator::FetchedResults> done) override;
    void generate(const model::GenerationRequest& request, orchestrator::Callback<model::GenerateResponse> done) override;
    void queueGeneration(const model::GenerationRequest& request,
                         orchestrator::Callback<model::QueueGenerationResponse> done) override;
    void cancelJob(const std::string& backendId, orchestrator::Callback<model::CancelResponse> done) override;
    void deleteResult(const std::string& resultId, orchestrator::Callback<model::Unit> done) override;
    void decodeImage(std::string base64, orchestrator::Callback<model::ImagePtr> done) override;
    void downloadImage(const std::string& resultId, orchestrator::Callback<model::ImagePtr> done) override;
    void startPush(orchestrator::UpdateSink* listener) override;
    void stopPush() override;
    void reconnect() override;  // a recording cannot reconnect: nothing happens
    void cancelAll() override;

private:
    struct Core;
    std::shared_ptr<Core> core_;
};

std::shared_ptr<ReplayCursor> makeReplayCursor(const Recording& recording);

// The factory a replay's orchestrator uses: every transport it makes reads the same recording
// through the same cursor.
orchestrator::TransportFactory makeReplayTransportFactory(orchestrator::ManualExecutor& clock,
                                                          std::shared_ptr<const Recording> recording,
                                                          std::shared_ptr<orchestrator::ExchangeLog> log);

}  // namespace genmon::transport
