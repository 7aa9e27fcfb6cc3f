#pragma once
// Fault injection for HTTP answers (FaultOptions): the content faults rewrite the answer here;
// the delivery faults (latency, dribbling) are returned for the server to carry out.
#include <cstdint>
#include <memory>
#include <string>

#include "sim/rng.hpp"
#include "sim/routes.hpp"
#include "sim/sim_server.hpp"

namespace genmon::sim {

struct DeliveryPlan {
    int latencyMs = 0;
    bool slow = false;     // dribble the answer slowChunkBytes at a time
    int faultsInjected = 0;
};

class FaultInjector {
public:
    explicit FaultInjector(uint64_t seed) : rng_(mixSeed(seed, 0xfa17u)) {}
    // Not thread-safe: the server thread is its only caller.
    DeliveryPlan apply(const FaultOptions& faults, HttpResponse& response);

private:
    Rng rng_;
};

// Exposed for tests: the JSON text with about half of its scalar values changed to another type.
std::string mangleTypes(const std::string& json, Rng& rng);

}  // namespace genmon::sim
