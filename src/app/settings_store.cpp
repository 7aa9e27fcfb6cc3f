#include "app/settings_store.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "protocol/json_writer.hpp"

namespace genmon::app {

namespace fs = std::filesystem;

std::string configDir() {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg == '/') return std::string(xdg) + "/genmon";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.config/genmon";
}
std::string settingsPath() { return configDir() + "/settings.json"; }
std::string imguiIniPath() { return configDir() + "/imgui.ini"; }

std::string encodeSettings(const Settings& s) {
    protocol::JsonWriter w(true);
    w.beginObject();
    w.field("version", 1);
    w.key("urlHistory").beginArray();
    for (const auto& u : s.urlHistory) w.value(u);
    w.endArray();
    w.field("historyLimit", s.historyLimit);
    w.key("polls").beginObject();
    w.field("queueWhileSocketDownMs", s.polls.queueWhileSocketDownMs);
    w.field("queueWhileSocketUpMs", s.polls.queueWhileSocketUpMs);
    w.field("statusMs", s.polls.statusMs);
    w.endObject();
    w.key("panels").beginObject();
    w.field("queue", s.showQueue).field("results", s.showResults).field("system", s.showSystem);
    w.field("detail", s.showDetail).field("generate", s.showGenerate);
    w.field("metrics", s.showMetrics);
    w.field("timeline", s.showTimeline);
    w.endObject();
    w.field("theme", s.theme == ui::ThemeKind::Light ? "light" : "dark");
    w.field("resultsMode", s.resultsMode == ui::ResultsMode::List ? "list" : "grid");
    w.field("metricsWindowMinutes", s.metricsWindowMinutes);
    w.field("timelineWindowMinutes", s.timelineWindowMinutes);
    w.field("dataFramesPerSecond", s.dataFramesPerSecond);
    w.endObject();
    return std::move(w).take();
}

LoadedSettings decodeSettings(const std::string& json) {
    LoadedSettings out;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json).get(root) != simdjson::SUCCESS || !root.is_object()) {
        out.warning = "settings.json is not valid JSON; using the defaults";
        return out;
    }
    Settings& s = out.settings;
    std::vector<std::string> ignored;
    auto readInt = [&](simdjson::dom::element obj, const char* key, int& into, int lo, int hi) {
        int64_t v;
        if (obj[key].get(v) != simdjson::SUCCESS) return;
        if (v < lo || v > hi) {
            ignored.push_back(key);
            return;
        }
        into = static_cast<int>(v);
    };
    auto readBool = [&](simdjson::dom::element obj, const char* key, bool& into) {
        bool v;
        if (obj[key].get(v) == simdjson::SUCCESS) into = v;
    };
    simdjson::dom::array urls;
    if (root["urlHistory"].get(urls) == simdjson::SUCCESS)
        for (auto u : urls) {
            std::string_view sv;
            if (u.get(sv) == simdjson::SUCCESS && !sv.empty() && s.urlHistory.size() < 10) s.urlHistory.emplace_back(sv);
        }
    readInt(root, "historyLimit", s.historyLimit, 1, 200);
    simdjson::dom::element polls;
    if (root["polls"].get(polls) == simdjson::SUCCESS) {
        readInt(polls, "queueWhileSocketDownMs", s.polls.queueWhileSocketDownMs, 250, 600000);
        readInt(polls, "queueWhileSocketUpMs", s.polls.queueWhileSocketUpMs, 250, 600000);
        readInt(polls, "statusMs", s.polls.statusMs, 250, 600000);
    }
    simdjson::dom::element panels;
    if (root["panels"].get(panels) == simdjson::SUCCESS) {
        readBool(panels, "queue", s.showQueue);
        readBool(panels, "results", s.showResults);
        readBool(panels, "system", s.showSystem);
        readBool(panels, "detail", s.showDetail);
        readBool(panels, "generate", s.showGenerate);
        readBool(panels, "metrics", s.showMetrics);
        readBool(panels, "timeline", s.showTimeline);
    }
    std::string_view theme, mode;
    if (root["theme"].get(theme) == simdjson::SUCCESS) s.theme = theme == "light" ? ui::ThemeKind::Light : ui::ThemeKind::Dark;
    if (root["resultsMode"].get(mode) == simdjson::SUCCESS)
        s.resultsMode = mode == "list" ? ui::ResultsMode::List : ui::ResultsMode::Grid;
    readInt(root, "metricsWindowMinutes", s.metricsWindowMinutes, 1, 10);
    if (s.metricsWindowMinutes != 1 && s.metricsWindowMinutes != 10) s.metricsWindowMinutes = 5;
    readInt(root, "timelineWindowMinutes", s.timelineWindowMinutes, 1, 60);
    if (s.timelineWindowMinutes != 1 && s.timelineWindowMinutes != 5 && s.timelineWindowMinutes != 30 &&
        s.timelineWindowMinutes != 60)
        s.timelineWindowMinutes = 10;
    readInt(root, "dataFramesPerSecond", s.dataFramesPerSecond, 1, 60);
    if (!ignored.empty()) {
        out.warning = "settings.json: ignored out-of-range";
        for (const auto& k : ignored) out.warning += " " + k;
    }
    return out;
}

LoadedSettings loadSettings(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};  // first start: defaults, nothing to say
    std::ostringstream ss;
    ss << in.rdbuf();
    auto loaded = decodeSettings(ss.str());
    if (!loaded.warning.empty()) loaded.warning = path + ": " + loaded.warning;
    return loaded;
}

model::Status saveSettings(const std::string& path, const Settings& settings) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec) return model::Error::make(model::ErrorKind::Internal, "cannot create " + fs::path(path).parent_path().string() + ": " + ec.message());
    // Write then rename: a crash mid-write never leaves a half file behind.
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << encodeSettings(settings) << '\n';
        if (!out) return model::Error::make(model::ErrorKind::Internal, "cannot write " + tmp);
    }
    fs::rename(tmp, path, ec);
    if (ec) return model::Error::make(model::ErrorKind::Internal, "cannot replace " + path + ": " + ec.message());
    return model::okStatus();
}

void applySettings(const Settings& s, ui::UiState& ui) {
    ui.urlHistory = s.urlHistory;
    ui.pollQueueDownMs = s.polls.queueWhileSocketDownMs;
    ui.pollQueueUpMs = s.polls.queueWhileSocketUpMs;
    ui.pollStatusMs = s.polls.statusMs;
    ui.historyLimit = s.historyLimit;
    ui.showQueue = s.showQueue;
    ui.showResults = s.showResults;
    ui.showSystem = s.showSystem;
    ui.showDetail = s.showDetail;
    ui.showGenerate = s.showGenerate;
    ui.showMetrics = s.showMetrics;
    ui.metricsWindowMinutes = s.metricsWindowMinutes;
    ui.showTimeline = s.showTimeline;
    ui.timelineWindowMinutes = s.timelineWindowMinutes;
    ui.timelineSpanSeconds = s.timelineWindowMinutes * 60.0;
    ui.theme = s.theme;
    ui.resultsMode = s.resultsMode;
    ui.dataFramesPerSecond = s.dataFramesPerSecond;
}

void captureSettings(const ui::UiState& ui, Settings& s) {
    s.historyLimit = ui.historyLimit;
    s.polls.queueWhileSocketDownMs = ui.pollQueueDownMs;
    s.polls.queueWhileSocketUpMs = ui.pollQueueUpMs;
    s.polls.statusMs = ui.pollStatusMs;
    s.showQueue = ui.showQueue;
    s.showResults = ui.showResults;
    s.showSystem = ui.showSystem;
    s.showDetail = ui.showDetail;
    s.showGenerate = ui.showGenerate;
    s.showMetrics = ui.showMetrics;
    s.metricsWindowMinutes = ui.metricsWindowMinutes;
    s.showTimeline = ui.showTimeline;
    s.timelineWindowMinutes = ui.timelineWindowMinutes;
    s.theme = ui.theme;
    s.resultsMode = ui.resultsMode;
    s.dataFramesPerSecond = ui.dataFramesPerSecond;
}

void rememberUrl(Settings& s, const std::string& url) {
    if (url.empty()) return;
    // A URL with credentials (user:pw@host) is refused by the transport: never write it down.
    const size_t scheme = url.find("://");
    const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
    if (url.substr(start, url.find_first_of("/?#", start) - start).find('@') != std::string::npos) return;
    std::erase(s.urlHistory, url);
    s.urlHistory.insert(s.urlHistory.begin(), url);
    if (s.urlHistory.size() > 10) s.urlHistory.resize(10);
}

}  // namespace genmon::app
