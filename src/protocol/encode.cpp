#include "protocol/encode.hpp"

#include <string_view>

#include "protocol/encode_wire.hpp"
#include "protocol/json_writer.hpp"

namespace genmon::protocol {

std::string encodeGenerationRequest(const model::GenerationRequest& request) {
    // Field order and null-when-unset follow SDNextGenerationParams (§2.4).
    JsonWriter w;
    w.beginObject();
    writeGenerationParamsFields(w, request);
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
