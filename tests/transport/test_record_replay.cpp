// Issue 10, record and replay: a live session against genmon-sim recorded with the real
// transport over loopback, then replayed with no network (twice: the same snapshot, and the one
// the live session ended with); recordings that are cut short or garbled; the key never written.
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/dump_snapshot.hpp"
#include "app/replay_session.hpp"
#include "app/runtime.hpp"
#include "app/snapshot_json.hpp"
#include "test_support.hpp"
#include "transport/recording.hpp"
#include "transport/replay_transport.hpp"
#include "transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;

namespace {

std::string tempPath(const std::string& name) {
    std::filesystem::create_directories(test::outputDir());
    return (test::outputDir() / (name + "-" + std::to_string(::getpid()) + ".jsonl")).string();
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A list of jobs without each job's "eta" (issue 14.4): a countdown from the moment the snapshot
// was built, which a replay reaches at another time than the live session did.
std::string jobsWithoutEta(simdjson::dom::element list) {
    simdjson::dom::array jobs;
    REQUIRE(list.get(jobs) == simdjson::SUCCESS);
    std::string out = "[";
    for (simdjson::dom::element job : jobs) {
        simdjson::dom::object fields;
        REQUIRE(job.get(fields) == simdjson::SUCCESS);
        if (out.size() > 1) out += ',';
        out += '{';
        bool first = true;
        for (simdjson::dom::key_value_pair field : fields) {
            if (field.key == "eta") continue;
            if (!first) out += ',';
            first = false;
            out += '"';
            out.append(field.key);
            out += "\":";
            out += simdjson::to_string(field.value);
        }
        out += '}';
    }
    out += ']';
    return out;
}

// What a person sees of the data: jobs, results (with their image states), status, counts.
std::string dataOf(const orchestrator::Snapshot& s) {
    const std::string json = app::snapshotToJson(s, false);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
    std::string out;
    for (const char* key : {"jobs", "sortedActiveJobs", "recentResults", "systemStatus", "counts", "isConnected",
                            "serverQueueLength", "lastRefreshError"}) {
        simdjson::dom::element v;
        REQUIRE(doc[key].get(v) == simdjson::SUCCESS);
        const bool jobList = std::string_view(key) == "jobs" || std::string_view(key) == "sortedActiveJobs";
        out += std::string(key) + "=" + (jobList ? jobsWithoutEta(v) : simdjson::to_string(v)) + "\n";
    }
    return out;
}

bool settledSnapshot(const orchestrator::Snapshot& s, size_t results) {
    if (!s.isConnected || s.recentResults->size() < results) return false;
    for (const auto& r : *s.recentResults)
        if (r->imageState != model::ImageState::Ready) return false;
    return true;
}

DumpCapture dumpReplay(const std::string& path) {
    app::CliOptions o;
    o.mode = app::CliOptions::Mode::DumpSnapshot;
    o.replayPath = path;
    return captureDump(o);
}

}  // namespace

TEST_CASE("issue 10 record and replay: a recorded sim session replays twice to the same snapshot the live one ended with") {
    const std::string key = "rec-key-7f3c9e1d-never-written";
    auto simOptions = quietSim();
    simOptions.apiKey = key;
    simOptions.initialResults = 2;
    auto sim = startSim(simOptions);
    const std::string first = sim->queueJob("a lighthouse at dusk");
    const std::string second = sim->queueJob("a red fox in snow");
    const std::string failing = sim->queueJob("a koi pond");
    const std::string path = tempPath("recorded-session");

    std::string live;
    {
        app::RuntimeOptions ro;
        ro.transport = fastSettings();
        ro.retryInitialize = false;
        app::Runtime rt(ro);
        orchestrator::BackendConfig backend;
        backend.baseUrl = sim->baseUrl();
        REQUIRE(rt.startRecording(path, backend).ok());
        auto started = rt.start(backend, key);
        REQUIRE(started.wait_for(10s) == std::future_status::ready);
        REQUIRE(started.get().ok());
        REQUIRE(waitUntil([&] { return settledSnapshot(*rt.snapshots().acquire(), 2); }));
        // The sim moves: a job is picked up and reports progress over the socket; then two
        // complete and one fails.
        for (int i = 0; i < 4; ++i) {
            sim->advance(1000);
            std::this_thread::sleep_for(40ms);
        }
        REQUIRE(sim->finishJob(first, true).ok());
        REQUIRE(sim->finishJob(second, true).ok());
        REQUIRE(sim->finishJob(failing, false).ok());
        for (int i = 0; i < 3; ++i) {
            sim->advance(1000);
            std::this_thread::sleep_for(40ms);
        }
        INFO(dataOf(*rt.snapshots().acquire()));
        REQUIRE(waitUntil([&] {
            const auto s = rt.snapshots().acquire();
            return settledSnapshot(*s, 4) && s->counts.queued == 0;
        }));
        // Let the results refresh that follows the completions land too, then stop.
        std::this_thread::sleep_for(400ms);
        live = dataOf(*rt.snapshots().acquire());
        rt.shutdown();
        REQUIRE(rt.stopRecording().ok());
    }
    INFO(live);
    CHECK(live.find("a lighthouse at dusk") != std::string::npos);

    const std::string text = readFile(path);
    CHECK(text.find(key) == std::string::npos);
    CHECK(text.find("\"kind\":\"ws\",\"event\":\"message\"") != std::string::npos);
    CHECK(text.find("\"kind\":\"end\"") != std::string::npos);

    // Replayed twice, on a virtual clock: the same snapshot, and the live one's data.
    auto replay = [&] {
        auto session = app::ReplaySession::open(path);
        REQUIRE_MESSAGE(session.ok(), (session.ok() ? std::string() : session.error().message));
        session.value()->runToEnd();
        const auto snap = session.value()->snapshots().acquire();
        CHECK(snap->replayName.find("recorded-session") == 0);
        std::string full = app::snapshotToJson(*snap, true);
        std::string data = dataOf(*snap);
        session.value()->shutdown();
        return std::pair{full, data};
    };
    const auto [full1, data1] = replay();
    const auto [full2, data2] = replay();
    CHECK(full1 == full2);
    CHECK(data1 == live);
    CHECK(data2 == live);

    // The CLI prints that snapshot too, and the same one every time.
    const DumpCapture a = dumpReplay(path), b = dumpReplay(path);
    CHECK(a.code == 0);
    CHECK(a.err.empty());
    CHECK(a.out == b.out);
    CHECK(a.out == full1 + "\n");
}

// A live session against the sim recorded up to its first full refresh, then ended.
static void recordFirstRefresh(sim::SimServer& sim, const std::string& path) {
    app::RuntimeOptions ro;
    ro.transport = fastSettings();
    ro.retryInitialize = false;
    app::Runtime rt(ro);
    orchestrator::BackendConfig backend;
    backend.baseUrl = sim.baseUrl();
    REQUIRE(rt.startRecording(path, backend).ok());
    auto first = rt.start(backend, std::nullopt);
    REQUIRE(first.wait_for(10s) == std::future_status::ready);
    REQUIRE(first.get().ok());
    rt.shutdown();
    REQUIRE(rt.stopRecording().ok());
}

TEST_CASE("issue 10 record and replay: actions during a replay answer that the backend is a recording") {
    auto sim = startSim();
    const std::string path = tempPath("replay-actions");
    recordFirstRefresh(*sim, path);
    auto session = app::ReplaySession::open(path);
    REQUIRE(session.ok());
    auto& s = *session.value();
    s.runToEnd();
    auto cancel = s.orchestrator().cancelJob("any-job");
    auto del = s.orchestrator().deleteResult("any-result");
    model::GenerationRequest request;
    request.prompt = "a paper boat";
    auto gen = s.orchestrator().startGeneration(request);
    s.runPending();  // the virtual worker runs only when told to
    for (auto* f : {&cancel, &del}) {
        REQUIRE(f->wait_for(1s) == std::future_status::ready);
        const auto r = f->get();
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == transport::kReplayRefusal);
    }
    REQUIRE(gen.wait_for(1s) == std::future_status::ready);
    const auto g = gen.get();
    REQUIRE_FALSE(g.ok());
    CHECK(g.error().message == transport::kReplayRefusal);
    // ... and the person sees it: the orchestrator's failure notice carries the reason.
    bool told = false;
    for (const auto& e : s.events().drain()) told = told || e.detail == transport::kReplayRefusal;
    CHECK(told);
    s.shutdown();
}

TEST_CASE("issue 15.2: a replay goes through an OrchestratorManager: one binding, initialized once, destroyed by its release") {
    auto sim = startSim();
    const std::string path = tempPath("replay-manager");
    recordFirstRefresh(*sim, path);
    auto session = app::ReplaySession::open(path);
    REQUIRE(session.ok());
    auto& s = *session.value();
    CHECK(s.manager().consumerCount() == 1);
    CHECK_FALSE(s.manager().isInitialized());
    s.runToEnd();
    CHECK(s.manager().isInitialized());
    CHECK(&s.orchestrator() == &s.manager().orchestrator());
    CHECK(s.snapshots().acquire()->isActive);
    CHECK_FALSE(s.snapshots().acquire()->replayName.empty());
    // Lifecycle through the manager: destroy ends it, and the snapshot says so.
    auto d = s.manager().destroy();
    s.runPending();
    REQUIRE(d.wait_for(1s) == std::future_status::ready);
    CHECK(d.get().ok());
    CHECK_FALSE(s.manager().isInitialized());
    CHECK_FALSE(s.snapshots().acquire()->isActive);
    CHECK(s.snapshots().acquire()->jobs.empty());
    s.shutdown();
}

TEST_CASE("issue 10 record and replay: a garbled recording gives a one-line error naming the line") {
    const std::string header =
        R"({"genmon_recording":1,"base_url":"http://127.0.0.1:8000/api/v1","started_us":1795694400000000})";
    const std::string good = R"({"t_us":5,"kind":"http","method":"GET","path":"/system/status","status":200,"ms":1,"body":"{}"})";
    {
        // A bad line in the middle (issue 14.2: only the last line may be cut short).
        auto r = transport::parseRecording(header + "\n{nope}\n" + good + "\n", "bad.jsonl");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.rfind("bad.jsonl line 2: not valid JSON", 0) == 0);
        CHECK(r.error().message.find('\n') == std::string::npos);
    }
    {
        // A bad last line that has its newline was written whole: garbled, not cut.
        auto r = transport::parseRecording(header + "\n" + good + "\n{nope}\n", "tail.jsonl");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.rfind("tail.jsonl line 3: not valid JSON", 0) == 0);
    }
    {
        // Cut inside the header: nothing to play.
        auto r = transport::parseRecording(R"({"genmon_recording":1,"base_u)", "head.jsonl");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.rfind("head.jsonl line 1: not valid JSON", 0) == 0);
    }
    {
        auto r = transport::parseRecording(R"({"hello":1})" "\n", "other.json");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "other.json line 1: not a genmon recording (the first line has no \"genmon_recording\")");
    }
    {
        auto r = transport::parseRecording(header + "\n" + R"({"t_us":5,"kind":"telepathy"})" + "\n", "k.jsonl");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "k.jsonl line 2: unknown \"kind\": \"telepathy\" (http, ws or end)");
    }
    // The CLI: exit 1 with that line on stderr; a missing file names the file.
    const std::string bad = tempPath("garbled");
    std::ofstream(bad, std::ios::binary) << header << "\n{nope}\n" << good << "\n";
    const DumpCapture c = dumpReplay(bad);
    CHECK(c.code == 1);
    CHECK(c.out.empty());
    CHECK(c.err.find("line 2: not valid JSON") != std::string::npos);
    CHECK(c.err.find(bad) != std::string::npos);
    CHECK(std::count(c.err.begin(), c.err.end(), '\n') == 1);
    const DumpCapture missing = dumpReplay(tempPath("never-written"));
    CHECK(missing.code == 1);
    CHECK(missing.err.find("cannot read the recording") != std::string::npos);
}

TEST_CASE("issue 14.2: a recording cut mid-line or without its end line plays what is there and says where it ends") {
    const std::string header =
        R"({"genmon_recording":1,"base_url":"http://127.0.0.1:8000/api/v1","started_us":1795694400000000})";
    const std::string status = R"({"t_us":87300000,"kind":"http","method":"GET","path":"/system/status","status":200,"ms":1,"body":"{}"})";
    {
        auto r = transport::parseRecording(header + "\n" + status + "\n" + R"({"t_us":87400000,"kind":"ws","ev)", "cut.jsonl");
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().message));
        CHECK(r->http.size() == 1);
        CHECK(r->ws.empty());
        CHECK(r->cutMidLine);
        CHECK_FALSE(r->ended);
        CHECK(r->endMicros == 87'300'000);
        CHECK(r->truncation == "cut.jsonl ends at line 3 (cut mid-line, no end line): replaying the first 2 lines, 87.3 s");
    }
    {
        auto r = transport::parseRecording(header + "\n" + status + "\n", "noend.jsonl");
        REQUIRE(r.ok());
        CHECK_FALSE(r->cutMidLine);
        CHECK(r->truncation == "noend.jsonl ends at line 2 (no end line): replaying all 2 lines, 87.3 s");
    }
    {
        auto r = transport::parseRecording(header + "\n" + status + "\n" + R"({"t_us":87300001,"kind":"end"})" + "\n", "whole.jsonl");
        REQUIRE(r.ok());
        CHECK(r->ended);
        CHECK(r->truncation.empty());
    }
    // The CLI plays it (exit 0, the snapshot on stdout) and says where it ends in one line; the
    // replay's REPLAY badge says it too.
    const std::string cut = tempPath("cut-mid-line");
    std::ofstream(cut, std::ios::binary) << header << "\n" << status << "\n" << R"({"t_us":87400000,"kind":"ws","ev)";
    const DumpCapture c = dumpReplay(cut);
    CHECK(c.code == 0);
    CHECK(c.out.find("\"jobs\"") != std::string::npos);
    CHECK(c.err == "genmon: " + cut + " ends at line 3 (cut mid-line, no end line): replaying the first 2 lines, 87.3 s\n");
    auto session = app::ReplaySession::open(cut);
    REQUIRE(session.ok());
    session.value()->runToEnd();
    CHECK(session.value()->snapshots().acquire()->replayName.find(" ends at line 3 (cut mid-line, no end line)") !=
          std::string::npos);
    session.value()->shutdown();
}

TEST_CASE("issue 10 record and replay: an answer never recorded is a clear error and recorded ones are used in order") {
    const std::string header =
        R"({"genmon_recording":1,"base_url":"http://127.0.0.1:8000/api/v1","started_us":1795694400000000})";
    std::string text = header + "\n";
    text += R"({"t_us":1000,"kind":"http","method":"GET","path":"/generation/jobs/active?limit=200","status":200,"ms":1,"body":"[]"})" "\n";
    text += R"({"t_us":5000000,"kind":"http","method":"GET","path":"/generation/jobs/active?limit=200","status":200,"ms":1,"body":"[{\"id\":\"j1\",\"status\":\"pending\",\"progress\":0,\"prompt\":\"p\",\"created_at\":\"2026-11-26T12:00:00Z\"}]"})" "\n";
    text += R"({"t_us":9000000,"kind":"end"})" "\n";
    auto rec = transport::parseRecording(text, "t.jsonl");
    REQUIRE(rec.ok());
    auto recording = std::make_shared<const transport::Recording>(std::move(rec).value());
    orchestrator::ManualExecutor clock(recording->startedAtMicros);
    auto factory = transport::makeReplayTransportFactory(clock, recording, nullptr);
    auto t = factory({});
    std::vector<std::string> answers;
    auto jobs = [&](model::Outcome<orchestrator::FetchedJobs> r) {
        answers.push_back(r.ok() ? std::to_string(r->jobs.size()) + " jobs at " +
                                       std::to_string((clock.nowMicros() - recording->startedAtMicros) / 1000) + " ms"
                                 : r.error().message);
    };
    t->fetchActiveJobs(200, jobs);   // the first recorded answer, at its time (1 ms)
    t->fetchActiveJobs(200, jobs);   // the second, which arrives at 5 s
    t->fetchSystemStatus([&](model::Outcome<orchestrator::FetchedStatus> r) {
        answers.push_back(r.ok() ? "status" : r.error().message);
    });
    CHECK(answers.empty());  // never inside the call
    clock.advanceTo(recording->startedAtMicros + 8'000'000);
    t->fetchActiveJobs(200, jobs);   // asked more often than recorded: the latest at or before now
    clock.runUntilIdle();
    REQUIRE(answers.size() == 4);
    CHECK(answers[0] == "replay: GET /system/status was never recorded");
    CHECK(answers[1] == "0 jobs at 1 ms");
    CHECK(answers[2] == "1 jobs at 5000 ms");
    CHECK(answers[3] == "1 jobs at 8000 ms");
}

TEST_CASE("issue 10 record and replay: the window driver at --speed 20 and max ends where runToEnd does") {
    const std::string path = std::string(GENMON_SOURCE_DIR) + "/tests/screenshots/fixtures/replay_busy.jsonl";
    auto reference = app::ReplaySession::open(path);
    REQUIRE_MESSAGE(reference.ok(), (reference.ok() ? std::string() : reference.error().message));
    reference.value()->runToEnd();
    const std::string expected = app::snapshotToJson(*reference.value()->snapshots().acquire(), true);
    reference.value()->shutdown();
    for (const double speed : {20.0, 0.0}) {
        CAPTURE(speed);
        app::ReplayOptions options;
        options.speed = speed;
        auto session = app::ReplaySession::open(path, options);
        REQUIRE(session.ok());
        auto& s = *session.value();
        const auto started = std::chrono::steady_clock::now();
        s.start();
        REQUIRE(waitUntil([&] { return s.finished(); }));
        const auto took = std::chrono::steady_clock::now() - started;
        // 3.5 s of recording: about 175 ms at 20x, at once at max; never in real time.
        if (speed > 0) CHECK(took >= 150ms);
        CHECK(took < 3s);
        std::this_thread::sleep_for(60ms);  // the driver holds the clock at the end
        CHECK(s.nowMicros() == s.endMicros());
        CHECK(app::snapshotToJson(*s.snapshots().acquire(), true) == expected);
        s.shutdown();
    }
}
