#pragma once
// Request bodies and the client's WebSocket frames.
#include <optional>
#include <string>
#include <vector>

#include "model/generation_request.hpp"

namespace genmon::protocol {

// SDNextGenerationParams (§2.4): every field, null where optional and unset.
std::string encodeGenerationRequest(const model::GenerationRequest& request);
// {"type":"subscribe","job_ids":null|[...],"include_previews":false} (§3.1)
std::string encodeSubscribe(const std::optional<std::vector<std::string>>& jobIds);

}  // namespace genmon::protocol
