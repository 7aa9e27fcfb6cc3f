#include "sim/upstream_text.hpp"

#include <cstdio>
#include <string_view>
#include <vector>

#include "protocol/json_writer.hpp"

namespace genmon::sim {
namespace {

using protocol::JsonWriter;

std::string jsonText(std::string_view s) {
    JsonWriter w;
    w.value(s);
    return std::move(w).take();
}

// Python's repr() of a str, shortened the way pydantic-core shows an input_value (over 50
// characters: the first 25, "...", the last 24).
std::string pythonRepr(std::string_view s) {
    const bool doubleQuotes = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
    const char quote = doubleQuotes ? '"' : '\'';
    std::string out(1, quote);
    for (const char c : s) {
        if (c == '\\' || c == quote) out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    out += quote;
    // Counted in characters, so a cut never splits a UTF-8 sequence.
    std::vector<size_t> starts;
    for (size_t i = 0; i < out.size(); ++i)
        if ((static_cast<unsigned char>(out[i]) & 0xC0) != 0x80) starts.push_back(i);
    if (starts.size() > 50) out = out.substr(0, starts[25]) + "..." + out.substr(starts[starts.size() - 24]);
    return out;
}

}  // namespace

std::string sdnextInfoString(const model::GenerationRequest& p, int64_t seed) {
    char numbers[160];
    std::snprintf(numbers, sizeof numbers,
                  R"("seed": %lld, "all_seeds": [%lld], "width": %d, "height": %d, )",
                  static_cast<long long>(seed), static_cast<long long>(seed), p.width, p.height);
    char tail[160];
    std::snprintf(tail, sizeof tail, R"(, "cfg_scale": %.1f, "steps": %d, "batch_size": %d})", p.cfg_scale, p.steps,
                  p.batch_size);
    return "{\"prompt\": " + jsonText(p.prompt) + ", \"all_prompts\": [" + jsonText(p.prompt) +
           "], \"negative_prompt\": " + jsonText(p.negative_prompt.value_or("")) + ", " + numbers +
           "\"sampler_name\": " + jsonText(p.sampler_name) + tail;
}

std::string pydanticInfoError(const model::GenerationRequest& request, int64_t seed) {
    return "1 validation error for SDNextGenerationResult\ngeneration_info\n  Input should be a valid dictionary "
           "[type=dict_type, input_value=" +
           pythonRepr(sdnextInfoString(request, seed)) +
           ", input_type=str]\n    For further information visit https://errors.pydantic.dev/2.11/v/dict_type";
}

}  // namespace genmon::sim
