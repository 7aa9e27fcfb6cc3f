#include "sim/routes.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <variant>

#include "protocol/encode_wire.hpp"
#include "protocol/json_writer.hpp"

namespace genmon::sim {
namespace {

using protocol::JsonWriter;
using simdjson::dom::element;
using simdjson::dom::element_type;

// ---- URL pieces ---------------------------------------------------------------------------

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percentDecode(std::string_view s, bool plusIsSpace) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            const int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += (plusIsSpace && s[i] == '+') ? ' ' : s[i];
    }
    return out;
}

using Query = std::vector<std::pair<std::string, std::string>>;

Query parseQuery(std::string_view q) {
    Query out;
    while (!q.empty()) {
        const size_t amp = q.find('&');
        const std::string_view part = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (part.empty()) continue;
        const size_t eq = part.find('=');
        out.emplace_back(percentDecode(part.substr(0, eq), true),
                         eq == std::string_view::npos ? std::string{} : percentDecode(part.substr(eq + 1), true));
    }
    return out;
}

// Starlette keeps the last value of a repeated query parameter.
const std::string* queryValue(const Query& query, std::string_view name) {
    const std::string* found = nullptr;
    for (const auto& [k, v] : query)
        if (k == name) found = &v;
    return found;
}

std::vector<std::string_view> splitPath(std::string_view path) {
    std::vector<std::string_view> segments;
    size_t start = 1;  // skip the leading '/'
    while (start <= path.size()) {
        const size_t slash = path.find('/', start);
        const size_t end = slash == std::string_view::npos ? path.size() : slash;
        segments.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return segments;
}

// ---- FastAPI's 422 ----------------------------------------------------------------------

using protocol::wire::ValidationError;

std::string jsonString(std::string_view s) {
    JsonWriter w;
    w.value(s);
    return std::move(w).take();
}

HttpResponse validationResponse(const std::vector<ValidationError>& errors) {
    return jsonResponse(422, protocol::encodeValidationErrors(errors));
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    return text;
}

// A number in text as pydantic's lax mode reads it: surrounding spaces and a '+' are fine.
template <class Number>
std::optional<Number> parseNumberText(std::string_view text) {
    text = trimmed(text);
    Number value{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

// An integer query parameter with FastAPI's bounds: Query(default, ge=lo, le=hi).
int64_t queryInt(const Query& query, const char* name, int64_t fallback, int64_t lo, std::optional<int64_t> hi,
                 std::vector<ValidationError>& errors) {
    const std::string* text = queryValue(query, name);
    if (!text) return fallback;
    const auto value = parseNumberText<int64_t>(*text);
    if (!value) {
        errors.push_back({"int_parsing", {"query", name}, "Input should be a valid integer, unable to parse string as an integer",
                          jsonString(*text), ""});
        return fallback;
    }
    if (*value < lo) {
        errors.push_back({"greater_than_equal", {"query", name}, "Input should be greater than or equal to " + std::to_string(lo),
                          jsonString(*text), "{\"ge\":" + std::to_string(lo) + "}"});
        return fallback;
    }
    if (hi && *value > *hi) {
        errors.push_back({"less_than_equal", {"query", name}, "Input should be less than or equal to " + std::to_string(*hi),
                          jsonString(*text), "{\"le\":" + std::to_string(*hi) + "}"});
        return fallback;
    }
    return *value;
}

std::string queryEnum(const Query& query, const char* name, const char* fallback, std::initializer_list<const char*> allowed,
                      std::vector<ValidationError>& errors) {
    const std::string* text = queryValue(query, name);
    if (!text) return fallback;
    for (const char* option : allowed)
        if (*text == option) return *text;
    std::string expected;
    size_t i = 0;
    for (const char* option : allowed) {
        if (i > 0) expected += (i + 1 == allowed.size()) ? " or " : ", ";
        expected += std::string("'") + option + "'";
        ++i;
    }
    errors.push_back({"enum", {"query", name}, "Input should be " + expected, jsonString(*text),
                      "{\"expected\":" + jsonString(expected) + "}"});
    return fallback;
}

bool queryBool(const Query& query, const char* name, bool fallback, std::vector<ValidationError>& errors) {
    const std::string* text = queryValue(query, name);
    if (!text) return fallback;
    std::string lower = *text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* yes : {"1", "on", "t", "true", "y", "yes"})
        if (lower == yes) return true;
    for (const char* no : {"0", "off", "f", "false", "n", "no"})
        if (lower == no) return false;
    errors.push_back({"bool_parsing", {"query", name}, "Input should be a valid boolean, unable to interpret input",
                      jsonString(*text), ""});
    return fallback;
}

// ---- request bodies (SDNextGenerationParams) ---------------------------------------------

thread_local simdjson::dom::parser tlsParser;

struct BodyReader {
    element doc;
    simdjson::dom::object object;
    std::vector<ValidationError>& errors;

    std::optional<element> field(const char* name) {
        element value;
        if (object[name].get(value) != simdjson::SUCCESS) return std::nullopt;
        return value;
    }
    void fail(const char* name, const char* type, const char* msg, element value) {
        errors.push_back({type, {"body", name}, msg, simdjson::minify(value), ""});
    }

    void string(const char* name, std::string& out, bool required) {
        const auto value = field(name);
        if (!value) {
            if (required)
                errors.push_back({"missing", {"body", name}, "Field required", simdjson::minify(doc), ""});
            return;
        }
        std::string_view text;
        if (value->get_string().get(text) == simdjson::SUCCESS)
            out = std::string(text);
        else
            fail(name, "string_type", "Input should be a valid string", *value);
    }
    void optionalString(const char* name, std::optional<std::string>& out) {
        const auto value = field(name);
        if (!value || value->is_null()) return;
        std::string_view text;
        if (value->get_string().get(text) == simdjson::SUCCESS)
            out = std::string(text);
        else
            fail(name, "string_type", "Input should be a valid string", *value);
    }
    // pydantic's lax int: integers, integral floats, booleans and numeric strings.
    template <class Int>
    void integer(const char* name, Int& out) {
        const auto value = field(name);
        if (!value) return;
        std::optional<int64_t> parsed;
        switch (value->type()) {
            case element_type::INT64: parsed = int64_t(*value); break;
            case element_type::BOOL: parsed = bool(*value) ? 1 : 0; break;
            case element_type::DOUBLE: {
                const double d = double(*value);
                if (d != std::floor(d) || !std::isfinite(d)) {
                    fail(name, "int_from_float", "Input should be a valid integer, got a number with a fractional part", *value);
                    return;
                }
                if (std::fabs(d) < 9.2e18) parsed = static_cast<int64_t>(d);
                break;
            }
            case element_type::STRING:
                parsed = parseNumberText<int64_t>(std::string_view(*value));
                if (!parsed) {
                    fail(name, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", *value);
                    return;
                }
                break;
            default: break;
        }
        if (!parsed) {
            fail(name, "int_type", "Input should be a valid integer", *value);
            return;
        }
        out = static_cast<Int>(std::clamp<int64_t>(*parsed, std::numeric_limits<Int>::min(), std::numeric_limits<Int>::max()));
    }
    void number(const char* name, double& out) {
        const auto value = field(name);
        if (!value) return;
        switch (value->type()) {
            case element_type::INT64: out = static_cast<double>(int64_t(*value)); return;
            case element_type::UINT64: out = static_cast<double>(uint64_t(*value)); return;
            case element_type::DOUBLE: out = double(*value); return;
            case element_type::BOOL: out = bool(*value) ? 1.0 : 0.0; return;
            case element_type::STRING:
                if (const auto parsed = parseNumberText<double>(std::string_view(*value))) {
                    out = *parsed;
                    return;
                }
                fail(name, "float_parsing", "Input should be a valid number, unable to parse string as a number", *value);
                return;
            default: fail(name, "float_type", "Input should be a valid number", *value);
        }
    }
    void optionalNumber(const char* name, std::optional<double>& out) {
        const auto value = field(name);
        if (!value || value->is_null()) return;
        double d = 0;
        number(name, d);
        out = d;
    }
};

// Parses a JSON body; on failure adds FastAPI's error for it and returns nullopt.
std::optional<element> parseBody(const std::string& body, std::vector<ValidationError>& errors) {
    if (body.empty()) {
        errors.push_back({"missing", {"body"}, "Field required", "null", ""});
        return std::nullopt;
    }
    element doc;
    if (tlsParser.parse(body).get(doc) != simdjson::SUCCESS) {
        errors.push_back({"json_invalid", {"body", "0"}, "JSON decode error", "{}", "{\"error\":\"Expecting value\"}"});
        return std::nullopt;
    }
    return doc;
}

std::optional<model::GenerationRequest> readGenerationParams(const std::string& body, std::vector<ValidationError>& errors) {
    const auto doc = parseBody(body, errors);
    if (!doc) return std::nullopt;
    simdjson::dom::object object;
    if (doc->get_object().get(object) != simdjson::SUCCESS) {
        errors.push_back({"model_attributes_type", {"body"},
                          "Input should be a valid dictionary or object to extract fields from", simdjson::minify(*doc), ""});
        return std::nullopt;
    }
    const size_t before = errors.size();
    model::GenerationRequest r;
    BodyReader reader{*doc, object, errors};
    reader.string("prompt", r.prompt, true);
    reader.optionalString("negative_prompt", r.negative_prompt);
    reader.integer("steps", r.steps);
    reader.string("sampler_name", r.sampler_name, false);
    reader.number("cfg_scale", r.cfg_scale);
    reader.integer("width", r.width);
    reader.integer("height", r.height);
    reader.integer("seed", r.seed);
    reader.integer("batch_size", r.batch_size);
    reader.integer("n_iter", r.n_iter);
    reader.optionalNumber("denoising_strength", r.denoising_strength);
    if (errors.size() != before) return std::nullopt;
    return r;
}

struct GenerationCall {
    model::GenerationRequest request;
    DeliveryOptions delivery;
    std::string mode;
};

// The query and body of /generate and /queue-generation, or the answer that refuses them: a 422
// with every query and body error, as FastAPI collects them, else 400 for an unknown backend.
std::variant<GenerationCall, HttpResponse> readGenerationCall(const Query& query, const std::string& body,
                                                               const char* defaultMode) {
    std::vector<ValidationError> errors;
    GenerationCall call;
    const std::string* backend = queryValue(query, "backend");
    call.mode = queryEnum(query, "mode", defaultMode, {"immediate", "deferred"}, errors);
    call.delivery.saveImages = queryBool(query, "save_images", true, errors);
    call.delivery.returnFormat = queryEnum(query, "return_format", "base64", {"base64", "file_path", "url"}, errors);
    auto request = readGenerationParams(body, errors);
    if (!errors.empty()) return validationResponse(errors);
    if (backend && *backend != "sdnext") return problemResponse(400, "Unknown generation backend: " + *backend);
    call.request = std::move(*request);
    return call;
}

// ---- the route table --------------------------------------------------------------------

struct Context {
    Backend& backend;
    const Query& query;
    const std::vector<std::string_view>& params;  // the {placeholders}, in order
    const HttpRequest& request;
};
using Handler = HttpResponse (*)(const Context&);

struct Route {
    const char* method;
    const char* pattern;  // under the prefix
    Handler handler;
};

HttpResponse systemStatus(const Context& c) { return jsonResponse(200, c.backend.systemStatusJson()); }

HttpResponse activeJobs(const Context& c) {
    std::vector<ValidationError> errors;
    const auto limit = queryInt(c.query, "limit", 50, 1, 200, errors);
    if (!errors.empty()) return validationResponse(errors);
    return jsonResponse(200, c.backend.activeJobsJson(static_cast<int>(limit)));
}

HttpResponse jobDetail(const Context& c) {
    auto body = c.backend.jobDetailJson(std::string(c.params[0]));
    return body ? jsonResponse(200, std::move(*body)) : problemResponse(404, "Job not found");
}

HttpResponse cancelJob(const Context& c) {
    switch (c.backend.cancel(std::string(c.params[0]))) {
        case CancelOutcome::Cancelled:
            return jsonResponse(200, protocol::encodeCancelAnswer("Generation job cancelled"));
        case CancelOutcome::NotCancellable: return problemResponse(400, "Job cannot be cancelled in its current state");
        case CancelOutcome::NotFound: break;
    }
    return problemResponse(404, "Job not found");
}

HttpResponse results(const Context& c) {
    std::vector<ValidationError> errors;
    const auto limit = queryInt(c.query, "limit", 20, 1, 100, errors);
    const auto offset = queryInt(c.query, "offset", 0, 0, std::nullopt, errors);
    if (!errors.empty()) return validationResponse(errors);
    return jsonResponse(200, c.backend.resultsJson(static_cast<int>(limit),
                                                   static_cast<int>(std::min<int64_t>(offset, 1 << 30))));
}

HttpResponse bulkDelete(const Context& c) {
    std::vector<ValidationError> errors;
    const auto doc = parseBody(c.request.body, errors);
    std::vector<std::string> ids;
    if (doc) {
        simdjson::dom::array array;
        element value;
        if (!doc->is_object() || (*doc)["ids"].get(value) != simdjson::SUCCESS) {
            errors.push_back({"missing", {"body", "ids"}, "Field required", simdjson::minify(*doc), ""});
        } else if (value.get_array().get(array) != simdjson::SUCCESS) {
            errors.push_back({"list_type", {"body", "ids"}, "Input should be a valid list", simdjson::minify(value), ""});
        } else {
            size_t index = 0;
            for (element id : array) {
                std::string_view text;
                if (id.get_string().get(text) == simdjson::SUCCESS)
                    ids.emplace_back(text);
                else
                    errors.push_back({"string_type", {"body", "ids", std::to_string(index)}, "Input should be a valid string",
                                      simdjson::minify(id), ""});
                ++index;
            }
        }
    }
    if (!errors.empty()) return validationResponse(errors);
    return jsonResponse(200, protocol::encodeDeletedAnswer(c.backend.removeMany(ids)));
}

HttpResponse deleteResult(const Context& c) {
    if (!c.backend.remove(std::string(c.params[0]))) return problemResponse(404, "Result not found");
    return HttpResponse{204, {}, {}, {}};
}

HttpResponse download(const Context& c) {
    const std::string id(c.params[0]);
    auto found = c.backend.download(id);
    if (auto* title = std::get_if<std::string>(&found)) return problemResponse(404, *title);
    const auto& image = std::get<std::shared_ptr<const EncodedImage>>(found);
    HttpResponse r{200, "image/png", std::string(image->png.begin(), image->png.end()), {}};
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + id + "-000.png\"");
    return r;
}

HttpResponse generate(const Context& c) {
    auto call = readGenerationCall(c.query, c.request.body, "immediate");
    if (auto* refused = std::get_if<HttpResponse>(&call)) return std::move(*refused);
    const auto& g = std::get<GenerationCall>(call);
    auto answer = c.backend.generateImmediateJson(g.request, g.delivery, g.mode == "deferred");
    // Spec §1.3: an unhandled exception becomes problem+json with str(exc) as the detail.
    if (!answer) return problemResponse(500, "Internal Server Error", answer.error().message);
    return jsonResponse(200, std::move(answer).value());
}

HttpResponse queueGeneration(const Context& c) {
    auto call = readGenerationCall(c.query, c.request.body, "deferred");
    if (auto* refused = std::get_if<HttpResponse>(&call)) return std::move(*refused);
    const auto& g = std::get<GenerationCall>(call);
    return jsonResponse(200, protocol::encodeQueueGenerationAnswer(c.backend.queueGeneration(g.request, g.delivery)));
}

HttpResponse backends(const Context&) { return jsonResponse(200, R"({"sdnext":true})"); }

// Declaration order matters as in FastAPI: the first full match wins.
constexpr std::array kRoutes{
    Route{"GET", "/system/status", systemStatus},
    Route{"GET", "/generation/backends", backends},
    Route{"POST", "/generation/generate", generate},
    Route{"POST", "/generation/queue-generation", queueGeneration},
    Route{"GET", "/generation/jobs/active", activeJobs},
    Route{"GET", "/generation/jobs/{job_id}", jobDetail},
    Route{"POST", "/generation/jobs/{job_id}/cancel", cancelJob},
    Route{"GET", "/generation/results", results},
    Route{"DELETE", "/generation/results/bulk-delete", bulkDelete},
    Route{"DELETE", "/generation/results/{result_id}", deleteResult},
    Route{"GET", "/generation/results/{result_id}/download", download},
};

bool matchPattern(std::string_view pattern, const std::vector<std::string_view>& segments,
                  std::vector<std::string_view>& params) {
    const auto parts = splitPath(pattern);
    if (parts.size() != segments.size()) return false;
    params.clear();
    for (size_t i = 0; i < parts.size(); ++i) {
        if (!parts[i].empty() && parts[i].front() == '{') {
            if (segments[i].empty()) return false;
            params.push_back(segments[i]);
        } else if (parts[i] != segments[i]) {
            return false;
        }
    }
    return true;
}

std::string normalizePrefix(std::string prefix) {
    if (prefix.empty() || prefix.front() != '/') prefix.insert(prefix.begin(), '/');
    while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
    return prefix == "/" ? std::string{} : prefix;
}

}  // namespace

HttpResponse jsonResponse(int status, std::string body) { return HttpResponse{status, "application/json", std::move(body), {}}; }

HttpResponse problemResponse(int status, std::string_view title, std::optional<std::string_view> detail) {
    return jsonResponse(status, protocol::encodeProblem(status, title, detail ? std::optional<std::string>(*detail) : std::nullopt));
}

HttpResponse notFoundResponse() { return jsonResponse(404, protocol::encodeDetail("Not Found")); }

Router::Router(Backend& backend, const SimOptions& options)
    : backend_(backend), apiKey_(options.apiKey), primaryPrefix_(normalizePrefix(options.prefix)) {
    prefixes_.push_back(primaryPrefix_);
    if (options.alsoServeV1 && primaryPrefix_ != "/v1") prefixes_.emplace_back("/v1");
}

bool Router::isProgressSocket(std::string_view target) const {
    const std::string path = percentDecode(target.substr(0, target.find('?')), false);
    return std::any_of(prefixes_.begin(), prefixes_.end(), [&](const std::string& p) { return path == p + "/ws/progress"; });
}

RoutedResponse Router::handle(const HttpRequest& request, bool statusNotFound) const {
    const std::string_view target = request.target;
    const size_t question = target.find('?');
    const std::string path = percentDecode(target.substr(0, question), false);
    const Query query = parseQuery(question == std::string_view::npos ? std::string_view{} : target.substr(question + 1));

    // Outside the API: the health checks and the settings of app.main (spec §2, §8.1).
    if (request.method == "GET" && path == "/health")
        return {jsonResponse(200, R"({"status":"ok","service":"lora-manager"})"), "GET /health"};
    if (request.method == "GET" && path == "/api/health") return {jsonResponse(200, R"({"status":"ok"})"), "GET /api/health"};
    if (request.method == "GET" && path == "/frontend/settings") {
        JsonWriter w;
        w.beginObject().field("backendUrl", primaryPrefix_).field("backendApiKey", apiKey_);
        w.key("generationPolling").beginObject().field("queueMs", 2000).field("websocketRetryMs", 3000);
        w.field("systemStatusMs", 10000).endObject().endObject();
        return {jsonResponse(200, std::move(w).take()), "GET /frontend/settings"};
    }

    for (const auto& prefix : prefixes_) {
        if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0 || path[prefix.size()] != '/')
            continue;
        const std::string_view sub = std::string_view(path).substr(prefix.size());
        if (statusNotFound && sub == "/system/status") return {notFoundResponse(), "GET /system/status"};
        const auto segments = splitPath(sub);
        std::vector<std::string_view> params;
        const Route* pathMatch = nullptr;
        for (const auto& route : kRoutes) {
            if (!matchPattern(route.pattern, segments, params)) continue;
            if (request.method != route.method) {
                if (!pathMatch) pathMatch = &route;
                continue;
            }
            const std::string name = std::string(route.method) + " " + route.pattern;
            const bool protectedRoute = std::string_view(route.pattern).starts_with("/generation/");
            if (protectedRoute && apiKey_ && request.apiKey != apiKey_)
                return {problemResponse(403, "Invalid API Key"), name};
            return {route.handler(Context{backend_, query, params, request}), name};
        }
        if (pathMatch) {
            std::string allowed;
            for (const auto& route : kRoutes)
                if (matchPattern(route.pattern, segments, params))
                    allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
            auto response = jsonResponse(405, protocol::encodeDetail("Method Not Allowed"));
            response.headers.emplace_back("Allow", allowed);
            return {std::move(response), "405"};
        }
        // Starlette redirects "/x/" to "/x" when that route exists.
        if (sub.size() > 1 && sub.back() == '/') {
            const auto trimmed = splitPath(sub.substr(0, sub.size() - 1));
            for (const auto& route : kRoutes) {
                if (!matchPattern(route.pattern, trimmed, params)) continue;
                HttpResponse redirect{307, {}, {}, {}};
                std::string location(target.substr(0, question));
                location.pop_back();
                if (question != std::string_view::npos) location += target.substr(question);
                redirect.headers.emplace_back("Location", location);
                return {std::move(redirect), "307"};
            }
        }
    }
    return {notFoundResponse(), "unmatched"};
}

std::optional<std::optional<std::vector<std::string>>> parseSubscribe(std::string_view frame) {
    element doc;
    if (tlsParser.parse(frame.data(), frame.size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
    std::string_view type;
    if (!doc.is_object() || doc["type"].get_string().get(type) != simdjson::SUCCESS || type != "subscribe")
        return std::nullopt;
    element ids;
    if (doc["job_ids"].get(ids) != simdjson::SUCCESS || ids.is_null())
        return std::optional<std::vector<std::string>>{};  // all jobs
    simdjson::dom::array array;
    if (ids.get_array().get(array) != simdjson::SUCCESS) return std::nullopt;  // invalid: ignored, as upstream
    std::vector<std::string> out;
    for (element id : array) {
        std::string_view text;
        if (id.get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
        out.emplace_back(text);
    }
    return std::optional<std::vector<std::string>>{std::move(out)};
}

}  // namespace genmon::sim
