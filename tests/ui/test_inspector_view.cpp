// Issue 10, the Inspector: "Copy as curl" gives a ready-to-run command that refers to the key
// through the environment, never the key; a selected exchange opens the detail pane; a replay
// shows its badge.
#include "ui/inspector_view.hpp"
#include "ui_harness.hpp"

using namespace genmon;
using namespace genmon::test;

namespace {
orchestrator::Exchange http(std::string method, std::string url, std::string body = {}) {
    orchestrator::Exchange e;
    e.method = std::move(method);
    e.target = std::move(url);
    e.status = 200;
    e.requestBody = std::move(body);
    e.requestBytes = e.requestBody.size();
    return e;
}
}  // namespace

TEST_CASE("issue 10 inspector: copy as curl for GET and POST and DELETE") {
    CHECK(ui::curlCommand(http("GET", "http://127.0.0.1:8000/api/v1/generation/jobs/active?limit=200")) ==
          "curl 'http://127.0.0.1:8000/api/v1/generation/jobs/active?limit=200' -H \"X-API-Key: $GENMON_API_KEY\"");
    CHECK(ui::curlCommand(http("POST", "http://h:8000/api/v1/generation/queue-generation", R"({"prompt":"it's a fox"})")) ==
          "curl -X POST 'http://h:8000/api/v1/generation/queue-generation' -H \"X-API-Key: $GENMON_API_KEY\" "
          "-H 'Content-Type: application/json' --data '{\"prompt\":\"it'\\''s a fox\"}'");
    CHECK(ui::curlCommand(http("POST", "http://h/api/v1/generation/jobs/j1/cancel")) ==
          "curl -X POST 'http://h/api/v1/generation/jobs/j1/cancel' -H \"X-API-Key: $GENMON_API_KEY\"");
    CHECK(ui::curlCommand(http("DELETE", "http://h/api/v1/generation/results/r%201")) ==
          "curl -X DELETE 'http://h/api/v1/generation/results/r%201' -H \"X-API-Key: $GENMON_API_KEY\"");
    orchestrator::Exchange ws;
    ws.method = "WS";
    ws.target = "progress_update j1";
    CHECK(ui::curlCommand(ws).empty());
    CHECK(ui::shellQuote("a'b") == "'a'\\''b'");
}

TEST_CASE("issue 10 inspector: selecting an exchange shows its detail and copies it as curl without the key") {
    const std::string key = "ui-key-4b7e0a-never-shown";
    orchestrator::ExchangeLog log;
    log.addSecret(key);
    orchestrator::Exchange get = http("GET", "http://127.0.0.1:8000/api/v1/system/status");
    get.requestHeaders = "X-API-Key: " + key + "\nUser-Agent: genmon/0.1";
    log.add(get, {}, R"({"status":"healthy","echo":")" + key + "\"}");
    orchestrator::Exchange post = http("POST", "http://127.0.0.1:8000/api/v1/generation/queue-generation");
    log.add(post, R"({"prompt":"a koi pond"})", R"({"delivery_id":"d1"})");

    UiHarness ui(snapshotOf({}));
    ui.exchanges = &log;
    ui.state().showInspector = true;
    ui.frame(2);
    CHECK_FALSE(ui.drawn("inspector.curl"));
    ui.state().inspectorSelected = 2;  // the POST
    ui.frame(2);
    const std::string shown = ui.item("inspector.curl").text;
    CHECK(shown == "curl -X POST 'http://127.0.0.1:8000/api/v1/generation/queue-generation' -H \"X-API-Key: "
                   "$GENMON_API_KEY\" -H 'Content-Type: application/json' --data '{\"prompt\":\"a koi pond\"}'");
    ui.clickItem("inspector.curl");
    CHECK(ui.commands.count("copy " + shown) == 1);
    // The GET: its header and the echoed key were redacted before the UI ever saw them.
    const auto rows = log.recent();
    CHECK(rows[0].requestHeaders == "X-API-Key: ***\nUser-Agent: genmon/0.1");
    CHECK(rows[0].responseBody == R"({"status":"healthy","echo":"***"})");
    ui.state().inspectorSelected = 1;
    ui.frame(2);
    CHECK(ui.item("inspector.curl").text.find(key) == std::string::npos);
}

TEST_CASE("issue 10 replay: the menu bar shows a REPLAY badge with the recording name") {
    auto snap = std::make_shared<orchestrator::Snapshot>(*snapshotOf({}));
    snap->replayName = "busy_session.jsonl";
    {
        UiHarness ui(snap);
        ui.frame(2);
        CHECK(ui.item("menu.replay").text == "REPLAY  busy_session.jsonl");
    }
    UiHarness live(snapshotOf({}));  // one ImGui context at a time
    CHECK_FALSE(live.drawn("menu.replay"));
}
