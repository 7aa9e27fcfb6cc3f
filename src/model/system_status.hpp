#pragma once
// System status (spec §2.1, §6). Memory figures are MiB.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/timestamp.hpp"

namespace genmon::model {

struct SdNextStatus {
    bool configured = false;
    std::optional<std::string> base_url;
    bool available = false;
    std::optional<std::string> error;
    std::optional<std::string> checked_at;
    friend bool operator==(const SdNextStatus&, const SdNextStatus&) = default;
};

struct ImporterStatus {
    std::optional<std::string> import_path;
    std::optional<std::string> last_ingested_at;
    int64_t recent_imports = 0;
    int64_t total_adapters = 0;
    bool stale = false;
    std::optional<int64_t> stale_threshold_hours;
    friend bool operator==(const ImporterStatus&, const ImporterStatus&) = default;
};

struct Recommendations {
    bool models_loaded = false;
    bool gpu_available = false;
    friend bool operator==(const Recommendations&, const Recommendations&) = default;
};

struct QueueCounts {
    int64_t total = 0, active = 0, running = 0, failed = 0;
    friend bool operator==(const QueueCounts&, const QueueCounts&) = default;
};

struct Thresholds {
    std::optional<int64_t> queue_active_warning;
    std::optional<int64_t> queue_failed_warning;
    std::optional<int64_t> importer_stale_hours;
    friend bool operator==(const Thresholds&, const Thresholds&) = default;
};

struct GpuMetrics {
    std::string id;  // the backend sends a number or a string; kept as text
    std::string name;
    std::optional<double> memory_total, memory_used, memory_percent, temperature, utilization, fan_speed,
        power_draw_watts;
    friend bool operator==(const GpuMetrics&, const GpuMetrics&) = default;
};

struct SystemMetrics {
    double cpu_percent = 0, memory_percent = 0, memory_used = 0, memory_total = 0;
    std::optional<double> disk_percent, disk_used, disk_total;
    std::vector<GpuMetrics> gpus;
    std::optional<int64_t> uptime_seconds;
    std::optional<std::string> timestamp;
    friend bool operator==(const SystemMetrics&, const SystemMetrics&) = default;
};

// The merged state. The first six fields are DEFAULT_SYSTEM_STATUS (§6.1); the rest are
// absent until a payload brings them.
struct SystemStatus {
    bool gpu_available = false;
    int64_t queue_length = 0;
    std::string status = "unknown";
    std::string gpu_status = "Unknown";
    int64_t memory_used = 0;
    int64_t memory_total = 0;

    std::optional<int64_t> active_workers;
    std::optional<std::string> backend;
    std::optional<double> queue_eta_seconds;
    std::optional<std::string> last_updated;
    std::optional<std::vector<std::string>> warnings;
    std::optional<SdNextStatus> sdnext;
    std::optional<ImporterStatus> importer;
    std::optional<Recommendations> recommendations;
    std::optional<QueueCounts> queue;
    std::optional<Thresholds> thresholds;
    std::map<std::string, std::string> extra;  // unknown keys pass through, as raw JSON

    friend bool operator==(const SystemStatus&, const SystemStatus&) = default;
};

inline const SystemStatus DEFAULT_SYSTEM_STATUS{};

// A decoded /system/status body (or a flat system_status message). Every key is optional:
// absent keys leave the merged state alone. For nullable keys the inner optional carries null.
struct SystemStatusPatch {
    std::optional<bool> gpu_available;
    std::optional<int64_t> queue_length;
    std::optional<std::string> status;
    std::optional<std::string> gpu_status;
    std::optional<int64_t> memory_used;
    std::optional<int64_t> memory_total;
    std::optional<std::optional<int64_t>> active_workers;
    std::optional<std::optional<std::string>> backend;
    std::optional<std::optional<double>> queue_eta_seconds;
    std::optional<std::optional<std::string>> last_updated;
    std::optional<std::vector<std::string>> warnings;
    std::optional<std::optional<SdNextStatus>> sdnext;
    std::optional<std::optional<ImporterStatus>> importer;
    std::optional<std::optional<Recommendations>> recommendations;
    std::optional<std::optional<QueueCounts>> queue;
    std::optional<std::optional<Thresholds>> thresholds;
    std::map<std::string, std::string> extra;

    // Dropped by the merge (§6.2) but read by genmon: metrics feed the System view, the
    // time stamps give lastUpdated.
    std::optional<SystemMetrics> metrics;
    std::optional<std::string> message;
    std::optional<std::string> updated_at;
    std::optional<std::string> type;
};

// §6.2 applySystemStatusPayload's merge: shallow, absent keys keep their values, metrics,
// message, updated_at and type are not merged.
void mergeSystemStatus(SystemStatus& into, const SystemStatusPatch& patch);

// The overall health shown by the System view and the status bar. "GPU unavailable" is never
// healthy (spec §2.1 notes the upstream colour bug).
enum class Health : uint8_t { Healthy, Warning, Error, Unknown };
Health overallHealth(const SystemStatus& s) noexcept;
// "4.0GB / 8.0GB (50%)" from MiB (spec §6.4), or "N/A" when the total is 0.
std::string memoryLabel(int64_t usedMiB, int64_t totalMiB);
int memoryPercent(int64_t usedMiB, int64_t totalMiB) noexcept;

}  // namespace genmon::model
