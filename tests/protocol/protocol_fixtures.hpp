#pragma once
// Reads the captured upstream responses (tests/fixtures/upstream/*.json): each file is
// {http_status, content_type, body, note}; the WebSocket captures hold messages[].
// The body is handed to the decoder as the exact JSON text the capture holds.
#include <simdjson.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.hpp"

namespace genmon::test {

struct HttpFixture {
    int httpStatus = 0;
    std::string body;  // raw JSON text of "body" ("null" when the capture had no body)
};

struct WsFixtureMessage {
    std::string dir;   // "in" (server -> client) or "out"
    std::string json;  // raw JSON text of "msg"
};

namespace detail {
inline void check(simdjson::error_code e, const std::string& what) {
    if (e != simdjson::SUCCESS) throw std::runtime_error(what + ": " + simdjson::error_message(e));
}
}  // namespace detail

inline HttpFixture httpFixture(const std::string& name) {
    namespace od = simdjson::ondemand;
    const simdjson::padded_string text(upstreamFixture(name));
    od::parser parser;
    od::document doc;
    detail::check(parser.iterate(text).get(doc), name);
    od::object root;
    detail::check(doc.get_object().get(root), name);
    HttpFixture out;
    out.body = "null";
    for (auto fieldResult : root) {
        od::field field;
        detail::check(std::move(fieldResult).get(field), name);
        std::string_view key;
        detail::check(field.unescaped_key().get(key), name);
        if (key == "http_status") {
            int64_t status = 0;
            detail::check(field.value().get_int64().get(status), name);
            out.httpStatus = static_cast<int>(status);
        } else if (key == "body") {
            std::string_view raw;
            detail::check(simdjson::to_json_string(field.value()).get(raw), name);
            out.body.assign(raw);
        }
    }
    return out;
}

inline std::vector<WsFixtureMessage> wsFixture(const std::string& name) {
    namespace od = simdjson::ondemand;
    const simdjson::padded_string text(upstreamFixture(name));
    od::parser parser;
    od::document doc;
    detail::check(parser.iterate(text).get(doc), name);
    od::array messages;
    detail::check(doc["messages"].get_array().get(messages), name);
    std::vector<WsFixtureMessage> out;
    for (auto entryResult : messages) {
        od::object entry;
        detail::check(entryResult.get_object().get(entry), name);
        WsFixtureMessage m;
        for (auto fieldResult : entry) {
            od::field field;
            detail::check(std::move(fieldResult).get(field), name);
            std::string_view key;
            detail::check(field.unescaped_key().get(key), name);
            if (key == "dir") {
                std::string_view dir;
                detail::check(field.value().get_string().get(dir), name);
                m.dir.assign(dir);
            } else if (key == "msg") {
                std::string_view raw;
                detail::check(simdjson::to_json_string(field.value()).get(raw), name);
                m.json.assign(raw);
            }
        }
        out.push_back(std::move(m));
    }
    return out;
}

// The same text without insignificant whitespace, for comparing JSON we write with a capture.
inline std::string minifiedJson(std::string_view json) {
    std::string out(json.size(), '\0');
    size_t length = 0;
    detail::check(simdjson::minify(json.data(), json.size(), out.data(), length), "minify");
    out.resize(length);
    return out;
}

}  // namespace genmon::test
