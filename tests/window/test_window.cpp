// Real-window tests (issue 14.8): the real genmon binary on a real X server (Xvfb, started by
// the test), against the real genmon-sim, driven with real X key and mouse events. Each test
// checks what a person would see or what the backend did: genmon-sim's state over HTTP, the
// picture, and genmon's UI probe file (window_harness.hpp).
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "window_harness.hpp"

using namespace genmon::wintest;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::string fileText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Presses j until the cursor is on `index` (the first j puts it on the first row).
void cursorTo(Session& s, const std::vector<std::string>& rows, size_t index) {
    for (size_t i = 0; i <= index; ++i) {
        s.key("j");
        s.waitUi([&](const UiView& v) { return v.cursorJob == rows[i]; }, "the cursor is on row " + std::to_string(i));
    }
}

// The index of a row whose job is queued in genmon-sim (not the one job it is rendering), from
// the second row on, so that a cancel really has something to cancel in the backend.
size_t queuedRow(Session& s, const std::vector<std::string>& rows) {
    const auto jobs = s.sim().activeJobs();
    for (size_t i = 1; i < rows.size(); ++i)
        for (const auto& j : jobs)
            if (j.id == rows[i] && j.status == "queued") return i;
    FAIL("genmon-sim has no queued job among the rows");
    return 0;
}

// Share of pixels in r that differ from r's most common colour: how much is drawn there.
double inkShare(const Picture& p, Rect r) {
    std::map<uint32_t, size_t> counts;
    for (int y = r.y0; y < r.y1; ++y)
        for (int x = r.x0; x < r.x1; ++x) {
            const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(p.width) + static_cast<size_t>(x)) * 4;
            ++counts[(uint32_t(p.rgba[i]) << 16) | (uint32_t(p.rgba[i + 1]) << 8) | p.rgba[i + 2]];
        }
    const auto background = std::max_element(counts.begin(), counts.end(),
                                              [](const auto& a, const auto& b) { return a.second < b.second; });
    Picture flat = p;
    for (int y = r.y0; y < r.y1; ++y)
        for (int x = r.x0; x < r.x1; ++x) {
            const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(p.width) + static_cast<size_t>(x)) * 4;
            flat.rgba[i] = static_cast<uint8_t>(background->first >> 16);
            flat.rgba[i + 1] = static_cast<uint8_t>(background->first >> 8);
            flat.rgba[i + 2] = static_cast<uint8_t>(background->first);
        }
    return differingShare(p, flat, r);
}

// A tap acts within a frame or two, or never: no need to wait the full action deadline.
constexpr Clock::duration kTapDeadline = 10s;

// The middle of genmon's 1440x900 window: where centred overlays and dialogs appear.
constexpr Rect kCentre{720 - 120, 450 - 70, 720 + 120, 450 + 70};

}  // namespace

TEST_CASE("issue 14.8: clicking a queue row selects it and shows it in the detail pane") {
    Session s("click_row");
    const UiView before = s.ui();
    const auto rows = before.rowsTopDown();
    const std::string target = rows.at(2);
    REQUIRE(before.selectedJobs.empty());
    REQUIRE(before.item("detail.backendId") == nullptr);  // no job shown yet

    s.clickItem("queue.row:" + target);
    const UiView after = s.waitUi(
        [&](const UiView& v) {
            const ProbeItem* shown = v.item("detail.backendId");
            return !v.selectedJobs.empty() && shown && shown->text == target;
        },
        "the clicked row is selected and its job is in the detail pane");
    CHECK(after.selectedJobs == std::set<std::string>{target});
    CHECK(after.cursorJob == target);
    CHECK(after.detailJob == target);
    CHECK(after.focus == "queue");
}

TEST_CASE("issue 14.8: j and k move the keyboard cursor one row down and one row up") {
    Session s("j_and_k");
    const auto rows = s.ui().rowsTopDown();
    REQUIRE(s.ui().cursorJob.empty());
    cursorTo(s, rows, 2);  // j, j, j: rows 0, 1, 2
    s.key("k");
    const UiView v = s.waitUi([&](const UiView& u) { return u.cursorJob == rows[1]; }, "k moved the cursor up to row 1");
    CHECK(v.selectedJobs.empty());  // the cursor moves; it does not select
}

TEST_CASE("issue 14.8: Enter opens the detail of the job under the cursor") {
    Session s("enter_detail");
    const auto rows = s.ui().rowsTopDown();
    cursorTo(s, rows, 1);
    REQUIRE(s.ui().detailJob.empty());
    s.key("Return");
    const UiView v = s.waitUi(
        [&](const UiView& u) {
            const ProbeItem* shown = u.item("detail.backendId");
            return shown && shown->text == rows[1];
        },
        "the detail pane shows the cursor's job");
    CHECK(v.detailJob == rows[1]);
    CHECK(v.isOpen("detail"));
}

TEST_CASE("issue 14.8: c then Enter cancels the cursor's job in genmon-sim") {
    Session s("cancel_enter");
    const auto rows = s.ui().rowsTopDown();
    const size_t index = queuedRow(s, rows);
    const std::string job = rows[index];
    cursorTo(s, rows, index);
    s.key("c");
    const UiView asking = s.waitUi([](const UiView& v) { return v.confirm == "cancelJobs"; }, "c asks to confirm");
    CHECK(asking.confirmText.find(job.substr(0, 8)) != std::string::npos);
    CHECK(s.sim().jobStatus(job) == "queued");  // nothing is cancelled before the answer

    s.key("Return");
    s.waitUi([](const UiView& v) { return v.confirm.empty(); }, "Enter closed the confirmation");
    std::string status;
    waitUntil([&] { return (status = s.sim().jobStatus(job)) == "cancelled"; }, kActionDeadline);
    CHECK_MESSAGE(status == "cancelled", "genmon-sim says the job is " << status);
    const UiView after = s.waitUi([&](const UiView& v) { return v.item("queue.row:" + job) == nullptr; },
                                  "the cancelled job left genmon's queue");
    CHECK(after.activeJobs == rows.size() - 1);
}

TEST_CASE("issue 14.8: c then clicking Yes cancels the cursor's job in genmon-sim") {
    Session s("cancel_click_yes");
    const auto rows = s.ui().rowsTopDown();
    const size_t index = queuedRow(s, rows);
    const std::string job = rows[index];
    cursorTo(s, rows, index);
    s.key("c");
    s.waitUi([](const UiView& v) { return v.confirm == "cancelJobs"; }, "c asks to confirm");
    s.clickItem("confirm.yes");
    s.waitUi([](const UiView& v) { return v.confirm.empty(); }, "clicking Yes closed the confirmation");
    std::string status;
    waitUntil([&] { return (status = s.sim().jobStatus(job)) == "cancelled"; }, kActionDeadline);
    CHECK_MESSAGE(status == "cancelled", "genmon-sim says the job is " << status);
    // The others are untouched.
    for (const auto& other : rows)
        if (other != job) CHECK(s.sim().jobStatus(other) != "cancelled");
}

TEST_CASE("issue 14.8: / then typing filters the queue to the matching jobs") {
    Session s("filter");
    const UiView before = s.ui();
    const auto rows = before.rowsTopDown();
    std::set<std::string> lighthouses;
    for (const auto& [prompt, id] : s.jobIdsByPrompt())
        if (prompt.find("lighthouse") != std::string::npos) lighthouses.insert(id);
    REQUIRE(lighthouses.size() == 2);
    // Where rows 3 to 8 are drawn now: after filtering, nothing should be drawn there.
    const ProbeItem* third = before.item("queue.row:" + rows.at(2));
    const ProbeItem* last = before.item("queue.row:" + rows.back());
    REQUIRE((third && last));
    const Rect belowTwoRows{third->x0, third->y0, third->x1, last->y1};
    const Picture unfiltered = s.screenshot("unfiltered");

    s.key("slash");
    s.waitUi([](const UiView& v) { return v.textInput; }, "/ gave the filter field the keyboard");
    s.type("lighthouse");
    const UiView filtered = s.waitUi(
        [](const UiView& v) { return v.appliedFilter == "lighthouse" && v.queueRows == 2 && v.rowsTopDown().size() == 2; },
        "the queue shows only the two lighthouse jobs");
    CHECK(filtered.filter == "lighthouse");
    const auto shown = filtered.rowsTopDown();
    CHECK(std::set<std::string>(shown.begin(), shown.end()) == lighthouses);
    CHECK_FALSE(filtered.isOpen("inspector"));  // the i of "lighthouse" went to the field, not the shortcut

    // The picture: the rows below the second are gone.
    const Picture narrowed = s.screenshot("filtered");
    const double inkBefore = inkShare(unfiltered, belowTwoRows), inkAfter = inkShare(narrowed, belowTwoRows);
    MESSAGE("drawn in rows 3-8: " << inkBefore * 100 << " % before the filter, " << inkAfter * 100 << " % after");
    CHECK(inkBefore > 0.05);
    CHECK(inkAfter < inkBefore / 4);
}

TEST_CASE("issue 14.8: ? opens the shortcuts overlay and Escape closes it") {
    Session s("help_overlay");
    const Picture closed = s.screenshot("before");
    s.key("question");
    s.waitUi([](const UiView& v) { return v.isOpen("help"); }, "? opened the shortcuts overlay");
    const Picture open = s.screenshot("help");  // a frame later: the overlay has its size and place
    s.key("Escape");
    s.waitUi([](const UiView& v) { return !v.isOpen("help"); }, "Escape closed the shortcuts overlay");
    const Picture closedAgain = s.screenshot("after");

    const double opened = differingShare(closed, open, kCentre), reclosed = differingShare(closed, closedAgain, kCentre);
    MESSAGE("the centre differs by " << opened * 100 << " % with the overlay, " << reclosed * 100 << " % after Escape");
    CHECK(opened > 0.05);
    CHECK(reclosed < 0.01);
}

TEST_CASE("issue 14.8 (14.6): a 0 ms tap of j moves the cursor exactly once") {
    Session s("tap_0ms");
    const auto rows = s.ui().rowsTopDown();
    REQUIRE(s.ui().cursorJob.empty());
    s.tapZeroMs("j");  // down and up reach genmon together, between two frames
    s.waitUi([&](const UiView& v) { return !v.cursorJob.empty(); }, "the 0 ms tap of j moved the cursor", kTapDeadline);
    // A barrier: once a later key has acted, every frame that could still act on the tap is done.
    s.key("question");
    const UiView v = s.waitUi([](const UiView& u) { return u.isOpen("help"); }, "? opened the overlay after the tap");
    CHECK_MESSAGE(v.cursorJob == rows[0], "one tap moved the cursor to " << v.cursorJob << ", not to the first row "
                                                                          << rows[0]);
}

// Enter and Escape are read as held keys (not as typed characters like j), so a tap that ends
// before the next frame is the case the issue saw lost.
TEST_CASE("issue 14.8 (14.6): a 0 ms tap of Enter opens the detail, a 0 ms tap of Escape closes the overlay") {
    Session s("tap_0ms_enter_escape");
    const auto rows = s.ui().rowsTopDown();
    cursorTo(s, rows, 1);
    REQUIRE(s.ui().detailJob.empty());
    s.tapZeroMs("Return");
    s.waitUi([&](const UiView& v) { return v.detailJob == rows[1]; }, "the 0 ms tap of Enter opened the detail",
             kTapDeadline);
    s.key("question");
    s.waitUi([](const UiView& v) { return v.isOpen("help"); }, "? opened the shortcuts overlay");
    s.tapZeroMs("Escape");
    s.waitUi([](const UiView& v) { return !v.isOpen("help"); }, "the 0 ms tap of Escape closed the overlay",
             kTapDeadline);
}

TEST_CASE("issue 14.8: an 80 ms press of j moves the cursor exactly once") {
    Session s("hold_80ms");
    const auto rows = s.ui().rowsTopDown();
    REQUIRE(s.ui().cursorJob.empty());
    s.hold("j", 80);  // far shorter than key repeat (X by default: 660 ms; ImGui for Enter, arrows: 275 ms)
    s.waitUi([&](const UiView& v) { return !v.cursorJob.empty(); }, "the 80 ms press of j moved the cursor");
    s.key("question");
    const UiView v = s.waitUi([](const UiView& u) { return u.isOpen("help"); }, "? opened the overlay after the press");
    CHECK_MESSAGE(v.cursorJob == rows[0], "one press moved the cursor to " << v.cursorJob << ", not to the first row "
                                                                            << rows[0]);
}

namespace {

// The way out: what must be on disk after genmon ends, whichever way it was asked to.
void checkSavedOnExit(Session& s, const fs::path& recording) {
    const fs::path settings = s.configDir() / "settings.json";
    CHECK_MESSAGE(fs::exists(settings), "no " << settings.string());
    CHECK_MESSAGE(fileText(settings).find(s.sim().baseUrl()) != std::string::npos,
                  "settings.json does not remember the backend:\n" << fileText(settings));
    CHECK_MESSAGE(fs::exists(s.configDir() / "imgui.ini"), "no imgui.ini (the layout) in " << s.configDir().string());
    const auto rec = lines(recording);
    REQUIRE_MESSAGE(!rec.empty(), "the recording " << recording.string() << " is empty");
    CHECK(rec.front().find("genmon_recording") != std::string::npos);
    CHECK_MESSAGE(rec.back().find("\"kind\":\"end\"") != std::string::npos,
                  "the recording's last line is not its end: " << rec.back());
    CHECK(std::count_if(rec.begin(), rec.end(), [](const std::string& l) { return l.find("\"http\"") != std::string::npos; }) > 0);
}

// Removes what genmon may have saved while it ran (ImGui writes its layout a few seconds after a
// change), so that what is found afterwards was written on the way out.
void forgetSavedFiles(Session& s) {
    fs::remove(s.configDir() / "settings.json");
    fs::remove(s.configDir() / "imgui.ini");
}

}  // namespace

TEST_CASE("issue 14.8 (14.2): Ctrl+C (SIGINT) saves settings and a complete recording, exit status 130 within 3 s") {
    const fs::path recording = genmon::test::outputDir() / "window" / "sigint" / "session.jsonl";
    Session s("sigint", {{"--record", recording.string()}});  // the session starts from an empty folder
    s.key("j");  // something happened in the window
    s.waitUi([](const UiView& v) { return !v.cursorJob.empty(); }, "j moved the cursor");
    forgetSavedFiles(s);

    REQUIRE(s.genmon().signal(SIGINT));
    // The bound (14.2: an orderly shutdown within 3 s), not a speed figure.
    const auto status = s.genmon().waitExit(3s);
    REQUIRE_MESSAGE(status.has_value(), "genmon still runs 3 s after SIGINT; its log:\n" << s.genmonLog());
    CHECK_MESSAGE((WIFEXITED(*status) && WEXITSTATUS(*status) == 130),
                  "after SIGINT genmon " << describeStatus(*status) << ", expected exited 130");
    checkSavedOnExit(s, recording);
}

TEST_CASE("issue 14.8 (14.2): closing the window saves settings and a complete recording, exit status 0") {
    const fs::path recording = genmon::test::outputDir() / "window" / "close_window" / "session.jsonl";
    Session s("close_window", {{"--record", recording.string()}});
    forgetSavedFiles(s);

    s.closeWindow();  // WM_DELETE_WINDOW, as a window manager's close button
    const auto status = s.genmon().waitExit(3s);
    REQUIRE_MESSAGE(status.has_value(), "genmon still runs 3 s after its window was closed; its log:\n" << s.genmonLog());
    CHECK_MESSAGE((WIFEXITED(*status) && WEXITSTATUS(*status) == 0),
                  "after the window closed genmon " << describeStatus(*status) << ", expected exited 0");
    checkSavedOnExit(s, recording);
}

TEST_CASE("issue 14.2: the layout is on disk while genmon runs, so a SIGKILL keeps it") {
    Session s("layout_saved_live");  // a fresh config folder: every panel is new to ImGui's layout
    const fs::path ini = s.configDir() / "imgui.ini";
    // ImGui asks for a save 5 s (IniSavingRate) after a change; the sim's progress keeps frames coming.
    const bool saved = waitUntil([&] { return fileText(ini).find("[Window][Queue") != std::string::npos; }, 20s);
    CHECK_MESSAGE(saved, "no layout in " << ini.string() << " 20 s after the panels appeared; genmon's log:\n"
                                         << s.genmonLog());
    REQUIRE(s.genmon().signal(SIGKILL));
    REQUIRE(s.genmon().waitExit(3s).has_value());
    CHECK(fileText(ini).find("[Window][Queue") != std::string::npos);
    // Written whole through the atomic writer: no temporary file left beside it.
    for (const auto& entry : fs::directory_iterator(s.configDir()))
        CHECK_MESSAGE(entry.path().filename().string().find(".tmp-") == std::string::npos, entry.path().string());
}

TEST_CASE("issue 18.1: the window records every job it sees into the history file, and --no-history records none") {
    Session s("history_on");
    const size_t queued = sessionPrompts().size();
    s.waitUi([&](const UiView& v) { return v.queueRows >= queued; }, "every queued job is listed");
    s.closeWindow();  // the 3 s bound of an orderly exit is the shutdown tests' business
    const auto status = s.genmon().waitExit(15s);
    REQUIRE_MESSAGE(status.has_value(), "genmon still runs 15 s after its window was closed; its log:\n" << s.genmonLog());
    CHECK_MESSAGE((WIFEXITED(*status) && WEXITSTATUS(*status) == 0),
                  "genmon " << describeStatus(*status) << "; its log:\n" << s.genmonLog());
    // The default place under the session's private XDG_STATE_HOME, read back by the script command.
    const fs::path db = s.dir() / "state" / "genmon" / "history.sqlite3";
    REQUIRE(fs::exists(db));
    const RunResult found = runProgram({GENMON_EXE, "--history-search", "", "--history-db", db.string(), "--json",
                                        "--limit", "1000"},
                                       {}, 30s);
    CHECK_MESSAGE(found.exitCode == 0, "genmon --history-search said:\n" << found.out);
    REQUIRE(s.jobIdsByPrompt().size() == queued);
    for (const auto& [prompt, id] : s.jobIdsByPrompt()) {
        CAPTURE(prompt);
        CHECK(found.out.find("\"" + id + "\"") != std::string::npos);
    }

    Session off("history_off", {{"--no-history"}});
    off.waitUi([&](const UiView& v) { return v.queueRows >= queued; }, "every queued job is listed");
    off.closeWindow();
    REQUIRE(off.genmon().waitExit(15s).has_value());
    CHECK_FALSE(fs::exists(off.dir() / "state" / "genmon" / "history.sqlite3"));
}

TEST_CASE("issue 17.2: with two backends, 0 lists both in one window and c then Enter cancels the second one's job in its own genmon-sim") {
    SessionOptions fleet;
    fleet.secondBackend = true;
    Session s("fleet_all_cancel", fleet);
    const size_t both = sessionPrompts().size() + secondBackendPrompts().size();
    s.key("0");
    const UiView all = s.waitUi([&](const UiView& v) { return v.rowsTopDown().size() == both; },
                                "0 lists both backends' jobs in one queue");
    // In all-backends mode a row is "<backend>/<job id>": the second backend's are "1/...".
    const auto rows = all.rowsTopDown();
    size_t index = rows.size();
    const auto secondJobs = s.sim2().activeJobs();
    for (size_t i = 0; i < rows.size() && index == rows.size(); ++i)
        if (rows[i].rfind("1/", 0) == 0)
            for (const auto& j : secondJobs)
                if (j.id == rows[i].substr(2) && j.status == "queued") index = i;
    REQUIRE_MESSAGE(index < rows.size(), "no row of the second backend is a queued job in its genmon-sim");
    const std::string job = rows[index].substr(2);
    cursorTo(s, rows, index);
    s.key("c");
    const UiView asking = s.waitUi([](const UiView& v) { return v.confirm == "cancelJobs"; }, "c asks to confirm");
    CHECK_MESSAGE(asking.confirmText.find("on two") != std::string::npos, asking.confirmText);  // names the backend
    s.key("Return");
    std::string status;
    waitUntil([&] { return (status = s.sim2().jobStatus(job)) == "cancelled"; }, kActionDeadline);
    CHECK_MESSAGE(status == "cancelled", "the second genmon-sim says the job is " << status);
    for (const auto& j : s.sim().activeJobs()) CHECK(s.sim().jobStatus(j.id) != "cancelled");  // the first is untouched
    s.waitUi([&](const UiView& v) { return v.item("queue.row:1/" + job) == nullptr; }, "the cancelled job left the list");
    s.screenshot("after_cancel");
}
