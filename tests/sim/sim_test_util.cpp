#include "sim_test_util.hpp"

#include <set>

namespace genmon::simtest {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string_view kindName(element e) {
    switch (e.type()) {
        case element_type::OBJECT: return "object";
        case element_type::ARRAY: return "array";
        case element_type::STRING: return "string";
        case element_type::INT64:
        case element_type::UINT64: return "integer";
        case element_type::DOUBLE: return "float";
        case element_type::BOOL: return "bool";
        case element_type::NULL_VALUE: return "null";
    }
    return "?";
}

}  // namespace

std::string shapeMismatch(element expected, element actual, const std::string& path) {
    if (expected.is_null()) return {};
    if (kindName(expected) != kindName(actual))
        return path + ": expected " + std::string(kindName(expected)) + ", got " + std::string(kindName(actual)) + " " +
               simdjson::minify(actual).substr(0, 80);
    if (expected.is_object()) {
        std::set<std::string_view> expectedKeys, actualKeys;
        for (auto field : simdjson::dom::object(expected)) expectedKeys.insert(field.key);
        for (auto field : simdjson::dom::object(actual)) actualKeys.insert(field.key);
        for (auto key : expectedKeys)
            if (!actualKeys.count(key)) return path + ": missing key " + std::string(key);
        for (auto key : actualKeys)
            if (!expectedKeys.count(key)) return path + ": unexpected key " + std::string(key);
        for (auto key : expectedKeys) {
            auto mismatch = shapeMismatch(expected[key].value(), actual[key].value(), path + "." + std::string(key));
            if (!mismatch.empty()) return mismatch;
        }
        return {};
    }
    if (expected.is_array()) {
        simdjson::dom::array expectedItems(expected), actualItems(actual);
        if (expectedItems.size() == 0) return {};
        if (actualItems.size() == 0) return path + ": expected a non-empty array";
        size_t index = 0;
        for (auto item : actualItems) {
            auto mismatch = shapeMismatch(expectedItems.at(0).value(), item, path + "[" + std::to_string(index++) + "]");
            if (!mismatch.empty()) return mismatch;
        }
    }
    return {};
}

Fixture loadFixture(const std::string& name) {
    static simdjson::dom::parser parser;  // tests run on one thread
    const std::string text = test::upstreamFixture(name);
    element doc;
    REQUIRE_MESSAGE(parser.parse(text).get(doc) == simdjson::SUCCESS, name);
    Fixture f;
    int64_t status = 0;
    if (doc["http_status"].get(status) == simdjson::SUCCESS) f.status = static_cast<int>(status);
    std::string_view contentType;
    if (doc["content_type"].get(contentType) == simdjson::SUCCESS) f.contentType = std::string(contentType);
    element body;
    f.body = doc["body"].get(body) == simdjson::SUCCESS ? simdjson::minify(body) : "null";
    return f;
}

}  // namespace genmon::simtest
