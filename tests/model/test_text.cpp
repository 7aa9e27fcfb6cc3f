// model::Text: the shared immutable string behind cheap job versions (decision 11).
#include <doctest/doctest.h>

#include <string>

#include "model/text.hpp"

using genmon::model::Text;

TEST_CASE("Text copies share storage and compare by value") {
    Text a("a lighthouse at dusk");
    Text b = a;
    CHECK(a.data() == b.data());  // shared, not copied
    CHECK(b == "a lighthouse at dusk");
    CHECK(Text(std::string("x")) == Text("x"));
    CHECK(Text("a") < Text("b"));
    Text moved = std::move(b);
    CHECK(moved == a);
    CHECK(b.empty());  // NOLINT: moved-from is empty by design
}

TEST_CASE("empty Text allocates nothing and is a valid C string") {
    Text e;
    CHECK(e.empty());
    CHECK(e.size() == 0);
    CHECK(std::string(e.c_str()).empty());
    CHECK(Text("").empty());
    Text s("abc");
    s = e;
    CHECK(s.empty());
    s = s;  // self-assignment keeps the value
    CHECK(s.empty());
}
