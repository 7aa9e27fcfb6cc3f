#pragma once
// Small helpers shared by the protocol tests.
#include <doctest/doctest.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace genmon::test {

// The model's text fields may be std::string or a shared text type: compare through a view,
// which doctest can print.
template <class S>
std::string_view sv(const S& s) {
    return std::string_view(s);
}

// Concatenation without `"literal" + std::string(...)`, which trips GCC 12's -Wrestrict
// false positive under -O3 -Werror.
template <class... Parts>
std::string cat(const Parts&... parts) {
    std::string s;
    (s.append(std::string_view(parts)), ...);
    return s;
}

// "[a,b,c]" from JSON texts.
inline std::string jsonArray(std::initializer_list<std::string_view> items) {
    std::string s = "[";
    for (const std::string_view item : items) {
        if (s.size() > 1) s += ',';
        s.append(item);
    }
    s += ']';
    return s;
}

// The error text of an Outcome, or "" when it succeeded; safe inside *_MESSAGE macros, whose
// message doctest also evaluates when reporting successes (-s).
template <class O>
std::string why(const O& outcome) {
    return outcome.ok() ? std::string() : outcome.error().message;
}

inline bool anyContains(const std::vector<std::string>& lines, std::string_view needle) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

inline std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

// A body whose capacity leaves simdjson's padding free, as a transport that reserves it would
// hand over: the decoder then parses it in place.
inline std::string withSlack(std::string_view text) {
    std::string s;
    s.reserve(text.size() + 128);
    s.assign(text);
    return s;
}

// A body with no spare capacity: the decoder must copy it into its own padded buffer.
inline std::string tight(std::string_view text) {
    std::string s(text);
    s.shrink_to_fit();
    return s;
}

}  // namespace genmon::test
