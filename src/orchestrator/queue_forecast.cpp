#include "orchestrator/queue_forecast.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace genmon::orchestrator {

namespace {

// A lower bound under this says nothing ("at least 0.0 s"): no forecast rather than that.
constexpr double kLeastBoundSeconds = 0.1;

int64_t after(int64_t now, double seconds) { return now + std::llround(std::max(0.0, seconds) * 1e6); }

// The workers' free times (seconds from now) in one of the three schedules: a min-heap.
class Workers {
public:
    void add(double freeAt) { push(freeAt); }
    double take() {
        std::pop_heap(free_.begin(), free_.end(), std::greater<>());
        const double t = free_.back();
        free_.pop_back();
        return t;
    }
    void push(double freeAt) {
        free_.push_back(freeAt);
        std::push_heap(free_.begin(), free_.end(), std::greater<>());
    }
    double last() const { return free_.empty() ? 0 : *std::max_element(free_.begin(), free_.end()); }

private:
    std::vector<double> free_;
};

struct KeyHash {
    size_t operator()(const EtaKeyView& k) const noexcept {
        size_t h = std::hash<std::string_view>{}(k.sampler);
        for (const int v : {k.width, k.height, k.steps}) h = h * 1'000'003 ^ static_cast<size_t>(v);
        return h;
    }
};

}  // namespace

const JobForecast* QueueForecast::find(const model::Job& job) const noexcept {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), job.seq,
                               [](const JobForecast& f, uint64_t seq) { return f.seq < seq; });
    if (it == entries_.end() || it->seq != job.seq || !(it->uiId == job.uiId)) return nullptr;
    return &*it;
}

std::shared_ptr<const QueueForecast> forecastQueue(const JobList& sorted, const EtaModel* model, int64_t now) {
    auto out = std::make_shared<QueueForecast>();
    out->madeAt_ = now;
    // The order the backend runs them: running jobs, then queued ones oldest first (§4.6 lists
    // them newest first: walk that part backwards).
    std::vector<const model::Job*> running, queued;
    sorted.forEach([&](const model::Job& j) {
        if (j.status == model::JobStatus::Processing)
            running.push_back(&j);
        else if (j.status == model::JobStatus::Queued)
            queued.push_back(&j);
    });
    std::reverse(queued.begin(), queued.end());

    QueueDrainForecast& drain = out->drain_;
    drain.workers = std::max<size_t>(1, running.size());
    Workers center, low, high;
    uint32_t unknownSoFar = 0;
    // Built in run order, published by seq (the views' lookup): sorted through an index.
    std::vector<JobForecast> made;
    made.reserve(running.size() + queued.size());
    // A queued job's estimate is its whole run, which depends on its key alone: one model lookup
    // per distinct key (a queue holds few), no copy of the sampler per job.
    std::unordered_map<EtaKeyView, std::optional<EtaEstimate>, KeyHash> runs;
    auto queuedRun = [&](const model::Job& j) -> std::optional<EtaEstimate> {
        if (!model) return std::nullopt;
        const EtaKeyView key = etaKeyViewOf(j);
        if (auto it = runs.find(key); it != runs.end()) return it->second;
        return runs.emplace(key, model->runEstimate(key)).first->second;
    };
    for (const model::Job* j : running) {
        const auto e = jobRemaining(model, *j, now);
        if (e) {
            JobForecast f;
            f.seq = j->seq;
            f.uiId = j->uiId;
            f.running = true;
            f.ownKnown = true;
            f.own = *e;
            f.startsAtMicros = j->runningSinceMicros > 0 ? std::min(j->runningSinceMicros, now) : now;
            f.doneAtMicros = after(now, e->seconds);
            f.doneLowAtMicros = after(now, e->low);
            f.doneHighAtMicros = after(now, e->high);
            made.push_back(std::move(f));
            ++drain.estimated;
        } else {
            ++unknownSoFar;  // its worker counts as free now: what follows is a lower bound
            ++drain.unknown;
        }
        center.add(e ? e->seconds : 0);
        low.add(e ? e->low : 0);
        high.add(e ? e->high : 0);
    }
    if (running.empty()) center.add(0), low.add(0), high.add(0);  // one idle worker

    uint32_t ahead = static_cast<uint32_t>(running.size());
    for (const model::Job* j : queued) {
        const double startC = center.take(), startL = low.take(), startH = high.take();
        const auto e = queuedRun(*j);
        const double run = e ? e->seconds : 0, runL = e ? e->low : 0, runH = e ? e->high : 0;
        center.push(startC + run);
        low.push(startL + runL);
        high.push(startH + runH);
        // "—" when neither its own run nor the work ahead of it says anything: an unknown run
        // gets a forecast only when the known work ahead puts its start some way off.
        if (e || startC >= kLeastBoundSeconds) {
            JobForecast f;
            f.seq = j->seq;
            f.uiId = j->uiId;
            f.ownKnown = e.has_value();
            if (e) f.own = *e;
            f.startsAtMicros = after(now, startC);
            f.doneAtMicros = after(now, startC + run);
            f.doneLowAtMicros = after(now, startL + runL);
            f.doneHighAtMicros = after(now, startH + runH);
            f.ahead = ahead;
            f.aheadUnknown = unknownSoFar;
            made.push_back(std::move(f));
        }
        if (e) {
            ++drain.estimated;
        } else {
            ++unknownSoFar;
            ++drain.unknown;
        }
        ++ahead;
    }
    drain.atMicros = after(now, center.last());
    drain.lowAtMicros = after(now, low.last());
    drain.highAtMicros = after(now, high.last());
    std::vector<std::pair<uint64_t, uint32_t>> bySeq;
    bySeq.reserve(made.size());
    for (uint32_t i = 0; i < made.size(); ++i) bySeq.emplace_back(made[i].seq, i);
    std::sort(bySeq.begin(), bySeq.end());
    out->entries_.reserve(made.size());
    for (const auto& [seq, i] : bySeq) out->entries_.push_back(std::move(made[i]));
    return out;
}

std::string ownBasisText(const JobForecast& f) {
    if (!f.ownKnown) return "no estimate of its own run";
    if (f.own.source == EtaSource::Server) return "the server's estimate";
    std::string s = "learned from " + std::to_string(f.own.basisJobs) + (f.own.basisJobs == 1 ? " job" : " jobs");
    if (f.own.source == EtaSource::Exact) return s + " like this";
    return s + " (" + etaSourceText(f.own.source) + ")";
}

// ---- QueueForecaster ------------------------------------------------------------------------

int64_t QueueForecaster::minGap() const noexcept {
    const size_t active = queued_ + processing_;
    if (active <= kImmediateJobs) return 0;
    return std::min<int64_t>(kTickMicros, static_cast<int64_t>(active) * kMicrosPerActiveJob);
}

std::shared_ptr<const QueueForecast> QueueForecaster::get(const Inputs& in, int64_t now) {
    if (in.queued != queued_ || in.processing != processing_ || in.model != model_ || in.history != history_) {
        stale_ = true;
        queued_ = in.queued;
        processing_ = in.processing;
        model_ = in.model;
        history_ = in.history;
    }
    const bool active = queued_ + processing_ > 0;
    if (!active) {  // nothing to forecast: no cost, and nothing to refresh
        forecast_.reset();
        computed_ = stale_ = false;
        return forecast_;
    }
    const int64_t since = now - madeAt_;
    const bool due = !computed_ || since < 0 || (stale_ && since >= minGap()) || since >= kTickMicros;
    if (due && in.sortedActiveJobs) {
        forecast_ = forecastQueue(*in.sortedActiveJobs, model_.get(), now);
        madeAt_ = now;
        computed_ = true;
        stale_ = false;
        ++recomputes_;
    }
    return forecast_;
}

int64_t QueueForecaster::nextDueMicros() const noexcept {
    if (queued_ + processing_ == 0) return 0;
    if (!computed_) return 1;  // as soon as possible
    return madeAt_ + (stale_ ? minGap() : kTickMicros);
}

void QueueForecaster::reset() { *this = QueueForecaster{}; }

}  // namespace genmon::orchestrator
