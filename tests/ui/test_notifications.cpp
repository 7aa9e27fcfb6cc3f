// Issue 14.5, toasts that respect the person: identical notifications merge with a count, at
// most three on screen (newest first), everything kept in the Notifications panel. And issue
// 14.1's side of it: a toast that just sits there asks for no frames.
#include <doctest/doctest.h>

#include "ui/notifications_view.hpp"
#include "ui_harness.hpp"

using namespace genmon;
using model::JobStatus;
using orchestrator::NotificationKind;
using test::makeJob;
using test::UiHarness;

namespace {
std::vector<model::Job> oneQueuedJob() { return {makeJob("ui-1", "backend-1", JobStatus::Queued, "a koi pond", 1)}; }

orchestrator::Event note(NotificationKind kind, std::string message, std::string detail, int64_t at) {
    orchestrator::Event e;
    e.type = kind == NotificationKind::Error ? orchestrator::Event::Type::JobFailed : orchestrator::Event::Type::Notification;
    e.kind = kind;
    e.message = std::move(message);
    e.detail = std::move(detail);
    e.atMicros = at;
    return e;
}

size_t rowsShown(UiHarness& h) { return h.countDrawn("notifications.row:"); }
}  // namespace

TEST_CASE("issue 14.5: identical notifications merge with a count however far apart they come while the toast is up") {
    UiHarness h(test::snapshotOf(oneQueuedJob()));
    for (int i = 0; i < 6; ++i) {
        h.pendingEvents.push_back(note(NotificationKind::Error, "Generation failed", "SDNext returned HTTP 500", h.now));
        h.frame();
        h.now += 90'000'000;  // a minute and a half apart: far beyond any batching window
    }
    REQUIRE(h.state().toasts.size() == 1);
    CHECK(h.state().toasts[0].count == 6);
    const auto id = std::to_string(h.state().toasts[0].id);
    CHECK(h.item("toast:" + id).text == "Generation failed \xC3\x97" "6");
    REQUIRE(h.state().notifications.entries.size() == 1);
    const ui::Notification& n = h.state().notifications.entries.front();
    CHECK(n.count == 6);
    CHECK(n.lastMicros - n.firstMicros == 5 * int64_t{90'000'000});
    // A different detail is a different notification.
    h.pendingEvents.push_back(note(NotificationKind::Error, "Generation failed", "SDNext timed out", h.now));
    h.frame();
    CHECK(h.state().toasts.size() == 2);
    // Once the toast is dismissed, the next identical one starts a new toast (and history row).
    h.clickItem("toast.dismiss:" + id);
    REQUIRE(h.state().toasts.size() == 1);
    h.pendingEvents.push_back(note(NotificationKind::Error, "Generation failed", "SDNext returned HTTP 500", h.now));
    h.frame();
    CHECK(h.state().toasts.size() == 2);
    CHECK(h.state().toasts.back().count == 1);
    CHECK(h.state().notifications.entries.size() == 3);
}

TEST_CASE("issue 14.5: at most three toasts on screen, newest first, the rest wait in the Notifications panel") {
    UiHarness h(test::snapshotOf(oneQueuedJob()));
    for (int i = 1; i <= 5; ++i)
        h.pendingEvents.push_back(note(NotificationKind::Error, "Failed to cancel generation", "job " + std::to_string(i), h.now));
    h.frame(2);
    REQUIRE(h.state().toasts.size() == 3);
    CHECK(h.state().toasts[0].detail == "job 3");
    CHECK(h.state().toasts[2].detail == "job 5");
    CHECK(h.countDrawn("toast:") == 3);
    // Newest first: the newest is on top of the stack, the oldest nearest the status bar.
    const float newestY = h.item("toast:" + std::to_string(h.state().toasts[2].id)).min.y;
    const float middleY = h.item("toast:" + std::to_string(h.state().toasts[1].id)).min.y;
    const float oldestY = h.item("toast:" + std::to_string(h.state().toasts[0].id)).min.y;
    CHECK(newestY < middleY);
    CHECK(middleY < oldestY);
    // The two pushed off are said to be somewhere, and one click shows them.
    CHECK(h.item("toast.more").text == "2 more in Notifications");
    h.clickItem("toast.more");
    CHECK(h.state().showNotifications);
    h.frame();
    CHECK_FALSE(h.drawn("toast.more"));
    CHECK(rowsShown(h) == 5);
}

TEST_CASE("issue 14.5: dismissing loses nothing, the history is filterable by text and by kind, with counts") {
    UiHarness h(test::snapshotOf(oneQueuedJob()));
    h.pendingEvents.push_back(note(NotificationKind::Success, "Generation cancelled", "", h.now));
    h.pendingEvents.push_back(note(NotificationKind::Success, "Generation cancelled", "", h.now));
    h.pendingEvents.push_back(note(NotificationKind::Warning, "Skipped an invalid job from the server", "active job #3", h.now));
    h.pendingEvents.push_back(note(NotificationKind::Error, "Failed to delete result", "HTTP 500", h.now));
    h.frame(2);  // auto-sized toasts take their place on their second frame
    for (const auto& t : std::vector<ui::Toast>(h.state().toasts))
        if (t.sticky) h.clickItem("toast.dismiss:" + std::to_string(t.id));
    h.now += 10'000'000;  // the success toast has faded too
    h.frame();
    CHECK(h.state().toasts.empty());

    h.state().showNotifications = true;
    h.frame(2);
    CHECK(rowsShown(h) == 3);
    const auto& entries = h.state().notifications.entries;
    CHECK(h.item("notifications.row:" + std::to_string(entries[0].id)).text == "Generation cancelled \xC3\x97" "2");
    // Text filter (message or detail, any case).
    h.clickItem("notifications.filter");
    h.type("HTTP");
    CHECK(h.state().notificationsFilter == "HTTP");
    CHECK(rowsShown(h) == 1);
    CHECK(h.drawn("notifications.row:" + std::to_string(entries[2].id)));
    // Kind filter: errors hidden.
    h.press(GLFW_KEY_ESCAPE);
    h.state().notificationsFilter.clear();
    h.frame();
    h.clickItem("notifications.kind:error");
    CHECK_FALSE(h.state().notificationsShowKind[static_cast<size_t>(NotificationKind::Error)]);
    CHECK(rowsShown(h) == 2);
    CHECK_FALSE(h.drawn("notifications.row:" + std::to_string(entries[2].id)));
}

TEST_CASE("issue 14.5: the history is bounded at 1,000 entries, the oldest go first and are counted") {
    ui::UiState st;
    for (int i = 0; i < 1005; ++i)
        ui::pushToast(st, NotificationKind::Info, "Result deleted", "result " + std::to_string(i), test::kNow + i);
    CHECK(st.notifications.entries.size() == ui::NotificationLog::kCapacity);
    CHECK(st.notifications.dropped == 5);
    CHECK(st.notifications.entries.front().detail == "result 5");
    CHECK(st.toasts.size() == 3);
    // A merge still finds its entry by id after the oldest were dropped.
    ui::pushToast(st, NotificationKind::Info, "Result deleted", "result 1004", test::kNow + 2000);
    CHECK(st.notifications.entries.back().count == 2);
    CHECK(st.notifications.entries.size() == ui::NotificationLog::kCapacity);
}

TEST_CASE("issue 14.5: the panel's filter matches message or detail, ignoring case, and the chosen kinds") {
    ui::Notification n;
    n.kind = NotificationKind::Warning;
    n.message = "Skipped an invalid job";
    n.detail = "\"progress\" must be a number";
    const bool all[4] = {true, true, true, true};
    const bool noWarnings[4] = {true, true, false, true};
    CHECK(ui::notificationMatches(n, "", all));
    CHECK(ui::notificationMatches(n, "INVALID", all));
    CHECK(ui::notificationMatches(n, "progress", all));
    CHECK_FALSE(ui::notificationMatches(n, "timeout", all));
    CHECK_FALSE(ui::notificationMatches(n, "", noWarnings));
}

TEST_CASE("issue 14.1: a toast that just sits there asks for no frames, a fading one only while it fades") {
    auto snap = test::snapshotOf(oneQueuedJob());
    UiHarness h(snap);
    const double base = h.app->idleRefreshSeconds(*snap, h.now, 0);
    CHECK(base == doctest::Approx(2.0));  // nothing running: the ages refresh every 2 s
    // An error toast stays until dismissed: it changes nothing about when to draw.
    h.pendingEvents.push_back(note(NotificationKind::Error, "Failed to delete result", "HTTP 500", h.now));
    h.frame();
    CHECK_FALSE(h.app->wantsFullRate());
    CHECK(h.app->idleRefreshSeconds(*snap, h.now, 0) == doctest::Approx(base));
    // A success toast sits still for 4 s: the next frame it needs is when its fade starts.
    h.pendingEvents.push_back(note(NotificationKind::Success, "Result deleted", "", h.now));
    h.frame();
    CHECK_FALSE(h.app->wantsFullRate());
    h.now += 3'000'000;
    CHECK(h.app->idleRefreshSeconds(*snap, h.now, 0) == doctest::Approx(1.0));
    h.now += 1'100'000;  // fading now: full rate while it lasts
    h.frame();
    CHECK(h.app->wantsFullRate());
    h.now += 400'000;  // gone
    h.frame();
    CHECK_FALSE(h.app->wantsFullRate());
    CHECK(h.state().toasts.size() == 1);  // the error stays
    CHECK(h.app->idleRefreshSeconds(*snap, h.now, 0) == doctest::Approx(base));
}

TEST_CASE("issue 14.1: a dialog opening animates at the full rate only while ImGui dims the window behind it") {
    UiHarness h(test::snapshotOf(oneQueuedJob()));
    CHECK_FALSE(h.app->wantsFullRate());
    h.clickItem("queue.clearQueue");
    REQUIRE(h.state().confirm.kind == ui::Confirmation::Kind::ClearQueue);
    h.frame();
    CHECK(h.app->wantsFullRate());
    h.frame(20);  // a third of a second at 60 frames a second
    CHECK_FALSE(h.app->wantsFullRate());
    CHECK(h.state().confirm.kind == ui::Confirmation::Kind::ClearQueue);  // still open, now still
}

TEST_CASE("issue 14.1: the Metrics panel keeps its once-a-second refresh") {
    auto snap = test::snapshotOf(oneQueuedJob());
    UiHarness h(snap);
    h.state().showMetrics = true;
    h.frame();
    CHECK(h.app->idleRefreshSeconds(*snap, h.now, 0) == doctest::Approx(1.0));
    CHECK_FALSE(h.app->wantsFullRate());
}
