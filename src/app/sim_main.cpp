// genmon-sim: the reference backend as a program. Prints its base URL on one line of stdout
// and serves until SIGINT, SIGTERM or SIGHUP (the same shutdown as genmon's: app/signals.hpp).
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "app/signals.hpp"
#include "sim/sim_server.hpp"

namespace {

constexpr const char* kUsage = R"(usage: genmon-sim [options]

Serves the LoRA-manager generation API (HTTP + WebSocket) on loopback, with simulated jobs.

  --port P                  TCP port; 0 (the default) picks a free one
  --bind ADDR               listen address (default 127.0.0.1)
  --scenario NAME           idle, busy (default), burst, failing, flaky
  --seed N                  PRNG seed: the same seed replays the same jobs and images (default 1)
  --api-key-env VAR         require X-API-Key on /generation/* equal to the value of $VAR
  --v1                      also serve the routes under /v1 (the Docker entry point's prefix)
  --progress-interval-ms N  WebSocket progress_update cadence (default 2000, as upstream)
  --job-duration-ms N       rendering time of a 20-step 512x512 job (default 6000)
  --workers N               jobs rendered at once (default: the scenario's)
  --fail-rate X             share of jobs that fail, 0..1 (default: the scenario's)
  --burst-jobs N            jobs queued at once by the burst scenario (default 50)
  --queue-depth N           new jobs arrive only while fewer than N wait or run (default: the
                            scenario's, busy 5; 0: no bound)
  --progress MODE           global (default, as upstream: every subscribed job gets the fraction of
                            the job SDNext renders, queued ones too) or per-job (each its own)
  --sdnext-info FORM        string (default, as real SDNext: /generation/generate answers 500) or
                            dict (as the captures' stand-in SDNext: immediate generation works)
  --cancel-stops-worker     a cancelled job leaves the workers (upstream's keeps running and ends
                            succeeded)
  --image-size N            side of the square PNGs it renders, 16..1024 (default 256; small
                            images keep recordings made with genmon --record small)
  --help                    this text

The first line on stdout is the base URL, e.g. http://127.0.0.1:8000/api/v1
SIGINT (Ctrl+C), SIGTERM and SIGHUP stop it within 3 s: exit 0, or 130 after Ctrl+C; a second
Ctrl+C while it stops quits at once.
)";

template <class T>
bool parseNumber(std::string_view text, T& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

int usageError(const std::string& message) {
    std::cerr << "genmon-sim: " << message << "\n(see genmon-sim --help)\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    genmon::sim::SimOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (arg == "--v1") {
            options.alsoServeV1 = true;
            continue;
        }
        if (arg == "--cancel-stops-worker") {
            options.cancelStopsWorker = true;
            continue;
        }
        if (i + 1 >= argc) return usageError("unknown option or missing value: " + std::string(arg));
        const std::string_view value = argv[++i];
        bool ok = true;
        if (arg == "--port") {
            ok = parseNumber(value, options.port);
        } else if (arg == "--bind") {
            options.bind = value;
        } else if (arg == "--scenario") {
            options.scenario = value;
        } else if (arg == "--seed") {
            ok = parseNumber(value, options.seed);
        } else if (arg == "--api-key-env") {
            // The key itself never appears on the command line, where ps would show it.
            const char* key = std::getenv(std::string(value).c_str());
            if (!key || !*key) return usageError("environment variable " + std::string(value) + " is not set or empty");
            options.apiKey = key;
        } else if (arg == "--progress-interval-ms") {
            ok = parseNumber(value, options.progressIntervalMs) && options.progressIntervalMs > 0;
        } else if (arg == "--job-duration-ms") {
            ok = parseNumber(value, options.jobDurationMs) && options.jobDurationMs > 0;
        } else if (arg == "--workers") {
            int workers = 0;
            ok = parseNumber(value, workers) && workers > 0;
            options.workers = workers;
        } else if (arg == "--fail-rate") {
            double rate = 0;
            ok = parseNumber(value, rate) && rate >= 0.0 && rate <= 1.0;
            options.failRate = rate;
        } else if (arg == "--burst-jobs") {
            int jobs = 0;
            ok = parseNumber(value, jobs) && jobs >= 0;
            options.burstJobs = jobs;
        } else if (arg == "--queue-depth") {
            int depth = 0;
            ok = parseNumber(value, depth) && depth >= 0;
            options.queueDepth = depth;
        } else if (arg == "--progress") {
            ok = value == "global" || value == "per-job";
            options.progressMode = value == "per-job" ? genmon::sim::ProgressMode::PerJob : genmon::sim::ProgressMode::Global;
        } else if (arg == "--sdnext-info") {
            ok = value == "string" || value == "dict";
            options.sdnextInfoAsString = value != "dict";
        } else if (arg == "--image-size") {
            ok = parseNumber(value, options.imageSize) && options.imageSize >= 16 && options.imageSize <= 1024;
        } else {
            return usageError("unknown option: " + std::string(arg));
        }
        if (!ok) return usageError("invalid value for " + std::string(arg) + ": " + std::string(value));
    }

    // Before the server's threads start: they inherit the blocked signals, so an early Ctrl+C
    // still stops cleanly.
    genmon::app::ShutdownSignals signals({"genmon-sim"});

    auto started = genmon::sim::SimServer::start(options);
    if (!started) {
        std::cerr << "genmon-sim: " << started.error().message << '\n';
        return 1;
    }
    auto& server = *started.value();
    std::cout << server.baseUrl() << std::endl;
    std::cerr << "genmon-sim: scenario " << options.scenario << ", seed " << options.seed << ", WebSocket "
              << server.wsUrl() << (options.apiKey ? ", API key required" : "") << "; Ctrl-C stops\n";

    signals.waitForQuit();
    server.stop();  // bounded by the deadline of signals.hpp
    std::cerr << "genmon-sim: stopped\n";
    return signals.exitCode(0);
}
