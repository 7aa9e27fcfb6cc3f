// Issue 15.6: the fonts by fontconfig name, the theme and the default layout as the UI applies
// them once app/assets has installed them.
#include <doctest/doctest.h>
#include <imgui.h>
#include <imgui_internal.h>  // FindWindowByName: where placePanels put a panel

#include <cstring>
#include <string>

#include "ui/default_layout.hpp"
#include "ui/fonts.hpp"
#include "ui/theme.hpp"
#include "ui_harness.hpp"

using namespace genmon;

namespace {

bool same(const ImVec4& a, const ImVec4& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct ImGuiScope {
    ImGuiScope() { ImGui::CreateContext(); }
    ~ImGuiScope() {
        ImGui::DestroyContext();
        ui::resetThemes();
        ui::setDefaultLayout({});
    }
};

}  // namespace

TEST_CASE("issue 15.6: the UI fonts are found by fontconfig name and are the DejaVu files the goldens were made with") {
    const std::pair<const char*, const char*> faces[] = {
        {"DejaVu Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"},
        {"DejaVu Sans Mono", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"},
        {"DejaVu Sans:bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"},
    };
    const ui::FontChoice choice;
    CHECK(choice.regular == "DejaVu Sans");
    CHECK(choice.mono == "DejaVu Sans Mono");
    CHECK(choice.heading == "DejaVu Sans:bold");
    for (const auto& [name, file] : faces) {
        const std::string fontName = name;
        CAPTURE(fontName);
        const auto found = ui::findFontFile(name);
        REQUIRE_MESSAGE(found.ok(), (found.ok() ? std::string() : found.error().message));
        CHECK(found.value() == file);
    }
    ImGuiScope scope;
    const ui::Fonts fonts = ui::loadFonts(15.0f);
    CHECK(fonts.warning.empty());
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // building sets each font's ConfigData
    REQUIRE(fonts.regular != nullptr);
    CHECK(fonts.regular->ConfigData->SizePixels == 15.0f);
    CHECK(std::strstr(fonts.regular->ConfigData->Name, "DejaVuSans.ttf") != nullptr);
    CHECK(std::strstr(fonts.mono->ConfigData->Name, "DejaVuSansMono.ttf") != nullptr);
    CHECK(std::strstr(fonts.heading->ConfigData->Name, "DejaVuSans-Bold.ttf") != nullptr);
}

TEST_CASE("issue 15.6: a font family fontconfig does not have gives a readable warning and ImGui's built-in font") {
    const auto missing = ui::findFontFile("Genmon No Such Family");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("fontconfig finds no font \"Genmon No Such Family\"") == 0);
    ImGuiScope scope;
    ui::FontChoice choice;
    choice.regular = "Genmon No Such Family";
    const ui::Fonts fonts = ui::loadFonts(15.0f, choice);
    CHECK(fonts.warning.find("Genmon No Such Family") != std::string::npos);
    CHECK(fonts.warning.find("using ImGui's built-in font") != std::string::npos);
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // the atlas still builds
    CHECK(w > 0);
    REQUIRE(fonts.regular != nullptr);
    CHECK(std::strstr(fonts.regular->ConfigData->Name, "ProggyClean") != nullptr);  // ImGui's own
    CHECK(std::strstr(fonts.mono->ConfigData->Name, "DejaVuSansMono.ttf") != nullptr);  // the others still load
}

TEST_CASE("issue 15.6: applyTheme applies the installed theme and Text TextDisabled and WindowBg follow its palette") {
    ImGuiScope scope;
    ui::Theme mine = ui::builtinTheme(ui::ThemeKind::Dark);
    mine.palette.text = ImVec4(0.1f, 0.2f, 0.3f, 1.0f);
    mine.palette.panelBg = ImVec4(0.4f, 0.5f, 0.6f, 1.0f);
    mine.colors[ImGuiCol_Border] = ImVec4(0.7f, 0.8f, 0.9f, 1.0f);
    mine.colors[ImGuiCol_Text] = ImVec4(1, 0, 1, 1);  // not read: the palette's text wins
    mine.sizes.frameRounding = 0.5f;
    mine.sizes.frameBorderSize = 2.0f;
    ui::setTheme(ui::ThemeKind::Dark, mine);
    const ui::Palette& p = ui::applyTheme(ui::ThemeKind::Dark, 16.0f);
    const ImGuiStyle& style = ImGui::GetStyle();
    CHECK(same(style.Colors[ImGuiCol_Text], mine.palette.text));
    CHECK(same(style.Colors[ImGuiCol_WindowBg], mine.palette.panelBg));
    CHECK(same(style.Colors[ImGuiCol_TextDisabled], mine.palette.muted));
    CHECK(same(style.Colors[ImGuiCol_Border], mine.colors[ImGuiCol_Border]));
    CHECK(style.FrameRounding == 8.0f);
    CHECK(style.FrameBorderSize == 2.0f);
    CHECK(same(p.text, mine.palette.text));
    CHECK(same(ui::palette().text, mine.palette.text));
    ui::resetThemes();
    ui::applyTheme(ui::ThemeKind::Dark, 16.0f);
    CHECK(same(ImGui::GetStyle().Colors[ImGuiCol_Text], ui::builtinTheme(ui::ThemeKind::Dark).palette.text));
}

TEST_CASE("issue 15.6: progress fills are lightened by the theme's barFillLighten (light 0.5 and dark none)") {
    ImGuiScope scope;
    const ImVec4 c(0.2f, 0.4f, 0.6f, 1.0f);
    ui::applyTheme(ui::ThemeKind::Dark, 15.0f);
    CHECK(same(ui::barFill(c), c));
    ui::applyTheme(ui::ThemeKind::Light, 15.0f);
    auto mixed = [&c](float k) { return ImVec4(c.x + (1 - c.x) * k, c.y + (1 - c.y) * k, c.z + (1 - c.z) * k, c.w); };
    CHECK(same(ui::barFill(c), mixed(0.5f)));
    ui::Theme dim = ui::builtinTheme(ui::ThemeKind::Dark);
    dim.barFillLighten = 0.25f;
    ui::setTheme(ui::ThemeKind::Dark, dim);
    ui::applyTheme(ui::ThemeKind::Dark, 15.0f);
    CHECK(same(ui::barFill(c), mixed(0.25f)));
    CHECK_FALSE(same(mixed(0.25f), mixed(0.5f)));
}

TEST_CASE("issue 15.6: placePanels puts the panels where the installed default layout says") {
    ui::DefaultLayout half;
    half.wideLeftWidth = 0.5f;
    ui::setDefaultLayout(half);
    {
        test::UiHarness h(test::snapshotOf({}), 1920, 1080);
        const ImGuiWindow* queue = ImGui::FindWindowByName("Queue");
        const ImGuiWindow* results = ImGui::FindWindowByName("Results");
        REQUIRE(queue != nullptr);
        REQUIRE(results != nullptr);
        CHECK(queue->Size.x == 960);
        CHECK(results->Pos.x == 960);
    }
    ui::setDefaultLayout({});
    test::UiHarness h(test::snapshotOf({}), 1920, 1080);
    CHECK(ImGui::FindWindowByName("Queue")->Size.x == 1114);  // round(1920 * 0.58)
}
