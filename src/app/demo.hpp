#pragma once
// genmon --demo: genmon-sim runs inside the process and genmon connects to it through the real
// transport on loopback, exactly as it would to a real backend.
#include <memory>
#include <string>

#include "model/error.hpp"
#include "sim/sim_server.hpp"

namespace genmon::app {

// The demo's pace: progress every 100 ms and jobs of about eight seconds, so the window moves.
model::Outcome<std::unique_ptr<sim::SimServer>> startDemoBackend(const std::string& scenario);

}  // namespace genmon::app
