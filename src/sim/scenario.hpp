#pragma once
// Internal to genmon-sim: what the scenario code (scenario.cpp: the plan, the start state, the
// random requests) and the backend's model (backend.cpp) share.
#include <array>
#include <cstdint>

namespace genmon::sim {

inline constexpr int64_t kMicrosPerMs = 1000;
inline constexpr int64_t kMicrosPerSecond = 1000000;

// What failing jobs say, in SDNext's and the worker's words.
inline constexpr std::array kErrors{
    "SDNext API not available",
    "txt2img failed: CUDA out of memory. Tried to allocate 2.50 GiB",
    "Generation timed out after 120 seconds",
    "SDNext returned HTTP 500: Internal Server Error",
};

}  // namespace genmon::sim
