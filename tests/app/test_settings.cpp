// Issue 6: settings persist under $XDG_CONFIG_HOME/genmon; a broken file never stops genmon.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

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

// ---- issue 14.2: settings are written atomically ---------------------------------------------

namespace {

std::filesystem::path freshDir(const std::string& name) {
    const auto dir = test::outputDir() / (name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

std::vector<std::string> filesIn(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

app::Settings someSettings(int historyLimit) {
    app::Settings s;
    s.urlHistory = {"http://a:8000/api/v1", "http://b:8782/v1"};
    s.historyLimit = historyLimit;
    s.theme = ui::ThemeKind::Light;
    return s;
}

}  // namespace

TEST_CASE("issue 14.2: a settings save that fails half-way leaves the previous file whole and no temporary file") {
    const auto dir = freshDir("settings-fault");
    const std::string path = (dir / "settings.json").string();
    REQUIRE(app::saveSettings(path, someSettings(40)).ok());
    const std::string before = test::readFile(path);

    // The disk fills up after half of the new file was written.
    app::AtomicWriteHooks hooks;
    hooks.atByte = app::encodeSettings(someSettings(120)).size() / 2;
    hooks.midWrite = [] { return model::Error::make(model::ErrorKind::Internal, "write failed: No space left on device"); };
    const auto st = app::saveSettings(path, someSettings(120), &hooks);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message ==
          "cannot save " + path + ": write failed: No space left on device; settings.json is unchanged");
    CHECK(test::readFile(path) == before);
    CHECK(filesIn(dir) == std::vector<std::string>{"settings.json"});
    CHECK(app::loadSettings(path).settings.historyLimit == 40);

    // Without the fault the same save replaces it.
    REQUIRE(app::saveSettings(path, someSettings(120)).ok());
    CHECK(app::loadSettings(path).settings.historyLimit == 120);
    CHECK(filesIn(dir) == std::vector<std::string>{"settings.json"});
}

TEST_CASE("issue 14.2: a process killed in the middle of saving settings leaves the previous file readable") {
    const auto dir = freshDir("settings-crash");
    const std::string path = (dir / "settings.json").string();
    REQUIRE(app::saveSettings(path, someSettings(40)).ok());
    const std::string before = test::readFile(path);

    // A real crash: a child process is killed with half of the new settings written.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        app::AtomicWriteHooks hooks;
        hooks.atByte = 25;
        hooks.midWrite = [] {
            ::raise(SIGKILL);
            return model::okStatus();
        };
        (void)app::saveSettings(path, someSettings(120), &hooks);
        ::_exit(0);  // not reached
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);

    CHECK(test::readFile(path) == before);
    const auto loaded = app::loadSettings(path);
    CHECK(loaded.warning.empty());
    CHECK(loaded.settings.historyLimit == 40);
    // What the crash left is a hidden temporary file beside it, never settings.json itself.
    for (const auto& name : filesIn(dir)) CHECK((name == "settings.json" || name.rfind(".settings.json.tmp-", 0) == 0));
}

TEST_CASE("issue 14.2: a save that cannot replace the file says why and leaves no temporary file") {
    const auto dir = freshDir("settings-blocked");
    // settings.json is a folder with something in it: rename(2) refuses to replace it.
    std::filesystem::create_directories(dir / "settings.json" / "inside");
    const auto st = app::saveSettings((dir / "settings.json").string(), someSettings(40));
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("cannot save " + (dir / "settings.json").string() + ": rename failed: ") == 0);
    CHECK(filesIn(dir) == std::vector<std::string>{"settings.json"});
}

TEST_CASE("issue 14.2: the next save removes a temporary file a crash left behind, and never one still being written") {
    const auto dir = freshDir("settings-orphans");
    const std::string path = (dir / "settings.json").string();
    REQUIRE(app::saveSettings(path, someSettings(40)).ok());
    // Two leftovers as a crashed save leaves them: one from an hour ago, one from just now (which
    // may be another genmon's save in flight), and an unrelated file with a similar name.
    const auto orphan = dir / ".settings.json.tmp-AbC123";
    const auto inFlight = dir / ".settings.json.tmp-XyZ789";
    const auto unrelated = dir / ".settings.json.tmp-notes.txt";
    for (const auto& file : {orphan, inFlight, unrelated}) std::ofstream(file) << "{\"historyLimit\": 1";
    std::filesystem::last_write_time(orphan, std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));

    REQUIRE(app::saveSettings(path, someSettings(60)).ok());
    CHECK_FALSE(std::filesystem::exists(orphan));
    CHECK(std::filesystem::exists(inFlight));
    CHECK(std::filesystem::exists(unrelated));
    CHECK(app::loadSettings(path).settings.historyLimit == 60);
}

TEST_CASE("issue 17.2: all-backends mode is remembered: settings.json to the UI state and back") {
    app::Settings s;
    CHECK_FALSE(s.allBackends);  // a fleet opens focused on its first backend by default
    ui::UiState st;
    app::applySettings(s, st);
    CHECK_FALSE(st.allBackends);
    st.allBackends = true;  // the person pressed 0
    app::captureSettings(st, s);
    const auto path = (test::outputDir() / "settings_all_backends" / "settings.json").string();
    REQUIRE(app::saveSettings(path, s).ok());
    const auto loaded = app::loadSettings(path);
    CHECK(loaded.warning.empty());
    REQUIRE(loaded.settings.allBackends);
    ui::UiState next;
    app::applySettings(loaded.settings, next);
    CHECK(next.allBackends);
}
