#pragma once
// Shared by the libFuzzer targets (one file per target, see docs/reliability.md). Each target
// checks the rule of issue 9: a value or a readable error, never a crash, a sanitizer report,
// an exception or an empty error text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "model/error.hpp"

namespace genmon::fuzz {

// Aborts (a crash libFuzzer reports, with the input saved) when a property does not hold.
#define GENMON_FUZZ_CHECK(cond)                                                                \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                       \
        }                                                                                       \
    } while (0)

// The body as the transport hands it over: odd inputs with simdjson's padding in spare
// capacity (parsed in place), even ones without (copied by the decoder), so both paths run.
inline std::string body(const uint8_t* data, size_t size) {
    std::string s;
    if (size % 2) s.reserve(size + 64);
    s.assign(reinterpret_cast<const char*>(data), size);
    return s;
}

template <class T>
void checkOutcome(const model::Outcome<T>& r) {
    if (!r.ok()) GENMON_FUZZ_CHECK(!r.error().message.empty());
}

}  // namespace genmon::fuzz
