// libFuzzer target: protocol::Decoder::activeJobs (GET /generation/jobs/active)
#include "fuzz_common.hpp"
#include "protocol/decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static genmon::protocol::Decoder decoder;  // one per thread and reused, as on the worker
    const std::string text = genmon::fuzz::body(data, size);
    auto r = decoder.activeJobs(text, 1'800'000'000'000'000);
    genmon::fuzz::checkOutcome(r);
    if (r.ok()) GENMON_FUZZ_CHECK(r->value.size() <= genmon::protocol::DecodeLimits{}.maxJobs && r->warnings.size() <= 102);
    return 0;
}
