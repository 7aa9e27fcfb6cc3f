#include "model/job_status.hpp"

#include <cmath>

namespace genmon::model {
namespace {
bool equalsIgnoreCase(std::string_view a, std::string_view lowerB) {
    if (a.size() != lowerB.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lowerB[i]) return false;
    }
    return true;
}
}  // namespace

JobStatus normalizeStatus(std::string_view raw) noexcept {
    for (auto s : {"pending", "queued"})
        if (equalsIgnoreCase(raw, s)) return JobStatus::Queued;
    for (auto s : {"succeeded", "completed"})
        if (equalsIgnoreCase(raw, s)) return JobStatus::Completed;
    for (auto s : {"failed", "cancelled"})
        if (equalsIgnoreCase(raw, s)) return JobStatus::Failed;
    return JobStatus::Processing;  // running, retrying, starting, processing, and everything unknown
}

std::string_view statusName(JobStatus s) noexcept {
    switch (s) {
        case JobStatus::Processing: return "processing";
        case JobStatus::Queued: return "queued";
        case JobStatus::Completed: return "completed";
        case JobStatus::Failed: return "failed";
    }
    return "processing";
}

uint8_t normalizeProgress(double value, ProgressScale scale) noexcept {
    if (std::isnan(value)) return 0;
    double percent = scale == ProgressScale::Fraction ? value * 100.0 : value;
    if (percent <= 0.0) return 0;
    if (percent >= 100.0) return 100;
    return static_cast<uint8_t>(std::floor(percent + 0.5));
}

}  // namespace genmon::model
