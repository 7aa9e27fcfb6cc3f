#pragma once
// Internal to src/protocol: what the decoders share for reading simdjson On-Demand values.
// Reader tells a value of the wrong type (a warning, the value is skipped) from a broken
// document (an error for the whole payload); Notes collects readable warnings. Not part of the
// protocol API: include it only from src/protocol/*.cpp.
#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/error.hpp"

namespace genmon::protocol::detail {

namespace od = simdjson::ondemand;
using model::Error;
using model::ErrorKind;
using simdjson::error_code;

// ---------------------------------------------------------------------------------------------
// Text and error helpers

template <class S>
void setText(S& dst, std::string_view v) {
    dst = S(v);
}
template <class S>
void setOptText(std::optional<S>& dst, std::string_view v) {
    dst.emplace(v);
}

inline std::string_view trimView(std::string_view s) noexcept {
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) --e;
    return s.substr(b, e - b);
}

inline void appendNumber(std::string& out, uint64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

inline std::string indexed(std::string_view label, size_t index) {
    std::string s(label);
    s += " #";
    appendNumber(s, index);
    return s;
}

// A short, printable excerpt of untrusted text for an error message.
std::string excerpt(std::string_view text, size_t maxChars);

// simdjson's name for an error code ("TAPE_ERROR"), for messages a person can search for.
const char* errorName(error_code e) noexcept;

inline std::string_view typeName(od::json_type t) noexcept {
    switch (t) {
        case od::json_type::array: return "array";
        case od::json_type::object: return "object";
        case od::json_type::number: return "number";
        case od::json_type::string: return "string";
        case od::json_type::boolean: return "boolean";
        case od::json_type::null: return "null";
    }
    return "value";
}

inline Error decodeError(std::string message) { return Error::make(ErrorKind::Decode, std::move(message)); }

// True when arrays and objects in `json` nest deeper than `limit`. simdjson's On-Demand front
// end does not enforce a depth limit in release builds, so this pass does, before anything
// else looks at the body. Strings are skipped with memchr, so it costs far less than a decode.
bool nestsDeeperThan(std::string_view json, size_t limit) noexcept;

// ---------------------------------------------------------------------------------------------
// Reader

// Outcome of reading one value: the value, JSON null, a value of another type (the caller
// names the field in a warning or drops the entry), or a broken document (the payload fails).
enum class Read : uint8_t { Ok, Null, Wrong, Broken };

struct Reader {
    error_code broken = simdjson::SUCCESS;  // the first error that makes the document unusable

    Read fail(error_code e) {
        if (!broken) broken = e;
        return Read::Broken;
    }
    // Errors about one value's content leave On-Demand's iterator usable: the value is skipped.
    Read classify(error_code e) {
        switch (e) {
            case simdjson::INCORRECT_TYPE:
            case simdjson::NUMBER_ERROR:
            case simdjson::NUMBER_OUT_OF_RANGE:
            case simdjson::STRING_ERROR:
            case simdjson::T_ATOM_ERROR:
            case simdjson::F_ATOM_ERROR:
            case simdjson::N_ATOM_ERROR: return Read::Wrong;
            default: return fail(e);
        }
    }
    // A token On-Demand cannot type (NaN, Infinity, a bare word) counts as a wrong value.
    Read kind(od::value& v, od::json_type& t) {
        if (v.type().get(t) != simdjson::SUCCESS) return Read::Wrong;
        return t == od::json_type::null ? Read::Null : Read::Ok;
    }
    Read expect(od::value& v, od::json_type want) {
        od::json_type t;
        const Read k = kind(v, t);
        if (k != Read::Ok) return k;
        return t == want ? Read::Ok : Read::Wrong;
    }

    Read string(od::value& v, std::string_view& out) {
        const Read k = expect(v, od::json_type::string);
        if (k != Read::Ok) return k;
        const error_code e = v.get_string().get(out);
        return e ? classify(e) : Read::Ok;
    }
    Read number(od::value& v, double& out) {
        const Read k = expect(v, od::json_type::number);
        if (k != Read::Ok) return k;
        const error_code e = v.get_double().get(out);
        if (e) return classify(e);
        return std::isfinite(out) ? Read::Ok : Read::Wrong;
    }
    Read integer(od::value& v, int64_t& out) {
        const Read k = expect(v, od::json_type::number);
        if (k != Read::Ok) return k;
        if (v.get_int64().get(out) == simdjson::SUCCESS) return Read::Ok;
        // 20.0 is an integer too; 20.5 or 1e30 is not.
        double d = 0;
        const error_code e = v.get_double().get(d);
        if (e) return classify(e);
        if (!std::isfinite(d) || d != std::trunc(d) || d < -9.2e18 || d > 9.2e18) return Read::Wrong;
        out = static_cast<int64_t>(d);
        return Read::Ok;
    }
    Read integer32(od::value& v, int& out) {
        int64_t wide = 0;
        const Read r = integer(v, wide);
        if (r != Read::Ok) return r;
        if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) return Read::Wrong;
        out = static_cast<int>(wide);
        return Read::Ok;
    }
    Read boolean(od::value& v, bool& out) {
        const Read k = expect(v, od::json_type::boolean);
        if (k != Read::Ok) return k;
        const error_code e = v.get_bool().get(out);
        return e ? classify(e) : Read::Ok;
    }
    Read object(od::value& v, od::object& out) {
        const Read k = expect(v, od::json_type::object);
        if (k != Read::Ok) return k;
        const error_code e = v.get_object().get(out);
        return e ? fail(e) : Read::Ok;
    }
    Read array(od::value& v, od::array& out) {
        const Read k = expect(v, od::json_type::array);
        if (k != Read::Ok) return k;
        const error_code e = v.get_array().get(out);
        return e ? fail(e) : Read::Ok;
    }
    // Ids are strings or numbers (the SPA coerces numbers to strings); trimmed (§4.4).
    Read idText(od::value& v, std::string_view& out) {
        od::json_type t;
        const Read k = kind(v, t);
        if (k != Read::Ok) return k;
        if (t == od::json_type::string) {
            const error_code e = v.get_string().get(out);
            if (e) return classify(e);
            out = trimView(out);
            return Read::Ok;
        }
        if (t == od::json_type::number) {
            double d = 0;
            if (v.get_double().get(d) != simdjson::SUCCESS) return Read::Wrong;
            out = trimView(v.raw_json_token());
            return Read::Ok;
        }
        return Read::Wrong;
    }
    // A number, or a string holding one ("50" -> 50), as the SPA's coercing schema accepts.
    Read numberLoose(od::value& v, double& out) {
        od::json_type t;
        const Read k = kind(v, t);
        if (k != Read::Ok) return k;
        if (t == od::json_type::number) return number(v, out);
        if (t != od::json_type::string) return Read::Wrong;
        std::string_view text;
        const error_code e = v.get_string().get(text);
        if (e) return classify(e);
        text = trimView(text);
        if (!text.empty() && text.front() == '+') text.remove_prefix(1);
        if (text.empty() ||
            !((text.front() >= '0' && text.front() <= '9') || text.front() == '-' || text.front() == '.'))
            return Read::Wrong;  // also keeps "nan" and "inf" out
        const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size() || !std::isfinite(out)) return Read::Wrong;
        return Read::Ok;
    }

    // "string \"abc\"", "number -5", "null", "an object": what a wrong value was, for a warning.
    // Only called on values a read has not consumed.
    std::string describe(od::value& v) {
        od::json_type t;
        if (v.type().get(t) != simdjson::SUCCESS)
            return "an invalid token " + excerpt(trimView(v.raw_json_token()), 24);
        switch (t) {
            case od::json_type::object: return "an object";
            case od::json_type::array: return "an array";
            case od::json_type::null: return "null";
            case od::json_type::number: {
                double d = 0;
                const bool representable = v.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d);
                return std::string(representable ? "number " : "an out-of-range number ") +
                       excerpt(trimView(v.raw_json_token()), 24);
            }
            default: return std::string(typeName(t)) + " " + excerpt(trimView(v.raw_json_token()), 40);
        }
    }
    std::string problem(std::string_view field, std::string_view expected, od::value& v) {
        std::string s(field);
        s += " must be ";
        s += expected;
        s += ", got ";
        s += describe(v);
        return s;
    }
};

// A hostile list of 500,000 bad entries must not become 500,000 warning strings: the first
// ones are kept, the rest only counted.
constexpr size_t kMaxWarnings = 100;

// Warnings of one payload, with the entry's name in front ("result #2: ...").
struct Notes {
    std::vector<std::string>& out;
    size_t& dropped;  // warnings beyond kMaxWarnings
    std::string_view label;
    size_t index = 0;
    bool hasIndex = false;

    void add(std::string text) const {
        if (out.size() >= kMaxWarnings) {
            ++dropped;
            return;
        }
        std::string s = hasIndex ? indexed(label, index) : std::string(label);
        s += ": ";
        s += text;
        out.push_back(std::move(s));
    }
    void ignored(std::string text) const { add(std::move(text) + "; ignored"); }
};

// The key of a field, as written. Keys with escapes never match our (plain) names, so the raw
// bytes up to the first quote are enough to dispatch on; extra keys are unescaped separately.
inline std::string_view rawKey(od::field& f) noexcept {
    const char* begin = f.key().raw();
    const char* end = begin;
    while (*end != '"') ++end;  // stage 1 guaranteed the closing quote
    return {begin, static_cast<size_t>(end - begin)};
}

// The enum of `key` in a field table, or K{} (Unknown) when it is not there.
template <class K, size_t N>
K lookup(std::string_view key, const std::array<std::pair<std::string_view, K>, N>& table) noexcept {
    for (const auto& [name, k] : table)
        if (name.size() == key.size() && std::memcmp(name.data(), key.data(), key.size()) == 0) return k;
    return K{};
}

}  // namespace genmon::protocol::detail
