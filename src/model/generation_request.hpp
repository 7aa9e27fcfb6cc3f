#pragma once
// The body of POST /generation/generate and /generation/queue-generation (spec §2.4), with
// the backend's defaults.
#include <cstdint>
#include <optional>
#include <string>

#include "model/job.hpp"

namespace genmon::model {

enum class GenerationMode : uint8_t { Deferred, Immediate };  // decision 4: deferred by default

struct GenerationRequest {
    std::string prompt;
    std::optional<std::string> negative_prompt;
    int steps = 20;
    std::string sampler_name = "DPM++ 2M";
    double cfg_scale = 7.0;
    int width = 512;
    int height = 512;
    int64_t seed = -1;
    int batch_size = 1;
    int n_iter = 1;
    std::optional<double> denoising_strength;
};

// Trims the prompt and negative prompt; an empty negative prompt becomes null, as the web
// form does. Returns the readable reason when the request cannot be sent.
std::optional<std::string> validateGenerationRequest(GenerationRequest& request);

// The request that runs a job's parameters again ("Run again", issue 18): every parameter the
// job has, the backend's defaults (GenerationRequest's) where it has none.
GenerationRequest requestFromParams(const GenerationParams& params);

}  // namespace genmon::model
