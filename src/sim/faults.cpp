#include "sim/faults.hpp"

#include <simdjson.h>

#include <array>
#include <vector>

#include "protocol/json_writer.hpp"

namespace genmon::sim {
namespace {

constexpr size_t kHugeBodyBytes = 10u << 20;

const std::string& garbage() {
    static const std::string bytes = [] {
        Rng rng(0x6a7ba6e);
        std::string out(kHugeBodyBytes, '\0');
        for (auto& c : out) c = static_cast<char>(rng.next() & 0xff);
        return out;
    }();
    return bytes;
}

void rewrite(protocol::JsonWriter& w, simdjson::dom::element value, Rng& rng) {
    using simdjson::dom::element_type;
    switch (value.type()) {
        case element_type::OBJECT:
            w.beginObject();
            for (auto [key, child] : simdjson::dom::object(value)) {
                w.key(key);
                rewrite(w, child, rng);
            }
            w.endObject();
            return;
        case element_type::ARRAY:
            w.beginArray();
            for (auto child : simdjson::dom::array(value)) rewrite(w, child, rng);
            w.endArray();
            return;
        default: break;
    }
    const std::string text = simdjson::minify(value);
    if (!rng.chance(0.5)) {
        w.raw(text);
        return;
    }
    switch (value.type()) {
        case element_type::STRING: w.value(static_cast<int64_t>(std::string_view(value).size())); break;  // "abc" -> 3
        case element_type::NULL_VALUE: w.value(false); break;
        default: w.value(text); break;  // 42 -> "42", true -> "true"
    }
}

// Breaks one structural character outside any string, so the text no longer parses.
void breakStructure(std::string& body, Rng& rng) {
    std::vector<size_t> candidates;
    bool inString = false;
    for (size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (inString) {
            if (c == '\\') ++i;
            else if (c == '"') inString = false;
            continue;
        }
        if (c == '"') inString = true;
        if (std::string_view("{}[]:,\"").find(c) != std::string_view::npos) candidates.push_back(i);
    }
    if (candidates.empty()) {
        body += '{';
        return;
    }
    const size_t at = candidates[rng.below(candidates.size())];
    body[at] = body[at] == '"' ? '\'' : '#';
}

}  // namespace

std::string mangleTypes(const std::string& json, Rng& rng) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json).get(doc) != simdjson::SUCCESS) return json;
    protocol::JsonWriter w;
    rewrite(w, doc, rng);
    return std::move(w).take();
}

DeliveryPlan FaultInjector::apply(const FaultOptions& f, HttpResponse& response) {
    DeliveryPlan plan;
    plan.latencyMs = std::max(0, f.latencyMs);
    if (rng_.chance(f.serverErrorRate)) {
        ++plan.faultsInjected;
        switch (rng_.below(3)) {
            case 0: response = problemResponse(500, "Internal Server Error", "simulated failure (genmon-sim fault injection)"); break;
            case 1:
                // What a reverse proxy says when the backend is gone.
                response = HttpResponse{502, "text/html",
                                        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                                        "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
                                        "</body>\r\n</html>\r\n",
                                        {}};
                break;
            default:
                response = HttpResponse{503, "text/plain; charset=utf-8", "Service Unavailable", {{"Retry-After", "1"}}};
                break;
        }
    } else if (response.status >= 200 && response.status < 300 && response.contentType == "application/json") {
        if (rng_.chance(f.hugeBodyRate)) {
            response.body = garbage();
            ++plan.faultsInjected;
        } else if (rng_.chance(f.truncatedJsonRate)) {
            response.body.resize(response.body.size() / 2);
            ++plan.faultsInjected;
        } else if (rng_.chance(f.malformedJsonRate)) {
            breakStructure(response.body, rng_);
            ++plan.faultsInjected;
        } else if (rng_.chance(f.wrongTypesRate)) {
            response.body = mangleTypes(response.body, rng_);
            ++plan.faultsInjected;
        }
    }
    if (rng_.chance(f.slowResponseRate)) {
        plan.slow = true;
        ++plan.faultsInjected;
    }
    return plan;
}

}  // namespace genmon::sim
