#pragma once
// The card's mutex-guarded double buffer. The worker builds the next snapshot off-lock and
// swaps a pointer in; the UI copies the front pointer once per frame. The mutex guards the
// pointer swap and nothing more; the old snapshot is released outside the lock.
#include <functional>
#include <mutex>

#include "orchestrator/snapshot.hpp"

namespace genmon::orchestrator {

class SnapshotBuffer {
public:
    SnapshotBuffer() : front_(std::make_shared<const Snapshot>()) {}

    void publish(SnapshotPtr next) {
        {
            std::lock_guard lock(mutex_);
            front_.swap(next);
        }
        // `next` now holds the previous front; it is released here, off the lock.
        if (onPublish_) onPublish_();
    }

    SnapshotPtr acquire() const {
        std::lock_guard lock(mutex_);
        return front_;
    }

    // Called on the worker after each publish (the app wakes the UI: glfwPostEmptyEvent).
    void setOnPublish(std::function<void()> fn) { onPublish_ = std::move(fn); }

private:
    mutable std::mutex mutex_;
    SnapshotPtr front_;
    std::function<void()> onPublish_;
};

}  // namespace genmon::orchestrator
