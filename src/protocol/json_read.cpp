#include "protocol/json_read.hpp"

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

bool nestsDeeperThan(std::string_view json, size_t limit) noexcept {
    // Fast path: nesting can never be deeper than the number of '[' and '{' bytes in the text
    // (inside strings or not). A WebSocket frame has a handful, so the string-aware scan below
    // (a fifth of a small frame's decode + apply, issue 8 figure 2) is skipped. The count runs
    // in blocks of 255 bytes with byte-wide sums, which the compiler vectorises, and stops as
    // soon as it passes the limit, so a large body pays for a block or two only.
    // '[' is 0x5B and '{' is 0x7B: they differ in bit 0x20 alone.
    {
        const auto* b = reinterpret_cast<const unsigned char*>(json.data());
        size_t left = json.size(), opens = 0;
        while (left > 0) {
            const size_t n = left < 255 ? left : 255;
            unsigned char k = 0;
            for (size_t i = 0; i < n; ++i) k = static_cast<unsigned char>(k + ((b[i] | 0x20) == 0x7B));
            opens += k;
            if (opens > limit) break;
            b += n;
            left -= n;
        }
        if (opens <= limit) return false;
    }

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

}  // namespace genmon::protocol::detail
