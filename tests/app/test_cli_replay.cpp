// Issue 10: --record, --replay and --speed on the command line.
#include <doctest/doctest.h>

#include "app/cli.hpp"

using namespace genmon::app;

TEST_CASE("issue 10 cli: --record goes with a live backend and --replay with --speed") {
    auto r = parseCli({"--backend", "http://127.0.0.1:8000/api/v1", "--record", "s.jsonl"});
    REQUIRE(r.options);
    CHECK(r.options->recordPath == "s.jsonl");
    CHECK(r.options->mode == CliOptions::Mode::Window);

    r = parseCli({"--demo", "--record", "s.jsonl", "--dump-snapshot"});
    REQUIRE(r.options);
    CHECK(r.options->mode == CliOptions::Mode::DumpSnapshot);

    r = parseCli({"--replay", "s.jsonl", "--dump-snapshot"});
    REQUIRE(r.options);
    CHECK(r.options->replayPath == "s.jsonl");
    CHECK(r.options->mode == CliOptions::Mode::DumpSnapshot);
    CHECK(r.options->speed == 1.0);

    r = parseCli({"--replay", "s.jsonl", "--speed", "4"});
    REQUIRE(r.options);
    CHECK(r.options->speed == 4.0);
    r = parseCli({"--replay", "s.jsonl", "--speed", "max"});
    REQUIRE(r.options);
    CHECK(r.options->speed == 0.0);
    r = parseCli({"--replay", "s.jsonl", "--speed", "0"});
    REQUIRE(r.options);
    CHECK(r.options->speed == 0.0);
    r = parseCli({"--replay", "s.jsonl", "--screenshot", "out.png"});
    REQUIRE(r.options);
    CHECK(r.options->mode == CliOptions::Mode::Screenshot);
}

TEST_CASE("issue 10 cli: --record --replay and --speed refuse combinations that cannot work") {
    CHECK(parseCli({"--replay", "a.jsonl", "--backend", "http://x"}).error.find("choose one") != std::string::npos);
    CHECK(parseCli({"--replay", "a.jsonl", "--demo"}).error.find("choose one") != std::string::npos);
    CHECK(parseCli({"--replay", "a.jsonl", "--record", "b.jsonl"}).error.find("--record writes a live session") !=
          std::string::npos);
    CHECK(parseCli({"--backend", "http://x", "--speed", "2"}).error == "--speed goes with --replay FILE");
    CHECK(parseCli({"--replay", "a.jsonl", "--speed", "fast"}).error.find("--speed fast: expected a factor") == 0);
    CHECK(parseCli({"--replay", "a.jsonl", "--speed", "-1"}).error.find("--speed -1") == 0);
    CHECK(parseCli({"--replay"}).error == "--replay needs a file made with --record");
    CHECK(parseCli({"--record"}).error.find("--record needs a file") == 0);
}
