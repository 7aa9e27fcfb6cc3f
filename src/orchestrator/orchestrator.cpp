#include "orchestrator/orchestrator.hpp"

#include <algorithm>
#include <type_traits>
#include <variant>

namespace genmon::orchestrator {

using model::Error;
using model::ErrorKind;
using model::Outcome;
using model::Unit;

namespace {
constexpr int64_t kMicrosPerMs = 1000;
constexpr int64_t kThroughputWindowMicros = 5 * 60 * 1'000'000LL;

// "active jobs: <what went wrong>", once: decoder errors carry the context already.
std::string inContext(std::string_view context, const std::string& message) {
    if (message.rfind(context, 0) == 0) return message;
    return std::string(context) + message;
}

// The backend URL as shown (status bar, --dump-snapshot): credentials in it (user:pw@, which the
// transport refuses) are never shown.
std::string shownUrl(const std::string& url) {
    const size_t scheme = url.find("://");
    const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
    const size_t end = url.find_first_of("/?#", start);
    const size_t at = url.rfind('@', end == std::string::npos ? std::string::npos : end);
    if (at == std::string::npos || at < start) return url;
    return url.substr(0, start) + "***@" + url.substr(at + 1);
}

// The id startGeneration gives its placeholder until the server answers with the real one.
constexpr std::string_view kLocalIdPrefix = "local-";
bool isLocalPlaceholder(const model::Job& job) noexcept { return job.uiId.view().substr(0, kLocalIdPrefix.size()) == kLocalIdPrefix; }

Error notInitialized() {
    return Error::make(ErrorKind::InvalidArgument, "Generation transport has not been initialized");
}

// Joins N parallel callbacks: done(first error, or ok) after the last one answers (§7.1
// Promise.all, except each fetch is still applied on its own as it resolves).
std::vector<Callback<Unit>> joinAll(int n, Callback<Unit> done) {
    struct State {
        int pending;
        std::optional<Error> firstError;
        Callback<Unit> done;
    };
    auto state = std::make_shared<State>(State{n, std::nullopt, std::move(done)});
    std::vector<Callback<Unit>> arms;
    for (int i = 0; i < n; ++i)
        arms.push_back([state](Outcome<Unit> r) {
            if (!r.ok() && !state->firstError) state->firstError = r.error();
            if (--state->pending > 0) return;
            if (state->firstError)
                state->done(*state->firstError);
            else
                state->done(Unit{});
        });
    return arms;
}
}  // namespace

GenerationOrchestrator::GenerationOrchestrator(Executor& worker, TransportFactory factory, SnapshotBuffer& buffer,
                                               EventQueue& events)
    : worker_(worker),
      factory_(std::move(factory)),
      buffer_(buffer),
      events_(events),
      images_(results_, {[this](const model::GenerationResult& r, const model::Image& image) {
                             // Issue 18.1: the history keeps a thumbnail of each finished job.
                             if (options_.lifecycleSink) options_.lifecycleSink->resultImage(r, image, options_.backend);
                         },
                         [this] { markDirty(); }}),
      publisher_(worker, buffer, [this](Snapshot& s, int64_t now) { buildSnapshot(s, now); }) {
    // Issue 18: each new job and each change of status goes to the history, if there is one.
    queue_.setOnStatusSeen([this](const model::JobPtr& job) {
        if (options_.lifecycleSink && !isLocalPlaceholder(*job)) options_.lifecycleSink->jobSeen(*job, options_.backend);
    });
}

GenerationOrchestrator::~GenerationOrchestrator() = default;

template <class T, class Fn>
std::future<Outcome<T>> GenerationOrchestrator::run(Fn&& fn) {
    Reply<T> reply;
    auto future = reply.future();
    worker_.post([this, reply, fn = std::forward<Fn>(fn)]() mutable { fn(reply); });
    return future;
}

// ------------------------------------------------------------------------------------------
// Reading

bool GenerationOrchestrator::isJobCancellable(std::string_view id) const {
    const auto snap = snapshot();
    bool found = false;
    snap->jobs.forEach([&](const model::Job& j) {
        if (!found && (j.uiId == id || j.backendId == id)) found = model::isCancellable(j.status);
    });
    return found;
}

std::vector<model::JobPtr> GenerationOrchestrator::getCancellableJobs() const {
    std::vector<model::JobPtr> out;
    snapshot()->sortedActiveJobs.forEachPtr([&](const model::JobPtr& j) {
        if (model::isCancellable(j->status)) out.push_back(j);
    });
    return out;
}

// ------------------------------------------------------------------------------------------
// Publishing: latest-value snapshots, coalesced; always one right after a command completes.

void GenerationOrchestrator::markDirty() { publisher_.markDirty(); }

void GenerationOrchestrator::publishNow() { publisher_.publishNow(); }

// What a snapshot holds: the store's state at publish time (the publisher numbers it).
void GenerationOrchestrator::buildSnapshot(Snapshot& s, int64_t now) {
    while (!completions_.empty() && now - completions_.front() > kThroughputWindowMicros) completions_.pop_front();
    s.jobs = queue_.jobs();
    s.activeJobs = queue_.activeJobs();
    s.sortedActiveJobs = queue_.sortedActiveJobs();
    s.recentResults = results_.results();
    s.systemStatus = status_.status();
    s.isConnected = connection_.phase == ConnectionPhase::Connected;
    s.queueManagerActive = queueManagerActive_;
    s.historyLimit = results_.historyLimit();
    s.pollIntervalMs = pollIntervalMs_;
    s.systemStatusReady = status_.ready();
    s.systemStatusLastUpdated = status_.lastUpdated();
    s.systemStatusApiAvailable = status_.apiAvailable();
    s.isActive = isActive_;
    s.connection = connection_;
    s.systemMetrics = status_.metrics();
    s.backendUrl = shownUrl(options_.backend.baseUrl);
    s.simulatedBackend = options_.backend.simulated;
    s.insecureTls = options_.backend.insecureTls;
    s.replayName = options_.backend.replayName;
    s.jobsUpdatedAtMicros = jobsUpdatedAt_;
    s.resultsUpdatedAtMicros = resultsUpdatedAt_;
    s.statusUpdatedAtMicros = statusUpdatedAt_;
    s.lastRefreshError = lastRefreshError_;
    s.counts = queue_.counts();
    s.serverQueueLength = serverQueueLength_;
    s.jobsPerMinute = static_cast<double>(completions_.size()) / 5.0;
    s.queueViewSpec = queue_.viewSpec();
    s.queueView = queue_.queueView();
    s.storedMatches = storedMatches_;
    s.storedThroughput = storedThroughput_;
    s.jobHistory = history_.view();  // issue 10: the same pointers until a job leaves the queue
    s.etaModel = eta_.model();
    s.queueForecast = forecaster_.get({&s.sortedActiveJobs, s.counts.queued, s.counts.processing, s.etaModel,
                                       s.jobHistory},
                                      now);
    scheduleForecast();
    s.metrics = metrics_.series();  // a pointer: the samples are shared, never copied here
    s.cumulative = metrics_.cumulative();  // issue 17.4: a new pointer only when a count changed
}

// Issue 14.4: the queue forecast falls due once a second while jobs are active (remaining times
// move), or at the end of its gap after a structural change; the timer only asks for a publish,
// which recomputes it. Only while a transport is up, like every other timer.
void GenerationOrchestrator::scheduleForecast() {
    const int64_t due = transport_ ? forecaster_.nextDueMicros() : 0;
    if (forecastTimer_ != 0 && forecastDueMicros_ == due) return;
    if (forecastTimer_ != 0) worker_.cancel(forecastTimer_);
    forecastTimer_ = 0;
    forecastDueMicros_ = due;
    if (due == 0) return;
    const int64_t wait = std::max<int64_t>(0, due - worker_.nowMicros());
    forecastTimer_ = worker_.schedule((wait + kMicrosPerMs - 1) / kMicrosPerMs, [this] {
        forecastTimer_ = 0;
        forecastDueMicros_ = 0;
        publisher_.markStale();
    });
}

void GenerationOrchestrator::notify(NotificationKind kind, std::string message, std::string detail, std::string jobId) {
    Event e;
    e.type = kind == NotificationKind::Error ? Event::Type::CommandFailed : Event::Type::Notification;
    e.kind = kind;
    e.message = std::move(message);
    e.detail = std::move(detail);
    e.jobId = std::move(jobId);
    e.atMicros = worker_.nowMicros();
    events_.push(std::move(e));
}

void GenerationOrchestrator::noteCompletion(int64_t at) {
    completions_.push_back(at);
    scheduleResultsRefresh();
}

// ------------------------------------------------------------------------------------------
// Live metrics: counted at event time, sampled once a second (docs/architecture.md).

// A job's running time when it completes: from the moment genmon saw it start (Job::
// runningSinceMicros, kept by the queue module). A job first seen running gives none: its
// start was not observed, and a shorter time would be a wrong one.
std::optional<double> GenerationOrchestrator::runSecondsOf(const model::Job& job, int64_t at) {
    if (!job.runningSinceObserved || job.runningSinceMicros <= 0 || at < job.runningSinceMicros) return std::nullopt;
    return static_cast<double>(at - job.runningSinceMicros) / 1e6;
}

void GenerationOrchestrator::scheduleMetricsSample() {
    const int64_t wait = std::max<int64_t>(0, metrics_.nextSampleMicros() - worker_.nowMicros());
    metricsTimer_ = worker_.schedule((wait + kMicrosPerMs - 1) / kMicrosPerMs, [this] {
        metricsTimer_ = 0;
        const QueueCountsLocal counts = queue_.counts();
        MetricsInputs in;
        in.queueDepth = counts.queued + counts.processing;
        in.newestDataMicros = std::max(jobsUpdatedAt_, statusUpdatedAt_);
        if (transport_) in.parse = transport_->parseTotals();
        // A second closing is not news to a person: it refreshes the metrics pointer only
        // (sameContent ignores it), so the UI redraws for it only while the Metrics panel is open.
        if (metrics_.sample(worker_.nowMicros(), in)) publisher_.markStale();
        scheduleMetricsSample();
    });
}

// ------------------------------------------------------------------------------------------
// Issue 10: job lifecycles and the ETA estimator, fed when a job leaves the local queue.

bool GenerationOrchestrator::learnRun(const JobLifecycle& e, std::optional<double> serverRunSeconds) {
    // Only runs that ended well (or were last seen running and then left without a word: with
    // the socket down that is how every completion looks) say how long a run takes.
    const bool ran = e.outcome == JobOutcome::Completed || (e.outcome == JobOutcome::Vanished && e.startedAtMicros > 0);
    if (!ran || !e.job) return false;
    // The server's total_duration measures the run itself (observed: it excludes the wait);
    // otherwise the run as genmon saw it, from the moment it started to the end. A run whose
    // start was not seen (first seen running) would be too short: it teaches nothing.
    std::optional<double> run;
    if (serverRunSeconds && *serverRunSeconds > 0)
        run = serverRunSeconds;
    else if (e.startObserved && e.startedAtMicros > 0 && e.finishedAtMicros > e.startedAtMicros)
        run = static_cast<double>(e.finishedAtMicros - e.startedAtMicros) / 1e6;
    return run && eta_.learn(etaKeyOf(*e.job), *run);
}

void GenerationOrchestrator::recordDeparture(const model::JobPtr& job, std::optional<JobOutcome> outcome, int64_t now,
                                             std::optional<double> serverRunSeconds, std::string_view error,
                                             std::string_view resultId) {
    if (!job) return;
    JobLifecycle e;
    e.job = job;
    e.outcome = outcome ? *outcome
                : job->status == model::JobStatus::Completed ? JobOutcome::Completed
                : job->status == model::JobStatus::Failed    ? JobOutcome::Failed
                                                             : JobOutcome::Vanished;
    // A job that a progress message ended stays listed until it leaves: it ended when that
    // version arrived, not now.
    e.finishedAtMicros = !model::isActive(job->status) && job->receivedMicros > 0 ? std::min(job->receivedMicros, now) : now;
    e.startedAtMicros = std::min(job->runningSinceMicros, e.finishedAtMicros);
    e.startObserved = job->runningSinceObserved;
    const int64_t firstKnown = e.startedAtMicros > 0 ? e.startedAtMicros : e.finishedAtMicros;
    e.queuedAtMicros = job->created_at.valid ? std::min(job->created_at.micros, firstKnown) : firstKnown;
    if (!error.empty()) e.error = model::Text(error);
    if (!resultId.empty()) e.resultId = model::Text(resultId);
    e.learned = learnRun(e, serverRunSeconds);
    metrics_.noteDeparture(e, serverRunSeconds, now);  // issue 17.4: finished jobs by outcome
    if (options_.lifecycleSink && !isLocalPlaceholder(*job)) {
        options_.lifecycleSink->jobLeft(e, options_.backend);
        refreshStoredThroughput(now, false);
    }
    history_.append(std::move(e), now);
}

void GenerationOrchestrator::settleDeparture(std::string_view jobId, JobOutcome outcome,
                                             std::optional<double> serverRunSeconds, std::string_view error,
                                             std::string_view resultId) {
    const bool settled = history_.settle(
        jobId, outcome, [&](const JobLifecycle& e) { return learnRun(e, serverRunSeconds); }, error);
    if (!settled || !options_.lifecycleSink) return;
    const JobLifecycle* entry = history_.view()->findNewest(jobId);
    if (!entry) return;
    JobLifecycle told = *entry;
    if (!resultId.empty()) told.resultId = model::Text(resultId);
    options_.lifecycleSink->jobLeft(told, options_.backend);
}

void GenerationOrchestrator::seedFromHistory() {
    if (!options_.lifecycleSink || seededFor_ == options_.backend.baseUrl) return;
    seededFor_ = options_.backend.baseUrl;
    const int64_t now = worker_.nowMicros();
    StoredPast past = options_.lifecycleSink->loadPast(options_.backend, now - history_.retentionMicros(),
                                                       options_.storedRunsForEta);
    // Only what this session has not seen itself: the log and the estimator are empty here
    // unless a job already left (then the stored past would come after it).
    if (history_.size() == 0)
        for (auto& e : past.lifecycles) {
            e.learned = true;  // the runs below teach the estimator; a late settle must not again
            history_.append(std::move(e), now);
        }
    if (eta_.learnedJobs() == 0)
        for (const auto& [key, seconds] : past.runs) eta_.learn(key, seconds);
    refreshStoredThroughput(now, true);
}

void GenerationOrchestrator::refreshStoredThroughput(int64_t now, bool force) {
    constexpr int64_t kEvery = 30'000'000;  // a query of milliseconds: not on every departure
    if (!options_.lifecycleSink) return;
    if (!force && storedThroughput_ && now - storedThroughput_->readAtMicros < kEvery) return;
    if (auto read = options_.lifecycleSink->loadThroughput(now)) storedThroughput_ = std::move(read);
}

void GenerationOrchestrator::recordDepartures(const std::vector<model::JobPtr>& before, int64_t now) {
    for (const auto& j : before)
        if (!queue_.find(j->uiId.view())) recordDeparture(j, std::nullopt, now);
}

std::vector<model::JobPtr> GenerationOrchestrator::queuedJobsNow() const {
    std::vector<model::JobPtr> all;
    all.reserve(queue_.size());
    queue_.forEachJob([&](const model::JobPtr& j) { all.push_back(j); });
    return all;
}

// ------------------------------------------------------------------------------------------
// Lifecycle

StatusFuture GenerationOrchestrator::initialize(OrchestratorOptions options) {
    return run<Unit>([this, options = std::move(options)](Reply<Unit> reply) mutable {
        doInitialize(std::move(options), [reply](Outcome<Unit> r) { reply(std::move(r)); });
    });
}

void GenerationOrchestrator::initializeThen(OrchestratorOptions options, Callback<Unit> then) {
    worker_.post([this, options = std::move(options), then = std::move(then)]() mutable {
        doInitialize(std::move(options), std::move(then));
    });
}

void GenerationOrchestrator::doInitialize(OrchestratorOptions options, Callback<Unit> reply) {
    if (isActive_) {  // §7.1 step 1: already active, nothing to do
        reply(Unit{});
        return;
    }
    options_ = std::move(options);
    publisher_.setCoalesceMs(options_.polls.publishCoalesceMs);
    if (options_.lifecycleSink)
        history_.setBounds(kStoredHistoryEntries, kStoredHistoryRetentionMicros);
    else
        history_.setBounds(kDefaultHistoryEntries, kDefaultHistoryRetentionMicros);
    transport_ = factory_ ? factory_(options_.backend) : nullptr;
    if (!transport_) {
        reply(Error::make(ErrorKind::InvalidArgument, "no transport for " + options_.backend.baseUrl));
        return;
    }
    ++epoch_;
    metrics_.transportChanged();
    if (!metricsTimer_) {
        metrics_.start(worker_.nowMicros());
        scheduleMetricsSample();
    }
    results_.setHistoryLimit(options_.historyLimit);
    queueManagerActive_ = true;
    isActive_ = true;
    statusPollStopped_ = false;
    connection_ = ConnectionInfo{};
    connection_.phase = ConnectionPhase::Connecting;
    seedFromHistory();
    publishNow();
    const uint64_t epoch = epoch_;
    refreshAll([this, reply, epoch](Outcome<Unit> r) {
        if (epoch != epoch_) {
            reply(Error::make(ErrorKind::Cancelled, "initialization was superseded"));
            return;
        }
        if (!r.ok()) {
            // §7.1 step 6: clean up, then report. Polling and the socket never started.
            Error e = r.error();
            doCleanup();
            connection_.phase = ConnectionPhase::Disconnected;
            connection_.lastError = e.message;
            connection_.lastDisconnectedAtMicros = worker_.nowMicros();
            publishNow();
            reply(std::move(e));
            return;
        }
        startTimers();
        if (options_.usePush) transport_->startPush(this);
        publishNow();
        reply(Unit{});
    });
}

StatusFuture GenerationOrchestrator::cleanup() {
    return run<Unit>([this](Reply<Unit> reply) {
        doCleanup();
        publishNow();
        reply(Unit{});
    });
}

void GenerationOrchestrator::doCleanup() {
    stopTimers();
    ++epoch_;  // answers still on their way belong to the old transport
    if (transport_) {
        transport_->stopPush();
        transport_->cancelAll();
        transport_.reset();
    }
    queueManagerActive_ = false;
    isActive_ = false;
    paused_ = false;
    everConnected_ = false;  // the next transport's first connect is not a reconnect
    if (metricsTimer_) {
        worker_.cancel(metricsTimer_);
        metricsTimer_ = 0;
    }
    if (forecastTimer_) {
        worker_.cancel(forecastTimer_);
        forecastTimer_ = 0;
    }
    jobsInFlight_ = statusInFlight_ = resultsInFlight_ = false;
    images_.stop();
    connection_ = ConnectionInfo{};  // phase idle, no last error (§7.3 transportModule: clearTransport)
}

StatusFuture GenerationOrchestrator::destroy() {
    return run<Unit>([this](Reply<Unit> reply) {
        doCleanup();
        doResetState();
        publishNow();
        reply(Unit{});
    });
}

StatusFuture GenerationOrchestrator::resetState() {
    return run<Unit>([this](Reply<Unit> reply) {
        doResetState();
        publishNow();
        reply(Unit{});
    });
}

void GenerationOrchestrator::doResetState() {
    queue_.resetQueue();
    results_.resetResults();
    // §6.2 resetConnection: status defaults, disconnected, poll interval 10000, inactive manager.
    status_.reset();
    connection_.phase = transport_ ? connection_.phase : ConnectionPhase::Idle;
    pollIntervalMs_ = 10000;
    queueManagerActive_ = transport_ != nullptr && queueManagerActive_;
    jobsUpdatedAt_ = resultsUpdatedAt_ = statusUpdatedAt_ = 0;
    lastRefreshError_.clear();
    serverQueueLength_ = 0;
    completions_.clear();
    history_.clear();  // another backend's jobs and speeds say nothing about this one
    eta_.reset();
    seededFor_.clear();  // the next backend's past is read at its initialize
    storedMatches_.reset();
    storedThroughput_.reset();
    forecaster_.reset();
    images_.reset();
}

// ------------------------------------------------------------------------------------------
// Loading

void GenerationOrchestrator::refreshStatus(Callback<Unit> done, bool fromPoll) {
    if (!transport_) return done(notInitialized());
    statusInFlight_ = true;
    const uint64_t epoch = epoch_;
    transport_->fetchSystemStatus([this, done, epoch, fromPoll](Outcome<FetchedStatus> r) {
        if (!current(epoch)) return done(Error::make(ErrorKind::Cancelled, "superseded"));
        statusInFlight_ = false;
        const int64_t now = worker_.nowMicros();
        if (r.ok()) {
            if (r->patch) {
                // §6.3: the poll replaces the whole status; the transport path merges.
                if (fromPoll)
                    status_.replace(*r->patch, now);
                else
                    status_.apply(*r->patch, now);
                if (r->patch->queue_length) serverQueueLength_ = *r->patch->queue_length;
                statusUpdatedAt_ = now;
            } else {
                // 200 with an empty or non-JSON body (§1.2: data = null): the status stays as it
                // is, and so does its age: nothing new arrived.
                status_.markHydrated(now);
            }
            statusPollStopped_ = false;
            for (const auto& w : r->warnings)
                notify(NotificationKind::Warning, "Ignored an invalid system status from the server", w);
            markDirty();
            return done(Unit{});
        }
        const Error& e = r.error();
        if (e.kind == ErrorKind::Http && e.httpStatus == 404) {
            // §6.3: the backend has no status endpoint. Stop polling it until the backend
            // changes or a person refreshes; the view says defaults are shown.
            status_.reset();
            status_.markUnavailable(now);
            statusPollStopped_ = true;
        } else if (fromPoll) {
            status_.markError(now);
        }
        lastRefreshError_ = inContext("system status: ", e.message);
        markDirty();
        done(e);
    });
}

void GenerationOrchestrator::refreshJobs(Callback<Unit> done) {
    if (!transport_) return done(notInitialized());
    jobsInFlight_ = true;
    const uint64_t epoch = epoch_;
    transport_->fetchActiveJobs(options_.polls.activeJobsLimit, [this, done, epoch](Outcome<FetchedJobs> r) {
        if (!current(epoch)) return done(Error::make(ErrorKind::Cancelled, "superseded"));
        jobsInFlight_ = false;
        if (!r.ok()) {
            lastRefreshError_ = inContext("active jobs: ", r.error().message);
            markDirty();
            return done(r.error());
        }
        const int64_t now = worker_.nowMicros();
        // Jobs the server stopped listing finished or were cancelled: results may have grown.
        bool someLeft = false;
        std::unordered_map<std::string_view, bool> listed;
        for (const auto& j : r->jobs) listed.emplace(j.uiId.view(), true);
        queue_.jobs().forEach([&](const model::Job& j) {
            if (!j.optimistic && model::isActive(j.status) && !listed.count(j.uiId.view())) someLeft = true;
        });
        const auto before = queuedJobsNow();
        if (queue_.ingestQueue(std::move(r->jobs), now, int64_t{options_.polls.optimisticGraceMs} * kMicrosPerMs))
            recordDepartures(before, now);
        jobsUpdatedAt_ = now;
        lastRefreshError_.clear();
        for (const auto& w : r->warnings) notify(NotificationKind::Warning, "Skipped an invalid job from the server", w);
        if (someLeft) noteCompletion(now);
        markDirty();
        done(Unit{});
    });
}

// Decision 4: immediate results exist only here, and a refresh replaces the list with the
// server's; without this the next refresh (or one already in flight) would drop them. Each goes
// back before the first server result older than it; one the server lists itself is its own.
void GenerationOrchestrator::keepLocalResults(std::vector<model::ResultPtr>& serverList) const {
    for (const auto& local : *results_.results()) {
        if (!local->localOnly) continue;
        const auto listed = [&](const model::ResultPtr& r) { return r->id == local->id; };
        if (std::any_of(serverList.begin(), serverList.end(), listed)) continue;
        const auto older = std::find_if(serverList.begin(), serverList.end(), [&](const model::ResultPtr& r) {
            return r->created_at.valid && local->created_at.valid && r->created_at.micros < local->created_at.micros;
        });
        serverList.insert(older, local);
    }
}

void GenerationOrchestrator::refreshResults(bool notifyOutcome, Callback<Unit> done) {
    if (!transport_) return done(notInitialized());
    // Decision 5: up to 200 locally, in pages of at most 100 (the backend's bound).
    const int limit = results_.historyLimit();
    const int firstPage = std::min(limit, kBackendResultsPageMax);
    const uint64_t epoch = epoch_;
    resultsInFlight_ = true;
    auto collected = std::make_shared<std::vector<FetchedResult>>();
    auto warnings = std::make_shared<std::vector<std::string>>();
    auto finish = [this, done, epoch, notifyOutcome, collected, warnings](Outcome<Unit> r) {
        if (!current(epoch)) return done(Error::make(ErrorKind::Cancelled, "superseded"));
        resultsInFlight_ = false;
        if (!r.ok()) {
            lastRefreshError_ = inContext("results: ", r.error().message);
            if (notifyOutcome) notify(NotificationKind::Error, "Failed to refresh results", r.error().message);
            markDirty();
            return done(r.error());
        }
        std::vector<model::ResultPtr> list;
        list.reserve(collected->size());
        for (auto& f : *collected) {
            images_.prepare(f.result, f.imageBase64);
            list.push_back(std::make_shared<const model::GenerationResult>(std::move(f.result)));
        }
        keepLocalResults(list);
        results_.setResults(std::move(list));
        images_.pruneToResults();
        resultsUpdatedAt_ = worker_.nowMicros();
        lastRefreshError_.clear();
        for (const auto& w : *warnings) notify(NotificationKind::Warning, "Skipped an invalid result from the server", w);
        if (notifyOutcome) notify(NotificationKind::Success, "Results refreshed");
        requestImages();
        markDirty();
        done(Unit{});
    };
    transport_->fetchResults(firstPage, 0, [this, limit, firstPage, epoch, collected, warnings, finish](Outcome<FetchedResults> r) {
        if (!current(epoch)) return finish(Error::make(ErrorKind::Cancelled, "superseded"));
        if (!r.ok()) return finish(r.error());
        const bool full = static_cast<int>(r->results.size()) >= firstPage;
        for (auto& f : r->results) collected->push_back(std::move(f));
        for (auto& w : r->warnings) warnings->push_back(std::move(w));
        if (limit <= firstPage || !full) return finish(Unit{});
        transport_->fetchResults(limit - firstPage, firstPage, [this, epoch, collected, warnings, finish](Outcome<FetchedResults> r2) {
            if (!current(epoch)) return finish(Error::make(ErrorKind::Cancelled, "superseded"));
            if (!r2.ok()) return finish(r2.error());
            for (auto& f : r2->results) collected->push_back(std::move(f));
            for (auto& w : r2->warnings) warnings->push_back(std::move(w));
            finish(Unit{});
        });
    });
}

void GenerationOrchestrator::refreshAll(Callback<Unit> done) {
    if (!transport_) return done(notInitialized());
    auto arms = joinAll(3, std::move(done));
    refreshStatus(arms[0], false);
    refreshJobs(arms[1]);
    refreshResults(false, arms[2]);
}

StatusFuture GenerationOrchestrator::loadSystemStatusData() {
    return run<Unit>([this](Reply<Unit> reply) {
        statusPollStopped_ = false;  // a manual refresh re-enables polling after a 404 (§6.3)
        refreshStatus([this, reply](Outcome<Unit> r) { publishNow(); reply(std::move(r)); }, false);
    });
}

StatusFuture GenerationOrchestrator::loadActiveJobsData() {
    return run<Unit>([this](Reply<Unit> reply) {
        refreshJobs([this, reply](Outcome<Unit> r) { publishNow(); reply(std::move(r)); });
    });
}

StatusFuture GenerationOrchestrator::loadRecentResults(bool notifySuccess) {
    return run<Unit>([this, notifySuccess](Reply<Unit> reply) {
        refreshResults(notifySuccess, [this, reply](Outcome<Unit> r) { publishNow(); reply(std::move(r)); });
    });
}

StatusFuture GenerationOrchestrator::refreshAllData() {
    return run<Unit>([this](Reply<Unit> reply) {
        statusPollStopped_ = false;
        refreshAll([this, reply](Outcome<Unit> r) { publishNow(); reply(std::move(r)); });
    });
}

StatusFuture GenerationOrchestrator::handleBackendUrlChange(BackendConfig backend) {
    return run<Unit>([this, backend = std::move(backend)](Reply<Unit> reply) mutable {
        if (!transport_) return reply(notInitialized());
        // A different backend is different data: start clean rather than show the old queue
        // under the new URL. Then reconnect and refresh (§7.1).
        const bool usePush = options_.usePush;
        stopTimers();
        transport_->stopPush();
        transport_->cancelAll();
        options_.backend = std::move(backend);
        transport_ = factory_(options_.backend);
        ++epoch_;
        metrics_.transportChanged();
        // Answers of the old transport are now ignored (stale epoch), so nothing they would
        // have reset may stay set: in-flight flags, image slots, the first-connect marker.
        jobsInFlight_ = statusInFlight_ = resultsInFlight_ = false;
        images_.stop();
        everConnected_ = false;
        if (!transport_) {
            isActive_ = queueManagerActive_ = false;
            publishNow();
            return reply(Error::make(ErrorKind::InvalidArgument, "no transport for " + options_.backend.baseUrl));
        }
        const int limit = results_.historyLimit();
        doResetState();
        results_.setHistoryLimit(limit);
        seedFromHistory();
        statusPollStopped_ = false;
        connection_ = ConnectionInfo{};
        connection_.phase = ConnectionPhase::Connecting;
        queueManagerActive_ = true;
        publishNow();
        if (usePush) transport_->startPush(this);
        startTimers();
        refreshAll([this, reply](Outcome<Unit> r) { publishNow(); reply(std::move(r)); });
    });
}

// ------------------------------------------------------------------------------------------
// Actions

std::future<Outcome<StartedGeneration>> GenerationOrchestrator::startGeneration(model::GenerationRequest request,
                                                                                model::GenerationMode mode,
                                                                                std::string rerunOf) {
    return run<StartedGeneration>([this, request = std::move(request), mode,
                                   rerunOf = std::move(rerunOf)](Reply<StartedGeneration> reply) mutable {
        doStartGeneration(std::move(request), mode, std::move(rerunOf), reply);
    });
}

std::future<Outcome<StartedGeneration>> GenerationOrchestrator::runAgain(std::string jobId) {
    return run<StartedGeneration>([this, jobId = std::move(jobId)](Reply<StartedGeneration> reply) {
        auto params = paramsToRunAgain(jobId);
        if (!params) {
            notify(NotificationKind::Error, "Cannot run again", params.error().message, jobId);
            return reply(params.error());
        }
        doStartGeneration(model::requestFromParams(params.value()), model::GenerationMode::Deferred, jobId,
                          [this, reply, jobId](Outcome<StartedGeneration> r) {
                              if (r.ok()) notify(NotificationKind::Success, "Queued again", "as " + r->jobId, jobId);
                              reply(std::move(r));
                          });
    });
}

std::future<Outcome<RunAgainReport>> GenerationOrchestrator::runAgainAll(std::vector<std::string> jobIds) {
    return run<RunAgainReport>([this, jobIds = std::move(jobIds)](Reply<RunAgainReport> reply) {
        auto report = std::make_shared<RunAgainReport>();
        report->requested = jobIds.size();
        if (jobIds.empty()) return reply(*report);
        // Each one on its own, like clearQueue: a job that cannot be re-run is reported, the rest go.
        auto remaining = std::make_shared<size_t>(jobIds.size());
        auto oneDone = [this, report, remaining, reply](const std::string& id, Outcome<StartedGeneration> r) {
            if (r.ok())
                report->queued.push_back(r->jobId);
            else
                report->failures.push_back(id + ": " + r.error().message);
            if (--*remaining == 0) {
                notify(report->failures.empty() ? NotificationKind::Success : NotificationKind::Warning,
                       "Retried " + std::to_string(report->queued.size()) + " of " + std::to_string(report->requested) +
                           " jobs",
                       report->failures.empty() ? std::string() : report->failures.front());
                publishNow();
                reply(*report);
            }
        };
        for (const auto& id : jobIds) {
            auto params = paramsToRunAgain(id);
            if (!params) {
                oneDone(id, params.error());
                continue;
            }
            doStartGeneration(model::requestFromParams(params.value()), model::GenerationMode::Deferred, id,
                              [id, oneDone](Outcome<StartedGeneration> r) { oneDone(id, std::move(r)); });
        }
    });
}

Outcome<model::GenerationParams> GenerationOrchestrator::paramsToRunAgain(const std::string& jobId) {
    // The freshest version first: the queue, then the jobs that left it, then the history.
    model::JobPtr job = queue_.find(jobId);
    if (!job)
        if (const JobLifecycle* e = history_.view()->findNewest(jobId)) job = e->job;
    if (job && job->params && job->params->prompt) return *job->params;
    if (options_.lifecycleSink)
        if (auto stored = options_.lifecycleSink->storedParams(jobId, options_.backend); stored && stored->prompt)
            return *stored;
    return Error::make(ErrorKind::NotFound, "no parameters known for job " + jobId + ": it cannot be run again");
}

void GenerationOrchestrator::doStartGeneration(model::GenerationRequest request, model::GenerationMode mode,
                                               std::string rerunOf, Callback<StartedGeneration> reply) {
    {
        if (auto problem = model::validateGenerationRequest(request)) {
            notify(NotificationKind::Error, *problem);
            return reply(Error::make(ErrorKind::InvalidArgument, *problem));
        }
        if (!transport_) return reply(notInitialized());
        const int64_t now = worker_.nowMicros();
        // The optimistic entry shows at once, before the server answers (decision 4).
        model::Job placeholder;
        placeholder.uiId = placeholder.backendId = model::Text(std::string(kLocalIdPrefix) + std::to_string(++localIdCounter_));
        placeholder.status = mode == model::GenerationMode::Immediate ? model::JobStatus::Processing
                                                                      : model::JobStatus::Queued;
        placeholder.prompt = model::Text(request.prompt);
        placeholder.created_at = placeholder.startTime = model::Timestamp::fromMicros(now, true);
        placeholder.total_steps = request.steps;
        placeholder.optimistic = true;
        model::GenerationParams params;
        params.prompt = placeholder.prompt;
        if (request.negative_prompt) params.negative_prompt = model::Text(*request.negative_prompt);
        params.steps = request.steps;
        params.sampler_name = model::Text(request.sampler_name);
        params.cfg_scale = request.cfg_scale;
        params.width = request.width;
        params.height = request.height;
        params.seed = request.seed;
        params.batch_size = request.batch_size;
        params.n_iter = request.n_iter;
        params.denoising_strength = request.denoising_strength;
        placeholder.params = params;
        const std::string localId = placeholder.uiId.str();
        queue_.enqueueJob(placeholder, now);
        publishNow();

        const uint64_t epoch = epoch_;
        // §4.7: the server's job replaces the placeholder under the server's id.
        auto adopt = [this, localId, placeholder, rerunOf](const std::string& backendId, model::JobStatus status,
                                                           std::optional<uint8_t> progress) {
            queue_.removeJob(localId);
            model::Job j = placeholder;
            j.uiId = j.backendId = model::Text(backendId);
            j.status = status;
            j.progress = progress.value_or(0);
            queue_.enqueueJob(std::move(j), worker_.nowMicros());
            if (!rerunOf.empty() && options_.lifecycleSink)
                options_.lifecycleSink->jobRerun(backendId, rerunOf, options_.backend);
        };
        if (mode == model::GenerationMode::Deferred) {
            transport_->queueGeneration(request, [this, reply, epoch, localId, adopt](Outcome<model::QueueGenerationResponse> r) {
                if (!current(epoch)) return reply(Error::make(ErrorKind::Cancelled, "superseded"));
                if (!r.ok()) {
                    queue_.removeJob(localId);
                    notify(NotificationKind::Error, "Failed to start generation", r.error().message);
                    publishNow();
                    return reply(r.error());
                }
                adopt(r->delivery_id, model::JobStatus::Queued, std::nullopt);
                publishNow();
                reply(StartedGeneration{r->delivery_id, model::JobStatus::Queued});
            });
            return;
        }
        transport_->generate(request, [this, reply, epoch, localId, adopt, request](Outcome<model::GenerateResponse> r) {
            if (!current(epoch)) return reply(Error::make(ErrorKind::Cancelled, "superseded"));
            if (!r.ok()) {
                queue_.removeJob(localId);
                notify(NotificationKind::Error, "Failed to start generation", r.error().message);
                publishNow();
                return reply(r.error());
            }
            if (r->job_id.empty()) {
                queue_.removeJob(localId);
            } else {
                adopt(r->job_id, r->status, r->progress);
            }
            if (r->status == model::JobStatus::Failed) {
                notify(NotificationKind::Error, "Generation failed: " + r->error_message.value_or("Unknown error"));
            } else if (r->status == model::JobStatus::Completed) {
                // Decision 4: an immediate job's image becomes a local result (the backend never lists it).
                model::GenerationResult res;
                res.id = res.job_id = r->job_id.empty() ? localId : r->job_id;
                res.prompt = request.prompt;
                res.negative_prompt = request.negative_prompt;
                res.width = request.width;
                res.height = request.height;
                res.steps = request.steps;
                res.cfg_scale = request.cfg_scale;
                res.seed = request.seed;
                res.generation_info_json = r->generation_info_json;
                res.generation_seed = r->generation_seed;
                res.created_at = res.finished_at = model::Timestamp::fromMicros(worker_.nowMicros(), true);
                res.localOnly = true;
                if (!r->images.empty()) {
                    res.imageSource = model::ImageSource::Base64;
                    images_.keepBase64(res.id, r->images.front());
                }
                results_.addResult(std::make_shared<const model::GenerationResult>(std::move(res)));
                noteCompletion(worker_.nowMicros());
                metrics_.noteCompletion(worker_.nowMicros(), std::nullopt);
                notify(NotificationKind::Success, "Generation completed successfully");
                requestImages();
            }
            publishNow();
            reply(StartedGeneration{r->job_id, r->status});
        });
    }
}

void GenerationOrchestrator::doCancel(const std::string& id, Callback<Unit> done, bool notifyOutcome) {
    if (!transport_) return done(notInitialized());
    // §4.4: the UI id is translated to the backend id; an unknown id is sent as it is (the
    // server answers 404 "Job not found", which is shown).
    const auto job = queue_.find(id);
    const std::string backendId = job ? job->backendId.str() : id;
    const uint64_t epoch = epoch_;
    transport_->cancelJob(backendId, [this, id, backendId, done, epoch, notifyOutcome](Outcome<model::CancelResponse> r) {
        if (!current(epoch)) return done(Error::make(ErrorKind::Cancelled, "superseded"));
        if (!r.ok()) {
            if (notifyOutcome) notify(NotificationKind::Error, "Failed to cancel generation", r.error().message, backendId);
            markDirty();
            return done(r.error());
        }
        recordDeparture(queue_.find(id), JobOutcome::Cancelled, worker_.nowMicros());
        queue_.removeJob(id);
        if (id != backendId) queue_.removeJob(backendId);
        if (notifyOutcome) notify(NotificationKind::Success, "Generation cancelled", {}, backendId);
        markDirty();
        done(Unit{});
    });
}

StatusFuture GenerationOrchestrator::cancelJob(std::string id) {
    return run<Unit>([this, id = std::move(id)](Reply<Unit> reply) {
        doCancel(id, [this, reply](Outcome<Unit> r) { publishNow(); reply(std::move(r)); }, true);
    });
}

std::future<Outcome<ClearQueueReport>> GenerationOrchestrator::clearQueue() {
    return run<ClearQueueReport>([this](Reply<ClearQueueReport> reply) {
        if (!transport_) return reply(notInitialized());
        std::vector<std::string> ids;
        for (const auto& j : queue_.getCancellableJobs()) ids.push_back(j->uiId.str());
        auto report = std::make_shared<ClearQueueReport>();
        report->requested = ids.size();
        if (ids.empty()) return reply(*report);
        // §7.1: every cancellable job in parallel; each failure is notified and kept, each
        // success removed; the whole never fails.
        auto remaining = std::make_shared<size_t>(ids.size());
        for (const auto& id : ids) {
            doCancel(id, [this, id, report, remaining, reply](Outcome<Unit> r) {
                if (r.ok())
                    ++report->cancelled;
                else
                    report->failures.push_back(id + ": " + r.error().message);
                if (--*remaining == 0) {
                    publishNow();
                    reply(*report);
                }
            }, true);
        }
    });
}

StatusFuture GenerationOrchestrator::deleteResult(std::string resultId) {
    return run<Unit>([this, resultId = std::move(resultId)](Reply<Unit> reply) {
        if (!transport_) return reply(notInitialized());
        const uint64_t epoch = epoch_;
        // §5.3: remote first, then local, only on success.
        transport_->deleteResult(resultId, [this, resultId, reply, epoch](Outcome<Unit> r) {
            if (!current(epoch)) return reply(Error::make(ErrorKind::Cancelled, "superseded"));
            if (!r.ok()) {
                notify(NotificationKind::Error, "Failed to delete result", r.error().message);
                publishNow();
                return reply(r.error());
            }
            results_.removeResult(resultId);
            images_.forget(resultId);
            notify(NotificationKind::Success, "Result deleted");
            publishNow();
            reply(Unit{});
        });
    });
}

// ------------------------------------------------------------------------------------------
// Utilities as worker commands

#define GENMON_WORKER_COMMAND(body)              \
    return run<Unit>([=, this](Reply<Unit> reply) mutable { \
        body;                                    \
        publishNow();                            \
        reply(Unit{});                           \
    })

StatusFuture GenerationOrchestrator::enqueueJob(model::Job job) {
    GENMON_WORKER_COMMAND(queue_.enqueueJob(std::move(job), worker_.nowMicros()));
}
StatusFuture GenerationOrchestrator::setJobs(std::vector<model::Job> jobs) {
    GENMON_WORKER_COMMAND({
        const auto before = queuedJobsNow();
        queue_.setJobs(std::move(jobs), worker_.nowMicros());
        recordDepartures(before, worker_.nowMicros());
    });
}
StatusFuture GenerationOrchestrator::ingestQueue(std::vector<model::Job> jobs) {
    GENMON_WORKER_COMMAND({
        const auto before = queuedJobsNow();
        if (queue_.ingestQueue(std::move(jobs), worker_.nowMicros(), int64_t{options_.polls.optimisticGraceMs} * kMicrosPerMs))
            recordDepartures(before, worker_.nowMicros());
    });
}
StatusFuture GenerationOrchestrator::removeJob(std::string id) {
    GENMON_WORKER_COMMAND({
        for (auto j = queue_.find(id); j; j = queue_.find(id)) {
            recordDeparture(j, std::nullopt, worker_.nowMicros());
            queue_.removeJob(j->uiId.view());
        }
    });
}
StatusFuture GenerationOrchestrator::clearCompletedJobs() {
    GENMON_WORKER_COMMAND({
        for (const auto& j : queuedJobsNow())
            if (!model::isActive(j->status)) recordDeparture(j, std::nullopt, worker_.nowMicros());
        queue_.clearCompletedJobs();
    });
}
StatusFuture GenerationOrchestrator::handleProgressMessage(model::ProgressMessage m) {
    GENMON_WORKER_COMMAND(onProgress(m));
}
StatusFuture GenerationOrchestrator::handleCompletionMessage(model::CompletionMessage m) {
    GENMON_WORKER_COMMAND(onCompletion(m));
}
StatusFuture GenerationOrchestrator::handleErrorMessage(model::ErrorMessage m) { GENMON_WORKER_COMMAND(onJobError(m)); }
StatusFuture GenerationOrchestrator::setResults(std::vector<model::GenerationResult> list) {
    GENMON_WORKER_COMMAND({
        std::vector<model::ResultPtr> ptrs;
        for (auto& r : list) ptrs.push_back(std::make_shared<const model::GenerationResult>(std::move(r)));
        results_.setResults(std::move(ptrs));
    });
}
StatusFuture GenerationOrchestrator::addResult(model::GenerationResult result) {
    GENMON_WORKER_COMMAND(results_.addResult(std::make_shared<const model::GenerationResult>(std::move(result))));
}
StatusFuture GenerationOrchestrator::removeResult(std::string id) { GENMON_WORKER_COMMAND(results_.removeResult(id)); }
StatusFuture GenerationOrchestrator::resetResults() { GENMON_WORKER_COMMAND(results_.resetResults()); }
StatusFuture GenerationOrchestrator::setQueueView(QueueViewSpec spec) {
    GENMON_WORKER_COMMAND({
        // Issue 18.2: with a history, the filter is a search over the live jobs and the stored ones.
        std::function<bool(const model::Job&)> matcher;
        if (options_.lifecycleSink) {
            matcher = options_.lifecycleSink->queueFilter(spec.filter, options_.backend);
            storedMatches_ = searchStored(spec.filter);
        }
        queue_.setViewSpec(std::move(spec), std::move(matcher));
    });
}

std::shared_ptr<const StoredMatches> GenerationOrchestrator::searchStored(const std::string& filter) {
    auto found = options_.lifecycleSink->searchStored(filter, options_.backend, kStoredMatchesShown);
    if (!found) return nullptr;
    // What the queue holds is shown there, as it is now.
    std::erase_if(found->jobs, [this](const JobLifecycle& e) { return e.job && queue_.find(e.job->backendId.view()); });
    return found;
}
StatusFuture GenerationOrchestrator::setPollSettings(PollSettings polls) {
    GENMON_WORKER_COMMAND({
        options_.polls = polls;
        publisher_.setCoalesceMs(polls.publishCoalesceMs);
        if (transport_ && !paused_) {
            stopTimers();
            startTimers();
        }
    });
}
#undef GENMON_WORKER_COMMAND

StatusFuture GenerationOrchestrator::updateJob(std::string id, JobUpdate update) {
    return run<Unit>([this, id = std::move(id), update](Reply<Unit> reply) {
        const bool found = queue_.updateJob(id, update, worker_.nowMicros());
        publishNow();
        if (!found) return reply(Error::make(ErrorKind::NotFound, "Job not found: " + id));
        reply(Unit{});
    });
}

StatusFuture GenerationOrchestrator::setHistoryLimit(double limit) {
    return run<Unit>([this, limit](Reply<Unit> reply) {
        const int before = results_.historyLimit();
        results_.setHistoryLimit(limit);
        publishNow();
        // A larger limit needs more results from the server; a smaller one only trims.
        if (transport_ && results_.historyLimit() > before) {
            refreshResults(false, [this, reply](Outcome<Unit> r) { publishNow(); reply(std::move(r)); });
            return;
        }
        reply(Unit{});
    });
}

StatusFuture GenerationOrchestrator::pauseTransport() {
    return run<Unit>([this](Reply<Unit> reply) {
        if (!transport_) return reply(notInitialized());
        paused_ = true;
        stopTimers();
        transport_->stopPush();
        connection_.phase = ConnectionPhase::Paused;
        publishNow();
        reply(Unit{});
    });
}

StatusFuture GenerationOrchestrator::resumeTransport() {
    return run<Unit>([this](Reply<Unit> reply) {
        if (!transport_) return reply(notInitialized());
        if (!paused_) return reply(Unit{});  // §7.1: a no-op unless paused
        refreshAll([this, reply](Outcome<Unit> r) {
            if (!r.ok()) {  // stays paused; the error is reported
                publishNow();
                return reply(std::move(r));
            }
            paused_ = false;
            connection_.phase = ConnectionPhase::Connecting;
            if (options_.usePush) transport_->startPush(this);
            startTimers();
            publishNow();
            reply(Unit{});
        });
    });
}

// ------------------------------------------------------------------------------------------
// Timers: queue poll (decision 3), status poll (§6.3), results after completions (decision 5)

void GenerationOrchestrator::startTimers() {
    stopTimers();
    scheduleQueuePoll();
    scheduleStatusPoll();
}

void GenerationOrchestrator::stopTimers() {
    for (TimerId* t : {&queueTimer_, &statusTimer_, &resultsTimer_})
        if (*t) {
            worker_.cancel(*t);
            *t = 0;
        }
}

void GenerationOrchestrator::scheduleQueuePoll() {
    const bool socketUp = connection_.phase == ConnectionPhase::Connected;
    pollIntervalMs_ = socketUp ? options_.polls.queueWhileSocketUpMs : options_.polls.queueWhileSocketDownMs;
    queueTimer_ = worker_.schedule(pollIntervalMs_, [this] {
        queueTimer_ = 0;
        if (!transport_ || paused_) return;
        if (jobsInFlight_) return scheduleQueuePoll();
        // Polled also while the local list is empty, so jobs started elsewhere appear.
        refreshJobs([this](Outcome<Unit>) {
            if (transport_ && !paused_ && queueTimer_ == 0) scheduleQueuePoll();
        });
    });
}

void GenerationOrchestrator::scheduleStatusPoll() {
    statusTimer_ = worker_.schedule(options_.polls.statusMs, [this] {
        statusTimer_ = 0;
        if (!transport_ || paused_) return;
        if (statusPollStopped_) return scheduleStatusPoll();  // idle until re-enabled
        if (statusInFlight_) return scheduleStatusPoll();
        refreshStatus([this](Outcome<Unit>) {
            if (transport_ && !paused_ && statusTimer_ == 0) scheduleStatusPoll();
        }, true);
    });
}

void GenerationOrchestrator::scheduleResultsRefresh() {
    if (resultsTimer_ || !transport_) return;
    resultsTimer_ = worker_.schedule(options_.polls.resultsRefreshDelayMs, [this] {
        resultsTimer_ = 0;
        if (!transport_) return;
        if (resultsInFlight_) return scheduleResultsRefresh();
        refreshResults(false, [](Outcome<Unit>) {});
    });
}

void GenerationOrchestrator::requestImages() { images_.request(transport_.get(), options_.polls.maxConcurrentImageLoads); }

// ------------------------------------------------------------------------------------------
// Push messages (decision 1): one Update, one switch.

void GenerationOrchestrator::apply(Update update) {
    std::visit(
        [this](auto& u) {
            using T = std::decay_t<decltype(u)>;
            if constexpr (std::is_same_v<T, model::ProgressMessage>)
                onProgress(u);
            else if constexpr (std::is_same_v<T, model::CompletionMessage>)
                onCompletion(u);
            else if constexpr (std::is_same_v<T, model::ErrorMessage>)
                onJobError(u);
            else if constexpr (std::is_same_v<T, model::StartedMessage>)
                onStarted(u);
            else if constexpr (std::is_same_v<T, QueueListing>)
                onQueueUpdate(std::move(u.jobs));
            else if constexpr (std::is_same_v<T, model::SystemStatusPatch>)
                onSystemStatus(u);
            else {
                static_assert(std::is_same_v<T, ConnectionInfo>, "a new kind of Update needs its case here");
                onConnection(u);
            }
        },
        update);
}

void GenerationOrchestrator::onProgress(const model::ProgressMessage& m) {
    const int64_t now = worker_.nowMicros();
    const auto before = queue_.find(m.job_id);
    queue_.handleProgressMessage(m, now);
    jobsUpdatedAt_ = now;
    metrics_.noteMessage();
    if (m.status == model::JobStatus::Completed && (!before || before->status != model::JobStatus::Completed))
        metrics_.noteCompletion(now, before ? runSecondsOf(*before, now) : std::nullopt);
    if (before && model::isActive(before->status) && m.status && !model::isActive(*m.status)) noteCompletion(now);
    markDirty();
}

void GenerationOrchestrator::onCompletion(const model::CompletionMessage& m) {
    const int64_t now = worker_.nowMicros();
    metrics_.noteMessage();
    // A progress message may have reported this completion already (the job stays listed, completed).
    if (const auto before = queue_.find(m.job_id); !before || before->status != model::JobStatus::Completed)
        metrics_.noteCompletion(now, m.total_duration ? m.total_duration
                                     : before         ? runSecondsOf(*before, now)
                                                      : std::nullopt);
    if (const auto job = queue_.find(m.job_id))
        recordDeparture(job, JobOutcome::Completed, now, m.total_duration, {}, m.result_id.value_or(""));
    else  // a listing dropped it first: now its outcome is known
        settleDeparture(m.job_id, JobOutcome::Completed, m.total_duration, {}, m.result_id.value_or(""));
    metrics_.noteLateOutcome(m.job_id, JobOutcome::Completed, m.total_duration);  // after the departure above
    queue_.handleCompletionMessage(m);
    model::GenerationResult r = ResultsModule::fromCompletion(m, now);
    const auto existing = results_.find(r.id);
    if (existing && existing->thumbnail) {  // already known (e.g. a refresh won the race)
        r.thumbnail = existing->thumbnail;
        r.imageState = model::ImageState::Ready;
    } else if (m.image_base64) {
        images_.keepBase64(r.id, *m.image_base64);
    }
    results_.addResult(std::make_shared<const model::GenerationResult>(std::move(r)));
    jobsUpdatedAt_ = now;
    completions_.push_back(now);
    notify(NotificationKind::Success, "Generation completed successfully", m.prompt.value_or(""), m.job_id);
    // The server's result row has fields the message lacks: refresh soon (decision 5).
    scheduleResultsRefresh();
    requestImages();
    markDirty();
}

void GenerationOrchestrator::onJobError(const model::ErrorMessage& m) {
    metrics_.noteMessage();
    if (const auto job = queue_.find(m.job_id))
        recordDeparture(job, JobOutcome::Failed, worker_.nowMicros(), std::nullopt, m.error);
    else
        settleDeparture(m.job_id, JobOutcome::Failed, std::nullopt, m.error);
    metrics_.noteLateOutcome(m.job_id, JobOutcome::Failed, std::nullopt);  // after the departure above
    queue_.handleErrorMessage(m);
    jobsUpdatedAt_ = worker_.nowMicros();
    notify(NotificationKind::Error, "Generation failed: " + m.error, {}, m.job_id);
    markDirty();
}

void GenerationOrchestrator::onStarted(const model::StartedMessage& m) {
    metrics_.noteMessage();
    if (m.job_id.empty() || queue_.find(m.job_id)) return;
    const int64_t now = worker_.nowMicros();
    model::Job j;
    j.uiId = j.backendId = model::Text(m.job_id);
    j.status = model::JobStatus::Queued;
    if (m.params) {
        j.params = m.params;
        j.prompt = m.params->prompt;
        j.total_steps = m.params->steps;
    }
    j.created_at = j.startTime = model::Timestamp::fromMicros(now, true);
    j.optimistic = true;  // until a listing confirms it
    queue_.enqueueJob(std::move(j), now);
    jobsUpdatedAt_ = now;
    markDirty();
}

void GenerationOrchestrator::onQueueUpdate(std::vector<model::Job> jobs) {
    metrics_.noteMessage();
    const int64_t now = worker_.nowMicros();
    const auto before = queuedJobsNow();
    if (queue_.ingestQueue(std::move(jobs), now, int64_t{options_.polls.optimisticGraceMs} * kMicrosPerMs))
        recordDepartures(before, now);
    jobsUpdatedAt_ = now;
    markDirty();
}

void GenerationOrchestrator::onSystemStatus(const model::SystemStatusPatch& patch) {
    metrics_.noteMessage();
    const int64_t now = worker_.nowMicros();
    status_.apply(patch, now);
    statusUpdatedAt_ = now;
    markDirty();
}

void GenerationOrchestrator::onConnection(const ConnectionInfo& info) {
    const bool wasConnected = connection_.phase == ConnectionPhase::Connected;
    if (paused_) return;  // a socket closing because we paused is not news
    connection_ = info;
    const bool nowConnected = info.phase == ConnectionPhase::Connected;
    if (nowConnected != wasConnected && queueTimer_) {
        // Decision 3: the poll rate follows the socket (2 s while down, 10 s while up).
        worker_.cancel(queueTimer_);
        queueTimer_ = 0;
        scheduleQueuePoll();
    }
    if (nowConnected && !wasConnected && everConnected_) metrics_.noteReconnect();
    if (nowConnected && !wasConnected) {
        // Every (re)connect resyncs everything over HTTP: messages may have been missed.
        if (everConnected_) refreshAll([this](Outcome<Unit>) { markDirty(); });
        everConnected_ = true;
    }
    publishNow();
}

}  // namespace genmon::orchestrator
