#pragma once
// No key press lost (issue 14.6). Debian's ImGui 1.86 has no input queue: io.KeysDown and
// io.MouseDown are sampled once per NewFrame, so a key pressed and released between two frames
// (a tap shorter than a frame, or any tap while the loop sleeps) was never seen. The latch sits
// between GLFW's callbacks and the frame: a press is held until a frame has shown it down, and
// the release reaches the frame after. Two taps of one key between two frames are two presses
// (down, up, down, up over four frames). A held key or button stays down as long as it is held,
// so ImGui's own key repeat works as before.
//
// Pure: no GLFW, no ImGui. The window feeds it events and copies its view into ImGui's io.
#include <array>
#include <cstddef>
#include <cstdint>

namespace genmon::platform {

class InputLatch {
public:
    static constexpr int kKeys = 512;   // ImGui 1.86: io.KeysDown[512], indexed by GLFW key codes
    static constexpr int kButtons = 5;  // ImGui 1.86: io.MouseDown[5]

    // From the callbacks: a key or button went down (press or repeat) or up. Out-of-range codes
    // (GLFW_KEY_UNKNOWN is -1) are ignored.
    void key(int code, bool down);
    void button(int index, bool down, float x, float y);

    // What the next frame sees. Writes every key and button into the arrays (kKeys / kButtons
    // entries): down when held now, or pressed since the last frame even if released since.
    // When a button press is shown that was already released, *pointer is set to where it was
    // pressed (so a quick click acts where it was made) and true is returned.
    bool applyTo(bool* keysDown, bool* mouseDown, float* pointerX, float* pointerY);

    // A frame is owed: a press not shown yet, or a frame showed a key or button down that has
    // been released since (the frame after must show the release).
    bool needsFrame() const;
    // A key or button is physically held: ImGui's repeat and drags need frames while it lasts.
    // (When the window loses focus GLFW reports every held key and button released.)
    bool anyHeld() const;

private:
    static constexpr uint8_t kMaxPending = 8;  // taps of one key kept for the frames to come

    template <std::size_t N>
    struct Bits {
        std::array<bool, N> down{};       // held now, as the callbacks said
        std::array<uint8_t, N> pending{};  // presses no frame has shown yet
        std::array<bool, N> shown{};      // what the last frame saw
    };
    Bits<kKeys> keys_;
    Bits<kButtons> buttons_;
    std::array<float, kButtons> pressX_{}, pressY_{};
};

}  // namespace genmon::platform
