#include "model/system_status.hpp"

#include <cmath>
#include <cstdio>

namespace genmon::model {

void mergeSystemStatus(SystemStatus& s, const SystemStatusPatch& p) {
    if (p.gpu_available) s.gpu_available = *p.gpu_available;
    if (p.queue_length) s.queue_length = *p.queue_length;
    if (p.status) s.status = *p.status;
    if (p.gpu_status) s.gpu_status = *p.gpu_status;
    if (p.memory_used) s.memory_used = *p.memory_used;
    if (p.memory_total) s.memory_total = *p.memory_total;
    if (p.active_workers) s.active_workers = *p.active_workers;
    if (p.backend) s.backend = *p.backend;
    if (p.queue_eta_seconds) s.queue_eta_seconds = *p.queue_eta_seconds;
    if (p.last_updated) s.last_updated = *p.last_updated;
    if (p.warnings) s.warnings = *p.warnings;
    if (p.sdnext) s.sdnext = *p.sdnext;
    if (p.importer) s.importer = *p.importer;
    if (p.recommendations) s.recommendations = *p.recommendations;
    if (p.queue) s.queue = *p.queue;
    if (p.thresholds) s.thresholds = *p.thresholds;
    for (const auto& [k, v] : p.extra) s.extra[k] = v;
}

Health overallHealth(const SystemStatus& s) noexcept {
    const std::string& st = s.status;
    if (st == "error" || st == "unhealthy") return Health::Error;
    if (st == "warning" || st == "degraded") return Health::Warning;
    if (st == "healthy") {
        // A healthy label with warnings or without a GPU is still a warning to a person.
        if (!s.gpu_available || (s.warnings && !s.warnings->empty())) return Health::Warning;
        return Health::Healthy;
    }
    return Health::Unknown;
}

int memoryPercent(int64_t used, int64_t total) noexcept {
    if (total <= 0) return 0;
    const double pct = std::round(static_cast<double>(used) / static_cast<double>(total) * 100.0);
    return static_cast<int>(pct > 100 ? 100 : (pct < 0 ? 0 : pct));
}

std::string memoryLabel(int64_t used, int64_t total) {
    if (total <= 0) return "N/A";
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.1fGB / %.1fGB (%d%%)", static_cast<double>(used) / 1024.0,
                  static_cast<double>(total) / 1024.0,
                  static_cast<int>(std::round(static_cast<double>(used) / static_cast<double>(total) * 100.0)));
    return buf;
}

}  // namespace genmon::model
