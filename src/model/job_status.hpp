#pragma once
// The four normalised job statuses of spec §4.1 and the progress rule of decision 2.
#include <cstdint>
#include <string_view>

namespace genmon::model {

// The numeric value is the §4.6 sort priority: processing first, failed last.
enum class JobStatus : uint8_t { Processing = 0, Queued = 1, Completed = 2, Failed = 3 };

// Case-insensitive map of spec §4.1: queued <- pending, queued; processing <- running,
// retrying, starting, processing; completed <- succeeded, completed; failed <- failed,
// cancelled. Anything else (unknown, empty, null) is processing.
JobStatus normalizeStatus(std::string_view raw) noexcept;
std::string_view statusName(JobStatus s) noexcept;

// §4.3: the queue shows queued and processing jobs as live, and only those can be cancelled.
constexpr bool isActive(JobStatus s) noexcept { return s == JobStatus::Processing || s == JobStatus::Queued; }
constexpr bool isCancellable(JobStatus s) noexcept { return isActive(s); }

// Where a progress value came from decides its scale (decision 2): /jobs/active reports
// 0-100, the WebSocket and /generate report 0-1. Normalised exactly once.
enum class ProgressScale : uint8_t { Percent, Fraction };

// Integer percent 0-100: NaN and non-finite -> 0 (infinity clamps), rounded half up, clamped.
uint8_t normalizeProgress(double value, ProgressScale scale) noexcept;

}  // namespace genmon::model
