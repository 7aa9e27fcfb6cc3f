// QueueModule: the queue utilities of the contract with the semantics of spec §4.3-4.6,
// decisions 2 and 4, and the queueModule.spec / JobQueue.spec / backend pytest assertions.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "fake_transport.hpp"
#include "model/job_status.hpp"
#include "orchestrator/queue_module.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::JobStatus;

namespace {
constexpr int64_t kNow = 1'790'000'000'000'000;
constexpr int64_t kGrace = 20'000'000;

model::ProgressMessage progressMsg(std::string id, std::optional<uint8_t> p, std::optional<JobStatus> st = std::nullopt) {
    model::ProgressMessage m;
    m.job_id = std::move(id);
    m.progress = p;
    m.status = st;
    return m;
}

std::vector<std::string> sortedIds(const QueueModule& q) { return ids(q.sortedActiveJobs()); }
std::string jid(int i) {
    std::string id = "j";
    id += std::to_string(i);
    return id;
}
}  // namespace

// ---- enqueueJob / keys (§4.4, §4.5) ------------------------------------------------------------

TEST_CASE("spec 4.5: enqueueJob appends a new job and replaces an existing one in place, keeping its position") {
    QueueModule q;
    q.enqueueJob(makeJob("a", JobStatus::Queued), kNow);
    q.enqueueJob(makeJob("b", JobStatus::Queued), kNow);
    q.enqueueJob(makeJob("c", JobStatus::Queued), kNow);
    REQUIRE(ids(q.jobs()) == std::vector<std::string>{"a", "b", "c"});
    auto b2 = makeJob("b", JobStatus::Processing, {}, 60);
    b2.prompt = model::Text("new prompt");
    q.enqueueJob(b2, kNow);
    CHECK(q.size() == 3);
    CHECK(ids(q.jobs()) == std::vector<std::string>{"a", "b", "c"});
    CHECK(q.find("b")->progress == 60);
    CHECK(q.find("b")->status == JobStatus::Processing);
    CHECK(q.find("b")->prompt->view() == "new prompt");
}

TEST_CASE("spec 4.4: enqueueJob matches an existing job by backendId when the uiId is new") {
    QueueModule q;
    model::Job j = makeJob("ui-1", JobStatus::Queued);
    j.backendId = model::Text("backend-1");
    q.enqueueJob(j, kNow);
    q.enqueueJob(makeJob("x", JobStatus::Queued), kNow);
    model::Job again;
    again.backendId = model::Text("backend-1");
    again.status = JobStatus::Processing;
    q.enqueueJob(again, kNow);
    CHECK(q.size() == 2);
    CHECK(q.jobs()[0]->status == JobStatus::Processing);  // same position: first
    CHECK(q.find("backend-1") != nullptr);
}

TEST_CASE("spec 4.4: keys are trimmed, uiId falls back to backendId and backendId to uiId") {
    QueueModule q;
    model::Job onlyBackend;
    onlyBackend.backendId = model::Text("  be-7 ");
    q.enqueueJob(onlyBackend, kNow);
    auto j = q.find("be-7");
    REQUIRE(j);
    CHECK(j->uiId == "be-7");
    CHECK(j->backendId == "be-7");

    model::Job onlyUi;
    onlyUi.uiId = model::Text("\tui-9\n");
    q.enqueueJob(onlyUi, kNow);
    auto k = q.find("ui-9");
    REQUIRE(k);
    CHECK(k->backendId == "ui-9");
}

TEST_CASE("spec 4.4: a job without any id gets a generated job-<millis>-<hex> id") {
    QueueModule q;
    model::Job anonymous;
    anonymous.status = JobStatus::Queued;
    q.enqueueJob(anonymous, kNow);
    q.enqueueJob(anonymous, kNow);  // a second one gets a different id
    REQUIRE(q.size() == 2);
    const auto list = ids(q.jobs());
    // job-<millis>-<8 hex digits>
    const std::string prefix = "job-" + std::to_string(kNow / 1000) + "-";
    for (const auto& id : list) {
        CHECK_MESSAGE(id.rfind(prefix, 0) == 0, id);
        const std::string hex = id.substr(std::min(prefix.size(), id.size()));
        CHECK_MESSAGE(hex.size() == 8, id);
        CHECK_MESSAGE(hex.find_first_not_of("0123456789abcdef") == std::string::npos, id);
    }
    CHECK(list[0] != list[1]);
    CHECK(q.find(list[0])->backendId == list[0]);
}

TEST_CASE("spec 4.5: startTime and created_at fall back to each other and then to now") {
    QueueModule q;
    model::Job onlyCreated = makeJob("c", JobStatus::Queued, "2026-11-26T07:06:38");
    q.enqueueJob(onlyCreated, kNow);
    CHECK(q.find("c")->startTime == q.find("c")->created_at);
    model::Job onlyStart = makeJob("s", JobStatus::Queued);
    onlyStart.startTime = model::Timestamp::parse("2026-11-26T08:00:00");
    q.enqueueJob(onlyStart, kNow);
    CHECK(q.find("s")->created_at == onlyStart.startTime);
    q.enqueueJob(makeJob("n", JobStatus::Queued), kNow);
    CHECK(q.find("n")->created_at.valid);
    CHECK(q.find("n")->created_at.micros == kNow);
    CHECK(q.find("n")->receivedMicros == kNow);
}

// ---- setJobs / ingestQueue --------------------------------------------------------------------

TEST_CASE("spec 4.5: setJobs replaces the whole list in the given order, duplicate ids keep the first") {
    QueueModule q;
    q.enqueueJob(makeJob("old", JobStatus::Processing), kNow);
    auto dup = makeJob("b", JobStatus::Failed);
    q.setJobs({makeJob("c", JobStatus::Queued), makeJob("b", JobStatus::Queued), dup, makeJob("a", JobStatus::Queued)},
              kNow);
    CHECK(ids(q.jobs()) == std::vector<std::string>{"c", "b", "a"});
    CHECK(q.find("old") == nullptr);
    CHECK(q.find("b")->status == JobStatus::Queued);
    CHECK(q.counts().queued == 3);
    CHECK(q.counts().processing == 0);
    CHECK(q.counts().failed == 0);
}

TEST_CASE("spec 4.5: ingestQueue is a full replace: jobs the server no longer lists disappear") {
    QueueModule q;
    q.setJobs({makeJob("a", JobStatus::Processing), makeJob("b", JobStatus::Queued)}, kNow);
    q.ingestQueue({makeJob("b", JobStatus::Processing, {}, 30), makeJob("c", JobStatus::Queued)}, kNow, kGrace);
    CHECK(ids(q.jobs()) == std::vector<std::string>{"b", "c"});
    CHECK(q.find("a") == nullptr);
    CHECK(q.find("b")->progress == 30);
    q.ingestQueue({}, kNow, kGrace);
    CHECK(q.size() == 0);
    CHECK(q.jobs().empty());
    CHECK(q.sortedActiveJobs().empty());
    CHECK(q.activeJobs().empty());
}

TEST_CASE("decision 4: an optimistic entry survives an ingest until the server lists it or the grace period passes") {
    QueueModule q;
    auto opt = makeJob("mine", JobStatus::Queued);
    opt.optimistic = true;
    q.enqueueJob(opt, kNow);
    q.enqueueJob(makeJob("server-old", JobStatus::Processing), kNow);

    // Not listed, inside the grace period: kept; the non-optimistic job goes.
    q.ingestQueue({makeJob("other", JobStatus::Queued)}, kNow + kGrace / 2, kGrace);
    CHECK(q.find("mine") != nullptr);
    CHECK(q.find("mine")->optimistic);
    CHECK(q.find("server-old") == nullptr);
    CHECK(q.find("other") != nullptr);

    // Listed by the server: the server's version replaces it (no duplicate, no longer optimistic).
    auto listed = makeJob("mine", JobStatus::Processing, {}, 10);
    q.ingestQueue({listed}, kNow + kGrace / 2, kGrace);
    REQUIRE(q.find("mine") != nullptr);
    CHECK_FALSE(q.find("mine")->optimistic);
    CHECK(q.find("mine")->status == JobStatus::Processing);
    CHECK(q.size() == 1);
}

TEST_CASE("decision 4: an optimistic entry the server never lists is dropped by the first ingest after the grace period") {
    QueueModule q;
    auto opt = makeJob("mine", JobStatus::Queued);
    opt.optimistic = true;
    q.enqueueJob(opt, kNow);
    q.ingestQueue({}, kNow + kGrace - 1, kGrace);
    CHECK(q.find("mine") != nullptr);
    q.ingestQueue({}, kNow + kGrace, kGrace);
    CHECK(q.find("mine") == nullptr);
}

TEST_CASE("decision 4: an optimistic entry listed under its backend id is replaced, not duplicated") {
    QueueModule q;
    auto opt = makeJob("ui-local", JobStatus::Queued);
    opt.backendId = model::Text("srv-1");
    opt.optimistic = true;
    q.enqueueJob(opt, kNow);
    q.ingestQueue({makeJob("srv-1", JobStatus::Processing)}, kNow + 1, kGrace);
    CHECK(q.size() == 1);
    CHECK(q.find("srv-1")->status == JobStatus::Processing);
    CHECK(q.find("ui-local") == nullptr);
}

// ---- updateJob / removeJob ----------------------------------------------------------------------

TEST_CASE("spec 4.5: updateJob merges fields, keeps both keys and the position, an unknown id is ignored") {
    QueueModule q;
    auto j = makeJob("ui-1", JobStatus::Queued);
    j.backendId = model::Text("be-1");
    q.enqueueJob(j, kNow);
    q.enqueueJob(makeJob("z", JobStatus::Queued), kNow);
    JobUpdate u;
    u.status = JobStatus::Processing;
    u.progress = 42;
    u.current_step = 8;
    CHECK(q.updateJob("be-1", u, kNow + 5));  // by backend id
    auto after = q.find("ui-1");
    REQUIRE(after);
    CHECK(after->uiId == "ui-1");
    CHECK(after->backendId == "be-1");
    CHECK(after->progress == 42);
    CHECK(after->current_step == 8);
    CHECK(after->prompt->view() == "prompt of ui-1");  // untouched field kept
    CHECK(ids(q.jobs()) == std::vector<std::string>{"ui-1", "z"});
    const auto rev = q.revision();
    CHECK_FALSE(q.updateJob("nope", u, kNow));
    CHECK(q.revision() == rev);
    CHECK(q.size() == 2);
}

TEST_CASE("spec 4.4: removeJob removes by either key and reports how many") {
    QueueModule q;
    auto j = makeJob("ui-1", JobStatus::Queued);
    j.backendId = model::Text("be-1");
    q.enqueueJob(j, kNow);
    q.enqueueJob(makeJob("b", JobStatus::Queued), kNow);
    CHECK(q.removeJob("be-1") == 1);
    CHECK(q.find("ui-1") == nullptr);
    CHECK(q.removeJob("b") == 1);
    CHECK(q.removeJob("b") == 0);  // unknown: ignored
    CHECK(q.size() == 0);
    CHECK(q.counts().queued == 0);
}

// ---- clearCompletedJobs, cancellable ------------------------------------------------------------

TEST_CASE("spec 7.3 queueModule: clearCompletedJobs removes the failed job and keeps the processing one") {
    QueueModule q;
    q.enqueueJob(makeJob("p", JobStatus::Processing), kNow);
    q.enqueueJob(makeJob("f", JobStatus::Failed), kNow);
    CHECK(q.clearCompletedJobs() == 1);
    CHECK(ids(q.jobs()) == std::vector<std::string>{"p"});
}

TEST_CASE("spec 7.3 JobQueue intent: clear completed keeps only the active jobs") {
    QueueModule q;
    q.setJobs({makeJob("c", JobStatus::Completed), makeJob("q", JobStatus::Queued), makeJob("f", JobStatus::Failed),
               makeJob("p", JobStatus::Processing)},
              kNow);
    CHECK(q.clearCompletedJobs() == 2);
    CHECK(ids(q.jobs()) == std::vector<std::string>{"q", "p"});
    CHECK(q.counts().completed == 0);
    CHECK(q.counts().failed == 0);
}

TEST_CASE("spec 4.3: isJobCancellable and getCancellableJobs cover queued and processing only, in 4.6 order") {
    QueueModule q;
    q.setJobs({makeJob("q", JobStatus::Queued, "2026-01-01T00:00:00"), makeJob("c", JobStatus::Completed),
               makeJob("p", JobStatus::Processing, "2026-01-01T00:00:00"), makeJob("f", JobStatus::Failed)},
              kNow);
    CHECK(q.isJobCancellable("q"));
    CHECK(q.isJobCancellable("p"));
    CHECK_FALSE(q.isJobCancellable("c"));
    CHECK_FALSE(q.isJobCancellable("f"));
    CHECK_FALSE(q.isJobCancellable("unknown"));
    std::vector<std::string> cancellable;
    for (const auto& j : q.getCancellableJobs()) cancellable.push_back(j->uiId.str());
    CHECK(cancellable == std::vector<std::string>{"p", "q"});
}

TEST_CASE("contract: activeJobs holds the queued and processing jobs in insertion order") {
    QueueModule q;
    q.setJobs({makeJob("c", JobStatus::Completed), makeJob("q", JobStatus::Queued), makeJob("f", JobStatus::Failed),
               makeJob("p", JobStatus::Processing)},
              kNow);
    CHECK(ids(q.activeJobs()) == std::vector<std::string>{"q", "p"});
    JobUpdate done;
    done.status = JobStatus::Completed;
    q.updateJob("q", done, kNow);
    CHECK(ids(q.activeJobs()) == std::vector<std::string>{"p"});
    JobUpdate revive;
    revive.status = JobStatus::Queued;
    q.updateJob("c", revive, kNow);
    CHECK(ids(q.activeJobs()) == std::vector<std::string>{"c", "p"});
}

// ---- messages ------------------------------------------------------------------------------------

TEST_CASE("spec 7.3 queueModule: a progress message (0.5, processing) gives progress 50, the completion message removes the job") {
    QueueModule q;
    q.enqueueJob(makeJob("j", JobStatus::Queued), kNow);
    // The WebSocket's 0.5 arrives normalised by the protocol layer (decision 2).
    const uint8_t p = model::normalizeProgress(0.5, model::ProgressScale::Fraction);
    q.handleProgressMessage(progressMsg("j", p, JobStatus::Processing), kNow);
    CHECK(q.find("j")->progress == 50);
    CHECK(q.find("j")->status == JobStatus::Processing);
    model::CompletionMessage done;
    done.job_id = "j";
    q.handleCompletionMessage(done);
    CHECK(q.find("j") == nullptr);
    CHECK(q.size() == 0);
}

TEST_CASE("spec 4.5: a progress message for an unknown job enqueues it with its id, status and steps") {
    QueueModule q;
    auto m = progressMsg("new-job", 30, JobStatus::Processing);
    m.current_step = 6;
    m.total_steps = 20;
    q.handleProgressMessage(m, kNow);
    auto j = q.find("new-job");
    REQUIRE(j);
    CHECK(j->uiId == "new-job");
    CHECK(j->backendId == "new-job");
    CHECK(j->progress == 30);
    CHECK(j->current_step == 6);
    CHECK(j->total_steps == 20);
    CHECK(j->created_at.micros == kNow);
    // Without a status the job is processing (§4.1: anything else maps to processing).
    q.handleProgressMessage(progressMsg("other", 0), kNow);
    CHECK(q.find("other")->status == JobStatus::Processing);
}

TEST_CASE("spec 4.5: current_step and total_steps change only when the message carries them") {
    QueueModule q;
    auto m = progressMsg("j", 10, JobStatus::Processing);
    m.current_step = 2;
    m.total_steps = 20;
    q.handleProgressMessage(m, kNow);
    q.handleProgressMessage(progressMsg("j", 50), kNow);  // no steps, no status
    auto j = q.find("j");
    CHECK(j->progress == 50);
    CHECK(j->current_step == 2);
    CHECK(j->total_steps == 20);
    CHECK(j->status == JobStatus::Processing);
    auto m2 = progressMsg("j", std::nullopt);
    m2.current_step = 15;
    q.handleProgressMessage(m2, kNow);
    CHECK(q.find("j")->current_step == 15);
    CHECK(q.find("j")->progress == 50);  // absent progress keeps the old value
}

TEST_CASE("spec 4.5: an empty or blank job id in a message is ignored") {
    QueueModule q;
    q.handleProgressMessage(progressMsg("", 10), kNow);
    q.handleProgressMessage(progressMsg("   ", 10), kNow);
    CHECK(q.size() == 0);
    model::ErrorMessage e;
    e.job_id = "";
    q.enqueueJob(makeJob("a", JobStatus::Queued), kNow);
    q.handleErrorMessage(e);
    CHECK(q.size() == 1);
}

TEST_CASE("spec 4.5: handleErrorMessage removes the job, unknown ids are ignored") {
    QueueModule q;
    q.enqueueJob(makeJob("a", JobStatus::Processing), kNow);
    q.enqueueJob(makeJob("b", JobStatus::Processing), kNow);
    model::ErrorMessage e;
    e.job_id = "a";
    e.error = "boom";
    q.handleErrorMessage(e);
    CHECK(ids(q.jobs()) == std::vector<std::string>{"b"});
    e.job_id = "ghost";
    q.handleErrorMessage(e);
    model::CompletionMessage c;
    c.job_id = "ghost";
    q.handleCompletionMessage(c);
    CHECK(ids(q.jobs()) == std::vector<std::string>{"b"});
}

// ---- sortedActiveJobs (§4.6) ---------------------------------------------------------------------

TEST_CASE("spec 4.6: sortedActiveJobs orders processing, queued, completed, failed, then newest first, unparsable dates last, stable") {
    // Through the queue: status priority, newest first, equal dates in insertion order.
    QueueModule q;
    q.setJobs({makeJob("failed-new", JobStatus::Failed, "2026-01-01T12:00:00"),
               makeJob("queued-old", JobStatus::Queued, "2026-01-01T08:00:00"),
               makeJob("completed", JobStatus::Completed, "2026-01-01T09:00:00"),
               makeJob("processing-old", JobStatus::Processing, "2026-01-01T01:00:00"),
               makeJob("queued-new", JobStatus::Queued, "2026-01-01T10:00:00"),
               makeJob("processing-new", JobStatus::Processing, "2026-01-01T11:00:00"),
               makeJob("queued-same-a", JobStatus::Queued, "2026-01-01T09:30:00"),
               makeJob("queued-same-b", JobStatus::Queued, "2026-01-01T09:30:00"),
               makeJob("failed-old", JobStatus::Failed, "2026-01-01T02:00:00")},
              kNow);
    CHECK(sortedIds(q) == std::vector<std::string>{"processing-new", "processing-old", "queued-new", "queued-same-a",
                                                   "queued-same-b", "queued-old", "completed", "failed-new",
                                                   "failed-old"});
    // jobs keeps the server order (insertion order) untouched.
    CHECK(ids(q.jobs()).front() == "failed-new");

    // The order key the sorted index uses: an unparsable date sorts after every parsable one
    // of the same status, and two unparsable ones keep their insertion order.
    auto keyed = [](std::string id, JobStatus st, std::string date, uint64_t seq) {
        auto j = makeJob(std::move(id), st, std::move(date));
        j.seq = seq;
        return j;
    };
    std::vector<model::Job> raw{keyed("bad-1", JobStatus::Queued, "not a date", 1),
                                keyed("old", JobStatus::Queued, "2020-01-01T00:00:00", 2),
                                keyed("bad-2", JobStatus::Queued, "", 3),
                                keyed("new", JobStatus::Queued, "2024-01-01T00:00:00", 4),
                                keyed("proc-bad", JobStatus::Processing, "garbage", 5)};
    REQUIRE_FALSE(raw[0].created_at.valid);
    std::stable_sort(raw.begin(), raw.end(),
                     [](const model::Job& a, const model::Job& b) { return model::sortKey(a) < model::sortKey(b); });
    std::vector<std::string> order;
    for (const auto& j : raw) order.push_back(j.uiId.str());
    CHECK(order == std::vector<std::string>{"proc-bad", "new", "old", "bad-1", "bad-2"});
}

TEST_CASE("spec 4.5: jobs without dates get the receipt time, so two of them received together keep insertion order") {
    QueueModule q;
    q.setJobs({makeJob("x", JobStatus::Queued), makeJob("y", JobStatus::Queued),
               makeJob("z", JobStatus::Queued, "2020-01-01T00:00:00")},
              kNow);
    CHECK(q.find("x")->created_at.micros == kNow);
    CHECK(sortedIds(q) == std::vector<std::string>{"x", "y", "z"});
}

TEST_CASE("spec 4.6: sortedActiveJobs follows status changes incrementally (processing moves ahead of queued)") {
    QueueModule q;
    q.setJobs({makeJob("a", JobStatus::Queued, "2026-01-01T10:00:00"),
               makeJob("b", JobStatus::Queued, "2026-01-01T09:00:00")},
              kNow);
    CHECK(sortedIds(q) == std::vector<std::string>{"a", "b"});
    q.handleProgressMessage(progressMsg("b", 10, JobStatus::Processing), kNow);
    CHECK(sortedIds(q) == std::vector<std::string>{"b", "a"});
    q.handleProgressMessage(progressMsg("b", 100, JobStatus::Completed), kNow);
    CHECK(sortedIds(q) == std::vector<std::string>{"a", "b"});
    CHECK(ids(q.activeJobs()) == std::vector<std::string>{"a"});
}

TEST_CASE("spec 7.3 queueModule: progress 0.25 is stored as 25 and sortedActiveJobs puts processing before queued") {
    QueueModule q;
    auto queued = makeJob("queued", JobStatus::Queued, "2026-01-01T12:00:00");
    auto proc = makeJob("proc", JobStatus::Processing, "2026-01-01T08:00:00");
    proc.progress = model::normalizeProgress(0.25, model::ProgressScale::Fraction);
    q.setJobs({queued, proc}, kNow);
    CHECK(q.find("proc")->progress == 25);
    CHECK(sortedIds(q) == std::vector<std::string>{"proc", "queued"});
}

TEST_CASE("spec 7.3 backend pytest: active jobs running(18:00), retrying(17:00), pending(16:00) keep that order") {
    QueueModule q;
    // The server lists them in another order; statuses normalised as the protocol does (§4.1).
    q.ingestQueue({makeJob("pending", model::normalizeStatus("pending"), "2026-01-01T16:00:00"),
                   makeJob("running", model::normalizeStatus("running"), "2026-01-01T18:00:00"),
                   makeJob("retrying", model::normalizeStatus("retrying"), "2026-01-01T17:00:00")},
                  kNow, kGrace);
    CHECK(sortedIds(q) == std::vector<std::string>{"running", "retrying", "pending"});
    CHECK(ids(q.activeJobs()) == std::vector<std::string>{"pending", "running", "retrying"});
    // The backend serialises a stored 0.5 as 50.0 on /jobs/active (percent scale): stored as 50.
    CHECK(model::normalizeProgress(50.0, model::ProgressScale::Percent) == 50);
}

// ---- bad input -------------------------------------------------------------------------------------

TEST_CASE("bad input: unknown statuses map to processing") {
    QueueModule q;
    q.enqueueJob(makeJob("w", model::normalizeStatus("weird-status")), kNow);
    q.enqueueJob(makeJob("n", model::normalizeStatus("")), kNow);
    q.enqueueJob(makeJob("u", model::normalizeStatus("unknown")), kNow);
    CHECK(q.counts().processing == 3);
    CHECK(q.isJobCancellable("w"));
}

TEST_CASE("bad input: NaN, negative and huge progress clamp to 0..100 (spec 7.3 progressUtils: 150 -> 100, -0.25 -> 0)") {
    using model::normalizeProgress;
    using model::ProgressScale;
    CHECK(normalizeProgress(std::numeric_limits<double>::quiet_NaN(), ProgressScale::Fraction) == 0);
    CHECK(normalizeProgress(std::numeric_limits<double>::quiet_NaN(), ProgressScale::Percent) == 0);
    CHECK(normalizeProgress(-0.25, ProgressScale::Fraction) == 0);
    CHECK(normalizeProgress(-15, ProgressScale::Percent) == 0);
    CHECK(normalizeProgress(150, ProgressScale::Percent) == 100);
    CHECK(normalizeProgress(1e300, ProgressScale::Percent) == 100);
    CHECK(normalizeProgress(std::numeric_limits<double>::infinity(), ProgressScale::Fraction) == 100);
    CHECK(normalizeProgress(-std::numeric_limits<double>::infinity(), ProgressScale::Fraction) == 0);
    // The §4.2 examples, once per source scale (decision 2: no double normalisation).
    CHECK(normalizeProgress(0.25, ProgressScale::Fraction) == 25);
    CHECK(normalizeProgress(0.999, ProgressScale::Fraction) == 100);
    CHECK(normalizeProgress(45.2, ProgressScale::Percent) == 45);
    CHECK(normalizeProgress(1.0, ProgressScale::Fraction) == 100);
    CHECK(normalizeProgress(1.0, ProgressScale::Percent) == 1);  // not the SPA's 100 (decision 2)

    // The store clamps what reaches it unnormalised, too.
    QueueModule q;
    q.enqueueJob(makeJob("huge", JobStatus::Processing, {}, 250), kNow);
    CHECK(q.find("huge")->progress == 100);
    q.setJobs({makeJob("a", JobStatus::Processing, {}, 180)}, kNow);
    CHECK(q.find("a")->progress == 100);
    JobUpdate u;
    u.progress = 200;
    q.updateJob("a", u, kNow);
    CHECK(q.find("a")->progress == 100);
    q.handleProgressMessage(progressMsg("fresh", 255), kNow);
    CHECK(q.find("fresh")->progress == 100);
}

TEST_CASE("queue: counts follow every add, change and removal") {
    QueueModule q;
    q.enqueueJob(makeJob("a", JobStatus::Queued), kNow);
    q.enqueueJob(makeJob("b", JobStatus::Processing), kNow);
    q.enqueueJob(makeJob("c", JobStatus::Failed), kNow);
    CHECK(q.counts().queued == 1);
    CHECK(q.counts().processing == 1);
    CHECK(q.counts().failed == 1);
    q.handleProgressMessage(progressMsg("a", 5, JobStatus::Processing), kNow);
    CHECK(q.counts().queued == 0);
    CHECK(q.counts().processing == 2);
    q.removeJob("b");
    CHECK(q.counts().processing == 1);
    q.resetQueue();
    CHECK(q.counts().processing == 0);
    CHECK(q.counts().failed == 0);
    CHECK(q.size() == 0);
}

TEST_CASE("queue view: a filter and a sort column are kept incrementally by the worker") {
    QueueModule q;
    q.setJobs({makeJob("cat-1", JobStatus::Queued, "2026-01-01T01:00:00", 10),
               makeJob("dog-1", JobStatus::Processing, "2026-01-01T02:00:00", 90),
               makeJob("cat-2", JobStatus::Processing, "2026-01-01T03:00:00", 50)},
              kNow);
    CHECK(ids(q.queueView()) == ids(q.sortedActiveJobs()));  // default spec: the 4.6 order
    QueueViewSpec spec;
    spec.filter = "CAT";
    spec.column = QueueSortColumn::Progress;
    spec.descending = true;
    q.setViewSpec(spec);
    CHECK(ids(q.queueView()) == std::vector<std::string>{"cat-2", "cat-1"});
    q.handleProgressMessage(progressMsg("cat-1", 80, JobStatus::Processing), kNow);  // queued jobs stay at 0 (issue 14.3)
    CHECK(ids(q.queueView()) == std::vector<std::string>{"cat-1", "cat-2"});
    q.enqueueJob(makeJob("cat-3", JobStatus::Queued, {}, 60), kNow);
    CHECK(ids(q.queueView()) == std::vector<std::string>{"cat-1", "cat-3", "cat-2"});
    q.removeJob("cat-1");
    CHECK(ids(q.queueView()) == std::vector<std::string>{"cat-3", "cat-2"});
}

TEST_CASE("issue 16.1: progress ticks replace a job in place: order kept, a new Job each time, old snapshots unchanged") {
    QueueModule q;
    std::vector<model::Job> jobs;
    for (int i = 0; i < 300; ++i) {  // several chunks per list
        std::string created = "2026-01-01T10:";  // (appends, not +: GCC 12 -Wrestrict false positive)
        created += std::to_string(10 + i % 50);
        created += ":00";
        jobs.push_back(makeJob(jid(i), i % 3 == 0 ? JobStatus::Processing : JobStatus::Queued, created, 5));
    }
    q.setJobs(jobs, kNow);
    const auto sortedBefore = sortedIds(q), insertedBefore = ids(q.jobs()), activeBefore = ids(q.activeJobs());
    const JobList published = q.sortedActiveJobs();  // what a snapshot holds
    const model::JobPtr oldJ3 = q.find("j3");
    // Two rounds: the first finds each job by search and remembers its place, the second uses it.
    for (int round = 1; round <= 2; ++round)
        for (int i = 0; i < 300; i += 3) {
            const std::string id = jid(i);
            const model::JobPtr before = q.find(id);
            q.handleProgressMessage(progressMsg(id, static_cast<uint8_t>(10 * round), JobStatus::Processing), kNow);
            const model::JobPtr after = q.find(id);
            REQUIRE(after != before);  // a new version, never the published one changed
            CHECK(after->progress == 10 * round);
            CHECK(before->progress == (round == 1 ? 5 : 10));
        }
    CHECK(sortedIds(q) == sortedBefore);
    CHECK(ids(q.jobs()) == insertedBefore);
    CHECK(ids(q.activeJobs()) == activeBefore);
    // The lists hold the new versions (the same objects the id lookup gives).
    q.sortedActiveJobs().forEachPtr([&](const model::JobPtr& j) { CHECK(q.find(j->uiId.view()) == j); });
    q.jobs().forEachPtr([&](const model::JobPtr& j) { CHECK(q.find(j->uiId.view()) == j); });
    // The snapshot taken before still shows the old versions.
    CHECK(ids(published) == sortedBefore);
    published.forEachPtr([](const model::JobPtr& j) { CHECK(j->progress == 5); });
    CHECK(oldJ3->progress == 5);

    // A status change still moves the job, and a tick after it (its places now stale) lands.
    q.handleProgressMessage(progressMsg("j1", 40, JobStatus::Processing), kNow);  // queued -> processing
    auto sorted = sortedIds(q);
    const auto at = [&](const std::string& id) { return std::find(sorted.begin(), sorted.end(), id) - sorted.begin(); };
    CHECK(at("j1") < at("j2"));  // processing before every queued job
    q.enqueueJob(makeJob("new", JobStatus::Processing, "2026-01-01T11:00:00"), kNow);  // shifts places
    q.handleProgressMessage(progressMsg("j0", 70, JobStatus::Processing), kNow);
    q.handleProgressMessage(progressMsg("j1", 80, JobStatus::Processing), kNow);
    CHECK(q.find("j0")->progress == 70);
    CHECK(q.find("j1")->progress == 80);
    sorted = sortedIds(q);
    CHECK(sorted.front() == "new");
    CHECK(sorted.size() == 301);  // every job is active; none lost or doubled
    std::set<std::string> unique(sorted.begin(), sorted.end());
    CHECK(unique.size() == sorted.size());
    q.sortedActiveJobs().forEachPtr([&](const model::JobPtr& j) { CHECK(q.find(j->uiId.view()) == j); });
}
