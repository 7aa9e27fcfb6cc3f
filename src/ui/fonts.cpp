#include "ui/fonts.hpp"

#include <filesystem>

namespace genmon::ui {
namespace {
Fonts g_fonts;
constexpr const char* kFontDir = "/usr/share/fonts/truetype/dejavu/";

// Latin, Latin-1, general punctuation (… — •), arrows, ≤ ≥ (a lower-bound ETA), geometric
// shapes (● ▲ ■), misc symbols and dingbats (⚠ ✔ ✖).
const ImWchar kRanges[] = {0x0020, 0x00FF, 0x2010, 0x205E, 0x2190, 0x21FF, 0x2264, 0x2265, 0x2300, 0x23FF,
                           0x25A0, 0x25FF, 0x2600, 0x26FF, 0x2700, 0x27BF, 0};

ImFont* load(const char* file, float size, std::string& warning) {
    const std::string path = std::string(kFontDir) + file;
    ImGuiIO& io = ImGui::GetIO();
    if (!std::filesystem::exists(path)) {
        warning = path + " is missing (install fonts-dejavu-core); using ImGui's built-in font";
        ImFontConfig cfg;
        cfg.SizePixels = size;
        return io.Fonts->AddFontDefault(&cfg);
    }
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    return io.Fonts->AddFontFromFileTTF(path.c_str(), size, &cfg, kRanges);
}
}  // namespace

Fonts loadFonts(float size) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    Fonts f;
    f.size = size;
    f.regular = load("DejaVuSans.ttf", size, f.warning);
    f.mono = load("DejaVuSansMono.ttf", size * 0.93f, f.warning);
    f.heading = load("DejaVuSans-Bold.ttf", size * 1.15f, f.warning);
    io.FontDefault = f.regular;
    g_fonts = f;
    return f;
}

const Fonts& fonts() { return g_fonts; }

}  // namespace genmon::ui
