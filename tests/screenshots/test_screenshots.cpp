// Issue 7: the screenshot regression suite. Each test renders one fixture
// (tests/screenshots/fixtures/<name>.json, format in docs/fixtures.md) offscreen, exactly as
// `genmon --screenshot out.png --fixture FILE` does (the fixture's "now", a fixed DeltaTime, no
// ini file, llvmpipe), and compares it with tests/screenshots/golden/<name>.png.
//
//   a failure writes <build>/tests/output/screenshots/<name>/{actual,diff}.png and names them;
//   GENMON_UPDATE_GOLDEN=1 ctest -L screenshot      rewrites the goldens instead (look at them!);
//   a missing golden fails and says how to make it.
//
// Every test case is its own process under ctest (doctest_discover_tests), so each render has
// its own EGL context and parallel runs cannot disturb each other.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "app/fixture.hpp"
#include "app/gui.hpp"
#include "app/replay_session.hpp"
#include "platform/image_diff.hpp"
#include "platform/png.hpp"
#include "test_support.hpp"

using namespace genmon;
namespace fs = std::filesystem;

namespace {

// How close a render must be to its golden. On one machine renders are byte-identical run to
// run (the CLI test below checks exact equality); the tolerance is for another Mesa/LLVM build,
// whose drift is a few levels of anti-aliasing or texture filtering: the channel threshold (24)
// absorbs that. The share is kept below what one changed character moves (measured on the
// 1440x900 "reconnecting" fixture: "3.1 jobs/min" -> "3.2" moves 33 pixels, a changed word in a
// queue row 673, progress 62% -> 63% 944), so even a one-digit regression fails: 0.002% is 26
// pixels at 1440x900. A fixture that drifts on some machine can get its own options.
constexpr platform::DiffOptions kDefaultDiff{24, 0.00002};

fs::path screenshotsDir() { return fs::path(GENMON_SOURCE_DIR) / "tests" / "screenshots"; }
fs::path fixturePath(const std::string& name) { return screenshotsDir() / "fixtures" / (name + ".json"); }
fs::path goldenPath(const std::string& name) { return screenshotsDir() / "golden" / (name + ".png"); }
fs::path outputFor(const std::string& name) { return test::outputDir() / "screenshots" / name; }

bool updateRequested() {
    const char* v = std::getenv("GENMON_UPDATE_GOLDEN");
    return v && *v && std::string(v) != "0";
}

std::string errorText(const model::Error& e) { return e.message; }

// The render `genmon --screenshot OUT --fixture FILE` makes (src/app/main.cpp, screenshot()).
model::Image renderFixture(const fs::path& path) {
    auto fixture = app::loadFixture(path.string());
    REQUIRE_MESSAGE(fixture.ok(), (fixture.ok() ? std::string() : errorText(fixture.error())));
    app::FrameSource source = app::fixtureSource(fixture.value());
    app::NullCommands commands;
    app::OffscreenRun run;
    run.width = fixture->width;
    run.height = fixture->height;
    run.prepare = [&fixture](ui::UiState& st) { st = fixture.value().ui; };
    auto image = app::renderOffscreen(source, commands, run);
    REQUIRE_MESSAGE(image.ok(), (image.ok() ? std::string() : "cannot render offscreen: " + errorText(image.error())));
    return std::move(image).value();
}

void writeOrFail(const fs::path& path, const model::Image& image) {
    fs::create_directories(path.parent_path());
    const auto written = platform::writePng(path.string(), image);
    REQUIRE_MESSAGE(written.ok(), (written.ok() ? std::string() : errorText(written.error())));
}

// The command that rewrites one golden: this test binary, filtered to the test case.
std::string updateCommand(const std::string& title) {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return "GENMON_UPDATE_GOLDEN=1 " + (ec ? std::string("test_screenshots") : self.string()) + " -tc='" + title +
           "'  (every golden: GENMON_UPDATE_GOLDEN=1 ctest -L screenshot)";
}

// The render `genmon --replay FILE --screenshot OUT` makes: the state at the recording's end,
// on the replay's virtual clock (issue 10).
model::Image renderReplay(const fs::path& path) {
    auto session = app::ReplaySession::open(path.string());
    REQUIRE_MESSAGE(session.ok(), (session.ok() ? std::string() : errorText(session.error())));
    auto& replay = *session.value();
    replay.runToEnd();
    app::FrameSource source{[&replay] { return replay.snapshots().acquire(); }, [&replay] { return replay.nowMicros(); },
                            [&replay] { return replay.events().drain(); }, [] { return int64_t{0}; },
                            &replay.exchanges()};
    app::NullCommands commands;
    app::OffscreenRun run;
    auto image = app::renderOffscreen(source, commands, run);
    replay.shutdown();
    REQUIRE_MESSAGE(image.ok(), (image.ok() ? std::string() : "cannot render offscreen: " + errorText(image.error())));
    return std::move(image).value();
}

void checkRendered(const std::string& name, const std::string& title, const platform::DiffOptions& options,
                   const model::Image& actual);

// Renders fixtures/<name>.json and compares it with golden/<name>.png.
void checkGolden(const std::string& name, const std::string& title, const platform::DiffOptions& options) {
    checkRendered(name, title, options, renderFixture(fixturePath(name)));
}

// Compares a render with golden/<name>.png (or rewrites the golden when asked to).
void checkRendered(const std::string& name, const std::string& title, const platform::DiffOptions& options,
                   const model::Image& actual) {
    const fs::path golden = goldenPath(name);
    const fs::path out = outputFor(name);
    std::error_code ignored;
    fs::remove_all(out, ignored);  // no stale actual.png from an earlier failure

    if (updateRequested()) {
        writeOrFail(golden, actual);
        MESSAGE("GENMON_UPDATE_GOLDEN: wrote " << golden.string() << " (" << actual.width << "x" << actual.height
                                               << "); look at it before committing");
        return;
    }
    if (!fs::exists(golden)) {
        writeOrFail(out / "actual.png", actual);
        FAIL("no golden image " << golden.string() << ".\n  The render is in " << (out / "actual.png").string()
                                << ".\n  To create the golden: " << updateCommand(title)
                                << "\n  then open the PNG and check it before committing.");
    }
    const auto expected = platform::readPng(golden.string());
    REQUIRE_MESSAGE(expected.ok(), (expected.ok() ? std::string() : errorText(expected.error())));
    const platform::DiffResult diff = platform::compareImages(expected.value(), actual, options);
    if (diff.pass) {
        if (diff.maxChannelDelta > 0)  // within tolerance, but not the golden's pixels: say so
            MESSAGE("'" << name << "' passes with " << diff.differingPixels << " pixels over the threshold (largest delta "
                        << diff.maxChannelDelta << ")");
        return;
    }

    writeOrFail(out / "actual.png", actual);
    std::ostringstream why;
    if (!diff.sameSize) {
        why << "size changed: golden " << expected->width << "x" << expected->height << ", render " << actual.width << "x"
            << actual.height;
    } else {
        writeOrFail(out / "diff.png", diff.diff);
        why << diff.differingPixels << " of " << diff.totalPixels << " pixels differ ("
            << diff.differingShare() * 100.0 << "%, allowed " << options.maxDifferingShare * 100.0
            << "%; channel threshold " << options.channelThreshold << ", largest delta " << diff.maxChannelDelta << ")";
    }
    FAIL_CHECK("screenshot '" << name << "' does not match its golden: " << why.str() << "\n  golden: "
                              << golden.string() << "\n  actual: " << (out / "actual.png").string()
                              << (diff.sameSize ? "\n  diff:   " + (out / "diff.png").string() + " (magenta: changed)" : "")
                              << "\n  If the change is intended: " << updateCommand(title)
                              << "\n  then look at the new PNG.");
}

// Runs a command through the shell; its exit code, or -1 when it did not exit normally.
int run(const std::string& command) {
    const int status = std::system(command.c_str());
    if (status == -1 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

std::string quoted(const fs::path& p) {
    std::string q = "'";  // built step by step: GCC 12 misreads "'" + s + "'" as an overlapping copy
    q += p.string();
    q += '\'';
    return q;
}

}  // namespace

// ---- one golden per UI state (docs/fixtures.md) ------------------------------------------------
// Titles carry no ',' or quote: they are pasted into -tc='...' filters and shell commands.
#define GOLDEN_TEST(title, name, options) \
    TEST_CASE(title) { checkGolden(name, title, options); }

GOLDEN_TEST("issue 7 golden: first start while connecting with no data yet", "first_start", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: disconnected with connection refused and a retry countdown", "disconnected", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: reconnecting with backoff countdown and amber stale data", "reconnecting", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: long outage with the data age in red", "reconnecting_stale", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: busy queue with every status", "busy_queue", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: 10000-job queue scrolled to the middle", "queue_10k", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: results grid with thumbnails and loading and failed images", "results_grid", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: results list mode", "results_list", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: system status healthy with two GPUs", "system_healthy", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: system status warning with the backend warnings", "system_warning", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: system status unavailable (404)", "system_unavailable", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: system status error", "system_error", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: generate form with a validation error", "generate_validation", kDefaultDiff)
GOLDEN_TEST("issue 14.5 golden: at most three toasts newest on top, failures merged x6, two more in Notifications", "toasts", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: job detail of a failed job with its error", "detail_failed", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: keyboard shortcuts overlay", "help_overlay", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: clear-queue confirmation dialog", "confirm_clear_queue", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: narrow window 800x600", "narrow_800x600", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: wide window 1920x1080", "wide_1920x1080", kDefaultDiff)
GOLDEN_TEST("issue 7 golden: light theme", "light_theme", kDefaultDiff)
GOLDEN_TEST("issue 10 golden: transport inspector with a selected exchange", "inspector_selected", kDefaultDiff)

// A recording of genmon-sim --scenario busy (fixtures/replay_busy.jsonl, trimmed to 4.5 s)
// replayed to its end: the REPLAY badge, the queue, thumbnails and status as recorded.
TEST_CASE("issue 10 golden: a replayed recording") {
    const std::string title = "issue 10 golden: a replayed recording";
    const model::Image first = renderReplay(screenshotsDir() / "fixtures" / "replay_busy.jsonl");
    const model::Image second = renderReplay(screenshotsDir() / "fixtures" / "replay_busy.jsonl");
    CHECK_MESSAGE(first.rgba == second.rgba, "two replays of the same recording render differently");
    checkRendered("replay_busy", title, kDefaultDiff, first);
}
GOLDEN_TEST("issue 10 golden: live metrics sparklines", "live_metrics", kDefaultDiff)
GOLDEN_TEST("issue 10 golden: timeline with running queued completed and failed lanes", "timeline", kDefaultDiff)
GOLDEN_TEST("issue 14.5 golden: the Notifications panel keeps every toast with times and counts", "notifications", kDefaultDiff)

// Issue 17.2: a fleet of two backends (the busy_queue and results_grid fixtures, gpu-1 focused)
// in all-backends mode: the Fleet panel's All row, the queue and results of both with a Backend
// column and labels, the status bar's fleet segment. Fixtures hold one backend, so the fleet is
// made here from two of them.
TEST_CASE("issue 17.2 golden: all-backends mode over two backends with a Backend column") {
    const std::string title = "issue 17.2 golden: all-backends mode over two backends with a Backend column";
    auto a = app::loadFixture(fixturePath("busy_queue").string());
    auto b = app::loadFixture(fixturePath("results_grid").string());
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    std::vector<ui::FleetRow> rows(2);
    rows[0].name = "gpu-1";
    rows[0].url = a->snapshot->backendUrl;
    rows[0].snapshot = a->snapshot;
    rows[0].focused = true;
    rows[1].name = "gpu-2";
    rows[1].url = b->snapshot->backendUrl;
    rows[1].snapshot = b->snapshot;
    app::FrameSource source = app::fixtureSource(a.value());
    source.fleet = [rows] { return rows; };
    app::NullCommands commands;
    app::OffscreenRun run;
    run.width = a->width;
    run.height = a->height;
    run.prepare = [&a](ui::UiState& st) {
        st = a.value().ui;
        st.allBackends = true;
    };
    auto image = app::renderOffscreen(source, commands, run);
    REQUIRE(image.ok());
    const model::Image first = image.value();
    image = app::renderOffscreen(source, commands, run);
    REQUIRE(image.ok());
    CHECK_MESSAGE(first.rgba == image.value().rgba, "two renders of the same fleet differ");
    checkRendered("fleet_all", title, kDefaultDiff, first);
}

// ---- the real binary ---------------------------------------------------------------------------

TEST_CASE("issue 7 screenshots: genmon --fixture --screenshot writes the same pixels as the in-process render") {
    const fs::path fixture = fixturePath("busy_queue");
    const fs::path out = outputFor("cli_fixture") / "busy_queue.png";
    fs::create_directories(out.parent_path());
    std::error_code ignored;
    fs::remove(out, ignored);
    const std::string command =
        quoted(GENMON_EXE) + " --fixture " + quoted(fixture) + " --screenshot " + quoted(out) + " >/dev/null";
    REQUIRE_MESSAGE(run(command) == 0, command);
    const auto written = platform::readPng(out.string());
    REQUIRE_MESSAGE(written.ok(), (written.ok() ? std::string() : errorText(written.error())));
    const model::Image inProcess = renderFixture(fixture);
    CHECK(written->width == inProcess.width);
    CHECK(written->height == inProcess.height);
    CHECK_MESSAGE(written->rgba == inProcess.rgba, "the binary's PNG differs from the in-process render of the same fixture");
}

TEST_CASE("issue 10 screenshots: genmon --replay --screenshot writes the same pixels as the in-process replay") {
    const fs::path recording = screenshotsDir() / "fixtures" / "replay_busy.jsonl";
    const fs::path out = outputFor("cli_replay") / "replay_busy.png";
    fs::create_directories(out.parent_path());
    std::error_code ignored;
    fs::remove(out, ignored);
    const std::string command =
        quoted(GENMON_EXE) + " --replay " + quoted(recording) + " --screenshot " + quoted(out) + " >/dev/null";
    REQUIRE_MESSAGE(run(command) == 0, command);
    const auto written = platform::readPng(out.string());
    REQUIRE_MESSAGE(written.ok(), (written.ok() ? std::string() : errorText(written.error())));
    CHECK_MESSAGE(written->rgba == renderReplay(recording).rgba, "the binary's replay differs from the in-process one");
    // A recording that does not exist: one line, exit 1.
    const std::string missing = quoted(GENMON_EXE) + " --replay " + quoted(outputFor("cli_replay") / "none.jsonl") +
                                " --dump-snapshot >/dev/null 2>&1";
    CHECK(run(missing) == 1);
}

TEST_CASE("issue 7 screenshots: genmon --fixture with --size renders at that size") {
    const fs::path out = outputFor("cli_size") / "first_start_640x400.png";
    fs::create_directories(out.parent_path());
    std::error_code ignored;
    fs::remove(out, ignored);
    const std::string command = quoted(GENMON_EXE) + " --fixture " + quoted(fixturePath("first_start")) +
                                " --size 640x400 --screenshot " + quoted(out) + " >/dev/null";
    REQUIRE_MESSAGE(run(command) == 0, command);
    const auto written = platform::readPng(out.string());
    REQUIRE(written.ok());
    CHECK(written->width == 640);
    CHECK(written->height == 400);
}

TEST_CASE("issue 7 screenshots: genmon --demo --screenshot writes a picture of the live demo") {
    // Live data (the embedded simulated backend, a real clock): no golden, only "not blank".
    const fs::path out = outputFor("cli_demo") / "demo.png";
    fs::create_directories(out.parent_path());
    std::error_code ignored;
    fs::remove(out, ignored);
    const std::string command =
        quoted(GENMON_EXE) + " --demo --size 1024x640 --screenshot " + quoted(out) + " >/dev/null";
    REQUIRE_MESSAGE(run(command) == 0, command);
    const auto image = platform::readPng(out.string());
    REQUIRE_MESSAGE(image.ok(), (image.ok() ? std::string() : errorText(image.error())));
    CHECK(image->width == 1024);
    CHECK(image->height == 640);
    std::set<uint32_t> colours;
    for (size_t i = 0; i + 3 < image->rgba.size(); i += 4 * 7)
        colours.insert(uint32_t(image->rgba[i]) << 16 | uint32_t(image->rgba[i + 1]) << 8 | image->rgba[i + 2]);
    // Text, panels and the simulated thumbnails: hundreds of colours, never one flat fill.
    CHECK(colours.size() > 200);
}
