#include "app/settings_store.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
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
    w.field("allBackends", s.allBackends);
    if (!s.backends.empty()) {
        w.key("backends").beginArray();
        for (const auto& b : s.backends) {
            w.beginObject().field("name", b.name).field("url", b.url);
            if (!b.keyEnv.empty()) w.field("keyEnv", b.keyEnv);
            if (!b.keyFile.empty()) w.field("keyFile", b.keyFile);
            w.endObject();
        }
        w.endArray();
    }
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
    // The timeline's window choices (6 h, a day and a week need a history; without one the view
    // clamps the span to its 3 h).
    readInt(root, "timelineWindowMinutes", s.timelineWindowMinutes, 1, 10080);
    constexpr int kChoices[] = {1, 5, 10, 30, 60, 360, 1440, 10080};
    if (std::find(std::begin(kChoices), std::end(kChoices), s.timelineWindowMinutes) == std::end(kChoices))
        s.timelineWindowMinutes = 10;
    readInt(root, "dataFramesPerSecond", s.dataFramesPerSecond, 1, 60);
    readBool(root, "allBackends", s.allBackends);
    simdjson::dom::array backends;
    bool keyInFile = false;
    if (root["backends"].get(backends) == simdjson::SUCCESS)
        for (auto entry : backends) {
            BackendEntry b;
            std::string_view sv;
            if (entry["url"].get(sv) != simdjson::SUCCESS || sv.empty()) continue;
            b.url = std::string(sv);
            if (entry["name"].get(sv) == simdjson::SUCCESS) b.name = std::string(sv);
            if (entry["keyEnv"].get(sv) == simdjson::SUCCESS) b.keyEnv = std::string(sv);
            if (entry["keyFile"].get(sv) == simdjson::SUCCESS) b.keyFile = std::string(sv);
            // A key written into settings.json is not used (and not written back): it belongs in
            // the environment or a key file.
            if (entry["key"].error() == simdjson::SUCCESS || entry["apiKey"].error() == simdjson::SUCCESS) keyInFile = true;
            if (s.backends.size() < 64) s.backends.push_back(std::move(b));
        }
    if (!ignored.empty()) {
        out.warning = "settings.json: ignored out-of-range";
        for (const auto& k : ignored) out.warning += " " + k;
    }
    if (keyInFile)
        out.warning += std::string(out.warning.empty() ? "" : "; ") +
                       "settings.json: an API key in backends is ignored: name an environment variable (keyEnv) or a "
                       "key file (keyFile) instead";
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

namespace {

model::Error saveError(const std::string& path, const std::string& why) {
    return model::Error::make(model::ErrorKind::Internal, "cannot save " + path + ": " + why + "; " +
                                                              fs::path(path).filename().string() + " is unchanged");
}

// write(2) until done; false with errno set when the disk refuses.
bool writeAll(int fd, const char* data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

// A crash between mkostemp and rename leaves ".<name>.tmp-XXXXXX" behind. One older than a minute
// is an orphan (a save takes milliseconds), so the next save removes it; a younger one may be
// another genmon's save in flight and is left alone.
void removeOrphanedTemporaries(const fs::path& dir, const std::string& prefix) {
    std::error_code ec;
    const auto cutoff = fs::file_time_type::clock::now() - std::chrono::minutes(1);
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() != prefix.size() + 6 || name.compare(0, prefix.size(), prefix) != 0) continue;
        std::error_code timeError;
        const auto written = fs::last_write_time(it->path(), timeError);
        if (!timeError && written < cutoff) fs::remove(it->path(), timeError);
    }
}

}  // namespace

model::Status writeFileAtomically(const std::string& path, std::string_view content, const AtomicWriteHooks* hooks) {
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return saveError(path, "cannot create the folder " + dir.string() + ": " + ec.message());
    // Same folder as the target: rename(2) is atomic only within one file system.
    std::string leaf = ".";  // hidden, and never taken for the real file
    leaf.append(target.filename().string()).append(".tmp-");
    removeOrphanedTemporaries(dir, leaf);
    leaf.append("XXXXXX");
    std::string name = (dir / leaf).string();
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) return saveError(path, "cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno));
    auto abandon = [&](const std::string& why, bool open) {
        if (open) ::close(fd);
        ::unlink(name.c_str());
        return saveError(path, why);
    };
    struct stat previous {};
    if (::stat(path.c_str(), &previous) == 0) ::fchmod(fd, previous.st_mode & 07777);  // mkostemp made it 0600

    const size_t first = hooks ? std::min(hooks->atByte, content.size()) : content.size();
    if (!writeAll(fd, content.data(), first)) return abandon(std::string("write failed: ") + std::strerror(errno), true);
    if (hooks && hooks->midWrite)
        if (auto st = hooks->midWrite(); !st) return abandon(st.error().message, true);
    if (!writeAll(fd, content.data() + first, content.size() - first))
        return abandon(std::string("write failed: ") + std::strerror(errno), true);
    // The data reaches the disk before the name does: after a power cut the file is old or new.
    if (::fsync(fd) != 0) return abandon(std::string("fsync failed: ") + std::strerror(errno), true);
    if (::close(fd) != 0) return abandon(std::string("close failed: ") + std::strerror(errno), false);
    if (::rename(name.c_str(), path.c_str()) != 0) return abandon(std::string("rename failed: ") + std::strerror(errno), false);
    if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd);  // the rename itself
        ::close(dfd);
    }
    return model::okStatus();
}

std::optional<std::string> readWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return std::move(ss).str();
}

model::Status saveSettings(const std::string& path, const Settings& settings, const AtomicWriteHooks* hooks) {
    return writeFileAtomically(path, encodeSettings(settings) + "\n", hooks);
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
    ui.allBackends = s.allBackends;
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
    s.allBackends = ui.allBackends;
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
