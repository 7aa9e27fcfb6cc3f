// libFuzzer target: protocol::base64Decode (image_url and WebSocket images) and the image
// sniffing of decision 6. Whatever decodes re-encodes to text that decodes to the same bytes.
#include "fuzz_common.hpp"
#include "protocol/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)genmon::protocol::looksLikeBase64Image(text);
    constexpr size_t kCap = 1u << 16;
    const auto bytes = genmon::protocol::base64Decode(text, kCap);
    if (!bytes) return 0;
    GENMON_FUZZ_CHECK(bytes->size() <= kCap);
    GENMON_FUZZ_CHECK(bytes->size() <= size);
    const std::string encoded = genmon::protocol::base64Encode(*bytes);
    const auto again = genmon::protocol::base64Decode(encoded, kCap);
    GENMON_FUZZ_CHECK(again && *again == *bytes);
    return 0;
}
