#include "platform/png.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <cerrno>
#include <cstring>

namespace genmon::platform {

model::Status writePng(const std::string& path, const model::Image& image) {
    if (image.width <= 0 || image.height <= 0 ||
        image.rgba.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 4)
        return model::Error::make(model::ErrorKind::InvalidArgument, "cannot write " + path + ": empty image");
    if (!stbi_write_png(path.c_str(), image.width, image.height, 4, image.rgba.data(), image.width * 4))
        return model::Error::make(model::ErrorKind::Internal,
                                  "cannot write " + path + ": " + std::strerror(errno));
    return model::okStatus();
}

model::Outcome<model::Image> readPng(const std::string& path) {
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(path.c_str(), &w, &h, &n, 4);
    if (!px) {
        const char* why = stbi_failure_reason();
        return model::Error::make(model::ErrorKind::Decode,
                                  "cannot read " + path + ": " + (why ? why : "unknown error"));
    }
    model::Image img;
    img.width = w;
    img.height = h;
    img.rgba.assign(px, px + static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
    stbi_image_free(px);
    return img;
}

}  // namespace genmon::platform
