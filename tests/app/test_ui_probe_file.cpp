// Issue 14.8: the window's test probe (GENMON_UI_PROBE). Off unless the variable names a file;
// the file says what a person could read off the window; it is rewritten only when that changed.
#include <doctest/doctest.h>
#include <imgui.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/ui_probe_file.hpp"
#include "test_support.hpp"

using genmon::app::UiProbeFile;
namespace fs = std::filesystem;

namespace {

std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// One ImGui context for the test (frameDrawn reads the pointer and the keys from its io).
struct ImGuiScope {
    ImGuiScope() { ImGui::CreateContext(); }
    ~ImGuiScope() { ImGui::DestroyContext(); }
};

}  // namespace

TEST_CASE("issue 14.8 probe: off unless GENMON_UI_PROBE names a file") {
    const char* before = std::getenv(UiProbeFile::kEnvVar);
    const std::string saved = before ? before : "";
    ::unsetenv(UiProbeFile::kEnvVar);
    CHECK(UiProbeFile::fromEnvironment() == nullptr);
    ::setenv(UiProbeFile::kEnvVar, "", 1);
    CHECK(UiProbeFile::fromEnvironment() == nullptr);
    ::setenv(UiProbeFile::kEnvVar, "/tmp/probe.json", 1);
    CHECK(UiProbeFile::fromEnvironment() != nullptr);
    if (before)
        ::setenv(UiProbeFile::kEnvVar, saved.c_str(), 1);
    else
        ::unsetenv(UiProbeFile::kEnvVar);
}

TEST_CASE("issue 14.8 probe: the file holds the cursor, selection, dialogs and item rectangles, rewritten only on change") {
    ImGuiScope imgui;
    const fs::path path = genmon::test::outputDir() / "ui_probe_file.json";
    fs::remove(path);
    UiProbeFile file(path.string());

    genmon::ui::UiState st;
    st.cursorJob = "job-2";
    st.selectedJobs = {"job-1", "job-2"};
    st.detailJob = "job-1";
    st.filter = "fox";
    st.showHelp = true;
    st.confirm.kind = genmon::ui::Confirmation::Kind::CancelJobs;
    st.confirm.what = "Cancel 2 jobs?";
    genmon::orchestrator::Snapshot snap;
    snap.isConnected = true;
    file.probe()->items["queue.row:job-2"] = {ImVec2(10.4f, 95.6f), ImVec2(700, 113), "x"};

    file.frameDrawn(st, snap, "genmon — 1 running");
    const std::string json = readAll(path);
    CHECK(json.find("\"cursorJob\": \"job-2\"") != std::string::npos);
    CHECK(json.find("\"detailJob\": \"job-1\"") != std::string::npos);
    CHECK(json.find("\"filter\": \"fox\"") != std::string::npos);
    CHECK(json.find("\"help\": true") != std::string::npos);
    CHECK(json.find("\"confirm\": \"cancelJobs\"") != std::string::npos);
    CHECK(json.find("\"confirmText\": \"Cancel 2 jobs?\"") != std::string::npos);
    CHECK(json.find("\"connected\": true") != std::string::npos);
    CHECK(json.find("\"queue.row:job-2\"") != std::string::npos);
    CHECK(json.find("\"job-1\",") != std::string::npos);  // the selection, in order
    CHECK_FALSE(fs::exists(path.string() + ".tmp"));       // written beside, then renamed

    // The same state again: nothing is written (the file removed stays removed).
    fs::remove(path);
    file.frameDrawn(st, snap, "genmon — 1 running");
    CHECK_FALSE(fs::exists(path));
    // A change: written again.
    st.cursorJob = "job-3";
    file.frameDrawn(st, snap, "genmon — 1 running");
    REQUIRE(fs::exists(path));
    CHECK(readAll(path).find("\"cursorJob\": \"job-3\"") != std::string::npos);
}
