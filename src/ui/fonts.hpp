#pragma once
// The UI fonts, chosen by fontconfig name: DejaVu Sans, DejaVu Sans Mono and DejaVu Sans Bold
// from Debian's fonts-dejavu-core, rasterised by ImGui's stb_truetype at a fixed size, so
// screenshots are identical everywhere. A face fontconfig cannot find is replaced by ImGui's
// built-in font, with a warning.
#include <imgui.h>

#include <string>

#include "model/error.hpp"

namespace genmon::ui {

struct Fonts {
    ImFont* regular = nullptr;
    ImFont* mono = nullptr;
    ImFont* heading = nullptr;
    float size = 15.0f;
    std::string warning;  // set when a face was not found and ImGui's own font is used instead
};

// fontconfig names (family[:style], as fc-match takes them).
struct FontChoice {
    std::string regular = "DejaVu Sans";
    std::string mono = "DejaVu Sans Mono";
    std::string heading = "DejaVu Sans:bold";
};

// The file fontconfig picks for a name, or an error when it has no font of that family (it
// would otherwise answer with whatever font it has). Answers are cached for the process.
model::Outcome<std::string> findFontFile(const std::string& name);

// Call after ImGui::CreateContext and before the renderer builds its font texture.
Fonts loadFonts(float size = 15.0f, const FontChoice& choice = {});
const Fonts& fonts();

}  // namespace genmon::ui
