#include "orchestrator/system_status_module.hpp"

namespace genmon::orchestrator {

void SystemStatusModule::apply(const model::SystemStatusPatch& patch, int64_t now) {
    auto next = std::make_shared<model::SystemStatus>(*status_);
    model::mergeSystemStatus(*next, patch);
    status_ = std::move(next);
    // Metrics are not merged into the status (§6.2) but the System view shows them.
    if (patch.metrics) metrics_ = std::make_shared<const model::SystemMetrics>(*patch.metrics);
    model::Timestamp when;
    if (patch.updated_at) when = model::Timestamp::parse(*patch.updated_at);
    if (!when.valid && patch.last_updated && *patch.last_updated) when = model::Timestamp::parse(**patch.last_updated);
    if (!when.valid) when = model::Timestamp::fromMicros(now, true);
    ready_ = true;
    apiAvailable_ = true;
    lastUpdated_ = when;
    ++revision_;
}

void SystemStatusModule::replace(const model::SystemStatusPatch& patch, int64_t now) {
    reset();
    apply(patch, now);
}

void SystemStatusModule::markHydrated(int64_t at) {
    ready_ = true;
    apiAvailable_ = true;
    lastUpdated_ = model::Timestamp::fromMicros(at, true);
    ++revision_;
}

void SystemStatusModule::markUnavailable(int64_t at) {
    ready_ = true;
    apiAvailable_ = false;
    lastUpdated_ = model::Timestamp::fromMicros(at, true);
    ++revision_;
}

void SystemStatusModule::markError(int64_t at) {
    reset();
    auto next = std::make_shared<model::SystemStatus>();
    next->status = "error";
    next->gpu_status = "Unknown";
    status_ = std::move(next);
    markHydrated(at);
}

void SystemStatusModule::reset() {
    status_ = std::make_shared<const model::SystemStatus>();
    metrics_.reset();
    ready_ = false;
    apiAvailable_ = true;
    lastUpdated_.reset();
    ++revision_;
}

}  // namespace genmon::orchestrator
