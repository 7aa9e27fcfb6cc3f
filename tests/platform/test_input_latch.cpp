// Issue 14.6, no key press lost: the latch between GLFW's callbacks and ImGui 1.86's sampled
// io.KeysDown / io.MouseDown, as a pure class (no GL, no window, no ImGui).
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>  // key codes only

#include <array>
#include <string>
#include <vector>

#include "platform/input_latch.hpp"

using genmon::platform::InputLatch;

namespace {

// What a sequence of frames saw of one key (or button): "1" down, "0" up.
struct Frames {
    InputLatch latch;
    std::array<bool, InputLatch::kKeys> keys{};
    std::array<bool, InputLatch::kButtons> buttons{};
    float x = -1, y = -1;
    bool moved = false;

    void frame() { moved = latch.applyTo(keys.data(), buttons.data(), &x, &y); }
    std::string key(int code, int frames) {
        std::string seen;
        for (int i = 0; i < frames; ++i) {
            frame();
            seen += keys[static_cast<size_t>(code)] ? '1' : '0';
        }
        return seen;
    }
};

}  // namespace

TEST_CASE("issue 14.6: a key pressed and released between two frames is down for exactly one frame") {
    Frames f;
    f.latch.key(GLFW_KEY_ESCAPE, true);
    f.latch.key(GLFW_KEY_ESCAPE, false);
    CHECK(f.latch.needsFrame());
    CHECK_FALSE(f.latch.anyHeld());
    CHECK(f.key(GLFW_KEY_ESCAPE, 3) == "100");
    CHECK_FALSE(f.latch.needsFrame());  // the release has been shown: nothing more owed
}

TEST_CASE("issue 14.6: a held key stays down while held (repeat events change nothing), then up") {
    Frames f;
    f.latch.key(GLFW_KEY_DOWN, true);
    CHECK(f.key(GLFW_KEY_DOWN, 2) == "11");
    CHECK(f.latch.anyHeld());
    CHECK_FALSE(f.latch.needsFrame());  // held and shown: the frames come from "held", not owed
    f.latch.key(GLFW_KEY_DOWN, true);  // GLFW_REPEAT
    f.latch.key(GLFW_KEY_DOWN, true);
    CHECK(f.key(GLFW_KEY_DOWN, 2) == "11");  // no new press edge: ImGui's own repeat is unchanged
    f.latch.key(GLFW_KEY_DOWN, false);
    CHECK(f.latch.needsFrame());
    CHECK(f.key(GLFW_KEY_DOWN, 2) == "00");
    CHECK_FALSE(f.latch.anyHeld());
}

TEST_CASE("issue 14.6: two taps between two frames are two presses, not one") {
    Frames f;
    for (int i = 0; i < 2; ++i) {
        f.latch.key('J', true);
        f.latch.key('J', false);
    }
    CHECK(f.key('J', 5) == "10100");
}

TEST_CASE("issue 14.6: a held key released and pressed again before the next frame gets a new press edge") {
    Frames f;
    f.latch.key(GLFW_KEY_ENTER, true);
    CHECK(f.key(GLFW_KEY_ENTER, 1) == "1");
    f.latch.key(GLFW_KEY_ENTER, false);
    f.latch.key(GLFW_KEY_ENTER, true);
    CHECK(f.key(GLFW_KEY_ENTER, 3) == "011");  // up for one frame, then down again (still held)
}

TEST_CASE("issue 14.6: modifiers are latched with the key: ctrl+q tapped between frames is seen together") {
    Frames f;
    f.latch.key(GLFW_KEY_LEFT_CONTROL, true);
    f.latch.key('Q', true);
    f.latch.key('Q', false);
    f.latch.key(GLFW_KEY_LEFT_CONTROL, false);
    f.frame();
    CHECK(f.keys[GLFW_KEY_LEFT_CONTROL]);
    CHECK(f.keys['Q']);
    f.frame();
    CHECK_FALSE(f.keys[GLFW_KEY_LEFT_CONTROL]);
    CHECK_FALSE(f.keys['Q']);
}

TEST_CASE("issue 14.6: a quick click is down for one frame, at the place it was pressed") {
    Frames f;
    f.latch.button(0, true, 120, 240);
    f.latch.button(0, false, 300, 400);  // the pointer moved on before the frame
    f.frame();
    CHECK(f.buttons[0]);
    CHECK(f.moved);
    CHECK(f.x == 120);
    CHECK(f.y == 240);
    f.frame();
    CHECK_FALSE(f.buttons[0]);
    CHECK_FALSE(f.moved);  // no latched press: the pointer is where the window says
}

TEST_CASE("issue 14.6: a held button (a drag) stays down and does not move the pointer") {
    Frames f;
    f.latch.button(1, true, 10, 10);
    f.frame();
    CHECK(f.buttons[1]);
    CHECK_FALSE(f.moved);
    CHECK(f.latch.anyHeld());
    f.frame();
    CHECK(f.buttons[1]);
    f.latch.button(1, false, 50, 50);
    f.frame();
    CHECK_FALSE(f.buttons[1]);
}

TEST_CASE("issue 14.6: codes outside ImGui's arrays (GLFW_KEY_UNKNOWN, extra mouse buttons) are ignored") {
    Frames f;
    f.latch.key(GLFW_KEY_UNKNOWN, true);
    f.latch.key(InputLatch::kKeys, true);
    f.latch.button(InputLatch::kButtons, true, 0, 0);
    f.latch.button(-1, true, 0, 0);
    CHECK_FALSE(f.latch.needsFrame());
    CHECK_FALSE(f.latch.anyHeld());
}
