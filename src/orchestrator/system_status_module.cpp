#include "orchestrator/system_status_module.hpp"

namespace genmon::orchestrator {

void SystemStatusModule::install(model::SystemStatus next, const std::optional<model::SystemMetrics>& metrics,
                                 bool replaceMetrics, const model::SystemStatusPatch& patch, int64_t now) {
    if (next != *status_) {
        status_ = std::make_shared<const model::SystemStatus>(std::move(next));
        ++revision_;
    }
    // Metrics are not merged into the status (§6.2) but the System view shows them.
    if (metrics) {
        if (!metrics_ || *metrics_ != *metrics) {
            metrics_ = std::make_shared<const model::SystemMetrics>(*metrics);
            ++revision_;
        }
    } else if (replaceMetrics && metrics_) {
        metrics_.reset();
        ++revision_;
    }
    model::Timestamp when;
    if (patch.updated_at) when = model::Timestamp::parse(*patch.updated_at);
    if (!when.valid && patch.last_updated && *patch.last_updated) when = model::Timestamp::parse(**patch.last_updated);
    if (!when.valid) when = model::Timestamp::fromMicros(now, true);
    if (!ready_ || !apiAvailable_) ++revision_;
    ready_ = true;
    apiAvailable_ = true;
    lastUpdated_ = when;
}

void SystemStatusModule::apply(const model::SystemStatusPatch& patch, int64_t now) {
    model::SystemStatus next = *status_;
    model::mergeSystemStatus(next, patch);
    install(std::move(next), patch.metrics, false, patch, now);
}

void SystemStatusModule::replace(const model::SystemStatusPatch& patch, int64_t now) {
    // §6.3: the poll resets, then applies; computed aside so an identical answer changes nothing.
    model::SystemStatus next;
    model::mergeSystemStatus(next, patch);
    install(std::move(next), patch.metrics, true, patch, now);
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
