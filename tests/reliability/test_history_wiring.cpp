// Issue 18, the wiring: a live session (app::Runtime, libcurl + Beast on real loopback sockets)
// records every job it sees from genmon-sim into a real SQLite file in a temp dir, and a second
// session on the same file starts from it. Nothing is mocked: the store, the sockets and the sim
// are the ones genmon runs.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <map>
#include <set>

#include "app/history_sink.hpp"
#include "history/history_store.hpp"
#include "history/query.hpp"
#include "reliability_util.hpp"
#include "test_support.hpp"

using namespace genmon;
using namespace genmon::reliability;
namespace fs = std::filesystem;

namespace {

fs::path freshDb(const std::string& name) {
    static std::atomic<int> counter{0};
    const fs::path dir = test::outputDir() / "history_wiring" /
                         (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir / "history.sqlite3";
}

std::shared_ptr<history::HistoryStore> openStore(const fs::path& db) {
    history::HistoryOptions o;
    o.path = db;
    o.batchInterval = std::chrono::milliseconds(20);
    auto opened = history::HistoryStore::open(o);
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
    return std::shared_ptr<history::HistoryStore>(std::move(opened).value());
}

// Several workers, so every queued job runs at once; a cancel stops the job for good.
sim::SimOptions historySim() {
    sim::SimOptions o = quietSim();
    o.workers = 8;
    o.cancelStopsWorker = true;
    return o;
}

model::GenerationRequest requestFor(int i) {
    model::GenerationRequest r;
    r.prompt = "lighthouse " + std::to_string(i) + " <lora:film_grain:0.6>";
    r.negative_prompt = "blurry";
    r.sampler_name = "Euler a";
    r.steps = 12;
    r.width = 512;
    r.height = 768;
    r.cfg_scale = 6.5;
    r.seed = 1000 + i;
    return r;
}

const model::Job* findJob(const orchestrator::Snapshot& s, const std::string& id) {
    const model::Job* found = nullptr;
    s.jobs.forEach([&](const model::Job& j) {
        if (j.backendId == id) found = &j;
    });
    return found;
}

bool allHaveStatus(const orchestrator::Snapshot& s, const std::vector<std::string>& ids, model::JobStatus status) {
    for (const auto& id : ids) {
        const model::Job* j = findJob(s, id);
        if (!j || j->status != status) return false;
    }
    return true;
}

struct LiveSession {
    explicit LiveSession(const std::shared_ptr<history::HistoryStore>& store) {
        app::RuntimeOptions ro = fastRuntime();
        ro.history = store;
        runtime = std::make_unique<app::Runtime>(ro);
    }
    void start(const std::string& url) {
        orchestrator::BackendConfig b;
        b.baseUrl = url;
        auto first = runtime->start(b, std::nullopt, fastPolls());
        REQUIRE(first.wait_for(10s) == std::future_status::ready);
        REQUIRE(first.get().ok());
    }
    orchestrator::SnapshotPtr snap() const { return runtime->snapshots().acquire(); }
    std::unique_ptr<app::Runtime> runtime;
};

// Session one: six jobs run; three succeed, two fail, one is cancelled. Returns their ids.
struct FirstSession {
    std::vector<std::string> ok, failed, cancelled;
    std::vector<std::string> all() const {
        std::vector<std::string> v = ok;
        v.insert(v.end(), failed.begin(), failed.end());
        v.insert(v.end(), cancelled.begin(), cancelled.end());
        return v;
    }
};

FirstSession runFirstSession(sim::SimServer& sim, const std::shared_ptr<history::HistoryStore>& store) {
    FirstSession out;
    std::vector<std::string> ids;
    for (int i = 0; i < 6; ++i) ids.push_back(sim.queueJob(requestFor(i)));
    LiveSession s(store);
    s.start(sim.baseUrl());
    REQUIRE(waitUntil([&] { return allHaveStatus(*s.snap(), ids, model::JobStatus::Queued); }));
    sim.advance(sim.options().pickupDelayMs + 10);  // every worker takes a job
    REQUIRE(waitUntil([&] { return allHaveStatus(*s.snap(), ids, model::JobStatus::Processing); }));
    std::this_thread::sleep_for(30ms);  // a run that takes some time, as genmon sees it
    out.ok = {ids[0], ids[1], ids[2]};
    out.failed = {ids[3], ids[4]};
    out.cancelled = {ids[5]};
    for (const auto& id : out.ok) REQUIRE(sim.finishJob(id, true).ok());
    for (const auto& id : out.failed) REQUIRE(sim.finishJob(id, false).ok());
    REQUIRE(s.runtime->orchestrator().cancelJob(out.cancelled.front()).get().ok());
    // The sim's monitors say how the jobs ended on their next tick (a listing may drop them first).
    sim.advance(sim.options().progressIntervalMs + 10);
    auto endedAs = [&](const std::vector<std::string>& ids, orchestrator::JobOutcome outcome) {
        const auto history = s.snap()->jobHistory;
        for (const auto& id : ids) {
            const orchestrator::JobLifecycle* e = history ? history->findNewest(id) : nullptr;
            if (!e || e->outcome != outcome) return false;
        }
        return true;
    };
    REQUIRE(waitUntil([&] {
        return endedAs(out.ok, orchestrator::JobOutcome::Completed) && endedAs(out.failed, orchestrator::JobOutcome::Failed) &&
               endedAs(out.cancelled, orchestrator::JobOutcome::Cancelled);
    }));
    s.runtime->shutdown();  // closes the store: everything recorded is committed
    return out;
}

// The "Done when" scene: a first session ran six jobs into the file and closed; a second one
// opens the same file while one more job (the same parameters) waits in the sim. Nothing
// finishes during the second session, so what it knows of the past comes from the file.
struct Restart {
    explicit Restart(const std::string& name) {
        auto started = sim::SimServer::start(historySim());
        REQUIRE(started.ok());
        sim = std::move(started).value();
        db = freshDb(name);
        first = runFirstSession(*sim, openStore(db));
        waiting = sim->queueJob(requestFor(7));
        store = openStore(db);
        second = std::make_unique<LiveSession>(store);
        second->start(sim->baseUrl());
        REQUIRE(waitUntil([&] { return findJob(*second->snap(), waiting) != nullptr; }));
    }
    std::unique_ptr<sim::SimServer> sim;
    fs::path db;
    FirstSession first;
    std::string waiting;
    std::shared_ptr<history::HistoryStore> store;
    std::unique_ptr<LiveSession> second;
};

}  // namespace

TEST_CASE("issue 18.1: restart keeps every job (a live session records into the history file)") {
    auto sim = sim::SimServer::start(historySim());
    REQUIRE(sim.ok());
    const fs::path db = freshDb("restart");
    const FirstSession first = runFirstSession(*sim.value(), openStore(db));

    auto store = openStore(db);  // "after the restart": a new process would open the file so
    const std::string backend = history::backendName(sim.value()->baseUrl());
    std::map<std::string, history::RunStatus> expected;
    for (const auto& id : first.ok) expected[id] = history::RunStatus::Succeeded;
    for (const auto& id : first.failed) expected[id] = history::RunStatus::Failed;
    for (const auto& id : first.cancelled) expected[id] = history::RunStatus::Cancelled;
    CHECK(store->countJobs().value() == 6);
    int i = 0;
    for (const auto& id : first.all()) {
        CAPTURE(id);
        auto found = store->find(backend, id);
        REQUIRE(found.ok());
        REQUIRE(found.value().has_value());
        const history::JobRecord& r = *found.value();
        CHECK(r.status == expected[id]);
        CHECK(r.createdMicros > 0);
        CHECK(r.finishedMicros >= r.createdMicros);
        CHECK(r.params.sampler == std::optional<std::string>("Euler a"));
        CHECK(r.params.width == 512);
        CHECK(r.params.height == 768);
        CHECK(r.params.steps == 12);
        CHECK(r.params.negativePrompt == std::optional<std::string>("blurry"));
        CHECK(r.params.seed.has_value());
        if (r.status == history::RunStatus::Succeeded) CHECK(r.startedMicros > 0);
        if (r.status == history::RunStatus::Failed) CHECK((r.error && !r.error->empty()));
        ++i;
    }
    CHECK(i == 6);
    // "yesterday's failed jobs are found by status:failed"
    auto failed = store->search(history::parseQuery("status:failed").query.value());
    REQUIRE(failed.ok());
    std::set<std::string> failedIds;
    for (const auto& r : failed.value()) failedIds.insert(r.jobId);
    CHECK(failedIds == std::set<std::string>(first.failed.begin(), first.failed.end()));
    auto lora = store->search(history::parseQuery("lora:film_grain status:succeeded").query.value());
    REQUIRE(lora.ok());
    CHECK(lora.value().size() == 3);
}

TEST_CASE("issue 18.3: after a restart the timeline and the learned ETA start from the stored runs") {
    Restart r("eta");
    const FirstSession& first = r.first;
    const std::string& waiting = r.waiting;
    LiveSession& s = *r.second;
    const auto snap = s.snap();
    REQUIRE(snap->jobHistory);
    std::set<std::string> onTimeline;
    for (size_t k = 0; k < snap->jobHistory->size(); ++k) onTimeline.insert((*snap->jobHistory)[k].job->backendId.str());
    for (const auto& id : first.all()) CHECK(onTimeline.count(id) == 1);
    const orchestrator::JobLifecycle* failedOne = snap->jobHistory->findNewest(first.failed.front());
    REQUIRE(failedOne != nullptr);
    CHECK(failedOne->outcome == orchestrator::JobOutcome::Failed);

    REQUIRE(snap->etaModel);
    CHECK(snap->etaModel->learnedJobs() == 3);
    const model::Job* job = findJob(*snap, waiting);
    REQUIRE(job != nullptr);
    CHECK(snap->etaModel->runEstimate(orchestrator::etaKeyOf(*job)).has_value());
    REQUIRE(waitUntil([&] {
        const auto now = s.snap();
        const model::Job* j = findJob(*now, waiting);
        const orchestrator::JobForecast* f = now->queueForecast && j ? now->queueForecast->find(*j) : nullptr;
        return f && f->ownKnown;  // an estimate, not "—"
    }));
    s.runtime->shutdown();
}

TEST_CASE("issue 18.4: run again re-queues the exact parameters in genmon-sim and links the new job") {
    // A new session that never saw the failed jobs run: their parameters come from the file.
    Restart r("rerun");
    const FirstSession& first = r.first;
    sim::SimServer& sim = *r.sim;
    auto& store = r.store;
    LiveSession& s = *r.second;
    auto report = s.runtime->orchestrator().runAgainAll(first.failed).get();
    REQUIRE(report.ok());
    CHECK(report->requested == 2);
    CHECK(report->failures.empty());
    REQUIRE(report->queued.size() == 2);
    // The sim lists the new jobs with the parameters it was sent: compare them with the old ones'.
    REQUIRE(waitUntil([&] {
        const auto snap = s.snap();  // the jobs live as long as the snapshot holding them
        for (const auto& id : report->queued) {
            const model::Job* j = findJob(*snap, id);
            if (!j || j->optimistic || !j->params) return false;
        }
        return true;
    }));
    const auto snap = s.snap();
    const std::string backend = history::backendName(sim.baseUrl());
    std::set<std::string> rerunOf;
    for (const auto& id : report->queued) {
        CAPTURE(id);
        const model::Job* j = findJob(*snap, id);
        REQUIRE(j != nullptr);
        CHECK(j->status == model::JobStatus::Queued);
        REQUIRE(store->flush().ok());
        auto stored = store->find(backend, id);
        REQUIRE(stored.ok());
        REQUIRE(stored.value().has_value());
        REQUIRE(stored.value()->rerunOf.has_value());
        rerunOf.insert(*stored.value()->rerunOf);
        auto old = store->find(backend, *stored.value()->rerunOf);
        REQUIRE(old.ok());
        REQUIRE(old.value().has_value());
        const history::JobParams& was = old.value()->params;
        const model::GenerationParams& now = *j->params;  // as genmon-sim lists the new job
        CHECK(now.prompt->str() == *was.prompt);
        CHECK(now.negative_prompt->str() == *was.negativePrompt);
        CHECK(now.sampler_name->str() == *was.sampler);
        CHECK(now.steps == was.steps);
        CHECK(now.width == was.width);
        CHECK(now.height == was.height);
        CHECK(now.cfg_scale == was.cfg);
        CHECK(now.seed == was.seed);
    }
    CHECK(rerunOf == std::set<std::string>(first.failed.begin(), first.failed.end()));

    // One that nobody knows is reported, not sent.
    auto unknown = s.runtime->orchestrator().runAgain("no-such-job").get();
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().kind == model::ErrorKind::NotFound);
    s.runtime->shutdown();
}

TEST_CASE("issue 18.1: --no-history opens nothing, --history-db opens the file it names") {
    const fs::path db = freshDb("cli");
    const fs::path stateHome = db.parent_path() / "state";
    ::setenv("XDG_STATE_HOME", stateHome.c_str(), 1);
    app::CliOptions off;
    off.noHistory = true;
    auto none = app::openSessionHistory(off, app::HistoryUse::Default);
    CHECK_FALSE(none.store);
    CHECK(none.problem.empty());
    CHECK_FALSE(fs::exists(stateHome / "genmon" / "history.sqlite3"));

    // Offscreen runs (--dump-snapshot, --screenshot) record only into a file they name.
    app::CliOptions plain;
    CHECK_FALSE(app::openSessionHistory(plain, app::HistoryUse::OnlyWhenNamed).store);
    CHECK_FALSE(fs::exists(stateHome / "genmon" / "history.sqlite3"));

    // The window records by default, at $XDG_STATE_HOME/genmon/history.sqlite3.
    auto byDefault = app::openSessionHistory(plain, app::HistoryUse::Default);
    REQUIRE(byDefault.store);
    CHECK(byDefault.store->path() == stateHome / "genmon" / "history.sqlite3");
    byDefault.store->close();
    CHECK(fs::exists(stateHome / "genmon" / "history.sqlite3"));

    app::CliOptions named;
    named.historyDbPath = db.string();
    auto opened = app::openSessionHistory(named, app::HistoryUse::OnlyWhenNamed);
    REQUIRE(opened.store);
    opened.store->close();
    CHECK(fs::exists(db));
    ::unsetenv("XDG_STATE_HOME");
}

TEST_CASE("issue 18.1: a damaged history file gives one line and the session runs without history") {
    const fs::path db = freshDb("damaged");
    {
        std::ofstream f(db, std::ios::binary);
        f << "this is not an SQLite database, it is somebody's notes\n";
    }
    const std::string before = test::readFile(db);
    app::CliOptions named;
    named.historyDbPath = db.string();
    auto opened = app::openSessionHistory(named, app::HistoryUse::Default);
    CHECK_FALSE(opened.store);
    CHECK(opened.problem.rfind("history off: ", 0) == 0);
    CHECK(opened.problem.find('\n') == std::string::npos);
    CHECK(test::readFile(db) == before);  // left as it was

    // The session runs on without one.
    auto sim = sim::SimServer::start(historySim());
    REQUIRE(sim.ok());
    const std::string id = sim.value()->queueJob(requestFor(1));
    LiveSession s(opened.store);
    s.start(sim.value()->baseUrl());
    CHECK(waitUntil([&] { return findJob(*s.snap(), id) != nullptr; }));
    s.runtime->shutdown();
}

TEST_CASE("issue 18.2: the queue field searches the live jobs and the stored ones") {
    Restart r("search");
    const FirstSession& first = r.first;
    const std::string& waiting = r.waiting;
    LiveSession& s = *r.second;
    auto& orch = s.runtime->orchestrator();
    auto search = [&](const std::string& text) {
        orchestrator::QueueViewSpec spec;
        spec.filter = text;
        REQUIRE(orch.setQueueView(spec).get().ok());
        return s.snap();
    };
    auto storedIds = [](const orchestrator::Snapshot& snap) {
        std::set<std::string> ids;
        if (snap.storedMatches)
            for (const auto& e : snap.storedMatches->jobs) ids.insert(e.job->backendId.str());
        return ids;
    };

    auto snap = search("status:failed");
    CHECK(snap->queueView.size() == 0);  // the waiting job is queued
    CHECK(storedIds(*snap) == std::set<std::string>(first.failed.begin(), first.failed.end()));

    snap = search("lora:film_grain status:queued");
    REQUIRE(snap->queueView.size() == 1);
    CHECK(snap->queueView.job(0).backendId == waiting);
    CHECK(storedIds(*snap).empty());  // the queue shows it; the stored list does not repeat it

    snap = search("status:succeeded seed:1001");
    CHECK(storedIds(*snap) == std::set<std::string>{first.ok[1]});

    snap = search("lighthouse");  // plain words: the live filter stays a substring match
    CHECK(snap->queueView.size() == 1);
    CHECK(storedIds(*snap).size() == 6);

    snap = search("status:faild");
    REQUIRE(snap->storedMatches);
    CHECK(snap->storedMatches->error.find("faild") != std::string::npos);

    snap = search("");
    CHECK_FALSE(snap->storedMatches);
    CHECK(snap->queueView.size() == 1);
    s.runtime->shutdown();
}

TEST_CASE("issue 18.3: the timeline reaches back days: a job stored two days ago is on it, one of nine days is not") {
    auto sim = sim::SimServer::start(historySim());
    REQUIRE(sim.ok());
    const fs::path db = freshDb("days");
    auto store = openStore(db);
    const std::string url = sim.value()->baseUrl();
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    auto stored = [&](const std::string& id, int64_t endedAgoMicros, history::RunStatus status) {
        history::JobRecord r;
        r.backend = history::backendName(url);
        r.backendUrl = url;
        r.jobId = id;
        r.status = status;
        r.createdMicros = now - endedAgoMicros - 90'000'000;
        r.startedMicros = now - endedAgoMicros - 30'000'000;
        r.finishedMicros = now - endedAgoMicros;
        r.params.prompt = "a harbour, " + id;
        store->record(r);
    };
    constexpr int64_t kDay = 86'400'000'000LL;
    stored("two-days-ago", 2 * kDay, history::RunStatus::Succeeded);
    stored("failed-yesterday", kDay, history::RunStatus::Failed);
    stored("nine-days-ago", 9 * kDay, history::RunStatus::Succeeded);
    REQUIRE(store->flush().ok());

    LiveSession s(store);
    s.start(url);
    const auto snap = s.snap();
    REQUIRE(snap->jobHistory);
    CHECK(snap->jobHistory->findNewest("two-days-ago") != nullptr);
    const orchestrator::JobLifecycle* failed = snap->jobHistory->findNewest("failed-yesterday");
    REQUIRE(failed != nullptr);
    CHECK(failed->outcome == orchestrator::JobOutcome::Failed);
    CHECK(snap->jobHistory->findNewest("nine-days-ago") == nullptr);  // past the week the timeline shows
    CHECK(snap->storedThroughput != nullptr);  // what offers the long windows in the view
    s.runtime->shutdown();
}

TEST_CASE("issue 18.1: a finished job's row keeps its result id and a thumbnail of at most 32 px a side") {
    auto sim = sim::SimServer::start(historySim());
    REQUIRE(sim.ok());
    const fs::path db = freshDb("thumbnail");
    auto store = openStore(db);
    const std::string id = sim.value()->queueJob(requestFor(1));
    LiveSession s(store);
    s.start(sim.value()->baseUrl());
    REQUIRE(waitUntil([&] { return findJob(*s.snap(), id) != nullptr; }));
    sim.value()->advance(sim.value()->options().pickupDelayMs + 10);
    REQUIRE(waitUntil([&] {
        const auto snap = s.snap();  // held while its job is read
        const model::Job* j = findJob(*snap, id);
        return j && j->status == model::JobStatus::Processing;
    }));
    REQUIRE(sim.value()->finishJob(id, true).ok());
    sim.value()->advance(sim.value()->options().progressIntervalMs + 10);
    // Its result is listed and its image decoded: that is when the history gets the picture.
    REQUIRE(waitUntil([&] {
        const auto snap = s.snap();
        for (const auto& r : *snap->recentResults)
            if (r->job_id == id && r->imageState == model::ImageState::Ready) return true;
        return false;
    }));
    REQUIRE(waitUntil([&] {
        REQUIRE(store->flush().ok());
        auto found = store->find(history::backendName(sim.value()->baseUrl()), id);
        return found.ok() && found.value() && found.value()->thumbnail.has_value();
    }));
    const auto row = store->find(history::backendName(sim.value()->baseUrl()), id).value();
    REQUIRE(row);
    CHECK(row->status == history::RunStatus::Succeeded);
    CHECK(row->resultId.has_value());
    CHECK(row->createdMicros > 0);  // the job's own time, not replaced by the picture's record
    const history::Thumbnail& t = *row->thumbnail;
    CHECK(t.width > 0);
    CHECK(t.height > 0);
    CHECK(std::max(t.width, t.height) <= history::kStoredThumbnailSide);
    CHECK(t.rgba.size() == static_cast<size_t>(t.width) * static_cast<size_t>(t.height) * 4);
    s.runtime->shutdown();
}
