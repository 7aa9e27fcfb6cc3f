// Issue 14.1: the data frame rate is a setting, saved in settings.json (1..60, default 10).
#include <doctest/doctest.h>

#include "app/settings_store.hpp"

using namespace genmon;

TEST_CASE("issue 14.1: dataFramesPerSecond round-trips through settings.json and the UI state") {
    app::Settings s;
    CHECK(s.dataFramesPerSecond == 10);
    s.dataFramesPerSecond = 4;
    const auto loaded = app::decodeSettings(app::encodeSettings(s));
    CHECK(loaded.warning.empty());
    CHECK(loaded.settings.dataFramesPerSecond == 4);
    ui::UiState st;
    CHECK(st.dataFramesPerSecond == 10);
    app::applySettings(loaded.settings, st);
    CHECK(st.dataFramesPerSecond == 4);
    st.dataFramesPerSecond = 25;
    app::Settings back;
    app::captureSettings(st, back);
    CHECK(back.dataFramesPerSecond == 25);
}

TEST_CASE("issue 14.1: an out-of-range dataFramesPerSecond is ignored with a warning that names it") {
    const auto loaded = app::decodeSettings(R"({"version": 1, "dataFramesPerSecond": 500})");
    CHECK(loaded.settings.dataFramesPerSecond == 10);
    CHECK(loaded.warning.find("dataFramesPerSecond") != std::string::npos);
}
