#include "protocol/base64.hpp"

#include <array>

namespace genmon::protocol {
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> makeReverse() {
    std::array<int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
    t['-'] = 62;  // base64url too
    t['_'] = 63;
    return t;
}
constexpr auto kReverse = makeReverse();

std::string_view stripDataUrl(std::string_view text) {
    if (text.substr(0, 5) == "data:") {
        const auto comma = text.find(',');
        if (comma != std::string_view::npos) return text.substr(comma + 1);
    }
    return text;
}
}  // namespace

std::string base64Encode(const uint8_t* data, size_t size) {
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < size; i += 3) {
        const uint32_t v = (uint32_t(data[i]) << 16) | (uint32_t(data[i + 1]) << 8) | data[i + 2];
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i < size) {
        uint32_t v = uint32_t(data[i]) << 16;
        if (i + 1 < size) v |= uint32_t(data[i + 1]) << 8;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < size ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::vector<uint8_t>> base64Decode(std::string_view text, size_t maxBytes) {
    text = stripDataUrl(text);
    if (text.size() / 4 * 3 > maxBytes + 3) return std::nullopt;
    std::vector<uint8_t> out;
    out.reserve(text.size() / 4 * 3 + 3);
    uint32_t acc = 0;
    int bits = 0;
    size_t padding = 0;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        if (padding > 0) return std::nullopt;  // data after padding
        const int8_t v = kReverse[c];
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
        }
    }
    if (padding > 2 || bits >= 6) return std::nullopt;  // a lone trailing symbol carries no byte
    if (out.size() > maxBytes) return std::nullopt;
    return out;
}

bool looksLikeBase64Image(std::string_view s) noexcept {
    if (s.substr(0, 5) == "data:") return s.find(";base64,") != std::string_view::npos;
    // Magic prefixes first: base64 JPEG starts with "/9j/", which would otherwise look like a path.
    for (std::string_view magic : {"iVBORw0KGgo", "/9j/", "UklGR", "R0lGOD"})
        if (s.substr(0, magic.size()) == magic) return true;
    if (s.size() < 16 || s.front() == '/' || s.find("://") != std::string_view::npos) return false;
    for (size_t i = 0; i < 16; ++i)
        if (kReverse[static_cast<unsigned char>(s[i])] < 0) return false;
    return true;
}

}  // namespace genmon::protocol
