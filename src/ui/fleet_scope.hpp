#pragma once
// Issue 17.2, "all backends": the queue, results, timeline and metrics of every backend of a
// fleet in one frame. mergeFleet concatenates each backend's lists, grouped in fleet order (each
// backend's rows in its own worker's order: the §4.6 order or the column clicked), and a
// FleetScope records where each backend's rows start. A row's backend is then a binary search
// over a handful of offsets: no field on model::Job, no search by id (ids collide across
// backends), and every action goes to the row's own backend through CommandSink::backend(b).
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/snapshot.hpp"
#include "ui/fleet_view.hpp"

namespace genmon::ui {

struct FleetScope {
    struct Backend {
        std::string name;
        orchestrator::SnapshotPtr snapshot;  // the one its rows in the merged snapshot come from
    };
    std::vector<Backend> backends;
    int target = 0;  // the focused backend: Generate, Clear queue and Refresh go there
    // Backend b's rows of each merged list are [starts[b], starts[b + 1]).
    std::vector<size_t> queueStarts, sortedStarts, resultStarts;

    int queueRowBackend(size_t row) const { return backendAt(queueStarts, row); }
    int sortedRowBackend(size_t row) const { return backendAt(sortedStarts, row); }
    int resultBackend(size_t index) const { return backendAt(resultStarts, index); }
    const std::string& name(int b) const { return backends[static_cast<size_t>(b)].name; }
    const orchestrator::Snapshot& snapshot(int b) const { return *backends[static_cast<size_t>(b)].snapshot; }
    const std::string& targetName() const { return name(target); }

private:
    static int backendAt(const std::vector<size_t>& starts, size_t index);
};

// Selection, cursor and detail keys in all-backends mode: "2/<id>" (backend 2's job or result).
std::string scopedKey(int backend, std::string_view id);
struct ScopedKey {
    int backend = -1;  // -1: not a scoped key
    std::string id;
};
ScopedKey parseScopedKey(std::string_view key);

struct MergedFleet {
    orchestrator::SnapshotPtr snapshot;  // the focused backend's, with every backend's lists and summed counts
    std::shared_ptr<const FleetScope> scope;
};
// rows: the fleet's rows this frame (two or more); the focused one gives everything that is not
// a list (system status, connection, the status bar's URL).
MergedFleet mergeFleet(const std::vector<FleetRow>& rows);

// Remakes the merged frame only when a backend published (the UI thread's cache).
class FleetMerger {
public:
    const MergedFleet& get(const std::vector<FleetRow>& rows);

private:
    std::vector<const orchestrator::Snapshot*> seen_;
    int focused_ = -1;
    MergedFleet merged_;
};

}  // namespace genmon::ui
