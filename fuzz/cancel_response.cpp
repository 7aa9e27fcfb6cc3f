// libFuzzer target: protocol::Decoder::cancelResponse (POST /generation/jobs/{id}/cancel)
#include "fuzz_common.hpp"
#include "protocol/decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static genmon::protocol::Decoder decoder;  // one per thread and reused, as on the worker
    const std::string text = genmon::fuzz::body(data, size);
    genmon::fuzz::checkOutcome(decoder.cancelResponse(text));
    return 0;
}
