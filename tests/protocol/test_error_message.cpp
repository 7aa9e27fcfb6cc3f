// errorMessageFromBody: decision 7, spec §1.2 (message order) and §1.3 (backend error shapes).
#include <doctest/doctest.h>

#include <string>

#include "protocol/decode.hpp"

using genmon::protocol::errorMessageFromBody;

TEST_CASE("spec 1.3: an RFC 7807 body gives its title") {
    CHECK(errorMessageFromBody(404, "Not Found", R"({"type":"about:blank","title":"Job not found","status":404})") ==
          "Job not found");
}

TEST_CASE("spec 1.3: an unhandled 500 gives title and detail") {
    CHECK(
        errorMessageFromBody(
            500, "Internal Server Error",
            R"({"type":"about:blank","title":"Internal Server Error","status":500,"detail":"no such table: deliveryjob"})") ==
        "Internal Server Error: no such table: deliveryjob");
    CHECK(errorMessageFromBody(500, "", R"({"title":"Same","detail":"Same"})") == "Same");
}

TEST_CASE("spec 1.3: Starlette's detail string is the message") {
    CHECK(errorMessageFromBody(404, "Not Found", R"({"detail":"Not Found"})") == "Not Found");
}

TEST_CASE("decision 7: 422 detail[] entries name their field, without body/query, and are joined") {
    CHECK(
        errorMessageFromBody(
            422, "Unprocessable Entity",
            R"({"detail":[{"type":"missing","loc":["body","prompt"],"msg":"Field required","input":{"negative_prompt":"x"}}]})") ==
        "prompt: Field required");
    CHECK(errorMessageFromBody(
              422, "",
              R"({"detail":[{"loc":["body","prompt"],"msg":"Field required"},)"
              R"({"loc":["body","params","steps"],"msg":"Input should be a valid integer"},)"
              R"({"loc":["query","limit"],"msg":"Input should be less than or equal to 100"},)"
              R"({"loc":["body","loras",0,"weight"],"msg":"bad"},{"loc":[],"msg":"Whole body invalid"}]})") ==
          "prompt: Field required; params.steps: Input should be a valid integer; "
          "limit: Input should be less than or equal to 100; loras.0.weight: bad; Whole body invalid");
    CHECK(errorMessageFromBody(422, "", R"({"detail":["first problem","second"]})") == "first problem; second");
}

TEST_CASE("spec 1.2: a JSON string payload is the message itself") {
    CHECK(errorMessageFromBody(400, "Bad Request", R"("Prompt too long")") == "Prompt too long");
}

TEST_CASE("spec 1.2: message, then errors, then the status text, then the status number") {
    CHECK(errorMessageFromBody(400, "Bad Request", R"({"message":"Use a smaller batch"})") == "Use a smaller batch");
    CHECK(errorMessageFromBody(400, "Bad Request", R"({"errors":"Bad seed"})") == "Bad seed");
    CHECK(errorMessageFromBody(400, "Bad Request", R"({"errors":[{"message":"a"},{"msg":"b"},"c"]})") == "a; b; c");
    CHECK(errorMessageFromBody(400, "Bad Request", R"({"other":1})") == "Bad Request");
    CHECK(errorMessageFromBody(418, "", R"({"other":1})") == "Request failed with status 418");
    CHECK(errorMessageFromBody(503, "Service Unavailable", "") == "Service Unavailable");
    CHECK(errorMessageFromBody(503, "", "   ") == "Request failed with status 503");
    CHECK(errorMessageFromBody(500, "Internal Server Error", "null") == "Internal Server Error");
    CHECK(errorMessageFromBody(500, "Internal Server Error", R"({"detail":""})") == "Internal Server Error");
}

TEST_CASE("decision 7: an HTML page from a proxy gives the status and a short readable excerpt") {
    const std::string html =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>";
    CHECK(errorMessageFromBody(502, "Bad Gateway", html) ==
          "Bad Gateway: 502 Bad Gateway 502 Bad Gateway nginx/1.25.3");
    CHECK(errorMessageFromBody(502, "", html) == "HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx/1.25.3");
    CHECK(errorMessageFromBody(500, "", "Internal Server Error") == "HTTP 500: Internal Server Error");
}

TEST_CASE("decision 7: the excerpt of a non-JSON body is short and printable") {
    std::string body = "panic: ";
    for (int i = 0; i < 500; ++i) body += static_cast<char>(i % 256 == 0 ? 1 : i % 256);
    const std::string message = errorMessageFromBody(500, "Internal Server Error", body);
    CHECK(message.rfind("Internal Server Error: panic: ", 0) == 0);
    CHECK(message.size() <= std::string("Internal Server Error: ").size() + 123);
    CHECK(message.substr(message.size() - 3) == "...");
    for (const char c : message) {
        CAPTURE(static_cast<int>(static_cast<unsigned char>(c)));
        CHECK((c >= 0x20 && c < 0x7f));
    }
}

TEST_CASE("decision 7: broken or hostile JSON never throws and falls back to the status") {
    std::string deep(100000, '[');
    CHECK(errorMessageFromBody(500, "Internal Server Error", deep).rfind("Internal Server Error: [[[", 0) == 0);
    CHECK(errorMessageFromBody(500, "Oops", R"({"title":)") == "Oops: {\"title\":");
    CHECK(errorMessageFromBody(500, "", std::string("\xff\xfe\x00\x01", 4)) == "HTTP 500: ????");
}
