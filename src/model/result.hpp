#pragma once
// A finished generation (spec §2.3, §5.2).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "model/image.hpp"
#include "model/timestamp.hpp"

namespace genmon::model {

// What image_url held (decision 6): raw base64 (no data: prefix, or with one), a server path
// or file:// (fetch /results/{id}/download instead), or nothing.
enum class ImageSource : uint8_t { None, Base64, ServerPath };

enum class ImageState : uint8_t { None, Loading, Ready, Failed };

struct GenerationResult {
    std::string id;
    std::string job_id;
    std::optional<std::string> result_id;
    std::optional<std::string> prompt;
    std::optional<std::string> negative_prompt;
    std::string status = "completed";
    ImageSource imageSource = ImageSource::None;
    std::optional<std::string> image_path;      // image_url when it is a path or file:// URL
    std::optional<std::string> thumbnail_url;
    std::optional<int> width;
    std::optional<int> height;
    std::optional<int> steps;
    std::optional<double> cfg_scale;
    std::optional<int64_t> seed;                // the requested seed; -1 means random
    Timestamp created_at;
    Timestamp finished_at;
    std::optional<std::string> generation_info_json;  // minified object
    std::optional<int64_t> generation_seed;     // generation_info.seed: the seed really used
    std::optional<std::string> sampler_name;
    std::optional<std::string> model_name;
    std::optional<int> rating;
    bool is_favorite = false;
    Timestamp rating_updated_at;
    Timestamp favorite_updated_at;
    // Decision 4: made here from an immediate generation's answer; the backend never lists it,
    // so a refresh of the server's results keeps it.
    bool localOnly = false;

    // Image, filled in on the worker after decode (decision 6). Never the base64 text itself:
    // it is decoded once and dropped so 200 results do not keep megabytes of text alive.
    ImageState imageState = ImageState::None;
    std::string imageError;
    ImagePtr thumbnail;  // at most kThumbnailMaxSide on its longer side

    // Same values and the same decoded image (by identity, not by pixels).
    friend bool operator==(const GenerationResult&, const GenerationResult&) = default;
};

inline constexpr int kThumbnailMaxSide = 128;

using ResultPtr = std::shared_ptr<const GenerationResult>;

}  // namespace genmon::model
