#include "app/cli.hpp"

#include <algorithm>
#include <charconv>

#include "history/query.hpp"
#include "exporter/metrics_server.hpp"

namespace genmon::app {
namespace {
constexpr int kMaxAfterMs = 3'600'000;
// Two spaces before every line, as the rest of the help text.
std::string indented(std::string_view text) {
    std::string out;
    for (size_t at = 0; at < text.size();) {
        const size_t end = std::min(text.find('\n', at), text.size());
        out += "  ";
        out += text.substr(at, end - at);
        out += '\n';
        at = end + 1;
    }
    return out;
}

bool parseInt(const std::string& s, int& out) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}
}  // namespace

std::string helpText() {
    return R"(genmon: a live monitor for a LoRA-manager image-generation queue

Usage:
  genmon [--backend URL]                 open the window (needs a display)
  genmon --demo [--scenario NAME]        open the window on the embedded simulated backend
  genmon --screenshot OUT.png [--size WxH] [--fixture FILE | --demo [--frames N] | --backend URL]
                                         render offscreen (no display needed) and write a PNG
  genmon --backend URL --dump-snapshot [--wait-ms N] [--after-ms N]
                                         print the backend's state as JSON and exit
  genmon [--backend URL | --demo] --record FILE
                                         also write the session's traffic to FILE (JSON lines;
                                         several --backend: one file each, FILE.NAME.jsonl)
  genmon --replay FILE [--speed X] [--dump-snapshot | --screenshot OUT.png]
                                         play a recording with no network: in the window, or
                                         print / render the state at its end
  genmon --history-search QUERY [--json] [--limit N] [--history-db FILE]
                                         print the stored jobs that match, newest first: exit 0,
                                         1 when none does, 2 on a bad query (with the reason)
  genmon --history-export FILE.jsonl [--history-db FILE]
                                         write every stored job as one JSON line each
  genmon --serve-metrics [ADDR:]PORT [--backend URL | --demo] [--name NAME] [--window]
                                         serve Prometheus metrics at /metrics until stopped
                                         (headless; --window opens the window as well)
  genmon --help | --version

Options:
  --backend URL        base URL, e.g. http://127.0.0.1:8000/api/v1 (or .../v1 for backend.main);
                       repeat it to watch several backends (NAME=URL names one)
  --all-backends       several --backend: start in all-backends mode (every backend's jobs and
                       results in one table with a Backend column; key 0 in the window)
  --demo               start genmon-sim in this process and connect to it over loopback
  --scenario NAME      demo scenario: idle, busy, burst, failing, flaky (default busy)
  --fixture FILE       a genmon UI fixture (JSON, see docs/fixtures.md)
  --size WxH           offscreen size (default 1280x800)
  --frames N           frames to run before capturing a --demo screenshot
  --wait-ms N          --dump-snapshot: wait at most N ms for the first full refresh (default 10000)
  --after-ms N         --dump-snapshot: keep watching (socket included) for N ms after the first
                       full refresh, then print the live state (default 0: print at once)
  --api-key-file FILE  read the API key from FILE (else GENMON_API_KEY)
  --insecure           do not verify TLS certificates (shown in the status bar)
  --record FILE        write every HTTP exchange and WebSocket event to FILE (never the API key);
                       flushed every second, so a kill or a crash loses at most the last one
  --replay FILE        drive genmon from a recording made with --record (a file cut short
                       plays up to where it ends, and genmon says where that is)
  --speed X            --replay: recorded seconds per real second (default 1; 0 or max: at once)
  --history-db FILE    the history database (default $XDG_STATE_HOME/genmon/history.sqlite3,
                       else ~/.local/state/genmon/history.sqlite3)
  --no-history         do not open the history database
  --json               --history-search: one JSON object per line instead of the table
  --limit N            --history-search: at most N jobs (default 50)
  --serve-metrics [ADDR:]PORT
                       serve /metrics (Prometheus text format) on 127.0.0.1:PORT, or on ADDR when
                       given (0.0.0.0: every address); port 0 picks a free one (docs/prometheus.md)
  --name NAME          the backend's label in the metrics (default: the URL's host:port; demo)
  --window             with --serve-metrics: open the window too

History search (QUERY): every term must match, but id:, status:, sampler:, size:, seed:,
steps: and backend: given twice mean either.
)" + indented(history::searchHelp()) + R"(
Stopping: closing the window, Ctrl+Q, Ctrl+C, SIGTERM and SIGHUP all end genmon the same way
within 3 s: settings, layout and URL history saved (atomically), the --record file complete
with its end line; exit status 0, or 130 after Ctrl+C. A second Ctrl+C while genmon shuts down
quits at once (exit 130).

The API key is sent as X-API-Key. It is never logged, drawn or written to screenshots.
)";
}

CliResult parseCli(const std::vector<std::string>& args) {
    CliOptions o;
    bool dump = false;
    bool speedGiven = false;
    bool afterGiven = false;
    bool limitGiven = false;
    bool windowToo = false;
    auto fail = [](std::string msg) { return CliResult{std::nullopt, std::move(msg)}; };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& out) -> bool {
            if (i + 1 >= args.size()) return false;
            out = args[++i];
            return true;
        };
        std::string v;
        if (a == "--help" || a == "-h") {
            o.mode = CliOptions::Mode::Help;
            return {o, {}};
        } else if (a == "--version") {
            o.mode = CliOptions::Mode::Version;
            return {o, {}};
        } else if (a == "--screenshot") {
            if (!value(o.screenshotPath)) return fail("--screenshot needs an output file, e.g. --screenshot out.png");
            o.mode = CliOptions::Mode::Screenshot;
        } else if (a == "--size") {
            if (!value(v)) return fail("--size needs WxH, e.g. --size 1280x800");
            const auto x = v.find('x');
            if (x == std::string::npos || !parseInt(v.substr(0, x), o.width) || !parseInt(v.substr(x + 1), o.height) ||
                o.width < 320 || o.height < 240 || o.width > 8192 || o.height > 8192)
                return fail("--size " + v + ": expected WxH between 320x240 and 8192x8192");
            o.sizeGiven = true;
        } else if (a == "--fixture") {
            if (!value(v)) return fail("--fixture needs a file");
            o.fixturePath = v;
        } else if (a == "--demo") {
            o.demo = true;
        } else if (a == "--scenario") {
            if (!value(o.scenario)) return fail("--scenario needs a name: idle, busy, burst, failing or flaky");
        } else if (a == "--frames") {
            if (!value(v) || !parseInt(v, o.frames) || o.frames < 1 || o.frames > 100000)
                return fail("--frames needs a number from 1 to 100000");
        } else if (a == "--backend") {
            if (!value(v)) return fail("--backend needs a URL, e.g. http://127.0.0.1:8000/api/v1");
            if (!o.backendUrl) o.backendUrl = v;
            o.backendUrls.push_back(v);
        } else if (a == "--dump-snapshot") {
            dump = true;
        } else if (a == "--wait-ms") {
            if (!value(v) || !parseInt(v, o.waitMs) || o.waitMs < 0) return fail("--wait-ms needs a number of milliseconds");
        } else if (a == "--after-ms") {
            if (!value(v) || !parseInt(v, o.afterMs) || o.afterMs < 0 || o.afterMs > kMaxAfterMs)
                return fail("--after-ms needs a number of milliseconds from 0 to 3600000 (an hour)");
            afterGiven = true;
        } else if (a == "--api-key-file") {
            if (!value(v)) return fail("--api-key-file needs a file");
            o.apiKeyFile = v;
        } else if (a == "--api-key") {
            // Accepted for convenience, but other users can read a process's arguments.
            if (!value(v)) return fail("--api-key needs a value (better: GENMON_API_KEY or --api-key-file)");
            o.warnings.push_back("--api-key on the command line is visible to other users of this machine "
                                 "(ps); prefer GENMON_API_KEY or --api-key-file");
            o.apiKeyArgument = v;
        } else if (a == "--insecure") {
            o.insecure = true;
        } else if (a == "--record") {
            if (!value(v) || v.empty()) return fail("--record needs a file, e.g. --record session.jsonl");
            o.recordPath = v;
        } else if (a == "--replay") {
            if (!value(v) || v.empty()) return fail("--replay needs a file made with --record");
            o.replayPath = v;
        } else if (a == "--speed") {
            if (!value(v)) return fail("--speed needs a factor, e.g. --speed 4 (0 or max: as fast as possible)");
            if (v == "max") {
                o.speed = 0;
            } else {
                double x = 0;
                const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
                if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !(x >= 0) || x > 1e6)
                    return fail("--speed " + v + ": expected a factor such as 0.5, 1 or 10 (0 or max: as fast as possible)");
                o.speed = x;
            }
            speedGiven = true;
        } else if (a == "--history-db") {
            if (!value(v) || v.empty()) return fail("--history-db needs a file, e.g. --history-db history.sqlite3");
            o.historyDbPath = v;
        } else if (a == "--no-history") {
            o.noHistory = true;
        } else if (a == "--history-search") {
            if (!value(v)) return fail("--history-search needs a query, e.g. --history-search 'status:failed since:2h' ('' lists all)");
            o.historySearch = v;
        } else if (a == "--history-export") {
            if (!value(v) || v.empty()) return fail("--history-export needs a file, e.g. --history-export history.jsonl");
            o.historyExport = v;
        } else if (a == "--json") {
            o.historyJson = true;
        } else if (a == "--limit") {
            if (!value(v) || !parseInt(v, o.historyLimit) || o.historyLimit < 1 || o.historyLimit > 1000000)
                return fail("--limit needs a number of jobs from 1 to 1000000");
            limitGiven = true;
        } else if (a == "--serve-metrics") {
            if (!value(v)) return fail("--serve-metrics needs [ADDR:]PORT, e.g. --serve-metrics 9464");
            if (auto address = exporter::parseListenAddress(v); !address)
                return fail("--serve-metrics " + address.error().message);
            o.serveMetrics = v;
        } else if (a == "--name") {
            if (!value(v) || v.empty()) return fail("--name needs the backend's name, e.g. --name gpu-box-1");
            o.backendName = v;
        } else if (a == "--all-backends") {
            o.allBackends = true;
        } else if (a == "--window") {
            windowToo = true;
        } else {
            return fail("unknown argument '" + a + "' (see genmon --help)");
        }
    }
    if (o.historySearch || o.historyExport) {
        if (o.historySearch && o.historyExport) return fail("--history-search and --history-export are separate commands: give one");
        if (o.noHistory) return fail("--no-history turns the history off: it cannot be searched or exported at the same time");
        if (o.mode != CliOptions::Mode::Window || dump || o.fixturePath || o.demo || o.backendUrl || o.replayPath ||
            o.recordPath)
            return fail(std::string(o.historySearch ? "--history-search" : "--history-export") +
                        " is a command of its own: use it with --history-db FILE" +
                        (o.historySearch ? ", --json and --limit N" : "") + " only");
    }
    if (o.historyJson && !o.historySearch) return fail("--json goes with --history-search QUERY");
    if (limitGiven && !o.historySearch) return fail("--limit goes with --history-search QUERY");
    if (o.noHistory && o.historyDbPath) return fail("--no-history and --history-db contradict each other: give one");
    if (dump) {
        if (o.mode == CliOptions::Mode::Screenshot) return fail("--dump-snapshot and --screenshot cannot be combined");
        if (!o.backendUrl && !o.demo && !o.replayPath)
            return fail("--dump-snapshot needs --backend URL (or --demo, or --replay FILE)");
        o.mode = CliOptions::Mode::DumpSnapshot;
    }
    if (afterGiven && !dump) return fail("--after-ms goes with --dump-snapshot (keep watching before printing)");
    if (afterGiven && o.replayPath)
        return fail("--after-ms watches a live backend; --replay FILE --dump-snapshot prints the end of the recording");
    const int sources = (o.fixturePath ? 1 : 0) + (o.demo ? 1 : 0) + (o.backendUrl ? 1 : 0) + (o.replayPath ? 1 : 0);
    if (sources > 1) return fail("choose one of --fixture, --demo, --backend and --replay");
    if (speedGiven && !o.replayPath) return fail("--speed goes with --replay FILE");
    if (o.recordPath && (o.replayPath || o.fixturePath))
        return fail("--record writes a live session: use it with --backend URL or --demo, not with --replay or --fixture");
    if (o.backendUrls.size() > 1) {
        // Issue 17.1: a fleet. The window, --screenshot, --dump-snapshot and --serve-metrics
        // watch them all; --record writes one file per backend (recordingPathFor).
        if (o.backendName) return fail("--name names one backend: with several, write --backend NAME=URL");
    } else if (o.allBackends) {
        return fail("--all-backends goes with several --backend (one backend is all there is)");
    }
    if (o.fixturePath && o.mode != CliOptions::Mode::Screenshot)
        return fail("--fixture renders a screenshot: add --screenshot OUT.png");
    if (o.serveMetrics) {
        if (o.mode != CliOptions::Mode::Window)
            return fail("--serve-metrics runs until stopped: it cannot be combined with --dump-snapshot or --screenshot");
        if (o.replayPath) return fail("--serve-metrics watches a live backend: use it with --backend URL or --demo");
        if (!windowToo) o.mode = CliOptions::Mode::ServeMetrics;
    } else if (windowToo) {
        return fail("--window goes with --serve-metrics (without it genmon opens the window anyway)");
    } else if (o.backendName) {
        return fail("--name names the backend in the metrics: use it with --serve-metrics");
    }
    if (o.allBackends && o.mode != CliOptions::Mode::Window && o.mode != CliOptions::Mode::Screenshot)
        return fail("--all-backends is a view of the window: use it with the window or --screenshot");
    return {o, {}};
}

}  // namespace genmon::app
