// Issue 6: settings persist under $XDG_CONFIG_HOME/genmon; a broken file never stops genmon.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "app/settings_store.hpp"
#include "test_support.hpp"

using namespace genmon;

TEST_CASE("issue 6: settings round-trip through settings.json") {
    app::Settings s;
    s.urlHistory = {"http://a:8000/api/v1", "http://b:8782/v1"};
    s.historyLimit = 120;
    s.polls.queueWhileSocketDownMs = 1500;
    s.showSystem = false;
    s.theme = ui::ThemeKind::Light;
    s.resultsMode = ui::ResultsMode::List;
    const auto path = (test::outputDir() / "settings_roundtrip" / "settings.json").string();
    REQUIRE(app::saveSettings(path, s).ok());
    const auto loaded = app::loadSettings(path);
    CHECK(loaded.warning.empty());
    CHECK(loaded.settings.urlHistory == s.urlHistory);
    CHECK(loaded.settings.historyLimit == 120);
    CHECK(loaded.settings.polls.queueWhileSocketDownMs == 1500);
    CHECK_FALSE(loaded.settings.showSystem);
    CHECK(loaded.settings.theme == ui::ThemeKind::Light);
    CHECK(loaded.settings.resultsMode == ui::ResultsMode::List);
}

TEST_CASE("issue 6: the config folder follows XDG_CONFIG_HOME") {
    const char* old = std::getenv("XDG_CONFIG_HOME");
    const std::string saved = old ? old : "";
    setenv("XDG_CONFIG_HOME", "/tmp/genmon-xdg-test", 1);
    CHECK(app::settingsPath() == "/tmp/genmon-xdg-test/genmon/settings.json");
    CHECK(app::imguiIniPath() == "/tmp/genmon-xdg-test/genmon/imgui.ini");
    if (old)
        setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
    else
        unsetenv("XDG_CONFIG_HOME");
}

TEST_CASE("bad input: a broken or out-of-range settings file gives defaults and a warning") {
    auto broken = app::decodeSettings("{ this is not json");
    CHECK(broken.warning.find("not valid JSON") != std::string::npos);
    CHECK(broken.settings.historyLimit == 10);
    auto range = app::decodeSettings(R"({"historyLimit": 5000, "polls": {"statusMs": 1}})");
    CHECK(range.settings.historyLimit == 10);
    CHECK(range.settings.polls.statusMs == 10000);
    CHECK(range.warning.find("historyLimit") != std::string::npos);
    CHECK(app::loadSettings("/nonexistent/genmon/settings.json").warning.empty());  // first start
}

TEST_CASE("issue 6: the URL history keeps the latest first, without duplicates, at most 10") {
    app::Settings s;
    for (int i = 0; i < 12; ++i) app::rememberUrl(s, "http://h" + std::to_string(i));
    app::rememberUrl(s, "http://h5");
    CHECK(s.urlHistory.size() == 10);
    CHECK(s.urlHistory.front() == "http://h5");
    CHECK(std::count(s.urlHistory.begin(), s.urlHistory.end(), "http://h5") == 1);
}
