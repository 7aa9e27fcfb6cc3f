#pragma once
// Shared by the sim's tests: starting a sim, parsing JSON, comparing JSON shapes with fixtures.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "sim/sim_server.hpp"
#include "sim_client.hpp"
#include "test_support.hpp"

namespace genmon::simtest {

// A parsed JSON document that owns its parser.
struct Json {
    std::unique_ptr<simdjson::dom::parser> parser = std::make_unique<simdjson::dom::parser>();
    simdjson::dom::element root;
    bool ok = false;

    explicit Json(std::string_view text) {
        ok = parser->parse(text.data(), text.size()).get(root) == simdjson::SUCCESS;
    }
    simdjson::dom::element operator[](std::string_view key) const { return root[key].value(); }
    std::string str(std::string_view key) const { return std::string(std::string_view(root[key].value())); }
};

inline std::string minified(simdjson::dom::element e) { return simdjson::minify(e); }

// An options set for deterministic tests: no scenario traffic, the clock moves only by advance().
inline sim::SimOptions quietOptions() {
    sim::SimOptions o;
    o.scenario = "idle";
    o.manualClock = true;
    o.durationJitter = 0.0;
    o.imageSize = 64;  // small PNGs keep the tests quick; the renderer is the same
    return o;
}

inline std::unique_ptr<sim::SimServer> startSim(sim::SimOptions options = quietOptions()) {
    auto started = sim::SimServer::start(std::move(options));
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? std::string() : started.error().message));
    return std::move(started).value();
}

inline std::string prefixed(const sim::SimServer& server, std::string_view route) {
    return server.options().prefix + std::string(route);
}

// "" when `actual` has the shape of `expected`: the same keys, and values of the same JSON type,
// recursively (integers and floats are different types, as in Python's output). A null in the
// expected document matches anything; an array's elements are compared with its first element.
std::string shapeMismatch(simdjson::dom::element expected, simdjson::dom::element actual, const std::string& path = "$");

struct Fixture {
    int status = 0;
    std::string contentType;  // empty when the capture has none (null or absent)
    std::string body;         // minified JSON of "body"; "null" when empty
};
Fixture loadFixture(const std::string& name);

}  // namespace genmon::simtest
