#pragma once
// Force-included into every test: lets doctest print std::string_view in failed CHECKs.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace doctest {
template <>
struct StringMaker<std::string_view> {
    static String convert(std::string_view v) { return String(std::string(v).c_str()); }
};
}  // namespace doctest
