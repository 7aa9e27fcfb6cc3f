// Issue 9 regressions found by fuzz/error_message.cpp: the server's error text is shown in the
// status bar and printed on stderr by --dump-snapshot, so it must be short and must not carry
// control characters (a hostile server could otherwise drive the terminal with ESC sequences).
#include <doctest/doctest.h>

#include <string>

#include "protocol/decode.hpp"

using genmon::protocol::errorMessageFromBody;

namespace {
bool printable(const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) return false;
        if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f &&
            static_cast<unsigned char>(s[i + 1]) >= 0x80)
            return false;
    }
    return true;
}
}  // namespace

TEST_CASE("issue 9: a 20000-character title is cut to 500 bytes with an ellipsis") {
    const std::string body = R"({"title":")" + std::string(20000, 'A') + R"("})";
    const std::string m = errorMessageFromBody(403, "Forbidden", body);
    CHECK(m.size() == 503);
    CHECK(m == std::string(500, 'A') + "...");
}

TEST_CASE("issue 9: escape sequences and control characters in the server's text become '?'") {
    const std::string m = errorMessageFromBody(400, "", R"({"title":"\u001b[2J\u001b]0;pwned\u0007 gone","detail":"a\u0000b\u009b31mc"})");
    CHECK(printable(m));
    CHECK(m == "?[2J?]0;pwned? gone: a?b?31mc");
    // The status text (from the status line, server-controlled too) is cleaned the same way.
    const std::string t = errorMessageFromBody(502, "Bad\x1b[31m Gateway", "");
    CHECK(printable(t));
    CHECK(t == "Bad?[31m Gateway");
    CHECK(printable(errorMessageFromBody(500, "", "\x1b[31mplain text\x7f")));
}

TEST_CASE("issue 9: other UTF-8 text is kept and never cut inside a character") {
    CHECK(errorMessageFromBody(404, "", R"({"detail":"Auftrag nicht gefunden: Größe"})") == "Auftrag nicht gefunden: Größe");
    std::string title;
    for (int i = 0; i < 400; ++i) title += "é";  // 2 bytes each: byte 500 falls inside one
    const std::string m = errorMessageFromBody(400, "", R"({"title":"x)" + title + R"("})");
    REQUIRE(m.size() >= 3);
    CHECK(m.substr(m.size() - 3) == "...");
    const std::string kept = m.substr(0, m.size() - 3);
    CHECK(kept.size() <= 500);
    CHECK(kept.size() % 2 == 1);  // "x" + whole characters
}
