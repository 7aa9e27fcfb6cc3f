#include "orchestrator/publisher.hpp"

#include <memory>

namespace genmon::orchestrator {

namespace {
constexpr int64_t kMicrosPerMs = 1000;
}

Publisher::Publisher(Executor& worker, SnapshotBuffer& buffer, Builder build)
    : worker_(worker), buffer_(buffer), build_(std::move(build)) {}

void Publisher::schedule(bool news) {
    pendingNews_ = pendingNews_ || news;
    if (timer_ != 0) return;
    // At most one news snapshot per coalesceMs window, without delaying news that comes after a
    // quiet spell: when the last one is a window old or more, publish as soon as the current
    // task ends (delay 0: every change of this task is in); otherwise at the window's end.
    // (Trailing-only coalescing added the whole window to every isolated update: issue 8, 6a.)
    int64_t delayMs = 0;
    if (news) {
        const int64_t window = int64_t{coalesceMs_} * kMicrosPerMs;
        const int64_t since = worker_.nowMicros() - lastNewsMicros_;
        // (a wall clock set back counts as quiet: never wait more than a window)
        if (since < window && since >= 0) delayMs = (window - since + kMicrosPerMs - 1) / kMicrosPerMs;
    }
    timer_ = worker_.schedule(delayMs, [this] {
        timer_ = 0;
        publish(pendingNews_);
    });
}

void Publisher::publishNow() { publish(true); }

void Publisher::publish(bool news) {
    if (timer_ != 0) {
        worker_.cancel(timer_);
        timer_ = 0;
    }
    const int64_t now = worker_.nowMicros();
    if (news) lastNewsMicros_ = now;
    pendingNews_ = false;
    auto s = std::make_shared<Snapshot>();
    s->version = ++version_;
    s->builtAtMicros = now;
    build_(*s, now);
    s->contentVersion = last_ && sameContent(*last_, *s) ? last_->contentVersion : ++contentVersion_;
    last_ = s;
    buffer_.publish(std::move(s));
}

}  // namespace genmon::orchestrator
