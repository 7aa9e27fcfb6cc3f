// Issue 17.4: --serve-metrics [ADDR:]PORT, headless unless --window, with --name for the label.
#include <doctest/doctest.h>

#include "app/cli.hpp"

using genmon::app::CliOptions;
using genmon::app::parseCli;

TEST_CASE("issue 17.4 cli: --serve-metrics runs headless, beside the window with --window, named by --name") {
    auto r = parseCli({"--serve-metrics", "9464", "--backend", "http://gpu-1:8000/api/v1"});
    REQUIRE(r.options);
    CHECK(r.options->mode == CliOptions::Mode::ServeMetrics);
    CHECK(*r.options->serveMetrics == "9464");
    CHECK_FALSE(r.options->backendName);

    r = parseCli({"--demo", "--serve-metrics", "0.0.0.0:0", "--name", "lab", "--window"});
    REQUIRE(r.options);
    CHECK(r.options->mode == CliOptions::Mode::Window);
    CHECK(*r.options->serveMetrics == "0.0.0.0:0");
    CHECK(*r.options->backendName == "lab");

    r = parseCli({"--serve-metrics", "[::1]:9464", "--record", "s.jsonl"});  // a live session can be recorded
    REQUIRE(r.options);
    CHECK(r.options->mode == CliOptions::Mode::ServeMetrics);
}

TEST_CASE("issue 17.4 cli: --serve-metrics errors say what to write instead") {
    struct Bad {
        std::vector<std::string> args;
        const char* says;
    };
    for (const Bad& bad : {
             Bad{{"--serve-metrics"}, "--serve-metrics needs [ADDR:]PORT, e.g. --serve-metrics 9464"},
             Bad{{"--serve-metrics", "host:80"}, "--serve-metrics 'host:80': 'host' is not an IP address"},
             Bad{{"--serve-metrics", "99999"}, "--serve-metrics '99999': the port must be a number from 0 to 65535"},
             Bad{{"--serve-metrics", "9464", "--dump-snapshot", "--demo"}, "cannot be combined with --dump-snapshot"},
             Bad{{"--serve-metrics", "9464", "--screenshot", "x.png"}, "cannot be combined with --dump-snapshot or --screenshot"},
             Bad{{"--serve-metrics", "9464", "--replay", "s.jsonl"}, "--serve-metrics watches a live backend"},
             Bad{{"--window"}, "--window goes with --serve-metrics"},
             Bad{{"--name", "x"}, "--name names the backend in the metrics: use it with --serve-metrics"},
             Bad{{"--serve-metrics", "0", "--name", ""}, "--name needs the backend's name"},
         }) {
        const auto r = parseCli(bad.args);
        CHECK_FALSE(r.options);
        CHECK_MESSAGE(r.error.find(bad.says) != std::string::npos, r.error);
    }
}
