#include "orchestrator/eta_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace genmon::orchestrator {

namespace {
constexpr double kZ = 1.2816;            // the 10th/90th percentile of a normal distribution
constexpr double kMadToSigma = 1.4826;   // MAD of a normal distribution -> its sigma
constexpr double kMaxRunSeconds = 24 * 3600.0;
// A coarser level knows less about this job: its spread grows, plus a share of the estimate.
constexpr double kSameSizeSpreadFactor = 1.5, kSameSizeExtra = 0.10;
constexpr double kGlobalSpreadFactor = 2.0, kGlobalExtra = 0.25;

// The smallest relative spread: a perfectly steady history still leaves some doubt, and more so
// when it is short.
double spreadFloor(int samples) { return 0.04 + 0.25 / std::sqrt(static_cast<double>(std::max(samples, 1))); }

EtaRate widen(const EtaRate& r, double factor, double extra) {
    const double spread = (r.high - r.center) / kZ;
    const double wider = spread * factor + extra * r.center;
    return EtaRate{r.center, std::max(r.center - kZ * wider, 0.1 * r.center), r.center + kZ * wider, r.samples};
}

EtaEstimate scaled(const EtaRate& rate, double steps, EtaSource source) {
    return EtaEstimate{rate.center * steps, rate.low * steps, rate.high * steps, source, rate.samples, false};
}
}  // namespace

const char* etaSourceText(EtaSource s) noexcept {
    switch (s) {
        case EtaSource::Exact: return "jobs like this";
        case EtaSource::SameSize: return "jobs of this sampler and size";
        case EtaSource::Global: return "all jobs";
        case EtaSource::Server: return "the server's estimate";
    }
    return "";
}

EtaKeyView etaKeyViewOf(const model::Job& job) {
    EtaKeyView k;
    if (job.params) {
        const auto& p = *job.params;
        if (p.sampler_name) k.sampler = p.sampler_name->view();
        k.width = p.width.value_or(0);
        k.height = p.height.value_or(0);
        k.steps = p.steps.value_or(0);
    }
    if (k.steps <= 0 && job.total_steps) k.steps = *job.total_steps;
    if (k.steps < 0) k.steps = 0;
    return k;
}

EtaKey etaKeyOf(const model::Job& job) {
    const EtaKeyView v = etaKeyViewOf(job);
    return EtaKey{std::string(v.sampler), v.width, v.height, v.steps};
}

// ---- EtaModel -------------------------------------------------------------------------------

std::optional<EtaEstimate> EtaModel::runEstimate(const EtaKeyView& key) const {
    if (key.steps <= 0) return std::nullopt;  // per-step rates need the steps
    const double steps = key.steps;
    const EtaRate* exact = nullptr;
    const EtaRate* size = nullptr;
    if (auto it = exact_.find(std::forward_as_tuple(key.sampler, key.width, key.height, key.steps)); it != exact_.end())
        exact = &it->second;
    if (key.width > 0 && key.height > 0)
        if (auto it = sameSize_.find(std::forward_as_tuple(key.sampler, key.width, key.height)); it != sameSize_.end())
            size = &it->second;
    const EtaRate* global = global_.samples > 0 ? &global_ : nullptr;
    // The finest level with enough samples; else the finest with any.
    const int enough = EtaEstimator::kMinSamples;
    if (exact && exact->samples >= enough) return scaled(*exact, steps, EtaSource::Exact);
    if (size && size->samples >= enough)
        return scaled(widen(*size, kSameSizeSpreadFactor, kSameSizeExtra), steps, EtaSource::SameSize);
    if (global && global->samples >= enough)
        return scaled(widen(*global, kGlobalSpreadFactor, kGlobalExtra), steps, EtaSource::Global);
    if (exact) return scaled(*exact, steps, EtaSource::Exact);
    if (size) return scaled(widen(*size, kSameSizeSpreadFactor, kSameSizeExtra), steps, EtaSource::SameSize);
    if (global) return scaled(widen(*global, kGlobalSpreadFactor, kGlobalExtra), steps, EtaSource::Global);
    return std::nullopt;
}

std::optional<EtaEstimate> serverRemaining(const model::Job& job, int64_t now) {
    if (job.status != model::JobStatus::Processing || !job.eta_seconds || !(*job.eta_seconds >= 0)) return std::nullopt;
    // The estimate was made when this version arrived: count it down since then.
    const double since = job.receivedMicros > 0 ? std::max(0.0, static_cast<double>(now - job.receivedMicros) / 1e6) : 0;
    const double left = std::max(0.0, *job.eta_seconds - since);
    return EtaEstimate{left, left, left, EtaSource::Server, 0, *job.eta_seconds - since < 0};
}

std::optional<EtaEstimate> EtaModel::remaining(const model::Job& job, int64_t now) const {
    if (!model::isActive(job.status)) return std::nullopt;
    if (auto server = serverRemaining(job, now)) return server;
    const EtaKeyView key = etaKeyViewOf(job);
    auto run = runEstimate(key);
    if (!run || job.status == model::JobStatus::Queued) return run;
    // Running: what is left of the run. Steps done, when the server says, are the best clock.
    if (job.current_step && key.steps > 0 && *job.current_step >= 0 && *job.current_step <= key.steps) {
        const double left = static_cast<double>(key.steps - *job.current_step) / key.steps;
        run->seconds *= left;
        run->low *= left;
        run->high *= left;
        return run;
    }
    if (job.runningSinceMicros <= 0) return run;
    const double elapsed = std::max(0.0, static_cast<double>(now - job.runningSinceMicros) / 1e6);
    run->overdue = elapsed > run->high;
    run->seconds = std::max(0.0, run->seconds - elapsed);
    run->low = std::max(0.0, run->low - elapsed);
    run->high = std::max(0.0, run->high - elapsed);
    return run;
}

std::optional<EtaEstimate> jobRemaining(const EtaModel* model, const model::Job& job, int64_t now) {
    if (model) return model->remaining(job, now);
    return serverRemaining(job, now);
}

// ---- EtaEstimator ---------------------------------------------------------------------------

EtaRate EtaEstimator::summarize(const std::deque<double>& samples) {
    EtaRate r;
    r.samples = static_cast<int>(samples.size());
    if (samples.empty()) return r;
    const double decay = std::pow(0.5, 1.0 / kHalfLifeJobs);
    std::vector<std::pair<double, double>> weighted;  // value, weight
    weighted.reserve(samples.size());
    double w = 1.0, total = 0;
    for (auto it = samples.rbegin(); it != samples.rend(); ++it) {  // newest first, weight 1
        weighted.emplace_back(*it, w);
        total += w;
        w *= decay;
    }
    auto weightedMedian = [total](std::vector<std::pair<double, double>>& v) {
        std::sort(v.begin(), v.end());
        double acc = 0;
        for (const auto& [value, weight] : v) {
            acc += weight;
            if (acc >= total / 2) return value;
        }
        return v.back().first;
    };
    r.center = weightedMedian(weighted);
    for (auto& [value, weight] : weighted) value = std::abs(value - r.center);
    const double spread = std::max(weightedMedian(weighted) * kMadToSigma, r.center * spreadFloor(r.samples));
    r.low = std::max(r.center - kZ * spread, 0.1 * r.center);
    r.high = r.center + kZ * spread;
    return r;
}

void EtaEstimator::push(Window& w, double rate, uint64_t tick) {
    w.rates.push_back(rate);
    while (w.rates.size() > kWindow) w.rates.pop_front();
    w.lastFed = tick;
}

bool EtaEstimator::learn(const EtaKey& key, double runSeconds) {
    if (key.steps <= 0 || !(runSeconds > 0) || runSeconds > kMaxRunSeconds) return false;
    const double rate = runSeconds / key.steps;
    ++learned_;
    push(exact_[ExactKey{key.sampler, key.width, key.height, key.steps}], rate, learned_);
    if (key.width > 0 && key.height > 0) push(sameSize_[SizeKey{key.sampler, key.width, key.height}], rate, learned_);
    push(global_, rate, learned_);
    // Bounded: a key not fed for longest goes (with its same-size level when nothing else feeds it).
    if (exact_.size() > kMaxKeys) {
        auto oldest = std::min_element(exact_.begin(), exact_.end(),
                                       [](const auto& a, const auto& b) { return a.second.lastFed < b.second.lastFed; });
        exact_.erase(oldest);
    }
    if (sameSize_.size() > kMaxKeys) {
        auto oldest = std::min_element(sameSize_.begin(), sameSize_.end(),
                                       [](const auto& a, const auto& b) { return a.second.lastFed < b.second.lastFed; });
        sameSize_.erase(oldest);
    }
    model_.reset();
    return true;
}

std::shared_ptr<const EtaModel> EtaEstimator::model() const {
    if (model_) return model_;
    auto m = std::make_shared<EtaModel>();
    for (const auto& [k, w] : exact_) m->exact_.emplace(k, summarize(w.rates));
    for (const auto& [k, w] : sameSize_) m->sameSize_.emplace(k, summarize(w.rates));
    m->global_ = summarize(global_.rates);
    m->learnedJobs_ = learned_;
    model_ = std::move(m);
    return model_;
}

void EtaEstimator::reset() {
    exact_.clear();
    sameSize_.clear();
    global_ = Window{};
    learned_ = 0;
    model_.reset();
}

}  // namespace genmon::orchestrator
