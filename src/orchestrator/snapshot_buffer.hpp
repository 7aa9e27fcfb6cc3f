#pragma once
// The card's mutex-guarded double buffer. The worker builds the next snapshot off-lock and
// swaps a pointer in; the UI copies the front pointer once per frame. The mutex guards the
// pointer swap and nothing more; the old snapshot is released outside the lock.
//
// Issue 16.2, the UI never waits: a publisher preempted while it holds the mutex must not stall
// a frame. The UI reads through a SnapshotReader, which only try-locks: when the lock is taken
// it draws the snapshot it already has, and the publisher, once it unlocks, calls the wake-up
// hook, so the snapshot it published is picked up by the next frame. The UI also hands the
// snapshot it drops back to the buffer, so freeing it (strings, a dozen refcounts) happens on
// the worker at its next publish, never in a frame.
#include <functional>
#include <mutex>

#include "orchestrator/snapshot.hpp"

namespace genmon::orchestrator {

class SnapshotBuffer {
public:
    SnapshotBuffer() : front_(std::make_shared<const Snapshot>()) {}

    void publish(SnapshotPtr next) {
        SnapshotPtr retired;
        {
            std::lock_guard lock(mutex_);
            if (insideLockForTest_) insideLockForTest_();
            front_.swap(next);
            retired.swap(retired_);
        }
        // `next` now holds the previous front and `retired` what a reader dropped; both are
        // released here, off the lock. The wake-up comes after the unlock, so a reader whose
        // try-lock failed meanwhile is told there is something new.
        if (onPublish_) onPublish_();
    }

    // Waits for the lock (scripts, the metrics server, tests). The UI uses SnapshotReader.
    SnapshotPtr acquire() const {
        std::lock_guard lock(mutex_);
        return front_;
    }

    // Never waits. When the lock is free: `held` becomes the front snapshot, the one it held
    // before is handed back (freed by the worker at its next publish), and the answer is true.
    // When someone holds the lock: `held` stays as it is and the answer is false.
    bool tryAcquire(SnapshotPtr& held) const {
        std::unique_lock lock(mutex_, std::try_to_lock);
        if (!lock.owns_lock()) return false;
        if (held == front_) return true;
        SnapshotPtr dropped = front_;  // a refcount increment
        dropped.swap(held);            // held: the front; dropped: the reader's previous one
        // Park the previous one for the worker. With one reader the slot is always empty here (a
        // new front means a publish since the last drop, and every publish empties it); with
        // more, a second one is released here, off the lock.
        if (!retired_) retired_.swap(dropped);
        lock.unlock();
        return true;
    }

    // Called on the worker after each publish (the app wakes the UI: glfwPostEmptyEvent).
    void setOnPublish(std::function<void()> fn) { onPublish_ = std::move(fn); }

    // Tests only: runs inside publish's critical section (a publisher preempted holding the lock).
    void setInsideLockForTest(std::function<void()> fn) { insideLockForTest_ = std::move(fn); }

private:
    mutable std::mutex mutex_;
    SnapshotPtr front_;
    mutable SnapshotPtr retired_;  // a snapshot the UI dropped, released by the next publish
    std::function<void()> onPublish_;
    std::function<void()> insideLockForTest_;
};

// The UI thread's side of a SnapshotBuffer (one per reader thread, not shared): the newest
// snapshot when the lock is free, else the one it saw last. Never blocks.
class SnapshotReader {
public:
    explicit SnapshotReader(const SnapshotBuffer& buffer) : buffer_(buffer), held_(buffer.acquire()) {}

    const SnapshotPtr& latest() {
        behind_ = !buffer_.tryAcquire(held_);
        return held_;
    }

    // The last latest() found the lock taken: a newer snapshot may be waiting. The frame loop
    // then keeps publish wake-ups on and looks again soon (FramePacer::kBehindRetrySeconds).
    bool behind() const noexcept { return behind_; }

private:
    const SnapshotBuffer& buffer_;
    SnapshotPtr held_;
    bool behind_ = false;
};

}  // namespace genmon::orchestrator
