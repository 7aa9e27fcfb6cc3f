// Issue 9: the settings file never holds a secret. A backend URL with credentials in it
// (user:pw@host, refused by the transport) is not remembered in the URL history, so it is
// never written to settings.json nor offered again in the connect dialog.
#include <doctest/doctest.h>

#include "app/settings_store.hpp"

using namespace genmon;

TEST_CASE("issue 9: a URL with credentials is never remembered in the settings file") {
    app::Settings s;
    app::rememberUrl(s, "http://127.0.0.1:8000/api/v1");
    app::rememberUrl(s, "http://genmon:GENMON-SECRET-1@127.0.0.1:8000/api/v1");
    app::rememberUrl(s, "https://GENMON-SECRET-2@example.com/v1");
    app::rememberUrl(s, "http://user:GENMON-SECRET-3@");
    REQUIRE(s.urlHistory.size() == 1);
    CHECK(s.urlHistory.front() == "http://127.0.0.1:8000/api/v1");
    CHECK(app::encodeSettings(s).find("GENMON-SECRET") == std::string::npos);
    // An @ after the host (in the path) is no credential.
    app::rememberUrl(s, "http://example.com/users/@me");
    CHECK(s.urlHistory.front() == "http://example.com/users/@me");
}
