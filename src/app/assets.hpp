#pragma once
// genmon's data files (assets/ in the source tree, share/genmon when installed): the dark and
// light themes, the default panel layout and the window icon. Found at start, read, and handed
// to the UI as plain values. Nothing here can stop genmon: a file that cannot be read or is
// wrong gives one readable warning line and the values built into the code.
//
//   themes/dark.json, themes/light.json   every palette and ImGui colour, ImGui's sizes
//   layout/default.json                   where the panels go on a first start / Reset layout
//   icons/genmon-<16..256>.png            the window icon (made from icons/genmon.svg)
//   $XDG_CONFIG_HOME/genmon/theme.json    the person's own theme: only the keys it has override
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.hpp"
#include "model/image.hpp"
#include "ui/default_layout.hpp"
#include "ui/theme.hpp"

namespace genmon::app {

// The window icon's sizes, in pixels (icons/genmon-<size>.png).
inline constexpr int kIconSizes[] = {16, 32, 48, 64, 128, 256};

// Where the assets are: $GENMON_ASSETS_DIR when set (and only there), else the install's
// <executable>/../share/genmon, else the source tree's assets/ (the build tree's programs).
// Nothing found: nullopt, and `searched` lists where it looked.
std::optional<std::filesystem::path> findAssetsDir(std::string* searched = nullptr);

// The user's theme file: $XDG_CONFIG_HOME/genmon/theme.json (else ~/.config/genmon/theme.json).
std::string userThemePath();

struct AssetOptions {
    bool userTheme = false;  // the window reads the person's theme.json; screenshots do not
    bool icons = false;      // decode the window icon's PNGs
    std::optional<std::filesystem::path> dir;         // tests: this folder instead of findAssetsDir()
    std::optional<std::string> userThemeFile;         // tests: this file instead of userThemePath()
};

struct Assets {
    std::optional<std::filesystem::path> dir;  // where they were read from (none: built-in values)
    ui::Theme dark = ui::builtinTheme(ui::ThemeKind::Dark);
    ui::Theme light = ui::builtinTheme(ui::ThemeKind::Light);
    ui::DefaultLayout layout;
    std::vector<model::Image> icons;    // largest last; empty when not asked for or missing
    std::vector<std::string> warnings;  // one line each, naming the file and what is wrong
};

Assets loadAssets(const AssetOptions& options);
// Hands the themes and the layout to the UI (ui::setTheme, ui::setDefaultLayout).
void installAssets(const Assets& assets);

// The readers, on a file's text. An error names the key ("palette.accent: ...") or the line of
// a syntax error; the caller adds the file's name. A full theme must have every key; a partial
// one (the user's) overrides only the keys it has. On error `theme` is left unchanged.
model::Status readTheme(std::string_view json, ui::Theme& theme, bool partial);
model::Outcome<ui::DefaultLayout> readLayout(std::string_view json);

}  // namespace genmon::app
