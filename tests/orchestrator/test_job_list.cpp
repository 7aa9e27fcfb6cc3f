// JobList / OrderedJobIndex: the persistent chunked lists behind cheap snapshots (decision 11).
// A fixed-seed property test against a reference std::stable_sort, and copy-on-write checks:
// a view taken earlier never changes, whatever the index does afterwards.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <map>
#include <set>

#include "fake_transport.hpp"
#include "orchestrator/job_list.hpp"

using namespace genmon;
using namespace genmon::orchestrator;
using namespace genmon::test;
using model::Job;
using model::JobPtr;
using model::JobStatus;

namespace {

bool lessByKey(const Job& a, const Job& b) { return model::sortKey(a) < model::sortKey(b); }

JobPtr mk(uint64_t seq, JobStatus st, int64_t createdMicros, bool dated = true, uint8_t progress = 0) {
    Job j;
    std::string id = "j";
    id += std::to_string(seq);  // (not "j" + ...: GCC 12 -Wrestrict false positive)
    j.uiId = j.backendId = model::Text(id);
    j.seq = seq;
    j.status = st;
    j.progress = progress;
    if (dated) j.created_at = model::Timestamp::fromMicros(createdMicros);
    return std::make_shared<const Job>(std::move(j));
}

std::vector<JobPtr> expectedOrder(std::vector<JobPtr> live) {
    std::stable_sort(live.begin(), live.end(), [](const JobPtr& a, const JobPtr& b) { return lessByKey(*a, *b); });
    return live;
}

}  // namespace

TEST_CASE("JobList: an empty view has size 0, no chunks and iterates nothing") {
    OrderedJobIndex idx(lessByKey);
    const JobList v = idx.view();
    CHECK(v.size() == 0);
    CHECK(v.empty());
    CHECK(v.toVector().empty());
    CHECK(v.sharedChunksWith(v) == 0);
    int n = 0;
    v.forEach([&](const Job&) { ++n; });
    CHECK(n == 0);
    const JobList def;
    CHECK(def.empty());
    CHECK(def.toVector().empty());
}

TEST_CASE("JobList: inserts land in order and random access matches iteration across chunk boundaries") {
    OrderedJobIndex idx(lessByKey);
    // Insert 1000 jobs in a scrambled order: several chunk splits.
    std::vector<uint64_t> seqs(1000);
    for (size_t i = 0; i < seqs.size(); ++i) seqs[i] = i + 1;
    std::mt19937 rng(7);
    std::shuffle(seqs.begin(), seqs.end(), rng);
    std::vector<JobPtr> all;
    for (auto s : seqs) {
        auto j = mk(s, JobStatus::Queued, 0, false);
        all.push_back(j);
        idx.insert(j);
    }
    const JobList v = idx.view();
    REQUIRE(v.size() == 1000);
    CHECK(v.sharedChunksWith(v) > 1000 / kChunkCapacity);  // more than one chunk: splits happened
    const auto vec = v.toVector();
    for (size_t i = 0; i < vec.size(); ++i) {
        CHECK(vec[i]->seq == i + 1);
        CHECK(v[i] == vec[i]);
        CHECK(&v.job(i) == vec[i].get());
    }
}

namespace {
// The property, for both forms of index: ordered by a comparator, or by a key kept per chunk.
void checkAgainstStableSort(OrderedJobIndex idx) {
    std::mt19937_64 rng(20260101);
    std::vector<JobPtr> live;  // reference contents (unordered)
    uint64_t nextSeq = 1;
    // Views taken along the way with what they held: copy-on-write must keep them intact.
    std::vector<std::pair<JobList, std::vector<JobPtr>>> frozen;
    std::map<uint64_t, OrderedJobIndex::Hint> hints;  // by seq: where each job was last replaced

    auto randomJob = [&](uint64_t seq) {
        const auto st = static_cast<JobStatus>(rng() % 4);
        const bool dated = rng() % 10 != 0;                      // some unparsable dates
        const int64_t created = static_cast<int64_t>(rng() % 50) * 1'000'000;  // many equal dates
        return mk(seq, st, created, dated, static_cast<uint8_t>(rng() % 101));
    };

    for (int op = 0; op < 6000; ++op) {
        const auto kind = rng() % 10;
        if (kind < 4 || live.size() < 10) {  // insert
            auto j = randomJob(nextSeq++);
            idx.insert(j);
            live.push_back(j);
        } else if (kind < 6) {  // erase
            const size_t k = rng() % live.size();
            REQUIRE(idx.erase(*live[k]));
            live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
        } else if (kind < 8) {  // update that may move the job (new status or date)
            const size_t k = rng() % live.size();
            auto moved = randomJob(live[k]->seq);
            if (op % 2 == 0)
                idx.update(*live[k], moved);
            else
                idx.update(*live[k], moved, hints[live[k]->seq]);  // issue 16.1: with its place
            live[k] = moved;
        } else {  // progress-only update: same key, replaced in place
            const size_t k = rng() % live.size();
            Job copy = *live[k];
            copy.progress = static_cast<uint8_t>(rng() % 101);
            auto next = std::make_shared<const Job>(copy);
            // Every other one through the job's remembered place, which inserts and erases
            // since may have made stale: a stale place must fall back to the search.
            if (op % 2 == 0)
                REQUIRE(idx.replaceInPlace(*live[k], next));
            else
                REQUIRE(idx.replaceInPlace(*live[k], next, hints[live[k]->seq]));
            live[k] = next;
        }
        REQUIRE(idx.size() == live.size());
        if (op % 25 == 0 || op == 5999) {
            const JobList v = idx.view();
            const auto got = v.toVector();
            const auto want = expectedOrder(live);
            REQUIRE(got.size() == want.size());
            for (size_t i = 0; i < want.size(); ++i) REQUIRE(got[i] == want[i]);
            // Random access agrees with iteration.
            for (int probe = 0; probe < 5 && !want.empty(); ++probe) {
                const size_t i = rng() % want.size();
                REQUIRE(v[i] == want[i]);
            }
            if (op % 500 == 0) frozen.emplace_back(v, want);
        }
    }
    // Erasing a job that is not there (other seq) finds nothing.
    auto ghost = mk(999'999, JobStatus::Queued, 0);
    CHECK_FALSE(idx.erase(*ghost));
    CHECK_FALSE(idx.replaceInPlace(*ghost, ghost));

    REQUIRE(frozen.size() >= 10);
    for (const auto& [view, contents] : frozen) {
        const auto now = view.toVector();
        REQUIRE(now.size() == contents.size());
        for (size_t i = 0; i < now.size(); ++i) CHECK(now[i] == contents[i]);
    }
}
}  // namespace

TEST_CASE("JobList property: 6000 random inserts, erases and updates match a reference stable_sort (seed 20260101)") {
    checkAgainstStableSort(OrderedJobIndex(lessByKey));
}

TEST_CASE("JobList property: the same with the order key kept per chunk (the queue's own indexes)") {
    checkAgainstStableSort(OrderedJobIndex(model::sortKey));
}

TEST_CASE("JobList: a view is frozen: later inserts, erases and replacements do not show in it") {
    OrderedJobIndex idx(lessByKey);
    std::vector<JobPtr> jobs;
    for (uint64_t s = 1; s <= 300; ++s) {
        jobs.push_back(mk(s, JobStatus::Processing, static_cast<int64_t>(s) * 1000));
        idx.insert(jobs.back());
    }
    const JobList before = idx.view();
    const auto beforeVec = before.toVector();
    // Change one job in place, erase one, insert one.
    Job changed = *jobs[10];
    changed.progress = 77;
    REQUIRE(idx.replaceInPlace(*jobs[10], std::make_shared<const Job>(changed)));
    REQUIRE(idx.erase(*jobs[200]));
    idx.insert(mk(301, JobStatus::Queued, 5));
    const JobList after = idx.view();
    CHECK(after.size() == 300);
    CHECK(before.size() == 300);
    const auto nowVec = before.toVector();
    REQUIRE(nowVec.size() == beforeVec.size());
    for (size_t i = 0; i < nowVec.size(); ++i) CHECK(nowVec[i] == beforeVec[i]);
    CHECK(findJob(before, "j11")->progress == 0);
    CHECK(findJob(after, "j11")->progress == 77);
    CHECK(findJob(before, "j201") != nullptr);
    CHECK(findJob(after, "j201") == nullptr);
}

TEST_CASE("JobList: one in-place change after a view copies exactly one chunk, a second view without changes shares all") {
    OrderedJobIndex idx(lessByKey);
    std::vector<JobPtr> jobs;
    for (uint64_t s = 1; s <= 2000; ++s) jobs.push_back(mk(s, JobStatus::Queued, 0, false));
    idx.assignSorted(jobs);
    const JobList v1 = idx.view();
    const size_t chunks = v1.sharedChunksWith(v1);
    REQUIRE(chunks >= 2000 / kChunkCapacity);
    const JobList v1again = idx.view();
    CHECK(v1again.sharedChunksWith(v1) == chunks);

    Job c = *jobs[1500];
    c.progress = 5;
    REQUIRE(idx.replaceInPlace(*jobs[1500], std::make_shared<const Job>(c)));
    const JobList v2 = idx.view();
    CHECK(v2.sharedChunksWith(v1) == chunks - 1);
    // A second change to the same chunk before the next view copies nothing more.
    Job c2 = *jobs[1501];
    c2.progress = 6;
    REQUIRE(idx.replaceInPlace(*jobs[1501], std::make_shared<const Job>(c2)));
    const JobList v3 = idx.view();
    CHECK(v3.sharedChunksWith(v2) == chunks - 1);
    CHECK(v3.sharedChunksWith(v1) == chunks - 1);
    CHECK(v1[1500]->progress == 0);
    CHECK(v2[1500]->progress == 5);
    CHECK(v2[1501]->progress == 0);
    CHECK(v3[1501]->progress == 6);
}

TEST_CASE("JobList: update with an unchanged key keeps the position, with a changed key moves the job") {
    OrderedJobIndex idx(lessByKey);
    auto a = mk(1, JobStatus::Queued, 3'000'000);
    auto b = mk(2, JobStatus::Queued, 2'000'000);
    auto c = mk(3, JobStatus::Queued, 1'000'000);
    for (auto& j : {a, b, c}) idx.insert(j);
    CHECK(ids(idx.view()) == std::vector<std::string>{"j1", "j2", "j3"});
    Job c2 = *c;
    c2.status = JobStatus::Processing;  // processing sorts first
    idx.update(*c, std::make_shared<const Job>(c2));
    CHECK(ids(idx.view()) == std::vector<std::string>{"j3", "j1", "j2"});
    Job a2 = *a;
    a2.progress = 40;  // same key
    auto a2p = std::make_shared<const Job>(a2);
    idx.update(*a, a2p);
    CHECK(ids(idx.view()) == std::vector<std::string>{"j3", "j1", "j2"});
    CHECK(idx.view()[1] == a2p);
    idx.clear();
    CHECK(idx.size() == 0);
    CHECK(idx.view().empty());
}
