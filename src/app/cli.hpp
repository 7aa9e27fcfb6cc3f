#pragma once
// genmon's command line. Parsing is pure (tested); errors are readable and exit with code 2.
#include <optional>
#include <string>
#include <vector>

namespace genmon::app {

struct CliOptions {
    enum class Mode { Window, Screenshot, DumpSnapshot, ServeMetrics, Help, Version } mode = Mode::Window;
    std::string screenshotPath;
    int width = 1280, height = 800;
    bool sizeGiven = false;  // --size overrides a fixture's own size
    std::optional<std::string> fixturePath;  // render a UI state from a fixture (no network)
    bool demo = false;                       // the embedded simulated backend
    std::string scenario = "busy";
    int frames = 0;                          // --demo --screenshot: frames to run first (0 = default)
    std::optional<std::string> backendUrl;    // the first --backend (one backend: as it always was)
    std::vector<std::string> backendUrls;     // issue 17.1: every --backend [NAME=]URL, in order
    bool allBackends = false;                 // issue 17.2: --all-backends: a fleet starts in all-backends mode
    int waitMs = 10000;                      // --dump-snapshot: longest wait for the first refresh
    int afterMs = 0;                         // --dump-snapshot: keep watching this long after it
    std::optional<std::string> apiKeyFile;
    std::optional<std::string> apiKeyArgument;  // --api-key: works, with a warning
    bool insecure = false;
    std::optional<std::string> recordPath;   // --record FILE: write the traffic as JSON lines
    std::optional<std::string> replayPath;   // --replay FILE: play a recording, no network
    double speed = 1.0;                      // --speed X with --replay; 0: as fast as possible
    // Issue 17.4: --serve-metrics [ADDR:]PORT serves Prometheus /metrics, headless (Mode::
    // ServeMetrics) or beside the window with --window; --name NAME is the backend label.
    std::optional<std::string> serveMetrics;  // as given, checked by exporter::parseListenAddress
    std::optional<std::string> backendName;
    std::vector<std::string> warnings;       // e.g. an API key given on the command line
    // Issue 18: the history database and its script commands (app/history_commands.hpp).
    std::optional<std::string> historyDbPath;  // --history-db FILE (default: history::defaultHistoryPath())
    bool noHistory = false;                    // --no-history
    std::optional<std::string> historySearch;  // --history-search QUERY: print matches, exit 0/1/2
    std::optional<std::string> historyExport;  // --history-export FILE.jsonl: every stored job
    bool historyJson = false;                  // --json: JSON lines instead of the table
    int historyLimit = 50;                     // --limit N
};

struct CliResult {
    std::optional<CliOptions> options;
    std::string error;  // set when options is empty: one line, names the bad argument
};

CliResult parseCli(const std::vector<std::string>& args);
std::string helpText();

}  // namespace genmon::app
