// libFuzzer target: image decoding with its limits (protocol::decodeImage, decodeThumbnail):
// PNG, JPEG, GIF, BMP, ... as a backend might send them, including decompression bombs. The
// limits are small here so the fuzzer reaches them: an image is within them or refused with a
// readable error, and a thumbnail is never larger than asked for.
#include "fuzz_common.hpp"
#include "protocol/image_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    genmon::protocol::ImageLimits limits;
    limits.maxBytes = 1u << 20;
    limits.maxWidth = 512;
    limits.maxHeight = 512;
    limits.maxPixels = 128 * 1024;
    auto image = genmon::protocol::decodeImage(data, size, limits);
    genmon::fuzz::checkOutcome(image);
    if (image) {
        GENMON_FUZZ_CHECK(image->width > 0 && image->height > 0);
        GENMON_FUZZ_CHECK(image->width <= limits.maxWidth && image->height <= limits.maxHeight);
        GENMON_FUZZ_CHECK(int64_t{image->width} * image->height <= limits.maxPixels);
        GENMON_FUZZ_CHECK(image->rgba.size() == size_t(image->width) * size_t(image->height) * 4);
    }
    auto thumb = genmon::protocol::decodeThumbnail(data, size, limits, 32);
    genmon::fuzz::checkOutcome(thumb);
    if (thumb) GENMON_FUZZ_CHECK(thumb->width <= 32 && thumb->height <= 32 && thumb->rgba.size() == size_t(thumb->width) * size_t(thumb->height) * 4);
    return 0;
}
