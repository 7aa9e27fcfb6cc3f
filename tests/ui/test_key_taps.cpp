// Issue 14.6, no key press lost: taps shorter than a frame (press and release both before the
// next NewFrame, as `xdotool key Escape` delivers them) reach the App through the window's own
// path, platform::applyInputLatch, and act exactly once. Without the latch, ImGui 1.86 samples
// io.KeysDown at NewFrame and never sees such a tap.
#include <doctest/doctest.h>

#include "platform/input_latch.hpp"
#include "platform/window.hpp"
#include "ui_harness.hpp"

using namespace genmon;
using model::JobStatus;
using test::makeJob;
using test::UiHarness;

namespace {

std::vector<model::Job> threeJobs() {
    return {makeJob("ui-1", "backend-1", JobStatus::Processing, "a red fox in snow", 3),
            makeJob("ui-2", "backend-2", JobStatus::Queued, "a lighthouse at dusk", 2),
            makeJob("ui-3", "backend-3", JobStatus::Completed, "a koi pond", 1)};
}

// The window's frame: GLFW callbacks fed the latch since the last frame; now a frame starts.
struct TapHarness {
    explicit TapHarness(orchestrator::SnapshotPtr snap) : h(std::move(snap)) {}
    void frame(int n = 1) {
        for (int i = 0; i < n; ++i) {
            platform::applyInputLatch(latch, ImGui::GetIO());
            h.frame();
        }
    }
    // Pressed and released before the next frame; then as many frames as the pacer draws for it.
    void tap(int key, std::initializer_list<int> modifiers = {}) {
        for (int m : modifiers) latch.key(m, true);
        latch.key(key, true);
        latch.key(key, false);
        for (int m : modifiers) latch.key(m, false);
        frame(3);
    }
    void typeChar(char c) {  // a letter key also types its character (GLFW's char callback)
        latch.key(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c, true);
        ImGui::GetIO().AddInputCharacter(static_cast<unsigned>(c));
        latch.key(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c, false);
        frame(3);
    }
    void click(ImVec2 at) {
        ImGui::GetIO().MousePos = at;
        frame();  // the pointer arrives (hover) first
        latch.button(0, true, at.x, at.y);
        latch.button(0, false, at.x, at.y);
        frame(3);
    }
    UiHarness h;
    platform::InputLatch latch;
};

}  // namespace

TEST_CASE("issue 14.6: a tap of Escape shorter than a frame closes the help overlay") {
    TapHarness t(test::snapshotOf(threeJobs()));
    t.h.state().showHelp = true;
    t.frame(2);
    t.tap(GLFW_KEY_ESCAPE);
    CHECK_FALSE(t.h.state().showHelp);
}

TEST_CASE("issue 14.6: j, Enter and Space tapped act exactly once each") {
    TapHarness t(test::snapshotOf(threeJobs()));
    const auto& rows = t.h.snap->queueView;
    t.typeChar('j');
    t.typeChar('j');
    CHECK(t.h.state().cursorJob == rows.job(1).uiId.str());  // two taps, two rows: not one, not three
    t.tap(GLFW_KEY_DOWN);
    CHECK(t.h.state().cursorJob == rows.job(2).uiId.str());
    t.tap(GLFW_KEY_UP);
    t.tap(GLFW_KEY_ENTER);
    CHECK(t.h.state().detailJob == rows.job(1).uiId.str());
    t.tap(GLFW_KEY_SPACE);
    CHECK(t.h.state().selectedJobs.count(rows.job(1).uiId.str()) == 1);
    t.tap(GLFW_KEY_SPACE);
    CHECK(t.h.state().selectedJobs.empty());  // toggled twice: each tap counted once
}

TEST_CASE("issue 14.6: c then Enter, both tapped, cancel the job under the cursor") {
    TapHarness t(test::snapshotOf(threeJobs()));
    t.typeChar('j');
    t.typeChar('c');
    REQUIRE(t.h.state().confirm.kind == ui::Confirmation::Kind::CancelJobs);
    t.tap(GLFW_KEY_ENTER);
    CHECK(t.h.commands.count("cancelJob " + std::string(t.h.snap->queueView.job(0).backendId.str())) == 1);
    CHECK(t.h.commands.log.size() == 1);
}

TEST_CASE("issue 14.6: Ctrl+Q tapped (modifier included) quits") {
    TapHarness t(test::snapshotOf(threeJobs()));
    t.tap('Q', {GLFW_KEY_LEFT_CONTROL});
    CHECK(t.h.commands.count("quit") == 1);
}

TEST_CASE("issue 14.6: a click shorter than a frame presses the button it was made on") {
    TapHarness t(test::snapshotOf(threeJobs()));
    t.frame(2);
    t.click(t.h.item("queue.clearQueue").center());
    CHECK(t.h.state().confirm.kind == ui::Confirmation::Kind::ClearQueue);
    t.frame(2);
    t.click(t.h.item("confirm.yes").center());
    CHECK(t.h.commands.count("clearQueue") == 1);
}
