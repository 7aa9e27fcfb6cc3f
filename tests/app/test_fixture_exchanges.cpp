// Issue 10: a fixture can carry the Inspector's rows ("exchanges") and select one.
#include <doctest/doctest.h>

#include "app/fixture.hpp"

using namespace genmon;

TEST_CASE("issue 10 fixtures: exchanges become Inspector rows with previews and a selection") {
    const std::string json = R"({"genmon_fixture":1,"now":"2026-11-26T12:00:00Z",
      "exchanges":[
        {"secondsAgo":2,"direction":"response","method":"GET","target":"http://h/api/v1/system/status","status":200,
         "ms":3.5,"requestHeaders":"X-API-Key: ***","responseBody":"{\"status\":\"healthy\"}"},
        {"secondsAgo":1,"direction":"ws in","target":"progress_update j1","responseBody":"{\"type\":\"progress_update\"}","bytes":900}],
      "ui":{"panels":{"inspector":true},"inspectorSelected":2}})";
    auto f = app::parseFixture(json);
    REQUIRE_MESSAGE(f.ok(), (f.ok() ? std::string() : f.error().message));
    REQUIRE(f->exchanges);
    const auto rows = f->exchanges->recent();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].method == "GET");
    CHECK(rows[0].atMicros == f->nowMicros - 2'000'000);
    CHECK(rows[0].bytes == rows[0].responseBody.size());
    CHECK(rows[1].method == "WS");
    CHECK(rows[1].direction == orchestrator::Direction::WsIn);
    CHECK(rows[1].bytes == 900);
    CHECK(f->ui.showInspector);
    CHECK(f->ui.inspectorSelected == 2);
    CHECK(app::fixtureSource(f.value()).exchanges == f->exchanges.get());

    auto bad = app::parseFixture(R"({"genmon_fixture":1,"now":"2026-11-26T12:00:00Z","exchanges":[{"direction":"sideways"}]})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message ==
          "fixture: exchanges[0].direction must be request, response, ws in, ws out or ws event");
    auto none = app::parseFixture(R"({"genmon_fixture":1,"now":"2026-11-26T12:00:00Z"})");
    REQUIRE(none.ok());
    CHECK_FALSE(none->exchanges);
}
