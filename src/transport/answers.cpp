#include "transport/answers.hpp"

#include <variant>

#include "protocol/base64.hpp"
#include "transport/http_client.hpp"
#include "transport/url.hpp"

namespace genmon::transport {

using model::Error;
using model::ErrorKind;
using model::Outcome;

namespace {
bool blank(const std::string& s) {
    for (const char c : s)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    return true;
}
}  // namespace

std::string systemStatusPath() { return "system/status"; }
std::string activeJobsPath(int limit) { return "generation/jobs/active?limit=" + std::to_string(limit); }
std::string resultsPath(int limit, int offset) {
    std::string path = "generation/results?limit=" + std::to_string(limit);
    if (offset > 0) path += "&offset=" + std::to_string(offset);
    return path;
}
std::string downloadPath(const std::string& resultId) {
    return "generation/results/" + encodePathSegment(resultId) + "/download";
}

Outcome<orchestrator::FetchedStatus> decodeStatusAnswer(protocol::Decoder& decoder, const std::string& body) {
    orchestrator::FetchedStatus out;
    if (blank(body)) return out;  // 200 with nothing: the status stays as it is
    auto d = decoder.systemStatus(body);
    if (!d) {
        // §1.2: a 200 whose body is not JSON gives data = null, not an error.
        out.warnings.push_back("system status: " + d.error().message);
        return out;
    }
    out.patch = std::move(d->value);
    out.warnings = std::move(d->warnings);
    return out;
}

Outcome<orchestrator::FetchedJobs> decodeJobsAnswer(protocol::Decoder& decoder, const std::string& body, int64_t now) {
    auto d = decoder.activeJobs(body, now);
    if (!d) return std::move(d).error();
    orchestrator::FetchedJobs out;
    out.jobs = std::move(d->value);
    out.warnings = std::move(d->warnings);
    return out;
}

Outcome<orchestrator::FetchedResults> decodeResultsAnswer(protocol::Decoder& decoder, const std::string& body, int64_t now) {
    auto d = decoder.results(body, now);
    if (!d) return std::move(d).error();
    orchestrator::FetchedResults out;
    out.results.reserve(d->value.size());
    for (auto& entry : d->value)
        out.results.push_back(orchestrator::FetchedResult{std::move(entry.result), std::move(entry.imageBase64)});
    out.warnings = std::move(d->warnings);
    return out;
}

Outcome<model::ImagePtr> thumbnailFromBytes(const uint8_t* data, size_t size, const protocol::ImageLimits& limits,
                                            int maxSide) {
    auto image = protocol::decodeThumbnail(data, size, limits, maxSide);
    if (!image) return std::move(image).error();
    return model::ImagePtr(std::make_shared<const model::Image>(std::move(image).value()));
}

Outcome<model::ImagePtr> thumbnailFromBase64(const std::string& text, const protocol::ImageLimits& limits, int maxSide) {
    auto bytes = protocol::base64Decode(text, limits.maxBytes);
    if (!bytes)
        return Error::make(ErrorKind::Decode, "the image is not valid base64 or is larger than " + formatBytes(limits.maxBytes));
    return thumbnailFromBytes(bytes->data(), bytes->size(), limits, maxSide);
}

void deliverPush(orchestrator::UpdateSink& sink, protocol::WsMessage& message) {
    if (auto* m = std::get_if<model::ProgressMessage>(&message)) {
        sink.apply(std::move(*m));
    } else if (auto* c = std::get_if<model::CompletionMessage>(&message)) {
        sink.apply(std::move(*c));
    } else if (auto* e = std::get_if<model::ErrorMessage>(&message)) {
        sink.apply(std::move(*e));
    } else if (auto* st = std::get_if<model::StartedMessage>(&message)) {
        sink.apply(std::move(*st));
    } else if (auto* q = std::get_if<protocol::WsQueueUpdate>(&message)) {
        sink.apply(orchestrator::QueueListing{std::move(q->jobs)});
    } else if (auto* ss = std::get_if<protocol::WsSystemStatus>(&message)) {
        sink.apply(std::move(ss->patch));
    }
}

}  // namespace genmon::transport
