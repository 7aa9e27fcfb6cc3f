#include "orchestrator/manager.hpp"

#include <algorithm>
#include <chrono>

namespace genmon::orchestrator {

// ---- Binding --------------------------------------------------------------------------------

Binding::Binding(Binding&& o) noexcept : manager_(o.manager_), id_(o.id_) { o.manager_ = nullptr; }

Binding& Binding::operator=(Binding&& o) noexcept {
    if (this != &o) {
        release();
        manager_ = o.manager_;
        id_ = o.id_;
        o.manager_ = nullptr;
    }
    return *this;
}

Binding::~Binding() { release(); }

std::shared_future<model::Status> Binding::initialize() {
    if (!manager_) {
        std::promise<model::Status> p;
        p.set_value(model::Error::make(model::ErrorKind::InvalidArgument, "this binding was released"));
        return p.get_future().share();
    }
    return manager_->initializeShared();
}

void Binding::release() {
    if (!manager_) return;
    auto* m = manager_;
    manager_ = nullptr;
    m->release(id_);
}

void Binding::setHistoryVisible(bool visible) {
    if (manager_) manager_->setVisible(id_, visible);
}

GenerationOrchestrator* Binding::orchestrator() const { return manager_ ? manager_->orchestrator_.get() : nullptr; }

SnapshotPtr Binding::snapshot() const {
    static const SnapshotPtr kEmpty = std::make_shared<const Snapshot>();
    return manager_ ? manager_->orchestrator_->snapshot() : kEmpty;
}

// ---- Manager --------------------------------------------------------------------------------

OrchestratorManager::OrchestratorManager(Executor& worker, TransportFactory factory, SnapshotBuffer& buffer,
                                         EventQueue& events, OrchestratorOptions defaults)
    : worker_(worker),
      factory_(std::move(factory)),
      buffer_(buffer),
      events_(events),
      orchestrator_(std::make_unique<GenerationOrchestrator>(worker_, factory_, buffer_, events_)),
      options_(std::move(defaults)) {}

OrchestratorManager::~OrchestratorManager() {
    // Outstanding bindings must not outlive the manager; tear down what is left. Tasks already
    // posted for this manager (a destroy, an initialize and its continuation) must run before
    // the orchestrator and this manager go away.
    std::vector<std::shared_future<model::Status>> wait;
    bool active = false;
    {
        std::lock_guard lock(mutex_);
        wait.swap(outstanding_);
        if (initializing_) wait.push_back(*initializing_);
        active = initialized_ || initializing_.has_value();
        ++lifecycle_;
    }
    if (active) orchestrator_->destroy().wait();
    for (auto& f : wait) f.wait();
}

Binding OrchestratorManager::acquire(ConsumerOptions options) {
    std::lock_guard lock(mutex_);
    const uint64_t id = nextId_++;
    consumers_.push_back({id, options});
    syncHistoryLimit();
    return Binding(this, id);
}

size_t OrchestratorManager::consumerCount() const {
    std::lock_guard lock(mutex_);
    return consumers_.size();
}

bool OrchestratorManager::isInitialized() const {
    std::lock_guard lock(mutex_);
    return initialized_;
}

int OrchestratorManager::computedHistoryLimit() const {
    if (historyOverride_) return *historyOverride_;
    const bool anyVisible = std::any_of(consumers_.begin(), consumers_.end(), [](const Consumer& c) {
        return c.options.autoSyncHistory && c.options.historyVisible;
    });
    return anyVisible ? kHistoryLimitWhenShowing : kDefaultHistoryLimit;
}

void OrchestratorManager::syncHistoryLimit() {
    const int next = computedHistoryLimit();
    if (next == appliedHistoryLimit_) return;
    appliedHistoryLimit_ = next;
    options_.historyLimit = next;
    // §7.2 history watcher: only once initialized; setHistoryLimit reloads results itself.
    if (initialized_) orchestrator_->setHistoryLimit(next);
}

std::shared_future<model::Status> OrchestratorManager::initializeShared() {
    std::lock_guard lock(mutex_);
    if (initialized_) {
        std::promise<model::Status> p;
        p.set_value(model::okStatus());
        return p.get_future().share();
    }
    if (initializing_) return *initializing_;
    OrchestratorOptions opts = options_;
    opts.historyLimit = appliedHistoryLimit_ = computedHistoryLimit();
    auto done = std::make_shared<std::promise<model::Status>>();
    auto shared = done->get_future().share();
    initializing_ = shared;
    const uint64_t lifecycle = lifecycle_;
    const int usedLimit = appliedHistoryLimit_;
    const BackendConfig usedBackend = opts.backend;
    // The continuation runs on the worker: it records the outcome so a failed initialize can
    // be retried and a good one is not run twice, then answers every waiting consumer. An
    // answer from a lifecycle that was destroyed meanwhile changes nothing.
    orchestrator_->initializeThen(std::move(opts), [this, done, lifecycle, usedLimit, usedBackend](
                                                       model::Outcome<model::Unit> r) {
        {
            std::lock_guard lock(mutex_);
            if (lifecycle == lifecycle_) {
                initialized_ = r.ok();
                initializing_.reset();
                if (initialized_) {
                    // The watchers act only once initialized (§7.2): apply what changed while
                    // initialize was in flight.
                    if (appliedHistoryLimit_ != usedLimit) orchestrator_->setHistoryLimit(appliedHistoryLimit_);
                    const bool follow = std::any_of(consumers_.begin(), consumers_.end(),
                                                    [](const Consumer& c) { return c.options.autoSyncBackend; });
                    if (follow && !(options_.backend == usedBackend))
                        orchestrator_->handleBackendUrlChange(options_.backend);
                }
            }
        }
        done->set_value(r.ok() ? model::okStatus() : model::Status(r.error()));
    });
    return shared;
}

void OrchestratorManager::release(uint64_t id) {
    {
        std::lock_guard lock(mutex_);
        std::erase_if(consumers_, [id](const Consumer& c) { return c.id == id; });
        if (!consumers_.empty()) {
            syncHistoryLimit();
            return;
        }
        appliedHistoryLimit_ = kDefaultHistoryLimit;
        if (!initialized_ && !initializing_) return;
    }
    // The last consumer is gone: destroy (cleanup + resetState), as §7.2 destroyOrchestrator.
    (void)endLifecycle(true);
}

std::shared_future<model::Status> OrchestratorManager::endLifecycle(bool reset) {
    {
        std::lock_guard lock(mutex_);
        ++lifecycle_;  // an initialize still in flight now answers a lifecycle that is over
        if (initializing_) outstanding_.push_back(*initializing_);
        initialized_ = false;
        initializing_.reset();
    }
    auto done = (reset ? orchestrator_->destroy() : orchestrator_->cleanup()).share();
    std::lock_guard lock(mutex_);
    std::erase_if(outstanding_, [](const std::shared_future<model::Status>& f) {
        return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
    outstanding_.push_back(done);
    return done;
}

std::shared_future<model::Status> OrchestratorManager::cleanup() { return endLifecycle(false); }

std::shared_future<model::Status> OrchestratorManager::destroy() { return endLifecycle(true); }

std::shared_future<model::Status> OrchestratorManager::resetState() { return orchestrator_->resetState().share(); }

void OrchestratorManager::setOptions(OrchestratorOptions options) {
    std::lock_guard lock(mutex_);
    options_ = std::move(options);
}

void OrchestratorManager::setVisible(uint64_t id, bool visible) {
    std::lock_guard lock(mutex_);
    for (auto& c : consumers_)
        if (c.id == id) c.options.historyVisible = visible;
    syncHistoryLimit();
}

void OrchestratorManager::setHistoryLimitOverride(std::optional<int> limit) {
    std::lock_guard lock(mutex_);
    historyOverride_ = limit ? std::optional<int>(effectiveHistoryLimit(*limit)) : std::nullopt;
    syncHistoryLimit();
}

std::shared_future<model::Status> OrchestratorManager::setBackend(BackendConfig backend) {
    std::lock_guard lock(mutex_);
    const bool changed = !(backend == options_.backend);
    options_.backend = backend;
    const bool follow = std::any_of(consumers_.begin(), consumers_.end(),
                                    [](const Consumer& c) { return c.options.autoSyncBackend; });
    if (changed && initialized_ && follow) return orchestrator_->handleBackendUrlChange(std::move(backend)).share();
    std::promise<model::Status> p;
    p.set_value(model::okStatus());
    return p.get_future().share();
}

}  // namespace genmon::orchestrator
