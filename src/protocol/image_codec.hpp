#pragma once
// Image bytes -> pixels with Debian's stb_image (decision 6: decoded on the worker, uploaded
// as a texture on the UI thread). The header is checked before anything is decompressed, so a
// small file claiming 100000x100000 pixels is refused instead of allocating gigabytes.
#include <cstddef>
#include <cstdint>

#include "model/error.hpp"
#include "model/image.hpp"

namespace genmon::protocol {

struct ImageLimits {
    size_t maxBytes = size_t{32} << 20;  // encoded size
    int maxWidth = 8192;
    int maxHeight = 8192;
    int64_t maxPixels = 40'000'000;  // width * height, decoded
};

// PNG, JPEG, GIF (first frame) and BMP as stb_image reads them, always as 8-bit RGBA; other
// formats are refused by their first bytes before stb sees them.
// Errors (ErrorKind::TooLarge or Decode) say what was wrong, e.g.
// "image is 20000x20000, larger than the 8192x8192 limit".
model::Outcome<model::Image> decodeImage(const uint8_t* data, size_t size, const ImageLimits& limits = {});

// The image scaled down (gamma-correct, alpha-aware) so its longer side is at most maxSide;
// a copy when it already fits. An empty image or maxSide < 1 gives an empty image.
model::Image downscaleToFit(const model::Image& image, int maxSide);

// decodeImage, then downscaleToFit: the thumbnails of the results view.
model::Outcome<model::Image> decodeThumbnail(const uint8_t* data, size_t size, const ImageLimits& limits, int maxSide);

}  // namespace genmon::protocol
