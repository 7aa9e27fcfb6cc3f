// Issue 7: the fixture format (docs/fixtures.md): versioned, strict about types, no network.
#include <doctest/doctest.h>

#include "app/fixture.hpp"
#include "test_support.hpp"

using namespace genmon;

TEST_CASE("issue 7 fixtures: the busy fixture decodes into a snapshot and UI state") {
    auto f = app::loadFixture((test::fixturesDir().parent_path() / "screenshots/fixtures/busy_queue.json").string());
    REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.error().message));
    const auto& snap = *f->snapshot;
    CHECK(f->nowMicros == model::Timestamp::parse("2026-11-26T12:00:00Z").micros);
    CHECK(snap.sortedActiveJobs.size() == 7);
    CHECK(snap.sortedActiveJobs.job(0).status == model::JobStatus::Processing);
    CHECK(snap.sortedActiveJobs.job(6).status == model::JobStatus::Failed);
    CHECK(snap.counts.queued == 3);
    CHECK(snap.recentResults->size() == 10);
    CHECK(snap.recentResults->front()->thumbnail != nullptr);  // "procedural" images are drawn
    CHECK(snap.systemStatus->gpu_status == "NVIDIA GeForce RTX 4090");
    CHECK(snap.isConnected);
    CHECK(f->ui.selectedJobs.size() == 1);
}

TEST_CASE("bad input: fixture errors name the field") {
    CHECK(app::parseFixture("[]").error().message.find("top level") != std::string::npos);
    CHECK(app::parseFixture("{}").error().message.find("genmon_fixture") != std::string::npos);
    CHECK(app::parseFixture(R"({"genmon_fixture": 9, "now": "2026-11-26T12:00:00Z"})").error().message.find("newer") !=
          std::string::npos);
    CHECK(app::parseFixture(R"({"genmon_fixture": 1, "now": "yesterday"})").error().message.find("now") !=
          std::string::npos);
    CHECK(app::parseFixture(R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z", "ui": {"theme": "pink"}})")
              .error()
              .message.find("ui.theme") != std::string::npos);
    CHECK(app::parseFixture(R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z", "connection": {"phase": 3}})")
              .error()
              .message.find("connection.phase") != std::string::npos);
}

TEST_CASE("issue 7 fixtures: synthetic jobs are deterministic") {
    const std::string json = R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z", "syntheticJobs": {"count": 10000, "seed": 7}})";
    auto a = app::parseFixture(json);
    auto b = app::parseFixture(json);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(a->snapshot->sortedActiveJobs.size() == 10000);
    for (size_t i : {size_t{0}, size_t{4999}, size_t{9999}}) {
        CHECK(a->snapshot->sortedActiveJobs.job(i).uiId == b->snapshot->sortedActiveJobs.job(i).uiId);
        CHECK(a->snapshot->sortedActiveJobs.job(i).status == b->snapshot->sortedActiveJobs.job(i).status);
    }
}
