#include "protocol/encode.hpp"

#include <string_view>

#include "protocol/json_writer.hpp"

namespace genmon::protocol {

std::string encodeGenerationRequest(const model::GenerationRequest& request) {
    // Field order and null-when-unset follow SDNextGenerationParams (§2.4). Strings go through
    // string_view so this does not depend on how the model stores text.
    JsonWriter w;
    w.beginObject();
    w.key("prompt").value(std::string_view(request.prompt));
    w.key("negative_prompt");
    if (request.negative_prompt)
        w.value(std::string_view(*request.negative_prompt));
    else
        w.null();
    w.field("steps", request.steps);
    w.key("sampler_name").value(std::string_view(request.sampler_name));
    w.field("cfg_scale", request.cfg_scale);  // the writer keeps floats as floats: 7.0
    w.field("width", request.width);
    w.field("height", request.height);
    w.field("seed", static_cast<int64_t>(request.seed));
    w.field("batch_size", request.batch_size);
    w.field("n_iter", request.n_iter);
    w.field("denoising_strength", request.denoising_strength);
    w.endObject();
    return std::move(w).take();
}

std::string encodeSubscribe(const std::optional<std::vector<std::string>>& jobIds) {
    JsonWriter w;
    w.beginObject();
    w.field("type", "subscribe");
    w.key("job_ids");
    if (jobIds) {
        w.beginArray();
        for (const auto& id : *jobIds) w.value(std::string_view(id));
        w.endArray();
    } else {
        w.null();  // null subscribes to every job (§3.1)
    }
    w.field("include_previews", false);
    w.endObject();
    return std::move(w).take();
}

}  // namespace genmon::protocol
