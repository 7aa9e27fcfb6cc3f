#pragma once
// RFC 4648 base64, as image_url and WebSocket images carry PNG bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genmon::protocol {

std::string base64Encode(const uint8_t* data, size_t size);
inline std::string base64Encode(const std::vector<uint8_t>& bytes) { return base64Encode(bytes.data(), bytes.size()); }
// Accepts a "data:<mime>;base64," prefix, ignores whitespace, padding optional. nullopt on any
// other byte, or when the decoded size would exceed maxBytes.
std::optional<std::vector<uint8_t>> base64Decode(std::string_view text, size_t maxBytes = 64u << 20);
// True when the text looks like base64 image data rather than a path or URL (decision 6).
bool looksLikeBase64Image(std::string_view imageUrl) noexcept;

}  // namespace genmon::protocol
