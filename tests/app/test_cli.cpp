// The command line of issues 2, 5 and 7: modes, sources, sizes, readable errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "app/cli.hpp"

using genmon::app::CliOptions;
using genmon::app::parseCli;

TEST_CASE("issue 2: --help, --version and the window are the basic modes") {
    CHECK(parseCli({"--help"}).options->mode == CliOptions::Mode::Help);
    CHECK(parseCli({"--version"}).options->mode == CliOptions::Mode::Version);
    CHECK(parseCli({}).options->mode == CliOptions::Mode::Window);
}

TEST_CASE("issue 7: --screenshot with size, fixture, demo frames") {
    auto r = parseCli({"--screenshot", "out.png", "--size", "800x600"});
    REQUIRE(r.options);
    CHECK(r.options->mode == CliOptions::Mode::Screenshot);
    CHECK(r.options->screenshotPath == "out.png");
    CHECK(r.options->width == 800);
    CHECK(r.options->height == 600);
    CHECK(r.options->sizeGiven);
    r = parseCli({"--screenshot", "x.png", "--demo", "--frames", "30"});
    REQUIRE(r.options);
    CHECK(r.options->demo);
    CHECK(r.options->frames == 30);
    r = parseCli({"--screenshot", "x.png", "--fixture", "f.json"});
    REQUIRE(r.options);
    CHECK(*r.options->fixturePath == "f.json");
    CHECK_FALSE(r.options->sizeGiven);
}

TEST_CASE("issue 5: --dump-snapshot needs a backend and takes --wait-ms") {
    auto r = parseCli({"--backend", "http://127.0.0.1:8000/api/v1", "--dump-snapshot", "--wait-ms", "500"});
    REQUIRE(r.options);
    CHECK(r.options->mode == CliOptions::Mode::DumpSnapshot);
    CHECK(r.options->waitMs == 500);
    CHECK_FALSE(parseCli({"--dump-snapshot"}).options);
    CHECK(parseCli({"--dump-snapshot"}).error.find("--backend") != std::string::npos);
}

TEST_CASE("bad input: every mistake gets one readable line naming the argument") {
    CHECK(parseCli({"--size", "big"}).error.find("--size big") != std::string::npos);
    CHECK(parseCli({"--size", "10x10"}).error.find("between") != std::string::npos);
    CHECK(parseCli({"--screenshot"}).error.find("--screenshot needs") != std::string::npos);
    CHECK(parseCli({"--frobnicate"}).error.find("unknown argument '--frobnicate'") != std::string::npos);
    CHECK(parseCli({"--demo", "--backend", "http://x"}).error.find("choose one") != std::string::npos);
    CHECK(parseCli({"--fixture", "f.json"}).error.find("--screenshot") != std::string::npos);
    CHECK(parseCli({"--frames", "0"}).error.find("--frames") != std::string::npos);
}

TEST_CASE("issue 9: an API key on the command line works but warns that others can see it") {
    auto r = parseCli({"--backend", "http://h/api/v1", "--api-key", "s3cret"});
    REQUIRE(r.options);
    CHECK(*r.options->apiKeyArgument == "s3cret");
    REQUIRE(r.options->warnings.size() == 1);
    CHECK(r.options->warnings[0].find("visible to other users") != std::string::npos);
    CHECK(r.options->warnings[0].find("s3cret") == std::string::npos);  // never echoed
}

TEST_CASE("issue 14.4: --dump-snapshot --after-ms N keeps watching before it prints, with readable errors otherwise") {
    auto r = parseCli({"--backend", "http://127.0.0.1:8000/api/v1", "--dump-snapshot", "--after-ms", "2500"});
    REQUIRE(r.options);
    CHECK(r.options->mode == CliOptions::Mode::DumpSnapshot);
    CHECK(r.options->afterMs == 2500);
    CHECK(parseCli({"--demo", "--dump-snapshot"}).options->afterMs == 0);  // default: print at once
    r = parseCli({"--demo", "--dump-snapshot", "--after-ms", "0", "--wait-ms", "100"});
    REQUIRE(r.options);
    CHECK(r.options->afterMs == 0);
    CHECK(r.options->waitMs == 100);

    auto error = [](std::vector<std::string> args) { return parseCli(args).error; };
    CHECK(error({"--demo", "--dump-snapshot", "--after-ms"}).find("--after-ms needs a number of milliseconds") !=
          std::string::npos);
    CHECK(error({"--demo", "--dump-snapshot", "--after-ms", "soon"}).find("--after-ms needs") != std::string::npos);
    CHECK(error({"--demo", "--dump-snapshot", "--after-ms", "-5"}).find("--after-ms needs") != std::string::npos);
    CHECK(error({"--demo", "--dump-snapshot", "--after-ms", "3600001"}).find("an hour") != std::string::npos);
    CHECK(error({"--demo", "--after-ms", "100"}).find("--after-ms goes with --dump-snapshot") != std::string::npos);
    CHECK(error({"--replay", "s.jsonl", "--dump-snapshot", "--after-ms", "100"}).find("--replay") != std::string::npos);
}

TEST_CASE("issue 14.4: the help text names --after-ms") {
    const std::string help = genmon::app::helpText();
    CHECK(help.find("--dump-snapshot [--wait-ms N] [--after-ms N]") != std::string::npos);
    CHECK(help.find("--after-ms N         --dump-snapshot: keep watching (socket included)") != std::string::npos);
}
