#include "protocol/json_read.hpp"

#include <array>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace genmon::protocol::detail {

std::string excerpt(std::string_view text, size_t maxChars) {
    std::string out;
    bool space = false;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (out.size() >= maxChars) {
            out += "...";
            return out;
        }
        if (space) out += ' ';
        space = false;
        out += (c >= 0x20 && c < 0x7f) ? ch : '?';
    }
    return out;
}

const char* errorName(error_code e) noexcept {
    switch (e) {
        case simdjson::SUCCESS: return "SUCCESS";
        case simdjson::CAPACITY: return "CAPACITY";
        case simdjson::MEMALLOC: return "MEMALLOC";
        case simdjson::TAPE_ERROR: return "TAPE_ERROR";
        case simdjson::DEPTH_ERROR: return "DEPTH_ERROR";
        case simdjson::STRING_ERROR: return "STRING_ERROR";
        case simdjson::T_ATOM_ERROR: return "T_ATOM_ERROR";
        case simdjson::F_ATOM_ERROR: return "F_ATOM_ERROR";
        case simdjson::N_ATOM_ERROR: return "N_ATOM_ERROR";
        case simdjson::NUMBER_ERROR: return "NUMBER_ERROR";
        case simdjson::UTF8_ERROR: return "UTF8_ERROR";
        case simdjson::UNINITIALIZED: return "UNINITIALIZED";
        case simdjson::EMPTY: return "EMPTY";
        case simdjson::UNESCAPED_CHARS: return "UNESCAPED_CHARS";
        case simdjson::UNCLOSED_STRING: return "UNCLOSED_STRING";
        case simdjson::UNSUPPORTED_ARCHITECTURE: return "UNSUPPORTED_ARCHITECTURE";
        case simdjson::INCORRECT_TYPE: return "INCORRECT_TYPE";
        case simdjson::NUMBER_OUT_OF_RANGE: return "NUMBER_OUT_OF_RANGE";
        case simdjson::INDEX_OUT_OF_BOUNDS: return "INDEX_OUT_OF_BOUNDS";
        case simdjson::NO_SUCH_FIELD: return "NO_SUCH_FIELD";
        case simdjson::IO_ERROR: return "IO_ERROR";
        case simdjson::INVALID_JSON_POINTER: return "INVALID_JSON_POINTER";
        case simdjson::INVALID_URI_FRAGMENT: return "INVALID_URI_FRAGMENT";
        case simdjson::UNEXPECTED_ERROR: return "UNEXPECTED_ERROR";
        case simdjson::PARSER_IN_USE: return "PARSER_IN_USE";
        case simdjson::OUT_OF_ORDER_ITERATION: return "OUT_OF_ORDER_ITERATION";
        case simdjson::INSUFFICIENT_PADDING: return "INSUFFICIENT_PADDING";
        case simdjson::INCOMPLETE_ARRAY_OR_OBJECT: return "INCOMPLETE_ARRAY_OR_OBJECT";
        case simdjson::SCALAR_DOCUMENT_AS_VALUE: return "SCALAR_DOCUMENT_AS_VALUE";
        case simdjson::OUT_OF_BOUNDS: return "OUT_OF_BOUNDS";
        case simdjson::TRAILING_CONTENT: return "TRAILING_CONTENT";
        default: return "UNKNOWN_ERROR";
    }
}

bool opensAtMost(std::string_view json, size_t limit) noexcept {
    // '[' is 0x5B and '{' is 0x7B: they differ in bit 0x20 alone.
    const auto* b = reinterpret_cast<const unsigned char*>(json.data());
    size_t left = json.size(), opens = 0;
#if defined(__SSE2__)
    // 16 bytes a step: compare, subtract the 0xFF matches from byte counters, and add the
    // counters up every 255 steps (before they can wrap) or at the end. A 263-byte frame
    // costs ~80 instructions instead of ~250 for the byte loop (issue 16.1).
    const __m128i bit = _mm_set1_epi8(0x20), open = _mm_set1_epi8(0x7B), zero = _mm_setzero_si128();
    while (left >= 16) {
        __m128i counts = zero;
        const size_t steps = std::min<size_t>(left / 16, 255);
        for (size_t i = 0; i < steps; ++i, b += 16) {
            const __m128i v = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b)), bit);
            counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(v, open));
        }
        left -= steps * 16;
        const __m128i sums = _mm_sad_epu8(counts, zero);
        opens += static_cast<size_t>(_mm_cvtsi128_si32(sums)) + static_cast<size_t>(_mm_extract_epi16(sums, 4));
        if (opens > limit) return false;
    }
    for (; left > 0; --left, ++b) opens += (*b | 0x20) == 0x7B;
    return opens <= limit;
#else
    while (left > 0) {  // blocks of 255 bytes with byte-wide sums, which the compiler vectorises
        const size_t n = left < 255 ? left : 255;
        unsigned char k = 0;
        for (size_t i = 0; i < n; ++i) k = static_cast<unsigned char>(k + ((b[i] | 0x20) == 0x7B));
        opens += k;
        if (opens > limit) return false;
        b += n;
        left -= n;
    }
    return true;
#endif
}

namespace {
// simdjson keeps a document's iterator, and the iterator its last token, protected; pointers
// to the members, taken through derived classes, read them without changing anything.
struct DocumentIterator : od::document {
    static const od::json_iterator& of(const od::document& doc) noexcept { return doc.*(&DocumentIterator::iter); }
};
struct LastToken : od::json_iterator {
    static simdjson::SIMDJSON_BUILTIN_IMPLEMENTATION::ondemand::token_position of(const od::json_iterator& it) noexcept {
        return (it.*(&LastToken::last_position))();
    }
};

// '[' '{' ']' '}' as 1, anything else 0: four tokens are tested with one branch.
constexpr auto kBracket = [] {
    std::array<uint8_t, 256> t{};
    t['['] = t['{'] = t[']'] = t['}'] = 1;
    return t;
}();
}  // namespace

bool structuralsNestDeeperThan(const od::document& doc, size_t limit) noexcept {
    const od::json_iterator& it = DocumentIterator::of(doc);
    // Stage 1's structural indexes, in increasing byte order, from the root to the last one.
    const uint32_t* index = it.root_position();
    const uint32_t* const last = LastToken::of(it);
    const uint8_t* buf = it.peek(index) - *index;
    size_t depth = 0;
    auto step = [&](uint8_t c) {  // true when too deep
        c |= 0x20;                // '[' -> '{', ']' -> '}'
        if (c == '{') return ++depth > limit;
        depth -= depth > 0;  // '}': clamped at 0, like the byte scan
        return false;
    };
    // Brackets are a few tokens in a hundred in a list of objects: four tokens a step, and
    // only a step that holds one looks at them one by one.
    for (; last - index >= 4; index += 4) {
        const uint8_t c0 = buf[index[0]], c1 = buf[index[1]], c2 = buf[index[2]], c3 = buf[index[3]];
        if ((kBracket[c0] | kBracket[c1] | kBracket[c2] | kBracket[c3]) == 0) continue;
        for (const uint8_t c : {c0, c1, c2, c3})
            if (kBracket[c] && step(c)) return true;
    }
    for (; index <= last; ++index)
        if (kBracket[buf[*index]] && step(buf[*index])) return true;
    return false;
}

bool nestsDeeperThan(std::string_view json, size_t limit) noexcept {
    // Fast path: nesting can never be deeper than the number of '[' and '{' bytes in the text
    // (inside strings or not). A WebSocket frame has a handful, so the string-aware scan below
    // is skipped.
    if (opensAtMost(json, limit)) return false;

    const char* p = json.data();
    const char* const end = p + json.size();
    size_t depth = 0;
    while (p < end) {
        const char c = *p++;
        if (c == '"') {
            for (;;) {
                const auto* quote = static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end - p)));
                if (quote == nullptr) return false;  // unterminated string: the parser reports it
                const char* run = quote;
                while (run > p && run[-1] == '\\') --run;
                p = quote + 1;
                if (((quote - run) & 1) == 0) break;  // an even run of backslashes: the quote is real
            }
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return true;
        } else if (c == ']' || c == '}') {
            if (depth > 0) --depth;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// ReaderCore

ReaderCore::ReaderCore(DecodeLimits l) : limits(l) {
    idState = static_cast<uint64_t>(model::systemNowMicros()) ^ reinterpret_cast<uintptr_t>(this);
    // simdjson checks nesting against its own limit only in debug builds; the pre-scan
    // enforces ours. Keep simdjson's at least as high so the two never disagree.
    const size_t depth = std::max<size_t>(limits.maxDepth + 1, simdjson::DEFAULT_MAX_DEPTH);
    if (depth > simdjson::DEFAULT_MAX_DEPTH) {
        const error_code a = parser.allocate(4096, depth), b = nestedParser.allocate(4096, depth);
        (void)a, (void)b;  // a failure here is retried by the next parse's own allocation
    }
}

simdjson::padded_string_view ReaderCore::paddedCopy(const std::string& body) {
    const size_t need = body.size() + simdjson::SIMDJSON_PADDING;
    if (copyCapacity < need) {
        copyCapacity = std::max(need, copyCapacity + copyCapacity / 2);
        copy.reset(new char[copyCapacity]);
    }
    std::memcpy(copy.get(), body.data(), body.size());
    std::memset(copy.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
    return simdjson::padded_string_view(copy.get(), body.size(), copyCapacity);
}

Error ReaderCore::tooDeep(std::string_view what) const {
    std::string s(what);
    s += ": JSON nested deeper than ";
    appendNumber(s, limits.maxDepth);
    s += " levels; refused";
    return Error::make(ErrorKind::TooLarge, std::move(s));
}

std::string ReaderCore::syntaxError(std::string_view what, error_code e, od::document* doc) const {
    std::string s(what);
    if (e == simdjson::EMPTY) {
        s += ": empty body (expected JSON)";
        return s;
    }
    s += ": invalid JSON (";
    s += errorName(e);
    s += ": ";
    s += simdjson::error_message(e);
    s += ")";
    if (doc != nullptr && bodyBegin != nullptr) {
        const char* at = nullptr;
        if (doc->current_location().get(at) == simdjson::SUCCESS) {
            s += " near byte ";
            appendNumber(s, static_cast<uint64_t>(at - bodyBegin));
        }
    }
    return s;
}

std::string ReaderCore::trailingText(std::string_view what, const char* at) const {
    std::string s(what);
    s += ": unexpected text after the JSON value near byte ";
    appendNumber(s, static_cast<uint64_t>(at - bodyBegin));
    return s;
}

bool ReaderCore::consumeAll(od::document& doc) {
    if (!rewound(doc)) return false;
    if (const error_code e = doc.raw_json().error()) return rd.fail(e), false;
    return true;
}

bool ReaderCore::rootArray(od::document& doc, od::array& arr, std::string_view what, std::string& problem) {
    od::json_type t;
    if (const error_code e = doc.type().get(t)) return rd.fail(e), false;
    if (t != od::json_type::array) {
        problem = std::string(what) + ": expected a JSON array, got " + std::string(typeName(t));
        return false;
    }
    if (const error_code e = doc.get_array().get(arr)) return rd.fail(e), false;
    return true;
}

bool ReaderCore::rootObject(od::document& doc, od::object& obj, std::string_view what, std::string& problem) {
    od::json_type t;
    if (const error_code e = doc.type().get(t)) return rd.fail(e), false;
    if (t != od::json_type::object) {
        problem = std::string(what) + ": expected a JSON object, got " + std::string(typeName(t));
        return false;
    }
    if (const error_code e = doc.get_object().get(obj)) return rd.fail(e), false;
    return true;
}

void ReaderCore::wrongField(In& in, Rule rule, const char* expected) {
    std::string name(in.prefix);
    name += in.key;
    if (rule == Rule::Warn)
        in.notes.ignored(rd.problem(name, expected, in.value));
    else if (in.reason != nullptr && in.reason->empty())
        *in.reason = rd.problem(name, expected, in.value);
}

std::string ReaderCore::beyondLimitText(size_t count, std::string_view label, size_t limit) {
    std::string s = std::to_string(count) + " more " + std::string(label) + "s beyond the limit of ";
    appendNumber(s, limit);
    s += " were left out";
    return s;
}

bool ReaderCore::minified(od::value& v, std::string_view& out) {
    std::string_view raw;
    if (const error_code e = simdjson::to_json_string(v).get(raw)) {
        rd.classify(e);
        return false;
    }
    scratch.resize(raw.size());
    size_t length = 0;
    if (const error_code e = simdjson::minify(raw.data(), raw.size(), scratch.data(), length)) {
        rd.fail(e);
        return false;
    }
    scratch.resize(length);
    out = scratch;
    return true;
}

}  // namespace genmon::protocol::detail
