#pragma once
// Must-not-drop events: everything a person must see exactly once (spec §7.2 notifications,
// jobs finished, command errors). The snapshot is latest-value; this is a FIFO.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace genmon::orchestrator {

enum class NotificationKind : uint8_t { Info, Success, Warning, Error };

struct Event {
    enum class Type : uint8_t { Notification, JobCompleted, JobFailed, CommandFailed };
    Type type = Type::Notification;
    NotificationKind kind = NotificationKind::Info;
    std::string message;  // the exact §7.2 text where the spec has one
    std::string detail;   // extra readable context (the server's error text, an id)
    std::string jobId;
    int64_t atMicros = 0;
};

class EventQueue {
public:
    explicit EventQueue(size_t capacity = 10000) : capacity_(capacity) {}

    void push(Event e) {
        std::lock_guard lock(mutex_);
        if (events_.size() >= capacity_) {
            // Never grow without bound if nobody drains (headless runs); count what was lost.
            events_.pop_front();
            ++dropped_;
        }
        events_.push_back(std::move(e));
    }

    // Takes everything queued, oldest first.
    std::vector<Event> drain() {
        std::lock_guard lock(mutex_);
        std::vector<Event> out(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
        events_.clear();
        return out;
    }

    size_t dropped() const {
        std::lock_guard lock(mutex_);
        return dropped_;
    }

private:
    mutable std::mutex mutex_;
    std::deque<Event> events_;
    size_t capacity_;
    size_t dropped_ = 0;
};

}  // namespace genmon::orchestrator
