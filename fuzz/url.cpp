// libFuzzer target: URL normalisation (src/transport/url.hpp): the backend base URL, the
// WebSocket URL derived from it, joins and path segments. A URL that parses is http(s), has a
// host, carries no credentials, and its normal form parses to itself.
#include "fuzz_common.hpp"
#include "transport/url.hpp"

using genmon::transport::BaseUrl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto ws = genmon::transport::parseWebSocketUrl(text);
    genmon::fuzz::checkOutcome(ws);
    const std::string segment = genmon::transport::encodePathSegment(text);
    GENMON_FUZZ_CHECK(segment.find_first_of("/?#@: ") == std::string::npos);

    auto base = genmon::transport::parseBaseUrl(text);
    genmon::fuzz::checkOutcome(base);
    if (!base) return 0;
    const BaseUrl& b = base.value();
    GENMON_FUZZ_CHECK(b.scheme == "http" || b.scheme == "https");
    GENMON_FUZZ_CHECK(!b.host.empty());
    GENMON_FUZZ_CHECK(b.port != 0);
    GENMON_FUZZ_CHECK(b.host.find('@') == std::string::npos);
    GENMON_FUZZ_CHECK(b.path.empty() || (b.path.front() == '/' && b.path.back() != '/'));
    auto again = genmon::transport::parseBaseUrl(b.str());
    GENMON_FUZZ_CHECK(again.ok());
    GENMON_FUZZ_CHECK(again.value() == b);
    auto socket = genmon::transport::parseWebSocketUrl(b.webSocketUrl());
    GENMON_FUZZ_CHECK(socket.ok());
    GENMON_FUZZ_CHECK(socket->tls == b.tls());
    GENMON_FUZZ_CHECK(socket->port == b.port);
    const std::string joined = b.join("generation/jobs/" + segment + "/cancel");
    GENMON_FUZZ_CHECK(joined.rfind(b.str() + "/", 0) == 0);
    return 0;
}
