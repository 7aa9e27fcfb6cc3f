#pragma once
// Internal to src/protocol: the one reader core every decoder is written on. Not part of the
// protocol API: include it only from src/protocol/*.cpp (and its tests). In this file, in order:
//   - text helpers for messages (trim, excerpt, "label #3");
//   - Reader: typed reads of one simdjson On-Demand value. It tells a value of the wrong type
//     (Read::Wrong: the field is ignored or its entry dropped) from a broken document
//     (Read::Broken: the whole payload fails);
//   - Notes: the readable warnings of one payload, capped;
//   - Field, FieldTable, In: the one way a decoder reads an object's fields. A table maps each
//     name to a handler, with its Rule (what null and a wrong type do) and what the field must
//     be ("an integer or null"); ReaderCore::readFields walks the object and applies the rules,
//     so every "must be ..., got ...; ignored" warning is written in one place;
//   - ReaderCore: the parser and its padding, the limits (depth defence, list caps), the tally,
//     and run(), which every decode call goes through.
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/error.hpp"
#include "model/text.hpp"
#include "model/timestamp.hpp"
#include "protocol/decode.hpp"

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
// True when `json` has at most `limit` '[' and '{' bytes (in strings or not): then it cannot
// nest deeper than limit. Vectorised; stops as soon as the count passes the limit.
bool opensAtMost(std::string_view json, size_t limit) noexcept;
// nestsDeeperThan for a document simdjson has just indexed (iterate, nothing read yet): the
// walk goes over stage 1's structural characters, so strings cost nothing.
bool structuralsNestDeeperThan(const od::document& doc, size_t limit) noexcept;

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
    // number() and integer() try the parse first: it only succeeds on a number token, and a
    // failed one leaves the value to the typed path below (issue 16.3: skipping the type test
    // saved 0.7 % of a /jobs/active decode's instructions).
    Read number(od::value& v, double& out) {
        if (v.get_double().get(out) == simdjson::SUCCESS) return std::isfinite(out) ? Read::Ok : Read::Wrong;
        const Read k = expect(v, od::json_type::number);
        if (k != Read::Ok) return k;
        const error_code e = v.get_double().get(out);
        if (e) return classify(e);
        return std::isfinite(out) ? Read::Ok : Read::Wrong;
    }
    Read integer(od::value& v, int64_t& out) {
        if (v.get_int64().get(out) == simdjson::SUCCESS) return Read::Ok;
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

// ---------------------------------------------------------------------------------------------
// Field tables: the one way to read an object's fields

// What a field's value of the wrong type does, and whether null counts as one.
enum class Rule : uint8_t {
    Warn,     // null leaves it unset; another type: "<name> must be <expected>, got ...; ignored"
    Reject,   // null leaves it unset; another type drops the entry ("<name> must be ..., got ...")
    Require,  // null or another type drops the entry (whether it is present is the payload's check)
    Quiet,    // null and another type are skipped silently (answers that have no warning list)
};

// Common "must be ..." texts, so the same field reads the same in every warning.
inline constexpr const char* kString = "a string";
inline constexpr const char* kStringOrNull = "a string or null";
inline constexpr const char* kIntegerOrNull = "an integer or null";
inline constexpr const char* kNumberOrNull = "a number or null";
inline constexpr const char* kObjectOrNull = "an object or null";

struct ReaderCore;

// Issue 16.3: texts that repeat from job to job (a sampler's name, a negative prompt, the
// backend, a status message) and the params' prompt, which repeats the job's, share one
// allocation: the last few values of a field are kept and handed out again when the same
// bytes come back. Fewer allocations to decode, and fewer scattered reference counts for
// every new version of a job to touch.
template <size_t Slots>
struct RecentTexts {
    std::array<model::Text, Slots> slots;
    size_t next = 0;
    const model::Text& get(std::string_view s) {
        for (const model::Text& t : slots)
            if (t.size() == s.size() && std::memcmp(t.data(), s.data(), s.size()) == 0) return t;
        model::Text& slot = slots[next];
        next = (next + 1) % Slots;
        slot = model::Text(s);
        return slot;
    }
};
struct FieldTexts {
    RecentTexts<1> prompt;  // a prompt is new with each job; its params repeat it
    RecentTexts<8> negativePrompt, sampler, backend, message, error;
};

// One field being read, as its handler sees it. The typed reads return what Reader's do; a
// handler returns Read::Wrong for a value it cannot use and lets the table's rule decide.
struct In {
    ReaderCore& core;
    Reader& rd;
    od::field& field;
    od::value& value;
    std::string_view key;     // as written; keys with escapes never match a table's plain names
    const Notes& notes;       // the entry's warnings, for nested objects and custom texts
    std::string_view prefix;  // in front of the key in warnings: "params.", "sdnext."
    std::string* reason;      // why the entry is dropped, where entries can be; else null

    // `out` changes only when the read is Ok.
    Read text(std::string_view& out) {
        std::string_view t;
        const Read r = rd.string(value, t);
        if (r == Read::Ok) out = t;
        return r;
    }
    template <class S>
    Read text(std::optional<S>& out) {
        std::string_view t;
        const Read r = rd.string(value, t);
        if (r == Read::Ok) setOptText(out, t);
        return r;
    }
    // Read always (a wrong type still counts), kept only when `out` has no value yet.
    template <class S>
    Read firstText(std::optional<S>& out) {
        std::string_view t;
        const Read r = rd.string(value, t);
        if (r == Read::Ok && !out) setOptText(out, t);
        return r;
    }
    template <class S>
    Read textTo(S& out) {
        std::string_view t;
        const Read r = rd.string(value, t);
        if (r == Read::Ok) setText(out, t);
        return r;
    }
    // A text that often repeats, shared with its last occurrences (RecentTexts).
    template <size_t Slots>
    Read recentText(std::optional<model::Text>& out, RecentTexts<Slots>& recent) {
        std::string_view t;
        const Read r = rd.string(value, t);
        if (r == Read::Ok) out = recent.get(t);
        return r;
    }
    Read id(std::string_view& out) {
        std::string_view t;
        const Read r = rd.idText(value, t);
        if (r == Read::Ok) out = t;
        return r;
    }
    Read integer(std::optional<int>& out) {
        int i = 0;
        const Read r = rd.integer32(value, i);
        if (r == Read::Ok) out = i;
        return r;
    }
    Read integer(std::optional<int64_t>& out) {
        int64_t i = 0;
        const Read r = rd.integer(value, i);
        if (r == Read::Ok) out = i;
        return r;
    }
    Read number(std::optional<double>& out) {
        double d = 0;
        const Read r = rd.number(value, d);
        if (r == Read::Ok) out = d;
        return r;
    }
    Read boolean(bool& out) { return rd.boolean(value, out); }
    Read timestamp(model::Timestamp& out) {
        std::string_view t;
        const Read r = rd.string(value, t);
        if (r == Read::Ok) out = model::Timestamp::parse(t);
        return r;
    }
    // Drops the entry with this reason, unless an earlier field already did.
    void reject(std::string why) const {
        if (reason != nullptr && reason->empty()) *reason = std::move(why);
    }
};

// One row of a field table: the name, its rule, what it must be, and the handler that reads
// it into T (the model value, or a small struct around it with what the payload tracks).
template <class T>
struct Field {
    std::string_view name;
    Rule rule = Rule::Quiet;
    const char* expected = "";
    Read (*read)(In&, T&) = nullptr;
};

// The rows of one object's fields. Built at compile time by fieldTable(), which refuses an
// empty or repeated name; read by ReaderCore::readFields<Table>.
template <class T, size_t N>
struct FieldTable {
    static constexpr size_t size = N;
    std::array<Field<T>, N> rows{};
    Field<T> other{};  // for keys not in the table; no handler: skipped
};

void fieldNameEmptyOrRepeated();  // not constexpr: a table that has one does not compile

template <class T, size_t N>
constexpr FieldTable<T, N> fieldTable(const Field<T> (&fields)[N], Field<T> other = {}) {
    FieldTable<T, N> t;
    for (size_t i = 0; i < N; ++i) {
        if (fields[i].name.empty()) fieldNameEmptyOrRepeated();
        for (size_t j = 0; j < i; ++j)
            if (fields[j].name == fields[i].name) fieldNameEmptyOrRepeated();
        t.rows[i] = fields[i];
    }
    t.other = other;
    return t;
}

// A name's bytes as a little-endian word, as std::memcpy reads them from a key at run time.
static_assert(std::endian::native == std::endian::little, "field names are compared as little-endian words");
constexpr uint64_t littleEndianWord(std::string_view s, size_t at, size_t bytes) noexcept {
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(s[at + i])} << (8 * i);
    return v;
}

// Is `key` the name of row I? Everything but the key is a compile-time constant, so this is a
// length test and one or two word compares against immediates (overlapping words, so nothing
// past the key is read), as the `key == "..."` chains it replaced compiled to.
template <const auto& Table, size_t I>
[[gnu::always_inline]] inline bool isRow(std::string_view key) noexcept {
    constexpr std::string_view name = Table.rows[I].name;
    constexpr size_t n = name.size();
    if (key.size() != n) return false;
    const char* k = key.data();
    if constexpr (n >= 8) {
        uint64_t head, tail;
        std::memcpy(&head, k, 8);
        std::memcpy(&tail, k + n - 8, 8);
        // constexpr locals: GCC otherwise left the word building as a call per compare.
        constexpr uint64_t wantHead = littleEndianWord(name, 0, 8), wantTail = littleEndianWord(name, n - 8, 8);
        if (head != wantHead || tail != wantTail) return false;
        if constexpr (n > 16) return std::memcmp(k + 8, name.data() + 8, n - 16) == 0;
        return true;
    } else if constexpr (n >= 4) {
        uint32_t head, tail;
        std::memcpy(&head, k, 4);
        std::memcpy(&tail, k + n - 4, 4);
        constexpr auto wantHead = static_cast<uint32_t>(littleEndianWord(name, 0, 4));
        constexpr auto wantTail = static_cast<uint32_t>(littleEndianWord(name, n - 4, 4));
        return head == wantHead && tail == wantTail;
    } else {
        for (size_t i = 0; i < n; ++i)
            if (k[i] != name[i]) return false;
        return true;
    }
}

// The row of Table named `key`, or Table.size when there is none. The rows are tried in the
// order they are written: put the fields the backend sends most, in its order, first.
template <const auto& Table, size_t... I>
size_t fieldIndex(std::string_view key, std::index_sequence<I...>) noexcept {
    size_t found = sizeof...(I);
    (void)((isRow<Table, I>(key) ? (found = I, true) : false) || ...);
    return found;
}
template <const auto& Table>
size_t fieldIndex(std::string_view key) noexcept {
    return fieldIndex<Table>(key, std::make_index_sequence<std::remove_cvref_t<decltype(Table)>::size>{});
}

// Calls row i's handler of Table. A fold over the rows rather than a call through the row's
// pointer: each call then has a target known at compile time, which the compiler inlines as
// it would the cases of a hand-written switch (calling through the pointer cost 1 % more
// instructions on /jobs/active and on progress frames; docs/architecture.md).
template <const auto& Table, class T, size_t... I>
Read callRow(size_t i, In& in, T& target, std::index_sequence<I...>) {
    Read r = Read::Ok;
    (void)((i == I ? (r = Table.rows[I].read(in, target), true) : false) || ...);
    return r;
}

// ---------------------------------------------------------------------------------------------
// ReaderCore

// How much decoding one core has done: every call counts, failed ones too (live metrics).
// Issue 16.1: two clock reads cost a WebSocket frame about a tenth of its decode, so bodies
// under kTallyTimedBytes are timed one call in kTallySampleEvery and that time is counted
// kTallySampleEvery times (an estimate of the sum; the first small call is always timed).
// Larger bodies, where the clock is noise, are always timed.
inline constexpr size_t kTallyTimedBytes = 4096;
inline constexpr uint32_t kTallySampleEvery = 16;

struct TallyScope {
    TallyScope(DecodeTally& t, size_t bytes, uint32_t& smallCalls) : tally(t) {
        if (bytes >= kTallyTimedBytes)
            weight = 1;
        else if (smallCalls++ % kTallySampleEvery == 0)
            weight = kTallySampleEvery;
        if (weight != 0) start = std::chrono::steady_clock::now();
    }
    ~TallyScope() {
        ++tally.decodes;
        if (weight == 0) return;
        ++tally.timed;
        tally.nanos += weight * std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count();
    }
    TallyScope(const TallyScope&) = delete;
    TallyScope& operator=(const TallyScope&) = delete;
    DecodeTally& tally;
    int64_t weight = 0;  // how many calls this one's time stands for; 0: not timed
    std::chrono::steady_clock::time_point start{};
};

struct ReaderCore {
    explicit ReaderCore(DecodeLimits l);
    ReaderCore(const ReaderCore&) = delete;
    ReaderCore& operator=(const ReaderCore&) = delete;

    DecodeLimits limits;
    od::parser parser;
    od::parser nestedParser;       // JSON inside JSON: generation_info as text, a job's stored result
    std::unique_ptr<char[]> copy;  // padded copy of bodies without spare capacity, reused
    size_t copyCapacity = 0;
    std::string scratch;        // minified subtrees, reused
    std::string nestedScratch;  // padded text for nestedParser, reused
    std::vector<std::string> discarded;  // warnings of answers that keep none (job detail's params)
    uint64_t idState = 0;       // generated job ids (§4.4), splitmix64
    Reader rd;
    const char* bodyBegin = nullptr;
    size_t bodySize = 0;
    size_t droppedWarnings = 0;
    DecodeTally tally;
    FieldTexts recent;        // repeated texts of jobs and their params, shared
    uint32_t smallCalls = 0;  // small bodies decoded, for TallyScope's sampling

    // -- one decode call -------------------------------------------------------------------

    // Runs decode(doc) on the body with the checks every payload shares: depth, syntax,
    // trailing content, the warning cap, the tally. decode returns an Outcome; a broken
    // document turns into an error naming simdjson's code and the byte.
    template <class T, class F>
    model::Outcome<T> run(const std::string& body, std::string_view what, F&& decode) {
        const TallyScope timed(tally, body.size(), smallCalls);
        rd = Reader{};
        droppedWarnings = 0;
        discarded.clear();
        // The depth defence (issue 9), in two steps: a body with at most maxDepth '[' and '{'
        // bytes cannot nest deeper (a WebSocket frame stops here); any other is checked on
        // simdjson's stage-1 structural indexes, which skip strings already, before On-Demand
        // reads a value (issue 16.3: the string-aware byte scan was a fifth of a large decode).
        const bool mayNest = !opensAtMost(body, limits.maxDepth);
        const simdjson::padded_string_view view = padded(body);
        bodyBegin = view.data();
        bodySize = body.size();
        od::document doc;
        if (const error_code e = parser.iterate(view).get(doc)) {
            if (mayNest && nestsDeeperThan(body, limits.maxDepth)) return tooDeep(what);
            return decodeError(syntaxError(what, e, nullptr));
        }
        if (mayNest && structuralsNestDeeperThan(doc, limits.maxDepth)) return tooDeep(what);
        model::Outcome<T> out = decode(doc);
        if (rd.broken) return decodeError(syntaxError(what, rd.broken, &doc));
        if (!out.ok() && out.error().message.empty()) return decodeError(std::string(what) + ": could not be decoded");
        if (!out.ok()) return out;
        if (const char* at = nullptr; doc.current_location().get(at) == simdjson::SUCCESS)
            return decodeError(trailingText(what, at));
        if constexpr (requires { out.value().warnings; }) {
            if (droppedWarnings > 0)
                out.value().warnings.push_back(std::string(what) + ": " + std::to_string(droppedWarnings) +
                                               " more warnings were left out");
        }
        return out;
    }

    // The body as simdjson wants it: in place when its capacity leaves the padding free.
    simdjson::padded_string_view padded(const std::string& body) {
        if (body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING)
            return simdjson::padded_string_view(body.data(), body.size(), body.capacity());
        return paddedCopy(body);
    }
    simdjson::padded_string_view paddedCopy(const std::string& body);
    Error tooDeep(std::string_view what) const;
    std::string syntaxError(std::string_view what, error_code e, od::document* doc) const;
    std::string trailingText(std::string_view what, const char* at) const;

    // Walks the whole document again so run() can check for text after it. Needed where a
    // decode stops inside the root (a WebSocket envelope's data, a job detail's delivery).
    bool consumeAll(od::document& doc);
    // On-Demand abandons a document after a fatal error and rewinding it then would crash;
    // every rewind goes through here.
    bool rewound(od::document& doc) {
        if (!doc.is_alive()) return rd.fail(simdjson::TAPE_ERROR), false;
        doc.rewind();
        return true;
    }
    // The root as the expected container, or false with `problem` naming what came instead
    // (problem stays empty when the document is broken).
    bool rootArray(od::document& doc, od::array& arr, std::string_view what, std::string& problem);
    bool rootObject(od::document& doc, od::object& obj, std::string_view what, std::string& problem);

    // -- fields and lists ------------------------------------------------------------------

    // Reads every field of obj through Table (a constexpr FieldTable). False only when the
    // document is broken.
    template <const auto& Table, class T>
    bool readFields(od::object& obj, T& target, const Notes& notes, std::string_view prefix = {},
                    std::string* reason = nullptr) {
        constexpr size_t N = std::remove_cvref_t<decltype(Table)>::size;
        od::field field;
        In in{*this, rd, field, field.value(), {}, notes, prefix, reason};  // made once: a field changes only key
        for (auto fieldResult : obj) {
            if (const error_code e = std::move(fieldResult).get(field)) return rd.fail(e), false;
            in.key = rawKey(field);
            const size_t row = fieldIndex<Table>(in.key);
            Read r;
            const Field<T>* f;
            if (row < N) {
                r = callRow<Table>(row, in, target, std::make_index_sequence<N>{});
                f = &Table.rows[row];
            } else {
                if constexpr (Table.other.read == nullptr) {
                    continue;
                } else {
                    r = Table.other.read(in, target);
                    f = &Table.other;
                }
            }
            if (r == Read::Broken || rd.broken) return false;
            if (r == Read::Null && f->rule == Rule::Require) r = Read::Wrong;
            if (r == Read::Wrong && f->rule != Rule::Quiet) wrongField(in, f->rule, f->expected);
        }
        return true;
    }
    // The rule of a wrong field applied: a warning, or the entry's reason to be dropped.
    void wrongField(In& in, Rule rule, const char* expected);

    // A list whose entries are validated one by one (like the web frontend's schemas): an
    // entry the reader rejects is dropped with a warning naming its index ("result #2: ...;
    // entry dropped"); entries after `limit` kept ones are counted, not read, and one warning
    // says how many ("3 more results beyond the limit of 1000 were left out").
    // readEntry(element, notes, reason) returns false only when the document is broken and
    // sets reason to drop the entry; it keeps the entry itself when reason stays empty.
    template <class F>
    bool readList(od::array& arr, std::vector<std::string>& warnings, std::string_view label, size_t limit,
                  F&& readEntry) {
        size_t index = 0, kept = 0, beyondLimit = 0;
        std::string reason;
        for (auto elementResult : arr) {
            od::value element;
            if (const error_code e = std::move(elementResult).get(element)) return rd.fail(e), false;
            const size_t at = index++;
            if (kept >= limit) {
                ++beyondLimit;
                continue;
            }
            const Notes notes{warnings, droppedWarnings, label, at, true};
            reason.clear();
            if (!readEntry(element, notes, reason) || rd.broken) return false;
            if (reason.empty())
                ++kept;
            else
                notes.add(reason + "; entry dropped");
        }
        if (beyondLimit > 0) warnings.push_back(beyondLimitText(beyondLimit, label, limit));
        return true;
    }
    static std::string beyondLimitText(size_t count, std::string_view label, size_t limit);

    // Notes whose warnings nobody reads (answers without a warning list).
    Notes quietNotes(std::string_view label) { return Notes{discarded, droppedWarnings, label}; }

    // -- raw subtrees ----------------------------------------------------------------------

    // The value's JSON text, minified into scratch. False when it could not be read (the
    // document may be broken: check rd.broken).
    bool minified(od::value& v, std::string_view& out);

    // Parses `text` (an object's JSON) with the nested parser and hands the object to visit.
    // Used for JSON carried as a string and for subtrees kept raw and also looked into.
    template <class F>
    bool withNestedObject(std::string_view text, F&& visit) {
        if (nestsDeeperThan(text, limits.maxDepth)) return false;
        nestedScratch.reserve(text.size() + simdjson::SIMDJSON_PADDING);
        nestedScratch.assign(text);
        od::document doc;
        if (nestedParser.iterate(nestedScratch.data(), nestedScratch.size(), nestedScratch.capacity()).get(doc))
            return false;
        od::object obj;
        if (doc.get_object().get(obj)) return false;
        Reader saved = rd;
        rd = Reader{};
        visit(obj);
        const bool ok = !rd.broken;
        rd = saved;
        return ok;
    }
};

}  // namespace genmon::protocol::detail
