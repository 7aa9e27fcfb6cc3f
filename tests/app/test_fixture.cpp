// Issue 7: the fixture format (docs/fixtures.md): versioned, strict about types, no network.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>

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

TEST_CASE("issue 7 fixtures: synthetic job ids differ in their first 8 characters and stay unique") {
    auto f = app::parseFixture(R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z", "syntheticJobs": {"count": 2000, "seed": 7}})");
    REQUIRE(f.ok());
    std::set<std::string> ids, prefixes;
    f->snapshot->jobs.forEach([&](const model::Job& j) {
        ids.insert(j.uiId.str());
        prefixes.insert(j.uiId.str().substr(0, 8));  // what the queue's ID column shows
        CHECK(j.uiId.size() == 36);
    });
    CHECK(ids.size() == 2000);
    CHECK(prefixes.size() > 1990);
}

TEST_CASE("issue 7 fixtures: connection.initRetryInSeconds and ageSeconds set the clocks a frame shows") {
    auto f = app::parseFixture(R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z",
        "connection": {"phase": "disconnected", "lastError": "cannot connect to 127.0.0.1:8000: Connection refused",
                       "initRetryInSeconds": 12},
        "ageSeconds": {"jobs": 9.5, "status": 30},
        "systemStatusError": "Internal Server Error: no such table: deliveryjob",
        "jobs": [{"id": "9fb93534-081c-4253-b1e2-73a87984a8ab", "status": "queued", "progress": 0,
                  "created_at": "2026-11-26T11:59:00"}]})");
    REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.error().message));
    const int64_t now = f->nowMicros;
    CHECK(f->initRetryAtMicros == now + 12'000'000);
    CHECK(app::fixtureSource(f.value()).nextInitRetryAtMicros() == now + 12'000'000);
    REQUIRE(f->snapshot->sortedActiveJobs.size() == 1);
    CHECK(f->snapshot->sortedActiveJobs.job(0).receivedMicros == now - 9'500'000);  // "Updated 9.5 s ago"
    REQUIRE(f->snapshot->systemStatusLastUpdated.has_value());
    CHECK(f->snapshot->systemStatusLastUpdated->micros == now - 30'000'000);
    CHECK(f->snapshot->connection.phase == orchestrator::ConnectionPhase::Disconnected);

    // Without the new fields a version-1 fixture renders as before: no retry, data received "now".
    auto plain = app::parseFixture(R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z",
        "jobs": [{"id": "9fb93534-081c-4253-b1e2-73a87984a8ab", "status": "queued", "progress": 0,
                  "created_at": "2026-11-26T11:59:00"}]})");
    REQUIRE(plain.ok());
    CHECK(plain->initRetryAtMicros == 0);
    CHECK(app::fixtureSource(plain.value()).nextInitRetryAtMicros() == 0);
    CHECK(plain->snapshot->sortedActiveJobs.job(0).receivedMicros == plain->nowMicros);
    CHECK(app::parseFixture(R"({"genmon_fixture": 1, "now": "2026-11-26T12:00:00Z", "connection": {"initRetryInSeconds": "soon"}})")
              .error()
              .message.find("connection.initRetryInSeconds") != std::string::npos);
}

TEST_CASE("issue 7 fixtures: every screenshot fixture loads") {
    const auto dir = test::fixturesDir().parent_path() / "screenshots/fixtures";
    size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        ++count;
        auto f = app::loadFixture(entry.path().string());
        CHECK_MESSAGE(f.ok(), entry.path().filename().string() << ": " << (f.ok() ? "" : f.error().message));
    }
    CHECK(count >= 15);
}
