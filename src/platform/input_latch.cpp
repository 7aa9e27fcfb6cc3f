#include "platform/input_latch.hpp"

namespace genmon::platform {

namespace {
template <class Bits>
void note(Bits& b, std::size_t i, bool down, uint8_t maxPending) {
    if (down && !b.down[i] && b.pending[i] < maxPending) ++b.pending[i];
    b.down[i] = down;
}

// One frame's view of entry i: a press not shown yet is shown down; if the last frame already
// showed it down (a second tap, or a re-press of a held key), this frame shows it up first so
// ImGui sees a new press edge on the next one.
template <class Bits>
bool advance(Bits& b, std::size_t i) {
    bool show = b.down[i];
    if (b.pending[i] > 0) {
        if (b.shown[i]) {
            show = false;
        } else {
            show = true;
            --b.pending[i];
        }
    }
    b.shown[i] = show;
    return show;
}

template <class Bits>
bool owes(const Bits& b) {
    for (std::size_t i = 0; i < b.down.size(); ++i)
        if (b.pending[i] > 0 || b.shown[i] != b.down[i]) return true;
    return false;
}

template <class Bits>
bool held(const Bits& b) {
    for (bool d : b.down)
        if (d) return true;
    return false;
}
}  // namespace

void InputLatch::key(int code, bool down) {
    if (code < 0 || code >= kKeys) return;
    note(keys_, static_cast<std::size_t>(code), down, kMaxPending);
}

void InputLatch::button(int index, bool down, float x, float y) {
    if (index < 0 || index >= kButtons) return;
    const auto i = static_cast<std::size_t>(index);
    if (down && !buttons_.down[i]) {
        pressX_[i] = x;
        pressY_[i] = y;
    }
    note(buttons_, i, down, kMaxPending);
}

bool InputLatch::applyTo(bool* keysDown, bool* mouseDown, float* pointerX, float* pointerY) {
    for (std::size_t i = 0; i < keys_.down.size(); ++i) keysDown[i] = advance(keys_, i);
    bool movedPointer = false;
    for (std::size_t i = 0; i < buttons_.down.size(); ++i) {
        const bool latched = buttons_.pending[i] > 0 && !buttons_.down[i];
        mouseDown[i] = advance(buttons_, i);
        if (latched && mouseDown[i] && !movedPointer) {
            *pointerX = pressX_[i];
            *pointerY = pressY_[i];
            movedPointer = true;
        }
    }
    return movedPointer;
}

bool InputLatch::needsFrame() const { return owes(keys_) || owes(buttons_); }

bool InputLatch::anyHeld() const { return held(keys_) || held(buttons_); }

}  // namespace genmon::platform
