#pragma once
// The publisher: numbers snapshots, decides when to publish (coalescing) and whether a person
// would see a difference (contentVersion, through sameContent next to the Snapshot struct).
// Worker-only. What a snapshot holds is the store's: the builder fills it at publish time.
#include <cstdint>
#include <functional>

#include "orchestrator/executor.hpp"
#include "orchestrator/snapshot_buffer.hpp"

namespace genmon::orchestrator {

class Publisher {
public:
    using Builder = std::function<void(Snapshot&, int64_t nowMicros)>;
    Publisher(Executor& worker, SnapshotBuffer& buffer, Builder build);
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    void setCoalesceMs(int ms) noexcept { coalesceMs_ = ms; }
    // News (a message, an answer): published as soon as the current task ends when the last
    // news publish is a window old or more, else at the end of that window.
    void markDirty() { schedule(true); }
    // A clock's refresh (a metrics second closing, the forecast falling due): published when the
    // current task ends, and it does not open a window, so news right after it is not held back
    // (issue 16.4: those once-a-second publishes were the 4 ms tail of figure 6b).
    void markStale() { schedule(false); }
    // Publish now, as news (a command answers after this, so its caller sees its own change).
    void publishNow();

private:
    void schedule(bool news);
    void publish(bool news);

    Executor& worker_;
    SnapshotBuffer& buffer_;
    Builder build_;
    int coalesceMs_ = 4;
    TimerId timer_ = 0;
    bool pendingNews_ = false;
    int64_t lastNewsMicros_ = 0;
    uint64_t version_ = 0;
    uint64_t contentVersion_ = 0;
    SnapshotPtr last_;  // the worker's own reference, for contentVersion
};

}  // namespace genmon::orchestrator
