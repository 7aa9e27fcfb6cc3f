#pragma once
// Issue 18: the orchestrator's LifecycleSink over the history database. Each step of a job's
// life becomes an upsert queued by HistoryStore::record() (which never touches the disk: the
// store's writer thread commits in batches); loadPast reads the backend's stored past back.
//
// openSessionHistory decides whether a session records at all: the window records by default
// (the default path, or --history-db); offscreen runs (--screenshot, --dump-snapshot) only when
// --history-db names a file; --no-history never. A file that cannot be used gives one readable
// line and the session runs without history.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "app/cli.hpp"
#include "history/history_store.hpp"
#include "orchestrator/lifecycle_sink.hpp"

namespace genmon::app {

class HistorySink final : public orchestrator::LifecycleSink {
public:
    explicit HistorySink(std::shared_ptr<history::HistoryStore> store) : store_(std::move(store)) {}

    void jobSeen(const model::Job& job, const orchestrator::BackendConfig& backend) override;
    void jobLeft(const orchestrator::JobLifecycle& entry, const orchestrator::BackendConfig& backend) override;
    void resultImage(const model::GenerationResult& result, const model::Image& image,
                     const orchestrator::BackendConfig& backend) override;
    void jobRerun(std::string_view newJobId, std::string_view oldJobId, const orchestrator::BackendConfig& backend) override;
    std::optional<model::GenerationParams> storedParams(std::string_view jobId,
                                                        const orchestrator::BackendConfig& backend) override;
    std::function<bool(const model::Job&)> queueFilter(std::string_view filter,
                                                       const orchestrator::BackendConfig& backend) override;
    std::shared_ptr<orchestrator::StoredMatches> searchStored(std::string_view filter,
                                                              const orchestrator::BackendConfig& backend,
                                                              size_t limit) override;
    std::shared_ptr<const orchestrator::StoredThroughput> loadThroughput(int64_t nowMicros) override;
    orchestrator::StoredPast loadPast(const orchestrator::BackendConfig& backend, int64_t sinceMicros, size_t maxRuns) override;

    const std::shared_ptr<history::HistoryStore>& store() const noexcept { return store_; }

private:
    std::shared_ptr<history::HistoryStore> store_;
};

// The name a backend's jobs are stored under: "demo" for the embedded genmon-sim (a new port
// each time, and the same demo across restarts), else history::backendName(url).
std::string historyBackendName(const orchestrator::BackendConfig& backend);

// The lifecycle entry a stored job becomes on the timeline; nullopt while it has not ended.
std::optional<orchestrator::JobLifecycle> lifecycleFromRecord(const history::JobRecord& record);

enum class HistoryUse { Default, OnlyWhenNamed };
struct SessionHistory {
    std::shared_ptr<history::HistoryStore> store;  // null: no history this session
    std::string problem;                           // why a history that was asked for is not there
};
// Opens the store a session records into, as the command line says (see above).
SessionHistory openSessionHistory(const CliOptions& options, HistoryUse use);

}  // namespace genmon::app
