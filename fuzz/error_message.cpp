// libFuzzer target: protocol::errorMessageFromBody, the text a person sees for a failed request.
// The first byte picks the HTTP status (400-599), the next up to 16 bytes are the status text.
#include "fuzz_common.hpp"
#include "protocol/decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const int status = 400 + data[0] % 200;
    const size_t textLength = size > 1 ? std::min<size_t>(data[1] % 17, size - 2) : 0;
    const std::string_view statusText(reinterpret_cast<const char*>(data + 2), size > 1 ? textLength : 0);
    const size_t offset = size > 1 ? 2 + textLength : 1;
    const std::string_view body(reinterpret_cast<const char*>(data + offset), size - offset);
    const std::string message = genmon::protocol::errorMessageFromBody(status, statusText, body);
    GENMON_FUZZ_CHECK(!message.empty());
    // One readable line, never a dump of the body, nothing a terminal would take for an escape.
    GENMON_FUZZ_CHECK(message.size() <= 500 + 3);
    for (const char c : message) GENMON_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    return 0;
}
