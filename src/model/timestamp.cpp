#include "model/timestamp.hpp"

#include <chrono>
#include <cstdio>

namespace genmon::model {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

namespace {

// n digits at p as a number, or -1 when one is not a digit. No branch per digit.
template <int N>
[[gnu::always_inline]] inline int fixedDigits(const char* p) noexcept {
    int v = 0;
    unsigned bad = 0;
    for (int i = 0; i < N; ++i) {
        const unsigned d = static_cast<unsigned char>(p[i]) - unsigned{'0'};
        bad |= d > 9 ? 1u : 0u;
        v = v * 10 + static_cast<int>(d);
    }
    return bad ? -1 : v;
}

// Issue 16.3: the backend's own form, "YYYY-MM-DDTHH:MM:SS.ffffff" (naive, §8.4) and the same
// with "+HH:MM", read at fixed offsets: a /jobs/active decode parses two per job, and the
// general parser below cost ~5 % of it. Anything else (or out of range) returns false and
// goes the general way, which decides.
bool parseFixed(std::string_view s, Timestamp& out) noexcept {
    if (s.size() != 26 && s.size() != 32) return false;
    const char* p = s.data();
    if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[19] != '.') return false;
    const int year = fixedDigits<4>(p), month = fixedDigits<2>(p + 5), day = fixedDigits<2>(p + 8);
    const int hour = fixedDigits<2>(p + 11), minute = fixedDigits<2>(p + 14), second = fixedDigits<2>(p + 17);
    const int micros = fixedDigits<6>(p + 20);
    if ((year | month | day | hour | minute | second | micros) < 0) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return false;
    if (day > kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0)) return false;
    int64_t offsetSeconds = 0;
    if (s.size() == 32) {
        const int oh = fixedDigits<2>(p + 27), om = fixedDigits<2>(p + 30);
        if ((p[26] != '+' && p[26] != '-') || p[29] != ':' || oh < 0 || om < 0 || oh > 23 || om > 59) return false;
        offsetSeconds = (oh * 3600 + om * 60) * (p[26] == '-' ? -1 : 1);
    }
    const int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
    out = Timestamp{secs * 1000000 + micros, true, s.size() == 32};
    return true;
}

}  // namespace

Timestamp Timestamp::parse(std::string_view s) noexcept {
    if (Timestamp fixed; parseFixed(s, fixed)) return fixed;
    // YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z|(+|-)HH[:]MM]
    int year, month, day, hour = 0, minute = 0, second = 0;
    if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) ||
        s[7] != '-' || !digits(s, 8, 2, day))
        return {};
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return {};
    if (day > kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0)) return {};
    size_t pos = 10;
    int64_t micros = 0;
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
        if (!digits(s, pos + 1, 2, hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !digits(s, pos + 4, 2, minute))
            return {};
        pos += 6;
        if (pos < s.size() && s[pos] == ':') {
            if (!digits(s, pos + 1, 2, second)) return {};
            pos += 3;
            if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
                ++pos;
                int64_t scale = 100000;
                size_t n = 0;
                while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                    if (scale > 0) {
                        micros += (s[pos] - '0') * scale;
                        scale /= 10;
                    }
                    ++pos;
                    ++n;
                }
                if (n == 0) return {};
            }
        }
        if (hour > 23 || minute > 59 || second > 60) return {};
    }
    bool hadOffset = false;
    int64_t offsetSeconds = 0;
    if (pos < s.size()) {
        const char c = s[pos];
        if ((c == 'Z' || c == 'z') && pos + 1 == s.size()) {
            hadOffset = true;
        } else if (c == '+' || c == '-') {
            int oh, om = 0;
            if (!digits(s, pos + 1, 2, oh)) return {};
            size_t p = pos + 3;
            if (p < s.size() && s[p] == ':') ++p;
            if (p < s.size()) {
                if (!digits(s, p, 2, om)) return {};
                p += 2;
            }
            if (p != s.size() || oh > 23 || om > 59) return {};
            offsetSeconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
            hadOffset = true;
        } else {
            return {};
        }
    }
    const int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
    return Timestamp{secs * 1000000 + micros, true, hadOffset};
}

std::string Timestamp::toIso() const {
    if (!valid) return {};
    int64_t secs = micros / 1000000;
    int64_t frac = micros % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    civilFromDays(days, y, m, d);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%06lld%s", static_cast<long long>(y), m, d,
                  static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60),
                  static_cast<long long>(frac), hadOffset ? "+00:00" : "");
    return buf;
}

int64_t systemNowMicros() noexcept {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace genmon::model
