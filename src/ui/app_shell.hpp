#pragma once
// Internal to the App shell (ui/app*.cpp): the keyboard helpers and the toasts' timing that more
// than one of its files use.
#include <imgui.h>

#include <cstdint>

namespace genmon::ui::shell {

inline constexpr int64_t kSuccessToastMicros = 4'000'000;  // success toasts stay this long, then fade
inline constexpr int64_t kToastFadeMicros = 400'000;       // the fade itself: drawn at the full rate

inline bool charPressed(ImWchar c) {
    const ImGuiIO& io = ImGui::GetIO();
    for (int i = 0; i < io.InputQueueCharacters.Size; ++i)
        if (io.InputQueueCharacters[i] == c) return true;
    return false;
}

inline bool keyPressed(ImGuiKey key) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key)); }

// ImGui 1.86 names only a few letter keys. io.KeysDown is indexed by the platform's key codes;
// GLFW's codes for letters are their ASCII capitals, and the offscreen harness uses the same.
inline bool letterPressed(char upper) { return ImGui::IsKeyPressed(static_cast<int>(upper)); }

}  // namespace genmon::ui::shell
