// The scenarios of genmon-sim (idle, busy, burst, failing, flaky): what each plans, the random
// requests its jobs carry, and the start state "as if the backend had been running a while".
#include <algorithm>
#include <array>
#include <cmath>

#include "sim/backend.hpp"
#include "sim/scenario.hpp"

namespace genmon::sim {
namespace {

// Scenario prompts: subjects, styles and LoRA tags combined by the seeded PRNG.
constexpr std::array kSubjects{
    "a lighthouse at dusk",          "a red fox in fresh snow",       "neon city street in the rain",
    "portrait of an old sailor",     "a bowl of ramen, studio light", "ancient library with floating books",
    "a koi pond in autumn",          "cyberpunk samurai on a rooftop", "a cottage in a misty valley",
    "astronaut riding a horse",      "a glass terrarium with a tiny forest", "desert caravan under two moons",
    "a steam locomotive in the alps", "macro shot of a dewy leaf",    "an owl wearing a tiny crown",
};
constexpr std::array kStyles{
    "cinematic lighting", "watercolor",  "8k, highly detailed", "oil painting", "isometric",
    "film grain",         "volumetric fog", "ukiyo-e",           "golden hour",  "low poly",
};
constexpr std::array kLoras{
    "<lora:test:0.8>", "<lora:film_grain:0.6>", "<lora:detail_tweaker:0.5>", "<lora:watercolor_v2:0.7>",
    "<lora:cyberpunk_style:0.9>",
};
constexpr std::array kNegatives{"blurry", "blurry, lowres", "lowres, bad anatomy, watermark", "jpeg artifacts"};
constexpr std::array kSamplers{"DPM++ 2M", "Euler a", "DPM++ SDE Karras", "UniPC"};
constexpr std::array<std::pair<int, int>, 5> kSizes{{{512, 512}, {512, 768}, {768, 512}, {1024, 1024}, {832, 1216}}};
constexpr std::array kSteps{20, 20, 25, 30, 40};
constexpr std::array kCfg{5.0, 6.5, 7.0, 7.0, 7.5};

// A random job's mean rendering time as a multiple of jobDurationMs (createJob's scale over
// randomRequest's steps and sizes, each picked uniformly and independently).
double meanJobScale() {
    double steps = 0, size = 0;
    for (const int n : kSteps) steps += n / 20.0;
    for (const auto& [w, h] : kSizes) size += std::sqrt(static_cast<double>(w) * h / (512.0 * 512.0));
    return steps / kSteps.size() * size / kSizes.size();
}

// A failing job stops at failAt, uniform in [0.05, 0.9] of its duration (createJob).
constexpr double kMeanFailShare = (0.05 + 0.9) / 2;
// Arrivals come this much faster than the workers finish jobs, so the queue fills up to its depth
// and stays there; the depth bound, not the rate, keeps it from growing.
constexpr double kArrivalPressure = 1.25;

}  // namespace

model::Outcome<ScenarioPlan> planScenario(const SimOptions& o) {
    ScenarioPlan plan;
    const double meanDuration = std::max(1, o.jobDurationMs);
    if (o.scenario == "idle") {
        plan.workers = 1;
        plan.gpu = false;  // like the captured idle backend: CPU only, models not preloaded
        plan.modelsLoaded = false;
    } else if (o.scenario == "busy" || o.scenario == "flaky") {
        plan.workers = 2;
        plan.failRate = 0.06;
        plan.initialResults = 20;
        plan.initialFailed = 3;
        plan.initialPending = 3;
    } else if (o.scenario == "burst") {
        plan.workers = 2;
        plan.failRate = 0.03;
        plan.initialResults = 5;
        plan.burstJobs = 50;
    } else if (o.scenario == "failing") {
        plan.workers = 2;
        plan.failRate = 0.4;
        plan.initialResults = 8;
        plan.initialFailed = 6;
        plan.initialPending = 2;
    } else {
        return model::Error::make(model::ErrorKind::InvalidArgument,
                                  "unknown scenario '" + o.scenario + "' (idle, busy, burst, failing, flaky)");
    }
    if (o.workers) plan.workers = *o.workers;
    if (o.failRate) plan.failRate = *o.failRate;
    if (plan.workers < 1) return model::Error::make(model::ErrorKind::InvalidArgument, "workers must be at least 1");
    if (o.scenario == "busy" || o.scenario == "flaky" || o.scenario == "failing") {
        // Issue 14.7: a steady state. Jobs arrive a little faster than the workers finish them
        // (the mean job, failures included), but only while fewer than queueDepth wait or run:
        // the queue hovers at its starting depth for hours instead of growing without end.
        const double meanService =
            meanDuration * meanJobScale() * (1.0 - plan.failRate * (1.0 - kMeanFailShare));
        plan.arrivalIntervalMs = std::max(1, static_cast<int>(meanService / plan.workers / kArrivalPressure));
        plan.queueDepth = plan.workers + plan.initialPending;
    }
    if (o.arrivalIntervalMs) plan.arrivalIntervalMs = *o.arrivalIntervalMs;
    if (o.queueDepth) plan.queueDepth = *o.queueDepth;
    if (o.initialResults) plan.initialResults = *o.initialResults;
    if (o.burstJobs) plan.burstJobs = *o.burstJobs;
    if (plan.failRate < 0.0 || plan.failRate > 1.0)
        return model::Error::make(model::ErrorKind::InvalidArgument, "failRate must be within 0..1");
    if (plan.arrivalIntervalMs < 0 || plan.initialResults < 0 || plan.burstJobs < 0 || plan.queueDepth < 0)
        return model::Error::make(model::ErrorKind::InvalidArgument, "scenario counts and intervals cannot be negative");
    if (o.jobDurationMs < 1 || o.progressIntervalMs < 1 || o.pickupDelayMs < 0)
        return model::Error::make(model::ErrorKind::InvalidArgument,
                                  "jobDurationMs and progressIntervalMs must be positive, pickupDelayMs not negative");
    return plan;
}

model::GenerationRequest Backend::randomRequest() {
    model::GenerationRequest r;
    r.prompt = std::string(kSubjects[rng_.below(kSubjects.size())]) + ", " + kStyles[rng_.below(kStyles.size())];
    if (rng_.chance(0.6)) r.prompt += std::string(", ") + kLoras[rng_.below(kLoras.size())];
    if (rng_.chance(0.7)) r.negative_prompt = kNegatives[rng_.below(kNegatives.size())];
    r.steps = kSteps[rng_.below(kSteps.size())];
    r.sampler_name = kSamplers[rng_.below(kSamplers.size())];
    r.cfg_scale = kCfg[rng_.below(kCfg.size())];
    std::tie(r.width, r.height) = kSizes[rng_.below(kSizes.size())];
    r.seed = rng_.chance(0.3) ? -1 : static_cast<int64_t>(rng_.below(4294967296ull));
    return r;
}

void Backend::seedScenario() {
    // "As if the backend had been running a while": finished history, then running and pending
    // jobs, all created before sim time 0, in creation order.
    const int64_t mean = options_.jobDurationMs * kMicrosPerMs;
    const int64_t pickup = options_.pickupDelayMs * kMicrosPerMs;
    const int finished = plan_.initialResults + plan_.initialFailed;
    struct Planned {
        model::GenerationRequest request;
        int64_t created;
        std::optional<int64_t> started, finished;
        bool fail;
    };
    std::vector<Planned> planned;
    std::vector<bool> failing(static_cast<size_t>(finished), false);
    for (int i = 0; i < plan_.initialFailed && i < finished; ++i) {
        size_t pick = rng_.below(failing.size());
        while (failing[pick]) pick = (pick + 1) % failing.size();
        failing[pick] = true;
    }
    const int64_t spacing = mean / plan_.workers + 2 * pickup;
    for (int i = 0; i < finished; ++i) {
        Planned p{randomRequest(), 0, {}, {}, failing[static_cast<size_t>(i)]};
        const int64_t end = -(finished - i) * spacing - static_cast<int64_t>(rng_.uniform(0, 0.5) * mean);
        const int64_t length = static_cast<int64_t>(mean * rng_.uniform(0.6, 1.6));
        p.finished = end;
        p.started = end - length;
        p.created = *p.started - pickup - static_cast<int64_t>(rng_.uniform(0, 2.0) * mean);
        planned.push_back(std::move(p));
    }
    const int runningCount = finished > 0 ? plan_.workers : 0;
    for (int i = 0; i < runningCount; ++i) {
        Planned p{randomRequest(), 0, {}, {}, false};
        p.started = -static_cast<int64_t>(rng_.uniform(0.1, 0.8) * mean);
        p.created = *p.started - pickup - static_cast<int64_t>(rng_.uniform(0, 1.0) * mean);
        planned.push_back(std::move(p));
    }
    for (int i = 0; i < plan_.initialPending; ++i) {
        Planned p{randomRequest(), -(plan_.initialPending - i) * 2 * kMicrosPerSecond, {}, {}, false};
        planned.push_back(std::move(p));
    }
    std::stable_sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) { return a.created < b.created; });

    const int64_t interval = options_.progressIntervalMs * kMicrosPerMs;
    for (auto& p : planned) {
        Job& job = createJob(p.request, DeliveryOptions{}, p.created);
        if (p.finished) {
            job.willFail = p.fail;
            if (p.fail) {
                job.failAt = 1.0;
                job.error = kErrors[rng_.below(kErrors.size())];
            }
            job.duration = *p.finished - *p.started;
            job.started = p.started;
            leaveQueue(job);
            job.status = p.fail ? Raw::Failed : Raw::Succeeded;
            job.finished = job.ended = p.finished;
            done_.emplace(*p.finished, job.seq);
            if (!p.fail && rng_.chance(0.3)) job.rating = rng_.range(2, 5);
            job.favorite = !p.fail && rng_.chance(0.15);
            continue;
        }
        if (p.started) {
            job.willFail = false;  // what runs at the start finishes: the demo opens on progress
            job.duration = std::max(job.duration, -*p.started + mean / 2);
            startJob(job, *p.started);
        }
        // Its monitor has been ticking since creation; the next tick is at or after time 0.
        const int64_t ticksSoFar = (-job.created + interval - 1) / interval;
        startMonitor(job.id, job.created + ticksSoFar * interval);
    }
    prune();
    uptimeAtStart_ = (planned.empty() ? 0 : -planned.front().created) + 300 * kMicrosPerSecond;

    if (plan_.arrivalIntervalMs > 0)
        nextArrival_ = static_cast<int64_t>(rng_.exponential(plan_.arrivalIntervalMs * static_cast<double>(kMicrosPerMs)));
    for (int i = 0; i < plan_.burstJobs; ++i) announce(createJob(randomRequest(), DeliveryOptions{}, 0));
}

}  // namespace genmon::sim
