#pragma once
// Internal to genmon-sim: texts the real backend and SDNext produce that genmon must read as they
// are (spec §9.15): SDNext's `info` string and the pydantic error the backend's 500 carries.
#include <cstdint>
#include <string>

#include "model/generation_request.hpp"

namespace genmon::sim {

// What real SDNext returns as txt2img's `info`: json.dumps of a dict (Python's separators).
std::string sdnextInfoString(const model::GenerationRequest& request, int64_t seed);
// str() of the ValidationError SDNextGenerationResult(generation_info=<str>) raises: what the
// backend's 500 handler puts in "detail" (spec §1.3, §9.15).
std::string pydanticInfoError(const model::GenerationRequest& request, int64_t seed);

}  // namespace genmon::sim
