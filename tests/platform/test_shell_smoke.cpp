// Issue 2, "tests from day one": the shell renders offscreen (EGL surfaceless + llvmpipe, no
// display), twice to identical PNG bytes, and the picture is not blank.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "app/gui.hpp"
#include "platform/png.hpp"
#include "test_support.hpp"

using namespace genmon;

namespace {
model::Image renderShell(int w, int h) {
    app::FrameSource source = app::emptySource();
    app::NullCommands commands;
    app::OffscreenRun run;
    run.width = w;
    run.height = h;
    auto image = app::renderOffscreen(source, commands, run);
    REQUIRE_MESSAGE(image.ok(), (image.ok() ? std::string() : image.error().message));
    return std::move(image).value();
}

uint32_t pixel(const model::Image& img, int x, int y) {
    const size_t at = (static_cast<size_t>(y) * static_cast<size_t>(img.width) + static_cast<size_t>(x)) * 4;
    return uint32_t(img.rgba[at]) << 16 | uint32_t(img.rgba[at + 1]) << 8 | img.rgba[at + 2];
}
}  // namespace

TEST_CASE("issue 2: the shell renders offscreen twice to byte-identical PNGs that are not blank") {
    const model::Image a = renderShell(1024, 640);
    const model::Image b = renderShell(1024, 640);
    REQUIRE(a.width == 1024);
    REQUIRE(a.height == 640);
    const auto dir = test::outputDir();
    REQUIRE(platform::writePng((dir / "shell_a.png").string(), a).ok());
    REQUIRE(platform::writePng((dir / "shell_b.png").string(), b).ok());
    CHECK(test::readFile(dir / "shell_a.png") == test::readFile(dir / "shell_b.png"));

    std::set<uint32_t> colours;
    for (int y = 0; y < a.height; y += 3)
        for (int x = 0; x < a.width; x += 3) colours.insert(pixel(a, x, y));
    CHECK(colours.size() > 20);  // text, panels, borders: far more than one colour

    // The menu bar: the top rows are one band with text in it, unlike the window body.
    const uint32_t bar = pixel(a, a.width - 2, 2);
    const uint32_t body = pixel(a, a.width / 2, a.height / 2);
    CHECK(bar != body);
    std::set<uint32_t> barColours;
    for (int x = 0; x < 200; ++x) barColours.insert(pixel(a, x, 10));  // "Backend  View  Help"
    CHECK(barColours.size() > 3);
}
