// libFuzzer target: model::Timestamp::parse, every created_at/started_at/finished_at/timestamp
// the backend sends. A valid parse writes back (toIso) to text that parses to the same instant.
#include "fuzz_common.hpp"
#include "model/timestamp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const genmon::model::Timestamp t = genmon::model::Timestamp::parse(text);
    if (!t.valid) return 0;
    const std::string iso = t.toIso();
    GENMON_FUZZ_CHECK(!iso.empty());
    const genmon::model::Timestamp again = genmon::model::Timestamp::parse(iso);
    GENMON_FUZZ_CHECK(again.valid);
    GENMON_FUZZ_CHECK(again.micros == t.micros);
    GENMON_FUZZ_CHECK(again.toIso() == iso);
    return 0;
}
