#pragma once
// System status state (spec §6): the shallow merge of §6.2 and the readiness flags.
#include <memory>
#include <optional>

#include "model/system_status.hpp"
#include "model/timestamp.hpp"

namespace genmon::orchestrator {

class SystemStatusModule {
public:
    // §6.2 applySystemStatusPayload: merge (dropping metrics, message, updated_at, type), then
    // ready = true, apiAvailable = true, lastUpdated = updated_at || last_updated || now.
    void apply(const model::SystemStatusPatch& patch, int64_t nowMicros);
    // §6.3 controller success: a full replace (reset, then apply).
    void replace(const model::SystemStatusPatch& patch, int64_t nowMicros);
    void markHydrated(int64_t atMicros);     // ready, apiAvailable, lastUpdated
    void markUnavailable(int64_t atMicros);  // ready, apiAvailable = false (after a 404)
    // §6.3 any other error: reset, status "error", gpu_status "Unknown", hydrated.
    void markError(int64_t atMicros);
    void reset();                            // defaults, not ready, no lastUpdated, available

    const std::shared_ptr<const model::SystemStatus>& status() const noexcept { return status_; }
    const std::shared_ptr<const model::SystemMetrics>& metrics() const noexcept { return metrics_; }
    bool ready() const noexcept { return ready_; }
    bool apiAvailable() const noexcept { return apiAvailable_; }
    const std::optional<model::Timestamp>& lastUpdated() const noexcept { return lastUpdated_; }
    uint64_t revision() const noexcept { return revision_; }

private:
    // Installs a computed status; an unchanged one keeps its pointer and revision, so an idle
    // backend's polls do not make the UI redraw. lastUpdated moves either way.
    void install(model::SystemStatus next, const std::optional<model::SystemMetrics>& metrics, bool replaceMetrics,
                 const model::SystemStatusPatch& patch, int64_t nowMicros);

    std::shared_ptr<const model::SystemStatus> status_ = std::make_shared<const model::SystemStatus>();
    std::shared_ptr<const model::SystemMetrics> metrics_;
    bool ready_ = false;
    bool apiAvailable_ = true;
    std::optional<model::Timestamp> lastUpdated_;
    uint64_t revision_ = 0;
};

}  // namespace genmon::orchestrator
