#include "ui/queue_eta.hpp"

#include "ui/format.hpp"

namespace genmon::ui {

std::string etaExplanation(const orchestrator::EtaEstimate& e) {
    if (e.source == orchestrator::EtaSource::Server) return "the server's estimate";
    std::string s = formatDuration(e.low);
    s += " \xE2\x80\x93 ";
    s += formatDuration(e.high);
    s += ", learned from " + std::to_string(e.basisJobs) + (e.basisJobs == 1 ? " job" : " jobs");
    if (e.source == orchestrator::EtaSource::Exact) {
        s += " like this";
    } else {
        s += " (";
        s += orchestrator::etaSourceText(e.source);
        s += ")";
    }
    return s;
}

const orchestrator::QueueDrainEstimate& QueueEtaCache::get(const orchestrator::Snapshot& snap, int64_t now) {
    const orchestrator::EtaModel* model = snap.etaModel.get();
    if (!valid_ || model != model_ || now - atMicros_ >= 1'000'000 || now < atMicros_) {
        drain_ = orchestrator::queueDrain(model, snap.sortedActiveJobs, snap.counts.processing, snap.counts.queued, now);
        model_ = model;
        atMicros_ = now;
        valid_ = true;
    }
    return drain_;
}

}  // namespace genmon::ui
