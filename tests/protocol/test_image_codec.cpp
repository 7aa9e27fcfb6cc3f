// Image bytes -> pixels (decision 6), with the header checked before decompression.
#include <doctest/doctest.h>

#include <stb_image_write.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/result.hpp"
#include "protocol/base64.hpp"
#include "protocol/image_codec.hpp"

using namespace genmon;
using namespace genmon::protocol;

namespace {

constexpr std::string_view kPng8x8 =
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4EaCBFTEMLQkAaplQAc/OcKAAAAAASUVORK5CYII=";

std::vector<uint8_t> fixturePng() { return *base64Decode(kPng8x8); }

void collect(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    const auto* bytes = static_cast<const uint8_t*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

// A w x h gradient with an alpha ramp.
std::vector<uint8_t> gradient(int w, int h) {
    std::vector<uint8_t> px(static_cast<size_t>(w) * h * 4);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            uint8_t* p = &px[(static_cast<size_t>(y) * w + x) * 4];
            p[0] = static_cast<uint8_t>(x * 255 / std::max(1, w - 1));
            p[1] = static_cast<uint8_t>(y * 255 / std::max(1, h - 1));
            p[2] = 128;
            p[3] = 255;
        }
    return px;
}

std::vector<uint8_t> encodePng(int w, int h) {
    std::vector<uint8_t> out;
    const auto px = gradient(w, h);
    REQUIRE(stbi_write_png_to_func(collect, &out, w, h, 4, px.data(), w * 4));
    return out;
}

std::vector<uint8_t> encodeJpeg(int w, int h) {
    std::vector<uint8_t> out;
    const auto px = gradient(w, h);
    REQUIRE(stbi_write_jpg_to_func(collect, &out, w, h, 4, px.data(), 90));
    return out;
}

uint32_t crc32(const uint8_t* data, size_t size) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < size; ++i) {
        crc ^= data[i];
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void putBigEndian(std::vector<uint8_t>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// A PNG signature and a valid IHDR chunk claiming w x h RGBA pixels, and nothing else:
// the shape of a decompression bomb's header.
std::vector<uint8_t> pngHeader(uint32_t w, uint32_t h) {
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<uint8_t> chunk = {'I', 'H', 'D', 'R'};
    putBigEndian(chunk, w);
    putBigEndian(chunk, h);
    for (uint8_t b : {8, 6, 0, 0, 0}) chunk.push_back(b);  // 8-bit RGBA, deflate, no filter, no interlace
    putBigEndian(png, 13);
    png.insert(png.end(), chunk.begin(), chunk.end());
    putBigEndian(png, crc32(chunk.data(), chunk.size()));
    return png;
}

}  // namespace

TEST_CASE("decision 6: the base64 PNG of the captures decodes to 8x8 RGBA") {
    const auto bytes = fixturePng();
    auto image = decodeImage(bytes.data(), bytes.size());
    REQUIRE_MESSAGE(image.ok(), (image.ok() ? "" : image.error().message));
    CHECK(image->width == 8);
    CHECK(image->height == 8);
    CHECK(image->rgba.size() == 8 * 8 * 4);
}

TEST_CASE("decision 6: JPEG decodes too, and its base64 is recognised as an image") {
    const auto jpeg = encodeJpeg(40, 30);
    const std::string text = base64Encode(jpeg);
    CHECK(text.rfind("/9j/", 0) == 0);
    CHECK(looksLikeBase64Image(text));
    auto image = decodeImage(jpeg.data(), jpeg.size());
    REQUIRE(image.ok());
    CHECK(image->width == 40);
    CHECK(image->height == 30);
}

TEST_CASE("issue 9: a PNG header claiming 100000x100000 is refused before decoding") {
    const auto bomb = pngHeader(100000, 100000);
    auto image = decodeImage(bomb.data(), bomb.size());
    REQUIRE_FALSE(image.ok());
    CHECK(image.error().kind == model::ErrorKind::TooLarge);
    CHECK(image.error().message == "image is 100000x100000, larger than the 8192x8192 limit");
}

TEST_CASE("issue 9: width, height and pixel-count limits are each enforced") {
    const auto wide = pngHeader(20000, 10);
    CHECK(decodeImage(wide.data(), wide.size()).error().message ==
          "image is 20000x10, larger than the 8192x8192 limit");
    const auto tall = pngHeader(10, 9000);
    CHECK(decodeImage(tall.data(), tall.size()).error().kind == model::ErrorKind::TooLarge);
    const auto many = pngHeader(8000, 8000);  // within 8192x8192, but 64 M pixels
    auto tooMany = decodeImage(many.data(), many.size());
    REQUIRE_FALSE(tooMany.ok());
    CHECK(tooMany.error().message == "image is 8000x8000 (64000000 pixels), more than the limit of 40000000 pixels");

    ImageLimits small;
    small.maxWidth = 4;
    small.maxHeight = 4;
    const auto png = fixturePng();
    CHECK(decodeImage(png.data(), png.size(), small).error().message == "image is 8x8, larger than the 4x4 limit");
    small = {};
    small.maxBytes = 16;
    auto bytes = decodeImage(png.data(), png.size(), small);
    REQUIRE_FALSE(bytes.ok());
    CHECK(bytes.error().kind == model::ErrorKind::TooLarge);
    CHECK(bytes.error().message.rfind("image file is 0.0 MiB, larger than the 0.0 MiB limit", 0) == 0);
}

TEST_CASE("decision 6: a truncated PNG is a decode error at every cut, never a crash") {
    const auto png = encodePng(64, 48);
    // Cuts inside the final IEND chunk leave every pixel intact; any earlier cut loses data.
    const size_t iend = png.size() - 12;
    REQUIRE(std::string(png.begin() + iend + 4, png.begin() + iend + 8) == "IEND");
    for (size_t cut = 0; cut < png.size(); ++cut) {
        CAPTURE(cut);
        auto image = decodeImage(png.data(), cut);
        if (cut < iend) CHECK_FALSE(image.ok());
        if (!image.ok()) CHECK_FALSE(image.error().message.empty());
        if (image.ok()) CHECK(image->width == 64);
    }
    CHECK(decodeImage(png.data(), png.size()).ok());
    const auto header = pngHeader(64, 48);  // header only, no pixel data
    auto headerOnly = decodeImage(header.data(), header.size());
    REQUIRE_FALSE(headerOnly.ok());
    CHECK(headerOnly.error().kind == model::ErrorKind::Decode);
    CHECK(headerOnly.error().message.rfind("image could not be decoded: ", 0) == 0);
}

TEST_CASE("decision 6: bytes that are not an image are refused with a readable error") {
    const std::string text = "<html>not an image</html>";
    auto image = decodeImage(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    REQUIRE_FALSE(image.ok());
    CHECK(image.error().message == "not a PNG, JPEG, GIF or BMP image (it starts with \"<html>no\")");
    CHECK(decodeImage(nullptr, 0).error().message == "image is empty (0 bytes)");
}

TEST_CASE("decision 6: downscaleToFit keeps the aspect ratio and never upscales") {
    model::Image image;
    image.width = 256;
    image.height = 128;
    image.rgba = gradient(256, 128);
    const model::Image half = downscaleToFit(image, 128);
    CHECK(half.width == 128);
    CHECK(half.height == 64);
    CHECK(half.rgba.size() == 128u * 64u * 4u);
    // The gradient survives: left edge dark, right edge bright in red.
    CHECK(half.rgba[0] < 20);
    CHECK(half.rgba[(127) * 4] > 235);

    const model::Image same = downscaleToFit(image, 512);
    CHECK(same.width == 256);
    CHECK(same.rgba == image.rgba);

    model::Image strip;
    strip.width = 1;
    strip.height = 1000;
    strip.rgba = gradient(1, 1000);
    const model::Image thin = downscaleToFit(strip, 128);
    CHECK(thin.width == 1);
    CHECK(thin.height == 128);

    CHECK(downscaleToFit(image, 0).rgba.empty());
    CHECK(downscaleToFit(model::Image{}, 128).rgba.empty());
    model::Image inconsistent;
    inconsistent.width = 10;
    inconsistent.height = 10;  // no pixels
    CHECK(downscaleToFit(inconsistent, 4).rgba.empty());
}

TEST_CASE("decision 6: decodeThumbnail decodes and fits the longer side") {
    const auto png = encodePng(300, 200);
    auto thumb = decodeThumbnail(png.data(), png.size(), {}, model::kThumbnailMaxSide);
    REQUIRE(thumb.ok());
    CHECK(thumb->width == 128);
    CHECK(thumb->height == 85);
    const auto bomb = pngHeader(100000, 100000);
    CHECK_FALSE(decodeThumbnail(bomb.data(), bomb.size(), {}, 128).ok());
}

TEST_CASE("issue 9: JPEG, GIF and BMP headers claiming huge sizes are refused with their dimensions") {
    // JPEG: SOI, an APP0 segment to walk over, then SOF0 claiming 60000 x 50000.
    const std::vector<uint8_t> jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11,
                                       0x08, 0xC3, 0x50, 0xEA, 0x60, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01};
    CHECK(decodeImage(jpeg.data(), jpeg.size()).error().message ==
          "image is 60000x50000, larger than the 8192x8192 limit");
    const std::vector<uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 0xFF, 0xFF, 0x10, 0x00, 0x00, 0x00, 0x00};
    CHECK(decodeImage(gif.data(), gif.size()).error().message == "image is 65535x16, larger than the 8192x8192 limit");
    std::vector<uint8_t> bmp(54, 0);
    bmp[0] = 'B';
    bmp[1] = 'M';
    bmp[18] = 0xA0, bmp[19] = 0x86, bmp[20] = 0x01;                  // width 100000
    bmp[22] = 0x60, bmp[23] = 0x79, bmp[24] = 0xFE, bmp[25] = 0xFF;  // height -100000 (top-down)
    CHECK(decodeImage(bmp.data(), bmp.size()).error().message ==
          "image is 100000x100000, larger than the 8192x8192 limit");
    // A real JPEG's frame header is found behind its JFIF segment.
    const auto real = encodeJpeg(17, 9);
    auto image = decodeImage(real.data(), real.size());
    REQUIRE(image.ok());
    CHECK(image->width == 17);
}

TEST_CASE("issue 9 fuzz regression: a PNG with a zero-length IDAT chunk is refused readably") {
    // Found by fuzz_image (fuzz/corpus/image/regress_zero_length_idat): stb_image computes
    // NULL + 0 and memcpy(NULL, p, 0) for the empty chunk (undefined in C, harmless in practice;
    // the fuzz build compiles stb without UBSan). genmon must refuse the image, not crash.
    const uint8_t png[] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
                           0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x08, 0x02, 0x00, 0x00, 0x00, 0x4b,
                           0x6d, 0x29, 0xdc, 0x00, 0x00, 0x00, 0x00, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x0a, 0x00,
                           0x00, 0x00, 0x36, 0x37, 0x11, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    auto image = decodeImage(png, sizeof png);
    REQUIRE_FALSE(image.ok());
    CHECK(image.error().kind == model::ErrorKind::Decode);
    CHECK(image.error().message.rfind("image could not be decoded: ", 0) == 0);
    CHECK_FALSE(decodeThumbnail(png, sizeof png, ImageLimits{}, 32).ok());
}

TEST_CASE("issue 9 fuzz regression: a tiny PNG whose IDAT claims more bytes than the file has is refused before decoding") {
    // Found by fuzz_image (fuzz/corpus/image/regress_huge_idat_claim): stb grows its buffer to
    // the claimed chunk length before reading it, so these 115 bytes made it allocate 2 GiB.
    const uint8_t png[] = {
                           0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
                           0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x08, 0x02, 0x00, 0x00, 0x00, 0x4b,
                           0x6d, 0x29, 0xdc, 0x00, 0x00, 0x00, 0x11, 0x49, 0x44, 0x41, 0x54, 0x00, 0x00, 0x02, 0x00,
                           0x00, 0x00, 0x00, 0x00, 0x88, 0x63, 0x9c, 0xc7, 0xee, 0x5f, 0x7e, 0xf0, 0x31, 0x0c, 0x2d,
                           0x09, 0x00, 0x6a, 0x00, 0x00, 0x11, 0x49, 0x44, 0x41, 0x54, 0x00, 0x00, 0x02, 0x00, 0x00,
                           0x00, 0x00, 0x00, 0x88, 0x63, 0x9c, 0xc7, 0xee, 0x5f, 0x7e, 0xf0, 0x31, 0x0c, 0x2d, 0x09,
                           0x00, 0x6a, 0x99, 0x50, 0x01, 0xcf, 0x99, 0x50, 0x01, 0xcf, 0xce, 0x70, 0xa0, 0x00, 0x00,
                           0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    auto image = decodeImage(png, sizeof png);
    REQUIRE_FALSE(image.ok());
    CHECK(image.error().kind == model::ErrorKind::Decode);
    CHECK(image.error().message.find("PNG chunk IDAT claims ") != std::string::npos);
    CHECK(image.error().message.find("(truncated or corrupt)") != std::string::npos);
    CHECK_FALSE(decodeThumbnail(png, sizeof png, ImageLimits{}, 32).ok());
    // A well-formed PNG still passes the chunk walk.
    const auto good = encodePng(16, 16);
    CHECK(decodeImage(good.data(), good.size()).ok());
}

TEST_CASE("issue 9 fuzz regression: formats other than PNG, JPEG, GIF and BMP are refused before stb reads them") {
    // Found by fuzz_image (fuzz/corpus/image/regress_pnm_16bit_overrun): Debian's stb reads a
    // 16-bit binary PPM ("P6 ... 65535") past the end of its buffer. Backends send PNG or JPEG, so
    // the other loaders stb carries (PNM, PSD, TGA, HDR, PIC) are never reached.
    const std::string ppm16 = std::string("P6\n2 2\n65535\n") + std::string(2 * 2 * 3 * 2, '\x7f');
    auto image = decodeImage(reinterpret_cast<const uint8_t*>(ppm16.data()), ppm16.size());
    REQUIRE_FALSE(image.ok());
    CHECK(image.error().kind == model::ErrorKind::Decode);
    CHECK(image.error().message == "not a PNG, JPEG, GIF or BMP image (it starts with \"P6\\x0A2 2\\x0A6\")");
    const uint8_t psd[] = {'8', 'B', 'P', 'S', 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 8, 0, 3};
    CHECK(decodeImage(psd, sizeof psd).error().message.rfind("not a PNG, JPEG, GIF or BMP image", 0) == 0);
    // A JPEG whose header walk finds no frame still reaches stb, and stb's refusal names the format.
    const uint8_t jpegNoFrame[] = {0xFF, 0xD8, 0xFF, 0xD9};
    CHECK(decodeImage(jpegNoFrame, sizeof jpegNoFrame).error().message.rfind("not a readable JPEG image: ", 0) == 0);
}
