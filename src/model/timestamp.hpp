#pragma once
// Points in time as the backend writes them: ISO-8601, with or without an offset.
// Spec §8.4: DB datetimes are naive (no offset) and mean UTC; status and WebSocket
// timestamps carry "+00:00". Both parse; a missing offset is UTC.
#include <cstdint>
#include <string>
#include <string_view>

namespace genmon::model {

struct Timestamp {
    int64_t micros = 0;      // microseconds since the Unix epoch, UTC
    bool valid = false;      // false: absent or unparsable (sorts last, §4.6)
    bool hadOffset = false;  // how the source wrote it; toIso() writes it back the same way

    static Timestamp parse(std::string_view iso) noexcept;
    static Timestamp fromMicros(int64_t micros, bool withOffset = false) noexcept {
        return Timestamp{micros, true, withOffset};
    }
    // "2026-11-26T07:06:38.818771" (naive) or "2026-11-26T07:06:38.818771+00:00".
    std::string toIso() const;
    double secondsUntil(Timestamp later) const noexcept {
        return static_cast<double>(later.micros - micros) / 1e6;
    }
    friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// Wall-clock "now" in microseconds since the epoch. Only the worker's Clock calls this;
// tests and screenshot fixtures use a fixed or virtual clock instead.
int64_t systemNowMicros() noexcept;

}  // namespace genmon::model
