#pragma once
// Issue 10, item 1: how long a job will take, learned from the jobs that finished.
//
// A job's running time (from the moment it started running to its completion; never the time
// it waited in the queue) divided by its steps is one sample of "seconds per step". Samples are
// kept per key at three levels, finest first:
//   exact     sampler, width x height and steps;
//   same size sampler and width x height, any steps (a per-step rate);
//   global    every job (a per-step rate).
// A job is estimated from the finest level with enough samples; a coarser level gives a wider
// range, and no sample at any level gives no estimate at all ("—", never a made-up number).
//
// Robust and adaptive: each level keeps its last kWindow samples, weighted by recency (a
// sample's weight halves every kHalfLifeJobs newer samples), and the estimate is the weighted
// median with a weighted-MAD range: one job 20x slower barely moves it, while a lasting change
// of load takes over after about kHalfLifeJobs jobs.
//
// The worker owns the EtaEstimator and feeds it when a job finishes. It publishes an immutable
// EtaModel (shared_ptr<const>, replaced only when a job finishes); the queue forecast
// (queue_forecast.hpp, issue 14) asks it about every active job, on the worker.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "model/job.hpp"
#include "orchestrator/job_list.hpp"

namespace genmon::orchestrator {

// What makes two jobs comparable. 0 (and an empty sampler) mean "not known".
struct EtaKey {
    std::string sampler;
    int width = 0;
    int height = 0;
    int steps = 0;
    friend bool operator==(const EtaKey&, const EtaKey&) = default;
};
// The key of a job: its params, else total_steps for the steps.
EtaKey etaKeyOf(const model::Job& job);
// The same key without copying the sampler: it views the job's text, valid while the job lives
// (the queue forecast looks up every active job, issue 14.4).
struct EtaKeyView {
    std::string_view sampler;
    int width = 0;
    int height = 0;
    int steps = 0;
    friend bool operator==(const EtaKeyView&, const EtaKeyView&) = default;
};
EtaKeyView etaKeyViewOf(const model::Job& job);

enum class EtaSource : uint8_t {
    Exact,     // jobs with the same sampler, size and steps
    SameSize,  // the same sampler and size, any steps
    Global,    // every job, per step
    Server,    // the server's own eta_seconds (WebSocket progress)
};
const char* etaSourceText(EtaSource s) noexcept;

// Seconds with a range (about the 10th to the 90th percentile).
struct EtaEstimate {
    double seconds = 0;
    double low = 0;
    double high = 0;
    EtaSource source = EtaSource::Exact;
    int basisJobs = 0;      // how many finished jobs the learned estimate rests on
    bool overdue = false;   // a running job already ran longer than its estimate's high end
};

// A rate summary of one key: seconds per step.
struct EtaRate {
    double center = 0;
    double low = 0;
    double high = 0;
    int samples = 0;
};

class EtaModel {
public:
    // The whole run of a job with this key (seconds), or nullopt without a basis.
    std::optional<EtaEstimate> runEstimate(const EtaKeyView& key) const;
    std::optional<EtaEstimate> runEstimate(const EtaKey& key) const {
        return runEstimate(EtaKeyView{key.sampler, key.width, key.height, key.steps});
    }
    // Seconds left for a queued or running job at `nowMicros` (the worker's clock): the server's
    // eta_seconds when a running job has one, else learned. nullopt: no basis, or not active.
    std::optional<EtaEstimate> remaining(const model::Job& job, int64_t nowMicros) const;
    uint64_t learnedJobs() const noexcept { return learnedJobs_; }

private:
    friend class EtaEstimator;
    using ExactKey = std::tuple<std::string, int, int, int>;
    using SizeKey = std::tuple<std::string, int, int>;
    std::map<ExactKey, EtaRate, std::less<>> exact_;
    std::map<SizeKey, EtaRate, std::less<>> sameSize_;
    EtaRate global_;
    uint64_t learnedJobs_ = 0;
};

// The server's estimate for a running job, counted down since it arrived; nullopt without one.
std::optional<EtaEstimate> serverRemaining(const model::Job& job, int64_t nowMicros);
// model may be null (nothing learned yet): then only the server's estimates exist.
std::optional<EtaEstimate> jobRemaining(const EtaModel* model, const model::Job& job, int64_t nowMicros);

class EtaEstimator {
public:
    static constexpr size_t kWindow = 48;          // samples kept per key
    static constexpr double kHalfLifeJobs = 6.0;   // a sample's weight halves after this many newer ones
    static constexpr int kMinSamples = 3;          // a level with fewer defers to a coarser one
    static constexpr size_t kMaxKeys = 256;        // exact keys kept (the least recently fed go)

    // One finished run: runSeconds of running time for a job with this key. Ignored without
    // steps or with a non-positive or absurd time.
    bool learn(const EtaKey& key, double runSeconds);
    // The published model; rebuilt only after learn() (the same pointer otherwise).
    std::shared_ptr<const EtaModel> model() const;
    void reset();
    uint64_t learnedJobs() const noexcept { return learned_; }

    // The summary of a sample window (newest last), exposed for tests.
    static EtaRate summarize(const std::deque<double>& samples);

private:
    using ExactKey = EtaModel::ExactKey;
    using SizeKey = EtaModel::SizeKey;
    struct Window {
        std::deque<double> rates;  // seconds per step, newest last
        uint64_t lastFed = 0;
    };
    static void push(Window& w, double rate, uint64_t tick);

    std::map<ExactKey, Window> exact_;
    std::map<SizeKey, Window> sameSize_;
    Window global_;
    uint64_t learned_ = 0;
    mutable std::shared_ptr<const EtaModel> model_;  // null: rebuild on the next model()
};

}  // namespace genmon::orchestrator
