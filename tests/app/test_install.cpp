// Issue 15.6: `cmake --install` puts genmon, genmon-sim and the assets where a desktop finds them,
// and the installed genmon reads its own share/genmon (not the source tree): same pixels as the
// golden, and a file removed there is missed by name.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "app/assets.hpp"
#include "platform/image_diff.hpp"
#include "platform/png.hpp"
#include "test_support.hpp"

using namespace genmon;
namespace fs = std::filesystem;

namespace {

int run(const std::string& command) {
    const int status = std::system(command.c_str());
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string quoted(const fs::path& p) {
    std::string q = "'";
    q += p.string();
    q += '\'';
    return q;
}

}  // namespace

TEST_CASE("issue 15.6: cmake --install puts the programs and assets in place and the installed genmon renders the golden from them") {
    const fs::path prefix = test::outputDir() / "install" / "prefix";
    const fs::path logs = test::outputDir() / "install";
    fs::remove_all(prefix);
    fs::create_directories(prefix);
    const fs::path installLog = logs / "cmake-install.txt";
    REQUIRE_MESSAGE(run(std::string(GENMON_CMAKE) + " --install " + quoted(GENMON_BUILD_DIR) + " --prefix " + quoted(prefix) +
                        " > " + quoted(installLog) + " 2>&1") == 0,
                    test::readFile(installLog));

    for (const char* file : {"bin/genmon", "bin/genmon-sim", "share/genmon/themes/dark.json", "share/genmon/themes/light.json",
                             "share/genmon/layout/default.json", "share/genmon/icons/genmon.svg",
                             "share/icons/hicolor/scalable/apps/genmon.svg", "share/applications/genmon.desktop"}) {
        const std::string path = file;
        CAPTURE(path);
        CHECK(fs::is_regular_file(prefix / file));
    }
    for (int size : app::kIconSizes) {
        const std::string px = std::to_string(size);
        CHECK(fs::is_regular_file(prefix / "share/genmon/icons" / ("genmon-" + px + ".png")));
        const fs::path hicolor = prefix / "share/icons/hicolor" / (px + "x" + px) / "apps/genmon.png";
        REQUIRE(fs::is_regular_file(hicolor));
        const auto icon = platform::readPng(hicolor.string());
        REQUIRE(icon.ok());
        CHECK(icon->width == size);
    }
    CHECK_FALSE(fs::exists(prefix / "share/genmon/genmon.desktop"));  // it goes to applications/ only

    const fs::path genmon = prefix / "bin/genmon";
    const fs::path version = logs / "version.txt";
    REQUIRE(run(quoted(genmon) + " --version > " + quoted(version) + " 2>&1") == 0);
    CHECK(test::readFile(version).find("genmon ") == 0);

    // The installed program, run from its prefix with no GENMON_ASSETS_DIR: the golden's pixels.
    const fs::path fixture = fs::path(GENMON_SOURCE_DIR) / "tests/screenshots/fixtures/light_theme.json";
    const fs::path golden = fs::path(GENMON_SOURCE_DIR) / "tests/screenshots/golden/light_theme.png";
    const fs::path shot = logs / "light_theme.png";
    const fs::path err = logs / "screenshot-stderr.txt";
    const std::string env = "env -u GENMON_ASSETS_DIR -u DISPLAY -u WAYLAND_DISPLAY LIBGL_ALWAYS_SOFTWARE=1 GALLIUM_DRIVER=llvmpipe ";
    REQUIRE(run(env + quoted(genmon) + " --fixture " + quoted(fixture) + " --screenshot " + quoted(shot) + " > /dev/null 2> " +
                quoted(err)) == 0);
    CHECK_MESSAGE(test::readFile(err).empty(), test::readFile(err));
    const auto expected = platform::readPng(golden.string());
    const auto actual = platform::readPng(shot.string());
    REQUIRE(expected.ok());
    REQUIRE(actual.ok());
    const auto diff = platform::compareImages(expected.value(), actual.value(), {0, 0});
    CHECK_MESSAGE(diff.pass, diff.differingPixels << " pixels differ from the golden");

    // It read the installed files: one removed there is missed, by its installed path.
    fs::remove(prefix / "share/genmon/themes/light.json");
    REQUIRE(run(env + quoted(genmon) + " --fixture " + quoted(fixture) + " --screenshot " + quoted(shot) + " > /dev/null 2> " +
                quoted(err)) == 0);
    const std::string said = test::readFile(err);
    CHECK_MESSAGE(said.find((prefix / "share/genmon/themes/light.json").string() + ": no such file") != std::string::npos, said);
    const auto fallback = platform::readPng(shot.string());
    REQUIRE(fallback.ok());
    CHECK(platform::compareImages(expected.value(), fallback.value(), {0, 0}).pass);  // the built-in theme: same pixels
}
