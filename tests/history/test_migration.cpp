// Issue 18.1 / 18.7: the migration from the first schema. The v1 file is made here by hand, with
// the v1 statements written out in this test (not taken from the code), as a genmon of that
// time would have left it.
#include <doctest/doctest.h>

#include "history/history_store.hpp"
#include "history_test_util.hpp"

using namespace genmon;
using namespace genmon::histtest;
using history::RunStatus;

namespace {

void makeV1File(const fs::path& p) {
    RawDb raw(p);
    raw.exec(R"sql(
PRAGMA application_id = 1734700653;
CREATE TABLE jobs (
  job_id      TEXT PRIMARY KEY,
  backend_url TEXT NOT NULL,
  status      TEXT NOT NULL,
  created_us  INTEGER,
  finished_us INTEGER,
  error       TEXT,
  prompt      TEXT,
  params_json TEXT
);
CREATE INDEX jobs_created ON jobs(created_us);
PRAGMA user_version = 1;
INSERT INTO jobs VALUES ('v1-ok', 'http://127.0.0.1:8000/api/v1', 'succeeded', 1796000000000000, 1796000012000000,
  NULL, 'a lighthouse at dusk <lora:film_grain:0.8>',
  '{"prompt":"a lighthouse at dusk <lora:film_grain:0.8>","negative_prompt":"blurry","sampler_name":"Euler a",
    "width":640,"height":480,"steps":28,"cfg_scale":6.5,"seed":1234,"batch_size":1,"n_iter":2}');
INSERT INTO jobs VALUES ('v1-failed', 'http://gpu.example:8782/v1', 'failed', 1796000100000000, 1796000110000000,
  'CUDA out of memory', 'a castle', '{"sampler_name":"DPM++ 2M","width":512,"height":512,"steps":20}');
INSERT INTO jobs VALUES ('v1-cancelled', 'http://127.0.0.1:8000/api/v1', 'cancelled', 1796000200000000, NULL,
  NULL, 'a boat', NULL);
INSERT INTO jobs VALUES ('v1-badjson', 'http://127.0.0.1:8000/api/v1', 'completed', NULL, 1796000300000000,
  NULL, 'broken params', '{not json');
INSERT INTO jobs VALUES ('v1-running', 'http://127.0.0.1:8000/api/v1', 'running', 1796000400000000, NULL,
  NULL, NULL, NULL);
)sql");
}

}  // namespace

TEST_CASE("issue 18.7: a real version 1 file is migrated to version 2 with every job and its params") {
    const auto dir = freshDir("migrate-v1");
    const auto p = dir / "history.sqlite3";
    makeV1File(p);
    {
        auto store = openStore(optionsFor(p));
        CHECK(store->countJobs().value() == 5);
        auto ok = store->find("127.0.0.1:8000", "v1-ok").value();
        REQUIRE(ok);
        CHECK(ok->backendUrl == "http://127.0.0.1:8000/api/v1");
        CHECK(ok->status == RunStatus::Succeeded);
        CHECK(ok->createdMicros == 1796000000000000);
        CHECK(ok->finishedMicros == 1796000012000000);
        CHECK(*ok->params.prompt == "a lighthouse at dusk <lora:film_grain:0.8>");
        CHECK(*ok->params.negativePrompt == "blurry");
        CHECK(*ok->params.sampler == "Euler a");
        CHECK(*ok->params.width == 640);
        CHECK(*ok->params.height == 480);
        CHECK(*ok->params.steps == 28);
        CHECK(*ok->params.cfg == 6.5);
        CHECK(*ok->params.seed == 1234);
        CHECK(*ok->params.nIter == 2);
        auto failed = store->find("gpu.example:8782", "v1-failed").value();
        REQUIRE(failed);
        CHECK(failed->status == RunStatus::Failed);
        CHECK(*failed->error == "CUDA out of memory");
        CHECK(*failed->params.sampler == "DPM++ 2M");
        CHECK(store->find("127.0.0.1:8000", "v1-cancelled").value()->status == RunStatus::Cancelled);
        auto bad = store->find("127.0.0.1:8000", "v1-badjson").value();
        REQUIRE(bad);
        CHECK(bad->status == RunStatus::Succeeded);  // "completed", the old word for it
        CHECK(*bad->params.prompt == "broken params");
        CHECK_FALSE(bad->params.sampler);
        CHECK(store->find("127.0.0.1:8000", "v1-running").value()->status == RunStatus::Running);
        // The migrated rows are searchable: the FTS index and the LoRA tags were built.
        auto q = history::parseQuery("lora:film_grain lighthouse");
        auto hits = store->search(*q.query);
        REQUIRE(hits);
        REQUIRE(hits->size() == 1);
        CHECK(hits->front().jobId == "v1-ok");
        auto oom = store->search(*history::parseQuery("error:memory backend:gpu.example").query);
        REQUIRE(oom->size() == 1);
        CHECK(oom->front().jobId == "v1-failed");
        // A migrated job keeps being updated in place.
        auto again = job("v1-running", RunStatus::Succeeded);
        again.params = {};
        store->record(again);
        REQUIRE(store->flush());
        CHECK(store->countJobs().value() == 5);
        CHECK(store->find("127.0.0.1:8000", "v1-running").value()->status == RunStatus::Succeeded);
        CHECK(store->integrityCheck().value() == "ok");
    }
    RawDb raw(p);
    CHECK(raw.integer("PRAGMA user_version") == 2);
    CHECK(raw.integer("PRAGMA auto_vacuum") == 2);
    CHECK(raw.integer("SELECT count(*) FROM sqlite_schema WHERE name IN ('jobs_v1', 'jobs_created')") == 0);
    raw.exec("INSERT INTO jobs_fts (jobs_fts) VALUES ('integrity-check')");
}

TEST_CASE("issue 18.1: a new file goes through version 1 to version 2, the path older files take") {
    const auto dir = freshDir("migrate-new");
    const auto p = dir / "h.sqlite3";
    { auto store = openStore(optionsFor(p)); }
    RawDb raw(p);
    CHECK(raw.integer("PRAGMA user_version") == 2);
    CHECK(raw.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('jobs', 'job_loras', 'thumbs', 'jobs_fts')") == 4);
    CHECK(raw.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'") == 3);
}
