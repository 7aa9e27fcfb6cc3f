#pragma once
// The HTTP surface of the upstream backend (spec §1.3, §2): routing the way Starlette does it
// (404, 405, trailing-slash redirect), the API key, FastAPI's query and body validation with
// its 422 shapes, and the answers of each route. Socket-free: the server hands requests in.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/backend.hpp"
#include "sim/sim_server.hpp"

namespace genmon::sim {

struct HttpRequest {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query, as sent
    std::string body;
    std::optional<std::string> apiKey;  // the X-API-Key header
};

struct HttpResponse {
    int status = 200;
    std::string contentType = "application/json";  // empty: no Content-Type (204)
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

struct RoutedResponse {
    HttpResponse response;
    std::string route;  // "GET /generation/jobs/{job_id}", or "unmatched"
};

HttpResponse jsonResponse(int status, std::string body);
// {"type":"about:blank","title":...,"status":...}: what an HTTPException becomes upstream.
HttpResponse problemResponse(int status, std::string_view title, std::optional<std::string_view> detail = std::nullopt);
HttpResponse notFoundResponse();  // Starlette's {"detail":"Not Found"}

class Router {
public:
    Router(Backend& backend, const SimOptions& options);
    RoutedResponse handle(const HttpRequest& request, bool statusNotFound) const;
    // The WebSocket route: <prefix>/ws/progress. Any other upgrade is refused with 403.
    bool isProgressSocket(std::string_view target) const;

private:
    Backend& backend_;
    std::optional<std::string> apiKey_;
    std::vector<std::string> prefixes_;
    std::string primaryPrefix_;
};

// The client's WebSocket frame: only {"type":"subscribe","job_ids":null|[...]} counts.
// nullopt: ignore the frame. Otherwise the ids to add, or nullopt inside for "all jobs".
std::optional<std::optional<std::vector<std::string>>> parseSubscribe(std::string_view frame);

}  // namespace genmon::sim
