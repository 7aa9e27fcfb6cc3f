#include "app/history_sink.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

namespace genmon::app {

namespace {

history::RunStatus runStatusOf(orchestrator::JobOutcome outcome) {
    switch (outcome) {
        case orchestrator::JobOutcome::Completed: return history::RunStatus::Succeeded;
        case orchestrator::JobOutcome::Failed: return history::RunStatus::Failed;
        case orchestrator::JobOutcome::Cancelled: return history::RunStatus::Cancelled;
        case orchestrator::JobOutcome::Vanished: return history::RunStatus::Left;
    }
    return history::RunStatus::Left;
}

orchestrator::JobOutcome outcomeOf(history::RunStatus status) {
    switch (status) {
        case history::RunStatus::Succeeded: return orchestrator::JobOutcome::Completed;
        case history::RunStatus::Failed: return orchestrator::JobOutcome::Failed;
        case history::RunStatus::Cancelled: return orchestrator::JobOutcome::Cancelled;
        default: return orchestrator::JobOutcome::Vanished;
    }
}

// The Job a stored record stands for, as far as the timeline and the detail pane need it.
model::Job jobFromRecord(const history::JobRecord& r) {
    model::Job j;
    j.uiId = j.backendId = model::Text(r.jobId);
    switch (r.status) {
        case history::RunStatus::Queued: j.status = model::JobStatus::Queued; break;
        case history::RunStatus::Running: j.status = model::JobStatus::Processing; break;
        case history::RunStatus::Succeeded: j.status = model::JobStatus::Completed; break;
        default: j.status = model::JobStatus::Failed; break;
    }
    if (r.error) j.error = model::Text(*r.error);
    j.params = history::generationParams(r.params);
    j.prompt = j.params->prompt;
    j.total_steps = r.params.steps;
    if (r.createdMicros) j.created_at = j.startTime = model::Timestamp::fromMicros(r.createdMicros, true);
    if (r.finishedMicros) j.finished_at = model::Timestamp::fromMicros(r.finishedMicros, true);
    j.runningSinceMicros = r.startedMicros;
    j.progress = r.status == history::RunStatus::Succeeded ? 100 : 0;
    return j;
}

}  // namespace

std::string historyBackendName(const orchestrator::BackendConfig& backend) {
    return backend.simulated ? "demo" : history::backendName(backend.baseUrl);
}

void HistorySink::jobSeen(const model::Job& job, const orchestrator::BackendConfig& backend) {
    store_->record(history::recordFromJob(job, historyBackendName(backend), backend.baseUrl));
}

void HistorySink::jobLeft(const orchestrator::JobLifecycle& e, const orchestrator::BackendConfig& backend) {
    if (!e.job) return;
    history::JobRecord r = history::recordFromJob(*e.job, historyBackendName(backend), backend.baseUrl);
    r.status = runStatusOf(e.outcome);
    if (!r.createdMicros) r.createdMicros = e.queuedAtMicros;
    if (e.startedAtMicros > 0) r.startedMicros = e.startedAtMicros;
    r.finishedMicros = e.finishedAtMicros;
    if (!e.error.empty()) r.error = e.error.str();
    if (!e.resultId.empty()) r.resultId = e.resultId.str();
    store_->record(std::move(r));
}

void HistorySink::resultImage(const model::GenerationResult& result, const model::Image& image,
                              const orchestrator::BackendConfig& backend) {
    if (result.job_id.empty()) return;
    auto thumbnail = history::shrinkForHistory(image);  // at most 32 px a side: ~4 KiB, on the worker
    if (!thumbnail) return;
    history::JobRecord r;
    r.backend = historyBackendName(backend);
    r.backendUrl = backend.baseUrl;
    r.jobId = result.job_id;
    r.status = history::RunStatus::Succeeded;  // a result is a job that succeeded
    // Times stay empty, so the job's own are kept (a result's created_at is when it was saved).
    r.resultId = result.id;
    r.thumbnail = std::move(thumbnail);
    store_->record(std::move(r));
}

void HistorySink::jobRerun(std::string_view newJobId, std::string_view oldJobId, const orchestrator::BackendConfig& backend) {
    history::JobRecord r;
    r.backend = historyBackendName(backend);
    r.backendUrl = backend.baseUrl;
    r.jobId = std::string(newJobId);
    r.status = history::RunStatus::Queued;  // never replaces a final state the row may have by now
    r.rerunOf = std::string(oldJobId);
    store_->record(std::move(r));
}

std::optional<model::GenerationParams> HistorySink::storedParams(std::string_view jobId,
                                                               const orchestrator::BackendConfig& backend) {
    auto found = store_->find(historyBackendName(backend), jobId);
    if (!found || !found.value()) return std::nullopt;
    return jobFromRecord(*found.value()).params;
}

namespace {
// A stored job as a lifecycle entry, ended or not (finishedAtMicros 0 when its end is not known).
orchestrator::JobLifecycle entryFromRecord(const history::JobRecord& r) {
    orchestrator::JobLifecycle e;
    e.job = std::make_shared<const model::Job>(jobFromRecord(r));
    const int64_t end = r.finishedMicros;
    e.finishedAtMicros = end;
    e.startedAtMicros = r.startedMicros > 0 && end > 0 ? std::min(r.startedMicros, end) : r.startedMicros;
    const int64_t firstKnown = e.startedAtMicros > 0 ? e.startedAtMicros : end;
    e.queuedAtMicros = r.atMicros() > 0 && firstKnown > 0 ? std::min(r.atMicros(), firstKnown)
                       : r.atMicros() > 0                 ? r.atMicros()
                                                          : firstKnown;
    e.outcome = outcomeOf(r.status);
    e.startObserved = e.startedAtMicros > 0;
    if (r.error) e.error = model::Text(*r.error);
    if (r.resultId) e.resultId = model::Text(*r.resultId);
    return e;
}

int64_t systemNowMicros() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// Plain words keep the queue's substring filter (what it always did); any other term (status:,
// lora:, since:, a phrase, an exclusion) makes the filter a search.
bool usesSearchLanguage(const history::Query& q) {
    return std::any_of(q.terms.begin(), q.terms.end(), [](const history::QueryTerm& t) {
        return t.field != history::QueryField::Words || t.negated || t.phrase;
    });
}
}  // namespace

std::shared_ptr<const orchestrator::StoredThroughput> HistorySink::loadThroughput(int64_t now) {
    auto bins = [&](int64_t from, int64_t width, int64_t align) -> std::optional<std::vector<orchestrator::ThroughputBin>> {
        from = align + (from - align) / width * width;  // whole buckets (the times are positive)
        auto buckets = store_->throughput(from, now, width, align);
        if (!buckets) return std::nullopt;
        std::vector<orchestrator::ThroughputBin> out;
        for (const auto& b : buckets.value())
            out.push_back({b.startMicros, b.succeeded, b.failed, b.cancelled, b.left});
        return out;
    };
    // Days start at local midnight: align by the local UTC offset.
    const std::time_t t = static_cast<std::time_t>(now / 1'000'000);
    std::tm local{};
    localtime_r(&t, &local);
    const int64_t align = -static_cast<int64_t>(local.tm_gmtoff) * 1'000'000;
    auto hours = bins(now - 23 * history::kHourMicros, history::kHourMicros, 0);
    auto days = bins(now - 13 * history::kDayMicros, history::kDayMicros, align);
    if (!hours || !days) return nullptr;
    auto out = std::make_shared<orchestrator::StoredThroughput>();
    out->hours = std::move(*hours);
    out->days = std::move(*days);
    out->readAtMicros = now;
    return out;
}

std::optional<orchestrator::JobLifecycle> lifecycleFromRecord(const history::JobRecord& r) {
    if (!history::isFinal(r.status) || r.finishedMicros <= 0) return std::nullopt;
    return entryFromRecord(r);
}

std::function<bool(const model::Job&)> HistorySink::queueFilter(std::string_view filter,
                                                                const orchestrator::BackendConfig& backend) {
    history::ParsedQuery parsed = history::parseQuery(filter);
    if (!parsed || !usesSearchLanguage(*parsed.query)) return nullptr;
    return [query = std::move(*parsed.query), name = historyBackendName(backend), url = backend.baseUrl,
            now = systemNowMicros()](const model::Job& job) {
        return history::matches(query, history::recordFromJob(job, name, url), now);
    };
}

std::shared_ptr<orchestrator::StoredMatches> HistorySink::searchStored(std::string_view filter,
                                                                       const orchestrator::BackendConfig& backend,
                                                                       size_t limit) {
    if (filter.find_first_not_of(" \t") == std::string_view::npos) return nullptr;
    auto out = std::make_shared<orchestrator::StoredMatches>();
    out->filter = std::string(filter);
    history::ParsedQuery parsed = history::parseQuery(filter);
    if (!parsed) {
        out->error = parsed.error.message();
        return out;
    }
    history::Query query = std::move(*parsed.query);
    // This backend's jobs unless the search names a backend ("Run again" sends to this one).
    const bool namesBackend = std::any_of(query.terms.begin(), query.terms.end(),
                                          [](const auto& t) { return t.field == history::QueryField::Backend; });
    if (!namesBackend) {
        history::QueryTerm own;
        own.field = history::QueryField::Backend;
        own.text = historyBackendName(backend);
        query.terms.push_back(std::move(own));
    }
    history::SearchOptions options;
    options.limit = limit + 1;
    auto found = store_->search(query, options);
    if (!found) {
        out->error = found.error().message;
        return out;
    }
    out->more = found.value().size() > limit;
    if (out->more) found.value().resize(limit);
    for (const auto& r : found.value()) out->jobs.push_back(entryFromRecord(r));
    return out;
}

orchestrator::StoredPast HistorySink::loadPast(const orchestrator::BackendConfig& backend, int64_t sinceMicros, size_t maxRuns) {
    orchestrator::StoredPast past;
    const std::string name = historyBackendName(backend);
    // The timeline's range: what ended in it, oldest end first (the order jobs leave in).
    // jobsOverlapping answers oldest first and at most kPastLimit: for a busy week that would be
    // its oldest jobs, so the range narrows to the last day, then the last hour, until it fits.
    constexpr size_t kPastLimit = orchestrator::kStoredHistoryEntries;
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    auto overlapping = store_->jobsOverlapping(sinceMicros, INT64_MAX, kPastLimit);
    for (const int64_t reach : {24LL * 3600 * 1'000'000, 3600LL * 1'000'000}) {
        if (!overlapping || overlapping.value().size() < kPastLimit || now - reach <= sinceMicros) break;
        sinceMicros = now - reach;
        overlapping = store_->jobsOverlapping(sinceMicros, INT64_MAX, kPastLimit);
    }
    if (overlapping) {
        for (const auto& r : overlapping.value())
            if (r.backend == name && r.finishedMicros >= sinceMicros)
                if (auto e = lifecycleFromRecord(r)) past.lifecycles.push_back(std::move(*e));
        std::stable_sort(past.lifecycles.begin(), past.lifecycles.end(),
                         [](const auto& a, const auto& b) { return a.finishedAtMicros < b.finishedAtMicros; });
    }
    // The ETA's runs: the newest succeeded runs with a known start, taught oldest first.
    history::Query query;
    history::QueryTerm byBackend;
    byBackend.field = history::QueryField::Backend;
    byBackend.text = name;
    history::QueryTerm succeeded;
    succeeded.field = history::QueryField::Status;
    succeeded.statuses = {history::RunStatus::Succeeded};
    query.terms = {byBackend, succeeded};
    history::SearchOptions options;
    options.limit = maxRuns;
    if (auto runs = store_->search(query, options)) {
        for (auto it = runs.value().rbegin(); it != runs.value().rend(); ++it) {
            const history::JobRecord& r = *it;
            if (r.backend != name || r.startedMicros <= 0 || r.finishedMicros <= r.startedMicros) continue;
            orchestrator::EtaKey key = orchestrator::etaKeyOf(jobFromRecord(r));
            past.runs.emplace_back(std::move(key), static_cast<double>(r.finishedMicros - r.startedMicros) / 1e6);
        }
    }
    return past;
}

SessionHistory openSessionHistory(const CliOptions& o, HistoryUse use) {
    SessionHistory out;
    if (o.noHistory || (use == HistoryUse::OnlyWhenNamed && !o.historyDbPath)) return out;
    history::HistoryOptions options;
    if (o.historyDbPath) options.path = *o.historyDbPath;
    auto opened = history::HistoryStore::open(std::move(options));
    if (!opened) {
        out.problem = "history off: " + opened.error().message;
        return out;
    }
    out.store = std::shared_ptr<history::HistoryStore>(std::move(opened).value());
    return out;
}

}  // namespace genmon::app
