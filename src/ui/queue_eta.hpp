#pragma once
// Issue 10: the ETA texts the views share, and the whole queue's ETA, cached. The queue's ETA
// walks every active job (O(n)), so it is recomputed at most once a second, or when the learned
// model changes: never per frame.
#include <cstdint>
#include <string>

#include "orchestrator/eta_estimator.hpp"
#include "orchestrator/snapshot.hpp"

namespace genmon::ui {

// "8 s – 15 s, learned from 14 jobs like this", "the server's estimate".
std::string etaExplanation(const orchestrator::EtaEstimate& e);

class QueueEtaCache {
public:
    const orchestrator::QueueDrainEstimate& get(const orchestrator::Snapshot& snap, int64_t nowMicros);

private:
    orchestrator::QueueDrainEstimate drain_;
    const orchestrator::EtaModel* model_ = nullptr;
    int64_t atMicros_ = 0;
    bool valid_ = false;
};

}  // namespace genmon::ui
