#pragma once
// PNG files through Debian's libstb (its library already holds the stb implementations).
#include <string>

#include "model/error.hpp"
#include "model/image.hpp"

namespace genmon::platform {

model::Status writePng(const std::string& path, const model::Image& image);
model::Outcome<model::Image> readPng(const std::string& path);

}  // namespace genmon::platform
