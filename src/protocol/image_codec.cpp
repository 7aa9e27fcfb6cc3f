#include "protocol/image_codec.hpp"

#include <stb_image.h>
#include <stb_image_resize.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>

namespace genmon::protocol {
namespace {

using model::Error;
using model::ErrorKind;

std::string mebibytes(size_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

std::string reason() {
    const char* why = stbi_failure_reason();
    return why != nullptr ? why : "unknown reason";
}

uint32_t bigEndian32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint32_t littleEndian32(const uint8_t* p) {
    return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0];
}

// Dimensions as the header states them, for the formats a backend sends. stb refuses very
// large headers itself but then only says "unknown image type"; reading them here lets the
// error say how large the image claims to be, before any library code looks at it.
bool headerDimensions(const uint8_t* d, size_t n, int64_t& width, int64_t& height) {
    static constexpr uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (n >= 24 && std::memcmp(d, kPng, 8) == 0 && std::memcmp(d + 12, "IHDR", 4) == 0) {
        width = bigEndian32(d + 16);
        height = bigEndian32(d + 20);
        return true;
    }
    if (n >= 10 && (std::memcmp(d, "GIF87a", 6) == 0 || std::memcmp(d, "GIF89a", 6) == 0)) {
        width = d[6] | (d[7] << 8);
        height = d[8] | (d[9] << 8);
        return true;
    }
    if (n >= 26 && d[0] == 'B' && d[1] == 'M') {
        width = static_cast<int32_t>(littleEndian32(d + 18));
        height = static_cast<int32_t>(littleEndian32(d + 22));
        if (height < 0) height = -height;  // top-down bitmaps store a negative height
        return true;
    }
    if (n >= 4 && d[0] == 0xFF && d[1] == 0xD8) {
        // JPEG: walk the marker segments to the first start-of-frame.
        size_t i = 2;
        while (i + 4 <= n) {
            if (d[i] != 0xFF) return false;
            const uint8_t marker = d[i + 1];
            if (marker == 0xFF) {  // fill byte
                ++i;
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2;  // markers without a length
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) return false;  // end of image or scan data before a frame
            const size_t length = (size_t{d[i + 2]} << 8) | d[i + 3];
            const bool startOfFrame =
                marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (i + 9 > n) return false;
                height = (d[i + 5] << 8) | d[i + 6];
                width = (d[i + 7] << 8) | d[i + 8];
                return true;
            }
            if (length < 2) return false;
            i += 2 + length;
        }
    }
    return false;
}

// A PNG whose chunk claims more bytes than the file has is refused before stb sees it: stb
// grows its buffer to a chunk's claimed length before reading it, so a 115-byte file claiming a
// 1 GiB IDAT made it allocate 2 GiB (found by fuzz_image). Returns the reason, empty if fine.
std::string pngChunkOverrun(const uint8_t* d, size_t n) {
    static constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (n < 8 || std::memcmp(d, kSignature, 8) != 0) return {};
    size_t at = 8;
    while (at + 8 <= n) {
        const uint64_t length = (uint64_t{d[at]} << 24) | (uint64_t{d[at + 1]} << 16) | (uint64_t{d[at + 2]} << 8) | d[at + 3];
        const std::string type(reinterpret_cast<const char*>(d + at + 4), 4);
        const uint64_t left = n - at - 8;  // after the length and type; the CRC's 4 bytes follow the data
        if (length + 4 > left) {
            std::string why = "PNG chunk ";
            for (const char c : type) why += (c >= 0x20 && c < 0x7F) ? c : '?';
            return why + " claims " + std::to_string(length) + " bytes but the file has " + std::to_string(left) +
                   " left (truncated or corrupt)";
        }
        if (type == "IEND") return {};
        at += 12 + static_cast<size_t>(length);
    }
    return {};
}

// The formats a backend sends and genmon hands to stb: PNG, JPEG, GIF and BMP, told by their
// first bytes. Debian's libstb ships every stb loader compiled in, and its PNM loader overruns its
// buffer on a 16-bit PPM (found by fuzz_image), so anything else is refused before stb sees it.
const char* knownFormat(const uint8_t* d, size_t n) {
    static constexpr uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (n >= 8 && std::memcmp(d, kPng, 8) == 0) return "PNG";
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return "JPEG";
    if (n >= 6 && (std::memcmp(d, "GIF87a", 6) == 0 || std::memcmp(d, "GIF89a", 6) == 0)) return "GIF";
    if (n >= 2 && d[0] == 'B' && d[1] == 'M') return "BMP";
    return nullptr;
}

// The first bytes, printable ones as they are, for an error a person can match to a file type.
std::string leadingBytes(const uint8_t* d, size_t n) {
    std::string text;
    for (size_t i = 0; i < n && i < 8; ++i) {
        if (d[i] >= 0x20 && d[i] < 0x7F) {
            text += static_cast<char>(d[i]);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", d[i]);
            text += hex;
        }
    }
    return text;
}

std::string sizeText(int64_t width, int64_t height) { return std::to_string(width) + "x" + std::to_string(height); }

// Nearest-neighbour fallback, used only if stb's resizer cannot allocate its work buffer.
void nearest(const model::Image& in, model::Image& out) {
    for (int y = 0; y < out.height; ++y) {
        const int sy = static_cast<int>(static_cast<int64_t>(y) * in.height / out.height);
        for (int x = 0; x < out.width; ++x) {
            const int sx = static_cast<int>(static_cast<int64_t>(x) * in.width / out.width);
            std::memcpy(&out.rgba[(static_cast<size_t>(y) * out.width + x) * 4],
                        &in.rgba[(static_cast<size_t>(sy) * in.width + sx) * 4], 4);
        }
    }
}

}  // namespace

model::Outcome<model::Image> decodeImage(const uint8_t* data, size_t size, const ImageLimits& limits) {
    if (data == nullptr || size == 0) return Error::make(ErrorKind::Decode, "image is empty (0 bytes)");
    if (size > limits.maxBytes || size > static_cast<size_t>(INT_MAX))
        return Error::make(ErrorKind::TooLarge, "image file is " + mebibytes(size) + ", larger than the " +
                                                    mebibytes(limits.maxBytes) + " limit");
    const int length = static_cast<int>(size);

    if (knownFormat(data, size) == nullptr)
        return Error::make(ErrorKind::Decode, "not a PNG, JPEG, GIF or BMP image (it starts with \"" +
                                                  leadingBytes(data, size) + "\")");

    // Dimensions from the header first: nothing is decompressed yet (decompression bombs).
    int64_t width = 0, height = 0;
    int channels = 0;
    if (!headerDimensions(data, size, width, height)) {
        int w = 0, h = 0;
        if (!stbi_info_from_memory(data, length, &w, &h, &channels))
            return Error::make(ErrorKind::Decode, std::string("not a readable ") + knownFormat(data, size) + " image: " + reason());
        width = w;
        height = h;
    }
    if (width <= 0 || height <= 0)
        return Error::make(ErrorKind::Decode, "image header says " + sizeText(width, height));
    if (width > limits.maxWidth || height > limits.maxHeight)
        return Error::make(ErrorKind::TooLarge, "image is " + sizeText(width, height) + ", larger than the " +
                                                    sizeText(limits.maxWidth, limits.maxHeight) + " limit");
    const int64_t pixels = width * height;
    if (pixels > limits.maxPixels)
        return Error::make(ErrorKind::TooLarge, "image is " + sizeText(width, height) + " (" + std::to_string(pixels) +
                                                    " pixels), more than the limit of " +
                                                    std::to_string(limits.maxPixels) + " pixels");

    if (const std::string overrun = pngChunkOverrun(data, size); !overrun.empty())
        return Error::make(ErrorKind::Decode, "image could not be decoded: " + overrun);
    int decodedWidth = 0, decodedHeight = 0;
    stbi_uc* pixelsRgba = stbi_load_from_memory(data, length, &decodedWidth, &decodedHeight, &channels, 4);
    if (pixelsRgba == nullptr) return Error::make(ErrorKind::Decode, "image could not be decoded: " + reason());
    // The header was checked, but trust only what was actually decoded.
    if (decodedWidth != width || decodedHeight != height) {
        stbi_image_free(pixelsRgba);
        return Error::make(ErrorKind::Decode, "image decoded to a different size than its header says");
    }
    model::Image image;
    image.width = decodedWidth;
    image.height = decodedHeight;
    image.rgba.assign(pixelsRgba, pixelsRgba + static_cast<size_t>(pixels) * 4);
    stbi_image_free(pixelsRgba);
    return image;
}

model::Image downscaleToFit(const model::Image& image, int maxSide) {
    if (image.width <= 0 || image.height <= 0 || maxSide < 1 ||
        image.rgba.size() < static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 4)
        return {};
    if (image.width <= maxSide && image.height <= maxSide) return image;
    model::Image out;
    if (image.width >= image.height) {
        out.width = maxSide;
        out.height = std::max(
            1, static_cast<int>((static_cast<int64_t>(image.height) * maxSide + image.width / 2) / image.width));
    } else {
        out.height = maxSide;
        out.width = std::max(
            1, static_cast<int>((static_cast<int64_t>(image.width) * maxSide + image.height / 2) / image.height));
    }
    out.rgba.resize(static_cast<size_t>(out.width) * static_cast<size_t>(out.height) * 4);
    // sRGB-aware with alpha in channel 3, so edges of transparent areas do not darken.
    if (!stbir_resize_uint8_srgb(image.rgba.data(), image.width, image.height, 0, out.rgba.data(), out.width,
                                 out.height, 0, 4, 3, 0))
        nearest(image, out);
    return out;
}

model::Outcome<model::Image> decodeThumbnail(const uint8_t* data, size_t size, const ImageLimits& limits, int maxSide) {
    model::Outcome<model::Image> full = decodeImage(data, size, limits);
    if (!full.ok()) return full;
    return downscaleToFit(full.value(), maxSide);
}

}  // namespace genmon::protocol
