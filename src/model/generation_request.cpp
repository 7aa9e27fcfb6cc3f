#include "model/generation_request.hpp"

#include <cmath>

namespace genmon::model {
namespace {
std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}
}  // namespace

std::optional<std::string> validateGenerationRequest(GenerationRequest& r) {
    r.prompt = trim(r.prompt);
    if (r.prompt.empty()) return std::string("Please enter a prompt");
    if (r.negative_prompt) {
        *r.negative_prompt = trim(*r.negative_prompt);
        if (r.negative_prompt->empty()) r.negative_prompt.reset();
    }
    if (r.steps < 1 || r.steps > 150) return std::string("Steps must be between 1 and 150");
    if (r.width < 64 || r.width > 4096 || r.height < 64 || r.height > 4096)
        return std::string("Width and height must be between 64 and 4096");
    if (!std::isfinite(r.cfg_scale) || r.cfg_scale < 0 || r.cfg_scale > 50)
        return std::string("CFG scale must be between 0 and 50");
    if (r.batch_size < 1 || r.batch_size > 64 || r.n_iter < 1 || r.n_iter > 64)
        return std::string("Batch size and count must be between 1 and 64");
    if (r.denoising_strength && (!std::isfinite(*r.denoising_strength) || *r.denoising_strength < 0 ||
                                 *r.denoising_strength > 1))
        return std::string("Denoising strength must be between 0 and 1");
    return std::nullopt;
}

GenerationRequest requestFromParams(const GenerationParams& p) {
    GenerationRequest r;
    if (p.prompt) r.prompt = p.prompt->str();
    if (p.negative_prompt) r.negative_prompt = p.negative_prompt->str();
    if (p.sampler_name) r.sampler_name = p.sampler_name->str();
    if (p.width) r.width = *p.width;
    if (p.height) r.height = *p.height;
    if (p.steps) r.steps = *p.steps;
    if (p.cfg_scale) r.cfg_scale = *p.cfg_scale;
    if (p.seed) r.seed = *p.seed;
    if (p.batch_size) r.batch_size = *p.batch_size;
    if (p.n_iter) r.n_iter = *p.n_iter;
    r.denoising_strength = p.denoising_strength;
    return r;
}

}  // namespace genmon::model
