#pragma once
// OrchestratorManager (spec §7.2): owns the one orchestrator of a backend and hands out RAII
// bindings to its consumers (the window, the CLI dump, replay, tests). The first initialize runs
// once and is shared; a failed one can be retried; the last release destroys. The history limit
// is 50 while any consumer shows history, else 10 (a person's explicit choice overrides both).
// It is the only door to the lifecycle (issue 15.2): the orchestrator's initialize, cleanup,
// destroy and resetState are private to it, so what consumers hold has reads and actions only.
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "orchestrator/orchestrator.hpp"

namespace genmon::orchestrator {

struct ConsumerOptions {
    bool autoSyncHistory = true;  // follow the history-visibility rule
    bool autoSyncBackend = true;  // follow backend URL changes
    bool historyVisible = false;
};

class OrchestratorManager;

class Binding {
public:
    Binding(Binding&& other) noexcept;
    Binding& operator=(Binding&& other) noexcept;
    Binding(const Binding&) = delete;
    Binding& operator=(const Binding&) = delete;
    ~Binding();  // release()

    // Shared by every consumer; runs orchestrator.initialize() at most once per lifecycle.
    std::shared_future<model::Status> initialize();
    void release();
    bool released() const { return manager_ == nullptr; }

    void setHistoryVisible(bool visible);
    // Reads and actions. Null once released: a released binding reaches nothing.
    GenerationOrchestrator* orchestrator() const;
    // The latest snapshot; once released, an empty one (every key at its initial value).
    SnapshotPtr snapshot() const;

private:
    friend class OrchestratorManager;
    Binding(OrchestratorManager* m, uint64_t id) : manager_(m), id_(id) {}
    OrchestratorManager* manager_;
    uint64_t id_;
};

class OrchestratorManager {
public:
    OrchestratorManager(Executor& worker, TransportFactory factory, SnapshotBuffer& buffer, EventQueue& events,
                        OrchestratorOptions defaults);
    ~OrchestratorManager();

    Binding acquire(ConsumerOptions options = {});
    size_t consumerCount() const;
    bool isInitialized() const;

    // A new backend URL: handleBackendUrlChange once, however many consumers (§7.2 backend watcher).
    std::shared_future<model::Status> setBackend(BackendConfig backend);
    const BackendConfig& backend() const { return options_.backend; }
    // A person's explicit history limit (the results view's control); nullopt: the 10/50 rule.
    void setHistoryLimitOverride(std::optional<int> limit);
    int computedHistoryLimit() const;

    // The options the next initialize uses; the history limit is the manager's (the 10/50 rule
    // or the override). Affects no lifecycle already started.
    void setOptions(OrchestratorOptions options);

    // The rest of the contract's lifecycle, for whoever owns the manager. Each ends the current
    // lifecycle but keeps every binding: the next initialize() runs initialize again.
    std::shared_future<model::Status> cleanup();  // transport torn down, cached data kept
    std::shared_future<model::Status> destroy();  // cleanup + resetState
    // Clears queue, results and status; the transport and the lifecycle go on.
    std::shared_future<model::Status> resetState();

    // Reads and actions for the owner (the runtime's commands); lifecycle is not reachable here.
    GenerationOrchestrator& orchestrator() { return *orchestrator_; }

private:
    friend class Binding;
    struct Consumer {
        uint64_t id;
        ConsumerOptions options;
    };
    void release(uint64_t id);
    void setVisible(uint64_t id, bool visible);
    void syncHistoryLimit();  // caller holds mutex_
    // Forgets the current lifecycle and posts its end (destroy, or cleanup when !reset).
    std::shared_future<model::Status> endLifecycle(bool reset);
    std::shared_future<model::Status> initializeShared();

    Executor& worker_;
    TransportFactory factory_;
    SnapshotBuffer& buffer_;
    EventQueue& events_;
    std::unique_ptr<GenerationOrchestrator> orchestrator_;
    OrchestratorOptions options_;

    mutable std::mutex mutex_;
    std::vector<Consumer> consumers_;
    uint64_t nextId_ = 1;
    std::optional<std::shared_future<model::Status>> initializing_;
    bool initialized_ = false;
    // Bumped when the last consumer leaves (destroy): an initialize still in flight from the
    // previous lifecycle must not mark the new one initialized or clear its pending promise.
    uint64_t lifecycle_ = 0;
    // Work posted for lifecycles already left (their destroy, a superseded initialize): the
    // destructor waits for it, since those tasks still reach this manager and its orchestrator.
    std::vector<std::shared_future<model::Status>> outstanding_;
    std::optional<int> historyOverride_;
    int appliedHistoryLimit_ = kDefaultHistoryLimit;
};

}  // namespace genmon::orchestrator
