#pragma once
// The UI fonts: DejaVu Sans and Sans Mono from Debian's fonts-dejavu-core, rasterised by
// ImGui's stb_truetype at a fixed size, so screenshots are identical everywhere.
#include <imgui.h>

#include <string>

namespace genmon::ui {

struct Fonts {
    ImFont* regular = nullptr;
    ImFont* mono = nullptr;
    ImFont* heading = nullptr;
    float size = 15.0f;
    std::string warning;  // set when a font file was missing and ImGui's own font is used
};

// Call after ImGui::CreateContext and before the renderer builds its font texture.
Fonts loadFonts(float size = 15.0f);
const Fonts& fonts();

}  // namespace genmon::ui
