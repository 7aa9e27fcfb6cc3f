#pragma once
// Decoded pixels. Made on the worker (stb_image), uploaded to a texture on the UI thread.
#include <cstdint>
#include <memory>
#include <vector>

namespace genmon::model {

struct Image {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgba;  // width * height * 4 bytes, rows top to bottom
};
using ImagePtr = std::shared_ptr<const Image>;

}  // namespace genmon::model
