#include "app/demo.hpp"

#include <algorithm>

namespace genmon::app {

model::Outcome<std::unique_ptr<sim::SimServer>> startDemoBackend(const std::string& scenario) {
    const auto& names = sim::SimServer::scenarioNames();
    if (std::find(names.begin(), names.end(), scenario) == names.end()) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        return model::Error::make(model::ErrorKind::InvalidArgument,
                                  "unknown scenario '" + scenario + "' (choose one of " + list + ")");
    }
    sim::SimOptions o;
    o.scenario = scenario;
    o.seed = 42;
    // Upstream's monitor sends one progress_update per subscribed job every 2 s (spec §3.1): the
    // demo sends what a real backend would, so what genmon costs here is what it costs there.
    o.progressIntervalMs = 2000;
    o.jobDurationMs = 8000;
    o.pickupDelayMs = 600;
    return sim::SimServer::start(o);
}

}  // namespace genmon::app
