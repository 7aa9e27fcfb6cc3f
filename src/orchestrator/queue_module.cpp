#include "orchestrator/queue_module.hpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <unordered_set>

namespace genmon::orchestrator {
namespace {

bool bySortKey(const model::Job& a, const model::Job& b) { return model::sortKey(a) < model::sortKey(b); }

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive substring test; needleLower is already lower case.
bool containsLower(std::string_view hay, std::string_view needleLower) {
    if (needleLower.empty()) return true;
    if (hay.size() < needleLower.size()) return false;
    for (size_t i = 0; i + needleLower.size() <= hay.size(); ++i) {
        size_t k = 0;
        while (k < needleLower.size() && lower(hay[i + k]) == needleLower[k]) ++k;
        if (k == needleLower.size()) return true;
    }
    return false;
}

// §4.4: a job without any id gets `job-<millis>-<random hex>`.
std::string generatedId(int64_t nowMicros) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[64];
    std::snprintf(buf, sizeof buf, "job-%lld-%08llx", static_cast<long long>(nowMicros / 1000),
                  static_cast<unsigned long long>(rng() & 0xffffffffu));
    return buf;
}

}  // namespace

QueueModule::QueueModule()
    : inserted_(model::seqKey),
      active_(model::seqKey),
      sorted_(model::sortKey),
      view_([this](const model::Job& a, const model::Job& b) {
          // The user's column first, then insertion order, so the order is total.
          auto tie = [](const model::Job& x, const model::Job& y) { return x.seq < y.seq; };
          int c = 0;
          switch (spec_.column) {
              case QueueSortColumn::Default: return bySortKey(a, b);
              case QueueSortColumn::Status:
                  c = static_cast<int>(a.status) - static_cast<int>(b.status);
                  break;
              case QueueSortColumn::Prompt: {
                  const auto pa = a.prompt ? a.prompt->view() : std::string_view();
                  const auto pb = b.prompt ? b.prompt->view() : std::string_view();
                  c = pa.compare(pb);
                  break;
              }
              case QueueSortColumn::Progress: c = static_cast<int>(a.progress) - static_cast<int>(b.progress); break;
              case QueueSortColumn::Created: {
                  const auto ka = model::sortKey(a), kb = model::sortKey(b);  // newest first, missing last
                  c = ka.dateMissing != kb.dateMissing ? (ka.dateMissing ? 1 : -1)
                      : ka.negCreated < kb.negCreated ? -1
                      : ka.negCreated > kb.negCreated ? 1
                                                      : 0;
                  break;
              }
              case QueueSortColumn::Id: c = a.uiId.view().compare(b.uiId.view()); break;
          }
          if (c != 0) return spec_.descending ? c > 0 : c < 0;
          return tie(a, b);
      }) {}

model::JobPtr QueueModule::normalise(model::Job job, uint64_t seq, int64_t now) const {
    // Keys (§4.4): trimmed; uiId falls back to backendId, backendId to uiId; none: generated.
    std::string_view ui = trimmed(job.uiId.view());
    std::string_view be = trimmed(job.backendId.view());
    if (ui.size() != job.uiId.size()) job.uiId = model::Text(ui);
    if (be.size() != job.backendId.size()) job.backendId = model::Text(be);
    if (job.uiId.empty()) job.uiId = job.backendId;
    if (job.uiId.empty()) job.uiId = model::Text(generatedId(now));
    if (job.backendId.empty() || job.backendId == job.uiId) job.backendId = job.uiId;  // share the text
    // Times (§4.5): startTime <- startTime, created_at, now; created_at <- created_at, startTime.
    if (!job.startTime.valid) job.startTime = job.created_at.valid ? job.created_at : model::Timestamp::fromMicros(now);
    if (!job.created_at.valid) job.created_at = job.startTime;
    if (job.receivedMicros == 0) job.receivedMicros = now;
    job.progress = std::min<uint8_t>(job.progress, 100);  // whatever the caller passed: 0-100
    // A job first seen running: its run started at the server's start time (not observed).
    if (job.status == model::JobStatus::Processing && job.runningSinceMicros == 0) {
        job.runningSinceMicros = job.startTime.micros <= now ? job.startTime.micros : now;
        job.runningSinceObserved = false;
    }
    job.seq = seq;
    return std::make_shared<const model::Job>(std::move(job));
}

void QueueModule::count(const model::Job& j, int delta) {
    auto bump = [delta](size_t& n) { n = static_cast<size_t>(static_cast<long long>(n) + delta); };
    switch (j.status) {
        case model::JobStatus::Queued: bump(counts_.queued); break;
        case model::JobStatus::Processing: bump(counts_.processing); break;
        case model::JobStatus::Completed: bump(counts_.completed); break;
        case model::JobStatus::Failed: bump(counts_.failed); break;
    }
}

bool QueueModule::matchesView(const model::Job& j) const {
    if (filterLower_.empty()) return true;
    if (matcher_) return matcher_(j);
    return (j.prompt && containsLower(j.prompt->view(), filterLower_)) || containsLower(j.uiId.view(), filterLower_) ||
           containsLower(j.backendId.view(), filterLower_) || containsLower(model::statusName(j.status), filterLower_);
}

void QueueModule::add(model::JobPtr job) {
    inserted_.insert(job);
    if (model::isActive(job->status)) active_.insert(job);
    sorted_.insert(job);
    if (spec_ != QueueViewSpec{} && matchesView(*job)) view_.insert(job);
    count(*job, +1);
    byUiId_.emplace(job->uiId.view(), Slot{job, {}, {}, {}});
    if (job->backendId.data() != job->uiId.data()) byBackendId_.emplace(job->backendId.view(), job);
    ++revision_;
    if (onSeen_) onSeen_(job);
}

void QueueModule::drop(const model::JobPtr& job) {
    const model::JobPtr keep = job;  // the map entries below may hold the last reference
    inserted_.erase(*keep);
    if (model::isActive(keep->status)) active_.erase(*keep);
    sorted_.erase(*keep);
    if (spec_ != QueueViewSpec{} && matchesView(*keep)) view_.erase(*keep);
    count(*keep, -1);
    if (auto it = byUiId_.find(keep->uiId.view()); it != byUiId_.end() && it->second.job == keep) byUiId_.erase(it);
    if (auto it = byBackendId_.find(keep->backendId.view()); it != byBackendId_.end() && it->second == keep)
        byBackendId_.erase(it);
    ++revision_;
}

void QueueModule::replace(const model::JobPtr& beforeRef, model::JobPtr after, Slot* slot) {
    const model::JobPtr before = beforeRef;  // keep it alive while the maps change
    // The hints of the job's slot, or ones thrown away (a job replaced without its slot).
    Slot none;
    Slot& hints = slot != nullptr ? *slot : none;
    inserted_.replaceInPlace(*before, after, hints.inserted);
    const bool wasActive = model::isActive(before->status), isActive = model::isActive(after->status);
    if (wasActive && isActive)
        active_.replaceInPlace(*before, after, hints.active);
    else if (wasActive)
        active_.erase(*before);
    else if (isActive)
        active_.insert(after);
    if (!isActive) hints.active = {};
    sorted_.update(*before, after, hints.sorted);
    if (spec_ != QueueViewSpec{}) {
        const bool was = matchesView(*before), is = matchesView(*after);
        if (was && is)
            view_.update(*before, after);
        else if (was)
            view_.erase(*before);
        else if (is)
            view_.insert(after);
    }
    count(*before, -1);
    count(*after, +1);
    // Re-key only when the id text changed storage (the hot progress path keeps it, and has
    // the slot already).
    if (slot != nullptr && slot->job == before && before->uiId.data() == after->uiId.data()) {
        slot->job = after;
    } else {
        [&] {
            Slot moved{after, hints.inserted, hints.active, hints.sorted};
            auto it = byUiId_.find(before->uiId.view());
            if (it != byUiId_.end() && it->second.job == before) {
                moved = Slot{after, it->second.inserted, it->second.active, it->second.sorted};
                if (it->first.data() == after->uiId.data()) {
                    it->second = std::move(moved);
                    return;
                }
                byUiId_.erase(it);
            }
            byUiId_.emplace(after->uiId.view(), std::move(moved));
        }();
    }
    if (before->backendId.data() != before->uiId.data() || after->backendId.data() != after->uiId.data()) {
        if (auto it = byBackendId_.find(before->backendId.view()); it != byBackendId_.end() && it->second == before)
            byBackendId_.erase(it);
        if (after->backendId.data() != after->uiId.data()) byBackendId_.emplace(after->backendId.view(), after);
    }
    ++revision_;
    if (onSeen_ && (before->status != after->status || before->backendId != after->backendId)) onSeen_(after);
}

model::JobPtr QueueModule::find(std::string_view id) const {
    if (id.empty()) return nullptr;
    if (auto it = byUiId_.find(id); it != byUiId_.end()) return it->second.job;
    if (auto it = byBackendId_.find(id); it != byBackendId_.end()) return it->second;
    return nullptr;
}

void QueueModule::enqueueJob(model::Job job, int64_t now) {
    model::JobPtr existing = find(trimmed(job.uiId.view()));
    if (!existing) existing = find(trimmed(job.backendId.view()));
    if (existing) {
        carryRunStart(*existing, job, now);
        replace(existing, normalise(std::move(job), existing->seq, now));
        return;
    }
    add(normalise(std::move(job), nextSeq_++, now));
}

std::vector<model::JobPtr> QueueModule::prepare(std::vector<model::Job> jobs, int64_t now) {
    std::vector<model::JobPtr> stored;
    stored.reserve(jobs.size());
    std::unordered_set<std::string_view> seen;
    seen.reserve(jobs.size());
    for (auto& j : jobs) {
        auto p = normalise(std::move(j), nextSeq_, now);
        if (!seen.insert(p->uiId.view()).second) continue;  // duplicate id: the first one wins
        ++nextSeq_;
        stored.push_back(std::move(p));
    }
    return stored;
}

void QueueModule::install(const std::vector<model::JobPtr>& stored) {
    // Which of these are news (new, or another status) must be asked before the old maps go.
    std::vector<model::JobPtr> seen;
    if (onSeen_)
        for (const auto& p : stored) {
            const model::JobPtr known = find(p->uiId.view());
            if (!known || known->status != p->status || known->backendId != p->backendId) seen.push_back(p);
        }
    resetQueue();
    inserted_.assignSorted(stored);
    std::vector<model::JobPtr> active;
    for (const auto& p : stored) {
        if (model::isActive(p->status)) active.push_back(p);
        count(*p, +1);
        byUiId_.emplace(p->uiId.view(), Slot{p, {}, {}, {}});
        if (p->backendId.data() != p->uiId.data()) byBackendId_.emplace(p->backendId.view(), p);
    }
    active_.assignSorted(active);
    std::vector<model::JobPtr> sorted = stored;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return bySortKey(*a, *b); });
    sorted_.assignSorted(sorted);
    rebuildView();
    ++revision_;
    for (const auto& p : seen) onSeen_(p);
}

void QueueModule::setJobs(std::vector<model::Job> jobs, int64_t now) { install(prepare(std::move(jobs), now)); }

namespace {
// Two versions of a job show the same thing (the local receipt time and order do not count).
bool sameJob(const model::Job& a, const model::Job& b) {
    return a.uiId == b.uiId && a.backendId == b.backendId && a.status == b.status && a.progress == b.progress &&
           a.prompt == b.prompt && a.message == b.message && a.error == b.error && a.params == b.params &&
           a.created_at == b.created_at && a.startTime == b.startTime && a.finished_at == b.finished_at &&
           a.current_step == b.current_step && a.total_steps == b.total_steps && a.eta_seconds == b.eta_seconds &&
           a.result_json == b.result_json && a.optimistic == b.optimistic;
}
}  // namespace

bool QueueModule::ingestQueue(std::vector<model::Job> jobs, int64_t now, int64_t graceMicros) {
    std::unordered_set<std::string_view> listed;
    listed.reserve(jobs.size() * 2);
    for (auto& j : jobs) {
        listed.insert(trimmed(j.uiId.view()));
        listed.insert(trimmed(j.backendId.view()));
        // Keep what the socket told us while the status stays the same: the listing's progress
        // is 0 for a running job (workers write none) and it carries no steps or ETA.
        model::JobPtr known = find(trimmed(j.uiId.view()));
        if (!known) known = find(trimmed(j.backendId.view()));
        if (known && known->status == j.status) {
            j.progress = std::max(j.progress, known->progress);
            if (!j.current_step) j.current_step = known->current_step;
            if (!j.total_steps) j.total_steps = known->total_steps;
            if (!j.eta_seconds) j.eta_seconds = known->eta_seconds;
        }
        if (known) carryRunStart(*known, j, now);
    }
    // Decision 4: an optimistic entry stays until the server lists it or its grace ends.
    std::vector<model::Job> keep;
    inserted_.forEachPtr([&](const model::JobPtr& jp) {
        const model::Job& j = *jp;
        if (j.optimistic && now - j.receivedMicros < graceMicros && !listed.count(j.uiId.view()) &&
            !listed.count(j.backendId.view()))
            keep.push_back(j);
    });
    for (auto& j : keep) jobs.push_back(std::move(j));
    auto stored = prepare(std::move(jobs), now);
    // Nothing changed: keep every list as it is, so snapshots keep sharing it and the UI need
    // not redraw (an idle backend is polled every few seconds).
    if (stored.size() == inserted_.size()) {
        size_t i = 0;
        bool same = true;
        inserted_.forEachPtr([&](const model::JobPtr& old) {
            if (same && !sameJob(*old, *stored[i])) same = false;
            ++i;
        });
        if (same) return false;
    }
    install(stored);
    return true;
}
void QueueModule::carryRunStart(const model::Job& known, model::Job& incoming, int64_t now) {
    if (incoming.status != model::JobStatus::Processing || incoming.runningSinceMicros != 0) return;
    if (known.status == model::JobStatus::Processing) {
        incoming.runningSinceMicros = known.runningSinceMicros;
        incoming.runningSinceObserved = known.runningSinceObserved;
    } else if (known.status == model::JobStatus::Queued) {
        incoming.runningSinceMicros = now;  // seen to start now (within a poll interval)
        incoming.runningSinceObserved = true;
    }
}

bool QueueModule::updateJob(std::string_view id, const JobUpdate& u, int64_t now) {
    const model::JobPtr existing = find(id);
    if (!existing) return false;
    apply(existing, u, now);
    return true;
}

void QueueModule::apply(const model::JobPtr& existing, const JobUpdate& u, int64_t now, Slot* slot) {
    model::Job next = *existing;  // cheap: strings are shared text
    if (u.status) next.status = *u.status;
    if (u.progress) next.progress = std::min<uint8_t>(*u.progress, 100);
    if (u.current_step) next.current_step = *u.current_step;
    if (u.total_steps) next.total_steps = *u.total_steps;
    if (u.eta_seconds) next.eta_seconds = *u.eta_seconds;
    if (u.message) next.message = *u.message;
    if (u.error) next.error = *u.error;
    if (u.prompt) next.prompt = *u.prompt;
    if (u.status && *u.status != existing->status) {
        // Issue 10: the run is timed from the moment it was seen to start; a job sent back to
        // the queue starts over.
        if (*u.status == model::JobStatus::Processing) {
            next.runningSinceMicros = now;
            next.runningSinceObserved = true;
        } else if (*u.status == model::JobStatus::Queued) {
            next.runningSinceMicros = 0;
            next.runningSinceObserved = false;
        }
    }
    next.receivedMicros = now;
    replace(existing, std::make_shared<const model::Job>(std::move(next)), slot);
}

size_t QueueModule::removeJob(std::string_view id) {
    size_t removed = 0;
    for (model::JobPtr j = find(id); j; j = find(id)) {
        drop(j);
        ++removed;
    }
    return removed;
}

size_t QueueModule::clearCompletedJobs() {
    std::vector<model::JobPtr> done;
    inserted_.forEachPtr([&](const model::JobPtr& j) {
        if (!model::isActive(j->status)) done.push_back(j);
    });
    for (const auto& j : done) drop(j);
    return done.size();
}

bool QueueModule::isJobCancellable(std::string_view id) const {
    const auto j = find(id);
    return j && model::isCancellable(j->status);
}

std::vector<model::JobPtr> QueueModule::getCancellableJobs() const {
    std::vector<model::JobPtr> out;
    sorted_.forEachPtr([&](const model::JobPtr& j) {
        if (model::isCancellable(j->status)) out.push_back(j);
    });
    return out;
}

void QueueModule::handleProgressMessage(const model::ProgressMessage& m, int64_t now) {
    const std::string_view id = trimmed(m.job_id);
    if (id.empty()) return;
    // One lookup, the hot path of every progress tick: the slot has the job and its places.
    Slot* slot = nullptr;
    model::JobPtr existing;
    if (auto it = byUiId_.find(id); it != byUiId_.end()) {
        slot = &it->second;
        existing = slot->job;
    } else {
        existing = find(id);
    }
    // Spec §3.1 / issue 14.3: upstream's monitor reports SDNext's *global* progress for every
    // subscribed job, so the fraction and steps of a message about a queued job belong to
    // whichever job is rendering. A queued job's progress is 0 until a message says it runs.
    const model::JobStatus status =
        m.status.value_or(existing ? existing->status : model::JobStatus::Processing);
    const bool queued = status == model::JobStatus::Queued;
    if (!existing) {
        // §4.5: an unknown job is enqueued from the message. Until a listing confirms it, a
        // running one is treated like an optimistic entry (decision 4), so a poll racing it won't
        // drop it. A finished one is not: the server will never list it again, and as an
        // optimistic entry it would linger for the whole grace period (issue 9: a late
        // progress_update after a resync left a "completed" job in the queue for 20 s).
        model::Job j;
        j.uiId = j.backendId = model::Text(id);
        j.status = status;
        if (!queued) {
            j.progress = m.progress.value_or(0);
            j.current_step = m.current_step;
            j.total_steps = m.total_steps;
            j.eta_seconds = m.eta_seconds;
        }
        if (m.error_message) j.error = model::Text(*m.error_message);
        j.created_at = j.startTime = model::Timestamp::fromMicros(now, true);
        j.optimistic = model::isActive(j.status);
        enqueueJob(std::move(j), now);
        return;
    }
    JobUpdate u;
    if (queued) {
        if (existing->status == model::JobStatus::Queued) {
            // Still waiting: nothing of the job's own can have changed but an error text.
            if (!m.error_message) return;
            u.error = model::Text(*m.error_message);
            apply(existing, u, now, slot);
            return;
        }
        // Sent back to the queue: its run starts over (total_steps stays: it comes from the
        // job's parameters).
        model::Job next = *existing;
        next.status = status;
        next.progress = 0;
        next.current_step.reset();
        next.eta_seconds.reset();
        next.runningSinceMicros = 0;
        next.runningSinceObserved = false;
        if (m.error_message) next.error = model::Text(*m.error_message);
        next.receivedMicros = now;
        replace(existing, std::make_shared<const model::Job>(std::move(next)), slot);
        return;
    }
    u.status = m.status;
    u.progress = m.progress;
    u.current_step = m.current_step;  // only when numeric; otherwise the old value stays
    u.total_steps = m.total_steps;
    u.eta_seconds = m.eta_seconds;
    if (m.error_message) u.error = model::Text(*m.error_message);
    apply(existing, u, now, slot);
}

void QueueModule::handleCompletionMessage(const model::CompletionMessage& m) { removeJob(trimmed(m.job_id)); }
void QueueModule::handleErrorMessage(const model::ErrorMessage& m) { removeJob(trimmed(m.job_id)); }

void QueueModule::resetQueue() {
    inserted_.clear();
    active_.clear();
    sorted_.clear();
    view_.clear();
    byUiId_.clear();
    byBackendId_.clear();
    counts_ = {};
    ++revision_;
}

JobList QueueModule::queueView() const {
    return spec_ == QueueViewSpec{} ? sorted_.view() : view_.view();
}

void QueueModule::setViewSpec(QueueViewSpec spec, std::function<bool(const model::Job&)> matcher) {
    if (spec == spec_ && !matcher && !matcher_) return;
    spec_ = std::move(spec);
    matcher_ = spec_.filter.empty() ? nullptr : std::move(matcher);
    filterLower_.clear();
    for (char c : spec_.filter) filterLower_ += lower(c);
    rebuildView();
    ++revision_;
}

void QueueModule::rebuildView() {
    view_.clear();
    if (spec_ == QueueViewSpec{}) return;
    std::vector<model::JobPtr> rows;
    sorted_.forEachPtr([&](const model::JobPtr& j) {
        if (matchesView(*j)) rows.push_back(j);
    });
    const auto& less = view_.less();
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return less(*a, *b); });
    view_.assignSorted(rows);
}

}  // namespace genmon::orchestrator
