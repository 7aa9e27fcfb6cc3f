// Spec §8.4: timestamps with and without an offset; a missing offset means UTC.
#include <doctest/doctest.h>

#include "model/timestamp.hpp"

using genmon::model::Timestamp;

TEST_CASE("spec 8.4: a naive ISO timestamp is UTC and round-trips") {
    auto t = Timestamp::parse("2026-11-26T07:06:38.818771");
    REQUIRE(t.valid);
    CHECK_FALSE(t.hadOffset);
    CHECK(t.toIso() == "2026-11-26T07:06:38.818771");
    auto z = Timestamp::parse("2026-11-26T07:06:38.818771+00:00");
    REQUIRE(z.valid);
    CHECK(z.hadOffset);
    CHECK(z.micros == t.micros);
    CHECK(z.toIso() == "2026-11-26T07:06:38.818771+00:00");
}

TEST_CASE("spec 8.4: offsets shift to UTC, Z is accepted, fractions of any length") {
    auto a = Timestamp::parse("2026-11-26T09:06:38+02:00");
    auto b = Timestamp::parse("2026-11-26T07:06:38Z");
    REQUIRE(a.valid);
    REQUIRE(b.valid);
    CHECK(a.micros == b.micros);
    CHECK(Timestamp::parse("2026-11-26T07:06:38.5").micros == b.micros + 500000);
    CHECK(Timestamp::parse("2026-11-26T07:06:38.1234567891").micros == b.micros + 123456);
    CHECK(Timestamp::parse("2026-11-26").valid);
    CHECK(Timestamp::parse("1970-01-01T00:00:00").micros == 0);
    CHECK(Timestamp::parse("1969-12-31T23:59:59.5").micros == -500000);
    CHECK(Timestamp::parse("1969-12-31T23:59:59.5").toIso() == "1969-12-31T23:59:59.500000");
}

TEST_CASE("spec 4.6: unparsable dates are invalid (they sort last)") {
    for (const char* bad : {"", "now", "2026-13-01T00:00:00", "2026-02-30", "2026-11-26T25:00:00",
                            "2026-11-26T07:06:38+2", "2026-11-26T07:06:38 junk", "2026-11-26T07:06:38.",
                            "20261126", "2026-11-26T07"}) {
        CAPTURE(bad);
        CHECK_FALSE(Timestamp::parse(bad).valid);
    }
    CHECK(Timestamp::parse("2024-02-29").valid);
    CHECK_FALSE(Timestamp::parse("2023-02-29").valid);
}

TEST_CASE("issue 16.3: the backend's fixed form parses as the general forms of the same instant") {
    // Same instant through the fixed-offset path (26 or 32 bytes, 'T') and the general one (' ').
    const char* pairs[][2] = {
        {"2026-11-26T07:06:38.818771", "2026-11-26 07:06:38.818771"},
        {"2024-02-29T23:59:60.000001", "2024-02-29 23:59:60.000001"},
        {"1969-12-31T23:59:59.500000", "1969-12-31 23:59:59.5"},
        {"2026-11-26T09:06:38.818771+02:00", "2026-11-26 09:06:38.818771+0200"},
        {"2026-11-26T01:36:38.818771-05:30", "2026-11-26 01:36:38.818771-05:30"},
    };
    for (const auto& [fixed, general] : pairs) {
        CAPTURE(fixed);
        const Timestamp a = Timestamp::parse(fixed), b = Timestamp::parse(general);
        REQUIRE(a.valid);
        CHECK(a.micros == b.micros);
        CHECK(a.hadOffset == b.hadOffset);
    }
    CHECK(Timestamp::parse("1970-01-01T00:00:01.000002").micros == 1'000'002);
    CHECK(Timestamp::parse("1970-01-01T00:00:01.000002+01:00").micros == 1'000'002 - 3'600'000'000);
    CHECK(Timestamp::parse("2026-11-26T07:06:38.818771").toIso() == "2026-11-26T07:06:38.818771");
    // Out of range or malformed in the fixed layout: still invalid.
    for (const char* bad : {"2026-13-26T07:06:38.818771", "2023-02-29T07:06:38.818771", "2026-11-26T24:06:38.818771",
                            "2026-11-26T07:60:38.818771", "2026-11-26T07:06:61.818771", "2026-11-00T07:06:38.818771",
                            "2026-11-26T07:06:38.81877x", "2026-1a-26T07:06:38.818771", "2026-11-26T07:06:38.818771+24:00",
                            "2026-11-26T07:06:38.818771+02:60", "2026-11-26T07:06:38.818771*02:00",
                            "2026-11-26T07:06:38.818771+02-00"}) {
        CAPTURE(bad);
        CHECK_FALSE(Timestamp::parse(bad).valid);
    }
}
