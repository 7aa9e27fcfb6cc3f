// Issue 15.6: assets/ at the top level. The themes, the default layout, the icon and the desktop
// entry are data files; the values in the code are only the fallback, and the files reproduce
// them exactly (the screenshot goldens do not move). A missing or bad file is one readable
// warning line, never a blank or broken window.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "app/assets.hpp"
#include "platform/image_diff.hpp"
#include "platform/png.hpp"
#include "test_support.hpp"
#include "ui/default_layout.hpp"

using namespace genmon;
namespace fs = std::filesystem;

namespace {

fs::path sourceAssets() { return fs::path(GENMON_SOURCE_DIR) / "assets"; }

bool same(const ImVec4& a, const ImVec4& b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same(const ImVec2& a, const ImVec2& b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string show(const ImVec4& c) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "(%.9g, %.9g, %.9g, %.9g)", c.x, c.y, c.z, c.w);
    return buf;
}

bool followsPalette(int i) { return i == ImGuiCol_Text || i == ImGuiCol_TextDisabled || i == ImGuiCol_WindowBg; }

// Every value applyTheme reads, bit for bit.
void checkSameTheme(const ui::Theme& actual, const ui::Theme& expected) {
    const ui::Palette& a = actual.palette;
    const ui::Palette& e = expected.palette;
    const std::pair<const char*, std::pair<ImVec4, ImVec4>> palette[] = {
        {"text", {a.text, e.text}},       {"muted", {a.muted, e.muted}},          {"accent", {a.accent, e.accent}},
        {"ok", {a.ok, e.ok}},             {"warning", {a.warning, e.warning}},    {"error", {a.error, e.error}},
        {"info", {a.info, e.info}},       {"processing", {a.processing, e.processing}}, {"queued", {a.queued, e.queued}},
        {"completed", {a.completed, e.completed}}, {"failed", {a.failed, e.failed}}, {"chipText", {a.chipText, e.chipText}},
        {"panelBg", {a.panelBg, e.panelBg}},
    };
    for (const auto& [name, pair] : palette)
        CHECK_MESSAGE(same(pair.first, pair.second), "palette." << std::string(name) << ": " << show(pair.first) << " != " << show(pair.second));
    for (int i = 0; i < ImGuiCol_COUNT; ++i) {
        if (followsPalette(i)) continue;
        const auto& x = actual.colors[static_cast<size_t>(i)];
        const auto& y = expected.colors[static_cast<size_t>(i)];
        CHECK_MESSAGE(same(x, y), "imgui." << std::string(ImGui::GetStyleColorName(i)) << ": " << show(x) << " != " << show(y));
    }
    const ui::ThemeSizes& s = actual.sizes;
    const ui::ThemeSizes& t = expected.sizes;
    CHECK(same(s.windowRounding, t.windowRounding));
    CHECK(same(s.frameRounding, t.frameRounding));
    CHECK(same(s.grabRounding, t.grabRounding));
    CHECK(same(s.popupRounding, t.popupRounding));
    CHECK(same(s.scrollbarRounding, t.scrollbarRounding));
    CHECK(same(s.windowPadding, t.windowPadding));
    CHECK(same(s.framePadding, t.framePadding));
    CHECK(same(s.itemSpacing, t.itemSpacing));
    CHECK(same(s.cellPadding, t.cellPadding));
    CHECK(same(s.scrollbarSize, t.scrollbarSize));
    CHECK(same(s.windowBorderSize, t.windowBorderSize));
    CHECK(same(s.frameBorderSize, t.frameBorderSize));
    CHECK(same(actual.barFillLighten, expected.barFillLighten));
}

// A theme with nothing in it: a reader that skipped a key would leave a zero behind.
ui::Theme zeroTheme() {
    ui::Theme t;
    std::memset(static_cast<void*>(&t), 0, sizeof t);
    return t;
}

std::string readText(const fs::path& p) { return test::readFile(p); }

void writeText(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

// A fresh folder under the test output.
fs::path scratch(const std::string& name) {
    const fs::path dir = test::outputDir() / "assets" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// A copy of the source's assets/ to break on purpose.
fs::path assetsCopy(const std::string& name) {
    const fs::path dir = scratch(name) / "assets";
    fs::copy(sourceAssets(), dir, fs::copy_options::recursive);
    return dir;
}

struct EnvVar {
    EnvVar(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value)
            setenv(name, value, 1);
        else
            unsetenv(name);
    }
    ~EnvVar() {
        if (old_)
            setenv(name_, old_->c_str(), 1);
        else
            unsetenv(name_);
    }
    const char* name_;
    std::optional<std::string> old_;
};

int run(const std::string& command) {
    const int status = std::system(command.c_str());
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

// ---- the shipped files reproduce the code ----------------------------------------------------

TEST_CASE("issue 15.6: assets/themes/dark.json and light.json hold every colour and size of the built-in themes bit for bit") {
    for (auto [kind, name] : {std::pair{ui::ThemeKind::Dark, "dark"}, std::pair{ui::ThemeKind::Light, "light"}}) {
        const std::string themeName = name;
        CAPTURE(themeName);
        ui::Theme loaded = zeroTheme();
        const auto st = app::readTheme(readText(sourceAssets() / "themes" / (std::string(name) + ".json")), loaded, false);
        REQUIRE_MESSAGE(st.ok(), (st.ok() ? std::string() : st.error().message));
        checkSameTheme(loaded, ui::builtinTheme(kind));
    }
}

TEST_CASE("issue 15.6: assets/layout/default.json places every panel where the built-in layout does") {
    const auto layout = app::readLayout(readText(sourceAssets() / "layout" / "default.json"));
    REQUIRE_MESSAGE(layout.ok(), (layout.ok() ? std::string() : layout.error().message));
    const ui::DefaultLayout builtin;
    // Narrow, between the two wide shares, wide; the goldens' sizes among them.
    for (float w : {640.f, 800.f, 959.f, 960.f, 1280.f, 1349.f, 1350.f, 1440.f, 1920.f, 3840.f})
        for (float h : {480.f, 543.f, 600.f, 743.f, 843.f, 1023.f, 2100.f}) {
            const ImVec2 origin(0, 21), size(w, h);
            const auto a = ui::defaultPlaces(layout.value(), origin, size, 15.0f);
            const auto b = ui::defaultPlaces(builtin, origin, size, 15.0f);
            const std::pair<const char*, std::pair<ui::PanelPlace, ui::PanelPlace>> panels[] = {
                {"queue", {a.queue, b.queue}},     {"detail", {a.detail, b.detail}},
                {"results", {a.results, b.results}}, {"system", {a.system, b.system}},
                {"generate", {a.generate, b.generate}}};
            for (const auto& [panel, places] : panels) {
                const std::string panelName = panel;
                CAPTURE(panelName);
                CAPTURE(w);
                CAPTURE(h);
                CHECK(same(places.first.pos, places.second.pos));
                CHECK(same(places.first.size, places.second.size));
            }
        }
}

TEST_CASE("issue 15.6: the layout's numbers move the panels (the asset is what placePanels uses)") {
    ui::DefaultLayout wider;
    wider.wideLeftWidth = 0.5f;
    const auto places = ui::defaultPlaces(wider, ImVec2(0, 21), ImVec2(1920, 1023), 15.0f);
    CHECK(places.queue.size.x == 960);
    CHECK(places.results.pos.x == 960);
    ui::DefaultLayout narrowSooner;
    narrowSooner.narrowBelowEm = 200;  // 3000 px at 15 px: a 1920 px window is "narrow"
    const auto narrow = ui::defaultPlaces(narrowSooner, ImVec2(0, 21), ImVec2(1920, 1023), 15.0f);
    CHECK(narrow.queue.size.x == 1920);
}

TEST_CASE("issue 15.6: loadAssets reads the source's assets/ with no warning") {
    app::AssetOptions options;
    options.icons = true;
    options.dir = sourceAssets();
    const app::Assets assets = app::loadAssets(options);
    CHECK(assets.warnings.empty());
    REQUIRE(assets.icons.size() == std::size(app::kIconSizes));
    for (size_t i = 0; i < assets.icons.size(); ++i) {
        CHECK(assets.icons[i].width == app::kIconSizes[i]);
        CHECK(assets.icons[i].height == app::kIconSizes[i]);
    }
}

// ---- finding the folder --------------------------------------------------------------------

TEST_CASE("issue 15.6: programs in the build tree find the source's assets/") {
    EnvVar unset("GENMON_ASSETS_DIR", nullptr);
    const auto dir = app::findAssetsDir();
    REQUIRE(dir.has_value());
    CHECK(fs::equivalent(*dir, sourceAssets()));
}

TEST_CASE("issue 15.6: GENMON_ASSETS_DIR overrides where assets are read from") {
    const fs::path copy = assetsCopy("env_override");
    // Only the copy has this accent: reading it proves the copy was used.
    std::string dark = readText(copy / "themes" / "dark.json");
    const std::string from = "\"accent\": \"#5C9CF5\"";
    REQUIRE(dark.find(from) != std::string::npos);
    dark.replace(dark.find(from), from.size(), "\"accent\": \"#FF0000\"");
    writeText(copy / "themes" / "dark.json", dark);
    EnvVar env("GENMON_ASSETS_DIR", copy.c_str());
    REQUIRE(app::findAssetsDir().has_value());
    CHECK(fs::equivalent(*app::findAssetsDir(), copy));
    const app::Assets assets = app::loadAssets({});
    CHECK(assets.warnings.empty());
    CHECK(same(assets.dark.palette.accent, ImVec4(1, 0, 0, 1)));
}

TEST_CASE("issue 15.6: no assets folder gives one warning line naming where genmon looked and the built-in values") {
    EnvVar env("GENMON_ASSETS_DIR", "/nonexistent/genmon-assets");
    std::string searched;
    CHECK_FALSE(app::findAssetsDir(&searched).has_value());
    CHECK(searched.find("/nonexistent/genmon-assets") != std::string::npos);
    app::AssetOptions options;
    options.icons = true;
    const app::Assets assets = app::loadAssets(options);
    REQUIRE(assets.warnings.size() == 1);
    CHECK(assets.warnings[0].find("/nonexistent/genmon-assets") != std::string::npos);
    CHECK(assets.warnings[0].find("built-in") != std::string::npos);
    CHECK(assets.icons.empty());
    checkSameTheme(assets.dark, ui::builtinTheme(ui::ThemeKind::Dark));
    checkSameTheme(assets.light, ui::builtinTheme(ui::ThemeKind::Light));
}

TEST_CASE("issue 15.6: a missing theme file falls back to the built-in theme with one line naming the file") {
    const fs::path copy = assetsCopy("missing_dark");
    fs::remove(copy / "themes" / "dark.json");
    app::AssetOptions options;
    options.dir = copy;
    const app::Assets assets = app::loadAssets(options);
    REQUIRE(assets.warnings.size() == 1);
    CHECK(assets.warnings[0].find((copy / "themes" / "dark.json").string()) != std::string::npos);
    CHECK(assets.warnings[0].find("no such file") != std::string::npos);
    CHECK(assets.warnings[0].find("built-in dark theme") != std::string::npos);
    checkSameTheme(assets.dark, ui::builtinTheme(ui::ThemeKind::Dark));
}

TEST_CASE("issue 15.6: a broken shipped file names the file and the line or key and falls back") {
    const fs::path copy = assetsCopy("broken_shipped");
    writeText(copy / "layout" / "default.json", "{\n  \"narrowBelowEm\": 64,\n  \"wide\": {\n    \"leftWidth\": 0.5,\n  }\n}\n");
    std::string light = readText(copy / "themes" / "light.json");
    const std::string border = "\"Border\":";
    REQUIRE(light.find(border) != std::string::npos);
    light.replace(light.find(border), border.size(), "\"Bordr\":");
    writeText(copy / "themes" / "light.json", light);
    app::AssetOptions options;
    options.dir = copy;
    const app::Assets assets = app::loadAssets(options);
    REQUIRE(assets.warnings.size() == 2);
    CHECK(assets.warnings[0].find((copy / "themes" / "light.json").string() + ": imgui.Bordr: unknown key") == 0);
    CHECK(assets.warnings[1].find((copy / "layout" / "default.json").string() + ": line ") == 0);
    CHECK(assets.warnings[1].find("using the built-in layout") != std::string::npos);
    checkSameTheme(assets.light, ui::builtinTheme(ui::ThemeKind::Light));
    const ui::DefaultLayout builtin;
    CHECK(same(assets.layout.wideLeftWidth, builtin.wideLeftWidth));
}

TEST_CASE("issue 15.6: a shipped theme missing a key is refused and names it") {
    std::string dark = readText(sourceAssets() / "themes" / "dark.json");
    const auto at = dark.find("    \"ScrollbarBg\":");
    REQUIRE(at != std::string::npos);
    dark.erase(at, dark.find('\n', at) + 1 - at);
    ui::Theme theme = zeroTheme();
    const auto st = app::readTheme(dark, theme, false);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message == "imgui.ScrollbarBg: missing");
}

// ---- the person's theme.json -----------------------------------------------------------------

TEST_CASE("issue 15.6: a user theme overrides only the keys it gives in both base themes") {
    const fs::path dir = scratch("user_partial");
    const fs::path file = dir / "theme.json";
    writeText(file, R"({
  "_comment": "mine",
  "palette": {"accent": "#FF8000", "panelBg": "#00000080"},
  "imgui": {"Border": [0.25, 0.5, 0.75, 1]},
  "sizesEm": {"FramePadding": [0.5, 0.25]},
  "barFillLighten": 0.25
})");
    app::AssetOptions options;
    options.dir = sourceAssets();
    options.userTheme = true;
    options.userThemeFile = file.string();
    const app::Assets assets = app::loadAssets(options);
    CHECK(assets.warnings.empty());
    for (auto [kind, name] : {std::pair{ui::ThemeKind::Dark, "dark"}, std::pair{ui::ThemeKind::Light, "light"}}) {
        const std::string themeName = name;
        CAPTURE(themeName);
        const ui::Theme& got = kind == ui::ThemeKind::Dark ? assets.dark : assets.light;
        ui::Theme expected = ui::builtinTheme(kind);
        expected.palette.accent = ImVec4(1.0f, 128 / 255.0f, 0.0f, 1.0f);
        expected.palette.panelBg = ImVec4(0, 0, 0, 128 / 255.0f);
        expected.colors[ImGuiCol_Border] = ImVec4(0.25f, 0.5f, 0.75f, 1.0f);
        expected.sizes.framePadding = ImVec2(0.5f, 0.25f);
        expected.barFillLighten = 0.25f;
        checkSameTheme(got, expected);
    }
}

TEST_CASE("issue 15.6: a bad user theme gives one line naming the file and the key or line and the base themes stay") {
    struct Case {
        const char* json;
        const char* says;  // in the warning, after "<file>: "
    };
    const Case cases[] = {
        {"{\n  \"palette\": {\n    \"accent\": \"#FF8000\"\n  \n", "line "},                         // cut short
        {"{\"palette\": {\"acent\": \"#FF8000\"}}", "palette.acent: unknown key"},                  // a typo
        {"{\"pallete\": {}}", "pallete: unknown key"},
        {"{\"palette\": {\"accent\": \"#FF80\"}}", "palette.accent: \"#FF80\" is not a colour"},
        {"{\"palette\": {\"accent\": \"rgba(300, 0, 0, 1)\"}}", "palette.accent: \"rgba(300, 0, 0, 1)\" is not a colour"},
        {"{\"palette\": {\"accent\": [1, 0, 0]}}", "palette.accent: an array of 3 numbers is not a colour"},
        {"{\"imgui\": {\"Border\": [1, 0, 2, 1]}}", "imgui.Border[2]: 2 is out of range"},
        {"{\"imgui\": {\"Text\": \"#FFFFFF\"}}", "imgui.Text: follows the palette; set palette.text instead"},
        {"{\"sizesEm\": {\"WindowRounding\": \"big\"}}", "sizesEm.WindowRounding: expected a number, found a string"},
        {"{\"palette\": {\"accent\": \"#FF8000\", \"accent\": \"#00FF00\"}}", "palette.accent: given twice"},
        {"[1, 2]", "the file must hold one JSON object"},
        {"{\"palette\": {}} trailing", "not valid JSON"},
    };
    const fs::path dir = scratch("user_bad");
    const fs::path file = dir / "theme.json";
    for (const Case& c : cases) {
        const std::string json = c.json;
        CAPTURE(json);
        writeText(file, c.json);
        app::AssetOptions options;
        options.dir = sourceAssets();
        options.userTheme = true;
        options.userThemeFile = file.string();
        const app::Assets assets = app::loadAssets(options);
        REQUIRE(assets.warnings.size() == 1);
        const std::string& w = assets.warnings[0];
        CAPTURE(w);
        CHECK(w.find(file.string() + ": ") == 0);
        CHECK(w.find(c.says) != std::string::npos);
        CHECK(w.find("your theme is not used") != std::string::npos);
        CHECK(w.find('\n') == std::string::npos);
        checkSameTheme(assets.dark, ui::builtinTheme(ui::ThemeKind::Dark));
        checkSameTheme(assets.light, ui::builtinTheme(ui::ThemeKind::Light));
    }
}

TEST_CASE("issue 15.6: a syntax error in a user theme names its line") {
    const auto st = [] {
        ui::Theme t = ui::builtinTheme(ui::ThemeKind::Dark);
        return app::readTheme("{\n  \"palette\": {\n    \"accent\": \"#FF8000\",\n    \"ok\": #00FF00\n  }\n}\n", t, true);
    }();
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("line 4: not valid JSON") == 0);
}

TEST_CASE("issue 15.6: the user theme lives in the config folder") {
    EnvVar env("XDG_CONFIG_HOME", "/tmp/genmon-xdg-assets");
    CHECK(app::userThemePath() == "/tmp/genmon-xdg-assets/genmon/theme.json");
}

TEST_CASE("issue 15.6: screenshots leave the user theme out (only the window reads it)") {
    const fs::path dir = scratch("user_not_for_screenshots");
    writeText(dir / "theme.json", R"({"palette": {"accent": "#FF0000"}})");
    app::AssetOptions options;
    options.dir = sourceAssets();
    options.userThemeFile = (dir / "theme.json").string();  // given, but userTheme is off
    const app::Assets assets = app::loadAssets(options);
    CHECK(assets.warnings.empty());
    checkSameTheme(assets.dark, ui::builtinTheme(ui::ThemeKind::Dark));
}

TEST_CASE("issue 15.6: every colour form reads exactly as the code writes it") {
    ui::Theme t = ui::builtinTheme(ui::ThemeKind::Dark);
    const auto st = app::readTheme(R"json({"palette": {
        "text": "#DEE2E8", "muted": "#8c94a0ff", "accent": "rgba(50, 80, 130, 0.55)",
        "ok": [0.06, 0.53, 0.98, 1], "warning": "rgba(255,255,255,0.03)"}})json",
                                   t, true);
    REQUIRE_MESSAGE(st.ok(), (st.ok() ? std::string() : st.error().message));
    CHECK(same(t.palette.text, ImVec4(222 / 255.0f, 226 / 255.0f, 232 / 255.0f, 1.0f)));
    CHECK(same(t.palette.muted, ImVec4(140 / 255.0f, 148 / 255.0f, 160 / 255.0f, 1.0f)));
    CHECK(same(t.palette.accent, ImVec4(50 / 255.0f, 80 / 255.0f, 130 / 255.0f, 0.55f)));
    CHECK(same(t.palette.ok, ImVec4(0.06f, 0.53f, 0.98f, 1.0f)));
    CHECK(same(t.palette.warning, ImVec4(1.0f, 1.0f, 1.0f, 0.03f)));
}

TEST_CASE("bad input: a layout file with a wrong value names the key and is refused") {
    const std::string base = readText(sourceAssets() / "layout" / "default.json");
    std::string wrong = base;
    wrong.replace(wrong.find("\"queueHeight\": 0.62"), std::strlen("\"queueHeight\": 0.62"), "\"queueHeight\": 1.62");
    const auto layout = app::readLayout(wrong);
    REQUIRE_FALSE(layout.ok());
    CHECK(layout.error().message.find("wide.queueHeight: 1.62 is out of range") == 0);
    std::string missing = base;
    missing.replace(missing.find("\"marginEm\": 2"), std::strlen("\"marginEm\": 2"), "\"margin\": 2");
    const auto refused = app::readLayout(missing);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("generate.margin: unknown key") == 0);
}

// ---- the icon and the desktop entry ------------------------------------------------------------

TEST_CASE("issue 15.6: the icon PNGs are assets/icons/genmon.svg rendered at 16 to 256 px (scripts/make-icons)") {
    REQUIRE_MESSAGE(run("command -v rsvg-convert >/dev/null") == 0, "rsvg-convert is missing: run scripts/bootstrap (librsvg2-bin)");
    const fs::path out = scratch("icons");
    for (int size : app::kIconSizes) {
        CAPTURE(size);
        const fs::path committed = sourceAssets() / "icons" / ("genmon-" + std::to_string(size) + ".png");
        const fs::path rendered = out / ("genmon-" + std::to_string(size) + ".png");
        REQUIRE(run("rsvg-convert --width " + std::to_string(size) + " --height " + std::to_string(size) + " '" +
                    (sourceAssets() / "icons" / "genmon.svg").string() + "' --output '" + rendered.string() + "'") == 0);
        const auto a = platform::readPng(committed.string());
        const auto b = platform::readPng(rendered.string());
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        CHECK(a->width == size);
        CHECK(a->height == size);
        // Another librsvg may anti-alias a little differently; a changed drawing moves far more.
        const auto diff = platform::compareImages(b.value(), a.value(), {24, 0.01});
        CHECK_MESSAGE(diff.pass, "genmon-" << size << ".png differs from the SVG in " << diff.differingPixels
                                           << " pixels: run scripts/make-icons");
    }
}

TEST_CASE("issue 15.6: assets/genmon.desktop is valid (desktop-file-validate) and names genmon and its icon") {
    REQUIRE_MESSAGE(run("command -v desktop-file-validate >/dev/null") == 0,
                    "desktop-file-validate is missing: run scripts/bootstrap (desktop-file-utils)");
    const fs::path desktop = sourceAssets() / "genmon.desktop";
    const fs::path log = scratch("desktop") / "validate.txt";
    CHECK(run("desktop-file-validate '" + desktop.string() + "' > '" + log.string() + "' 2>&1") == 0);
    const std::string said = readText(log);
    CHECK_MESSAGE(said.find("error") == std::string::npos, said);
    const std::string text = readText(desktop);
    CHECK(text.find("\nExec=genmon\n") != std::string::npos);
    CHECK(text.find("\nIcon=genmon\n") != std::string::npos);
    CHECK(text.find("\nStartupWMClass=genmon\n") != std::string::npos);
}
