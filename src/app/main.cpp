// genmon: the window, offscreen screenshots and the headless snapshot dump.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "app/fixture.hpp"
#include "app/gui.hpp"
#include "platform/png.hpp"

using namespace genmon;

namespace {

int screenshot(const app::CliOptions& o) {
    app::FrameSource source = app::emptySource();
    app::NullCommands commands;
    app::OffscreenRun run;
    run.width = o.width;
    run.height = o.height;
    std::optional<app::Fixture> fixture;
    if (o.fixturePath) {
        auto loaded = app::loadFixture(*o.fixturePath);
        if (!loaded) {
            std::fprintf(stderr, "genmon: %s\n", loaded.error().message.c_str());
            return 2;
        }
        fixture = std::move(loaded).value();
        source = app::fixtureSource(*fixture);
        if (!o.sizeGiven) {
            run.width = fixture->width;
            run.height = fixture->height;
        }
        run.prepare = [&fixture](ui::UiState& st) { st = fixture->ui; };
    }
    auto image = app::renderOffscreen(source, commands, run);
    if (!image) {
        std::fprintf(stderr, "genmon: cannot render offscreen: %s\n", image.error().message.c_str());
        return 1;
    }
    if (auto st = platform::writePng(o.screenshotPath, image.value()); !st) {
        std::fprintf(stderr, "genmon: %s\n", st.error().message.c_str());
        return 1;
    }
    std::printf("wrote %s (%dx%d)\n", o.screenshotPath.c_str(), image->width, image->height);
    return 0;
}

int window(const app::CliOptions&) {
    app::FrameSource source = app::emptySource();
    app::NullCommands commands;
    auto st = app::runWindow(source, commands, {});
    if (!st) {
        if (st.error().message == "no display") {
            std::fprintf(stderr,
                         "genmon: no display (DISPLAY and WAYLAND_DISPLAY are unset); use --screenshot OUT.png to "
                         "render offscreen or --dump-snapshot to print the state\n");
            return 2;
        }
        std::fprintf(stderr, "genmon: %s\n", st.error().message.c_str());
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const app::CliResult cli = app::parseCli(args);
    if (!cli.options) {
        std::fprintf(stderr, "genmon: %s\n", cli.error.c_str());
        return 2;
    }
    const app::CliOptions& o = *cli.options;
    for (const auto& w : o.warnings) std::fprintf(stderr, "genmon: warning: %s\n", w.c_str());
    switch (o.mode) {
        case app::CliOptions::Mode::Help: std::fputs(app::helpText().c_str(), stdout); return 0;
        case app::CliOptions::Mode::Version: std::printf("genmon %s\n", GENMON_VERSION); return 0;
        case app::CliOptions::Mode::Screenshot: return screenshot(o);
        case app::CliOptions::Mode::DumpSnapshot:
            std::fprintf(stderr, "genmon: --dump-snapshot needs the transport layer, which is not built yet\n");
            return 1;
        case app::CliOptions::Mode::Window: return window(o);
    }
    return 0;
}
