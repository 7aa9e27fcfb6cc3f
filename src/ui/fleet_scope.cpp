#include "ui/fleet_scope.hpp"

#include <algorithm>
#include <charconv>

namespace genmon::ui {

using orchestrator::JobList;
using orchestrator::Snapshot;

int FleetScope::backendAt(const std::vector<size_t>& starts, size_t index) {
    // starts[0] == 0; the last backend whose first row is at or before index.
    const auto it = std::upper_bound(starts.begin(), starts.end(), index);
    return std::max(0, static_cast<int>(it - starts.begin()) - 1);
}

std::string scopedKey(int backend, std::string_view id) {
    std::string key = std::to_string(backend);
    key += '/';
    key += id;
    return key;
}

ScopedKey parseScopedKey(std::string_view key) {
    ScopedKey out;
    const size_t slash = key.find('/');
    if (slash == std::string_view::npos || slash == 0) return out;
    int b = -1;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + slash, b);
    if (ec != std::errc() || end != key.data() + slash) return out;
    out.backend = b;
    out.id = std::string(key.substr(slash + 1));
    return out;
}

namespace {

// Every backend's list one after the other; starts gets each backend's first row.
JobList concat(const std::vector<FleetRow>& rows, JobList Snapshot::*list, std::vector<size_t>* starts) {
    std::vector<model::JobPtr> all;
    size_t total = 0;
    for (const auto& r : rows) total += ((*r.snapshot).*list).size();
    all.reserve(total);
    for (const auto& r : rows) {
        if (starts) starts->push_back(all.size());
        ((*r.snapshot).*list).forEachPtr([&](const model::JobPtr& j) { all.push_back(j); });
    }
    if (starts) starts->push_back(all.size());
    // The index only stores them in the order given (the comparator is never asked: no insert).
    orchestrator::OrderedJobIndex index([](const model::Job&, const model::Job&) { return false; });
    index.assignSorted(all);
    return index.view();
}

}  // namespace

MergedFleet mergeFleet(const std::vector<FleetRow>& rows) {
    auto scope = std::make_shared<FleetScope>();
    int focused = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        scope->backends.push_back({rows[i].name, rows[i].snapshot});
        if (rows[i].focused) focused = static_cast<int>(i);
    }
    scope->target = focused;
    auto merged = std::make_shared<Snapshot>(*rows[static_cast<size_t>(focused)].snapshot);
    merged->jobs = concat(rows, &Snapshot::jobs, nullptr);
    merged->activeJobs = concat(rows, &Snapshot::activeJobs, nullptr);
    merged->sortedActiveJobs = concat(rows, &Snapshot::sortedActiveJobs, &scope->sortedStarts);
    merged->queueView = concat(rows, &Snapshot::queueView, &scope->queueStarts);
    auto results = std::make_shared<orchestrator::ResultList>();
    merged->counts = {};
    merged->serverQueueLength = 0;
    merged->jobsPerMinute = 0;
    merged->isActive = false;
    merged->version = 0;
    for (const auto& r : rows) {
        const Snapshot& s = *r.snapshot;
        scope->resultStarts.push_back(results->size());
        if (s.recentResults) results->insert(results->end(), s.recentResults->begin(), s.recentResults->end());
        merged->counts.queued += s.counts.queued;
        merged->counts.processing += s.counts.processing;
        merged->counts.completed += s.counts.completed;
        merged->counts.failed += s.counts.failed;
        merged->serverQueueLength += s.serverQueueLength;
        merged->jobsPerMinute += s.jobsPerMinute;
        merged->isActive = merged->isActive || s.isActive;
        merged->version += s.version;
    }
    scope->resultStarts.push_back(results->size());
    merged->recentResults = std::move(results);
    return {std::move(merged), std::move(scope)};
}

const MergedFleet& FleetMerger::get(const std::vector<FleetRow>& rows) {
    bool same = merged_.snapshot && seen_.size() == rows.size();
    int focused = -1;
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].focused) focused = static_cast<int>(i);
        same = same && seen_[i] == rows[i].snapshot.get();
    }
    if (same && focused == focused_) return merged_;
    merged_ = mergeFleet(rows);
    focused_ = focused;
    seen_.clear();
    for (const auto& r : rows) seen_.push_back(r.snapshot.get());
    return merged_;
}

}  // namespace genmon::ui
