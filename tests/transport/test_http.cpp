// HttpClient and RealTransport's HTTP side against genmon-sim over loopback (no mocks).
#include <chrono>

#include "protocol/base64.hpp"
#include "transport/http_client.hpp"
#include "transport_test_util.hpp"

using namespace genmon;
using namespace genmon::transporttest;
using model::ErrorKind;
using orchestrator::FetchedJobs;
using orchestrator::FetchedResults;
using orchestrator::FetchedStatus;

namespace {

double millisSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

sim::SimOptions withFaults(auto setter) {
    auto o = quietSim();
    setter(o.faults);
    return o;
}

}  // namespace

TEST_CASE("http: reads status, active jobs and results from the sim") {
    auto options = quietSim();
    options.initialResults = 3;
    TransportFixture f(options);
    f.sim->queueJob("a lighthouse at dusk");

    size_t active = 0;
    for (const auto& j : f.sim->jobs()) active += j.rawStatus == "pending" || j.rawStatus == "running";
    REQUIRE(active >= 1);  // with history the sim also has a job running on its worker

    auto status = f.worker.await<FetchedStatus>([&](auto cb) { f.transport->fetchSystemStatus(cb); });
    REQUIRE(status.ok());
    REQUIRE(status->patch);
    CHECK(status->patch->queue_length.value_or(-1) == int64_t(active));

    auto jobs = f.worker.await<FetchedJobs>([&](auto cb) { f.transport->fetchActiveJobs(200, cb); });
    REQUIRE(jobs.ok());
    REQUIRE(jobs->jobs.size() == active);
    bool found = false;
    for (const auto& j : jobs->jobs) found = found || (j.prompt && j.prompt->view() == "a lighthouse at dusk");
    CHECK(found);
    CHECK(routeCount(*f.sim, "GET /generation/jobs/active") == 1);

    auto results = f.worker.await<FetchedResults>([&](auto cb) { f.transport->fetchResults(2, 0, cb); });
    REQUIRE(results.ok());
    CHECK(results->results.size() == 2);
    auto page2 = f.worker.await<FetchedResults>([&](auto cb) { f.transport->fetchResults(2, 2, cb); });
    REQUIRE(page2.ok());
    CHECK(page2->results.size() == 1);
}

TEST_CASE("http: connections are kept alive and reused") {
    TransportFixture f;
    for (int i = 0; i < 5; ++i)
        REQUIRE(f.worker.await<FetchedStatus>([&](auto cb) { f.transport->fetchSystemStatus(cb); }).ok());
    CHECK(f.sim->stats().httpConnections == 1);
    CHECK(routeCount(*f.sim, "GET /system/status") == 5);
}

TEST_CASE("http: response bodies keep simdjson's padding as spare capacity") {
    TransportFixture f;
    auto client = f.worker.call([&] { return std::make_shared<transport::HttpClient>(f.worker.loop, transport::HttpSettings{}); });
    transport::HttpRequest req;
    req.url = f.sim->baseUrl() + "/system/status";
    auto r = f.worker.await<transport::HttpResponse>([&](auto cb) { client->send(req, cb); });
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->contentType == "application/json");
    CHECK(r->body.capacity() >= r->body.size() + transport::HttpClient::kBodyPadding);
    f.worker.call([&] { client.reset(); });
}

TEST_CASE("http: a GET is tried 3 times after any failure (150 ms, then 300 ms), POST and DELETE once") {
    TransportFixture f(withFaults([](auto& x) { x.serverErrorRate = 1.0; }));
    const auto start = std::chrono::steady_clock::now();
    auto jobs = f.worker.await<FetchedJobs>([&](auto cb) { f.transport->fetchActiveJobs(50, cb); });
    REQUIRE_FALSE(jobs.ok());
    CHECK(jobs.error().kind == ErrorKind::Http);
    CHECK(jobs.error().httpStatus >= 500);
    CHECK(routeCount(*f.sim, "GET /generation/jobs/active") == 3);
    CHECK(millisSince(start) >= 440);

    auto cancel = f.worker.await<model::CancelResponse>([&](auto cb) { f.transport->cancelJob("some-id", cb); });
    REQUIRE_FALSE(cancel.ok());
    CHECK(routeCount(*f.sim, "POST /generation/jobs/{job_id}/cancel") == 1);

    auto del = f.worker.await<model::Unit>([&](auto cb) { f.transport->deleteResult("some-id", cb); });
    REQUIRE_FALSE(del.ok());
    CHECK(routeCount(*f.sim, "DELETE /generation/results/{result_id}") == 1);

    model::GenerationRequest request;
    request.prompt = "x";
    auto queued = f.worker.await<model::QueueGenerationResponse>([&](auto cb) { f.transport->queueGeneration(request, cb); });
    REQUIRE_FALSE(queued.ok());
    CHECK(routeCount(*f.sim, "POST /generation/queue-generation") == 1);
}

TEST_CASE("http: a wrong API key gets 403 'Invalid API Key', POST is not retried, the key never shows") {
    auto options = quietSim();
    options.apiKey = "the-right-key";
    auto settings = fastSettings();
    settings.apiKey = "a-wrong-key-12345";
    TransportFixture f(options, settings);

    model::GenerationRequest request;
    request.prompt = "needs a key";
    auto queued = f.worker.await<model::QueueGenerationResponse>([&](auto cb) { f.transport->queueGeneration(request, cb); });
    REQUIRE_FALSE(queued.ok());
    CHECK(queued.error().kind == ErrorKind::Http);
    CHECK(queued.error().httpStatus == 403);
    CHECK(queued.error().message == "Invalid API Key");
    CHECK(routeCount(*f.sim, "POST /generation/queue-generation") == 1);

    auto jobs = f.worker.await<FetchedJobs>([&](auto cb) { f.transport->fetchActiveJobs(50, cb); });
    REQUIRE_FALSE(jobs.ok());
    CHECK(jobs.error().httpStatus == 403);
    CHECK(jobs.error().message.find("a-wrong-key") == std::string::npos);
    CHECK(routeCount(*f.sim, "GET /generation/jobs/active") == 3);  // GETs are retried, as upstream

    // /system/status needs no key (spec §8.1).
    CHECK(f.worker.await<FetchedStatus>([&](auto cb) { f.transport->fetchSystemStatus(cb); }).ok());

    // With the right key every protected route answers.
    auto good = fastSettings();
    good.apiKey = "the-right-key";
    f.worker.call([&] { f.transport.reset(); });
    f.makeTransport(f.sim->baseUrl(), good);
    auto ok = f.worker.await<model::QueueGenerationResponse>([&](auto cb) { f.transport->queueGeneration(request, cb); });
    REQUIRE(ok.ok());
    CHECK_FALSE(ok->delivery_id.empty());
    CHECK(f.worker.await<FetchedJobs>([&](auto cb) { f.transport->fetchActiveJobs(50, cb); }).ok());
}

TEST_CASE("http: cancel answers 200, then 400 and 404 with the server's text") {
    TransportFixture f;
    const std::string id = f.sim->queueJob("to be cancelled");
    auto first = f.worker.await<model::CancelResponse>([&](auto cb) { f.transport->cancelJob(id, cb); });
    REQUIRE(first.ok());
    CHECK(first->success);
    CHECK(first->status == "cancelled");

    auto again = f.worker.await<model::CancelResponse>([&](auto cb) { f.transport->cancelJob(id, cb); });
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().httpStatus == 400);
    CHECK(again.error().message == "Job cannot be cancelled in its current state");

    auto unknown = f.worker.await<model::CancelResponse>([&](auto cb) { f.transport->cancelJob("no-such-job", cb); });
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().httpStatus == 404);
    CHECK(unknown.error().message == "Job not found");
}

TEST_CASE("http: delete answers 204, then 404 'Result not found'") {
    TransportFixture f;
    const std::string id = f.sim->queueJob("a result to delete");
    REQUIRE(f.sim->finishJob(id, true).ok());
    auto gone = f.worker.await<model::Unit>([&](auto cb) { f.transport->deleteResult(id, cb); });
    CHECK(gone.ok());
    auto again = f.worker.await<model::Unit>([&](auto cb) { f.transport->deleteResult(id, cb); });
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().httpStatus == 404);
    CHECK(again.error().message == "Result not found");
}

TEST_CASE("http: a 500 with an RFC 7807 body shows its title and detail") {
    TransportFixture f(withFaults([](auto& x) { x.serverErrorRate = 1.0; }));
    // The sim answers 500, 502 or 503 at random (seeded); POSTs are tried once each.
    bool saw500 = false;
    for (int i = 0; i < 40 && !saw500; ++i) {
        auto r = f.worker.await<model::CancelResponse>([&](auto cb) { f.transport->cancelJob("x", cb); });
        REQUIRE_FALSE(r.ok());
        if (r.error().httpStatus == 500) {
            saw500 = true;
            CHECK(r.error().message == "Internal Server Error: simulated failure (genmon-sim fault injection)");
        } else if (r.error().httpStatus == 502) {
            CHECK(r.error().message.find("502 Bad Gateway") != std::string::npos);
        } else {
            CHECK(r.error().httpStatus == 503);
        }
    }
    CHECK(saw500);
}

TEST_CASE("http: a 422 shows FastAPI's field and message") {
    TransportFixture f;
    auto r = f.worker.await<FetchedResults>([&](auto cb) { f.transport->fetchResults(0, 0, cb); });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().httpStatus == 422);
    CHECK(r.error().message.rfind("limit: ", 0) == 0);
}

TEST_CASE("http: malformed JSON is a readable decode error (not retried), status falls back to 'no data'") {
    TransportFixture f(withFaults([](auto& x) { x.malformedJsonRate = 1.0; }));
    f.sim->queueJob("listed");
    auto jobs = f.worker.await<FetchedJobs>([&](auto cb) { f.transport->fetchActiveJobs(50, cb); });
    REQUIRE_FALSE(jobs.ok());
    CHECK(jobs.error().kind == ErrorKind::Decode);
    CHECK_FALSE(jobs.error().message.empty());
    CHECK(routeCount(*f.sim, "GET /generation/jobs/active") == 1);

    auto status = f.worker.await<FetchedStatus>([&](auto cb) { f.transport->fetchSystemStatus(cb); });
    REQUIRE(status.ok());
    CHECK_FALSE(status->patch);
    CHECK(status->warnings.size() == 1);
}

TEST_CASE("http: a slow answer runs into the total timeout") {
    auto settings = fastSettings();
    settings.totalTimeoutMs = 200;
    TransportFixture f(withFaults([](auto& x) { x.latencyMs = 1500; }), settings);
    const auto start = std::chrono::steady_clock::now();
    auto r = f.worker.await<model::CancelResponse>([&](auto cb) { f.transport->cancelJob("x", cb); });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Timeout);
    CHECK(r.error().message == "no answer from 127.0.0.1:" + std::to_string(f.sim->port()) + " within 200 ms");
    CHECK(millisSince(start) < 1400);
}

TEST_CASE("http: connection refused is a network error naming the address") {
    TransportFixture f;
    const uint16_t port = unusedPort();
    f.worker.call([&] { f.transport.reset(); });
    f.makeTransport("http://127.0.0.1:" + std::to_string(port) + "/api/v1");
    auto r = f.worker.await<FetchedStatus>([&](auto cb) { f.transport->fetchSystemStatus(cb); });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Network);
    CHECK(r.error().httpStatus == 0);
    CHECK(r.error().message == "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_CASE("http: the response-size cap aborts early with a clear error") {
    auto settings = fastSettings();
    settings.maxResponseBytes = size_t{1} << 20;
    settings.getRetryDelaysMs = {};  // one attempt is enough here
    TransportFixture f(withFaults([](auto& x) { x.hugeBodyRate = 1.0; }), settings);
    f.sim->queueJob("listed");
    auto r = f.worker.await<FetchedJobs>([&](auto cb) { f.transport->fetchActiveJobs(50, cb); });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::TooLarge);
    CHECK(r.error().message == "response larger than 1 MiB");
}

TEST_CASE("http: cancelAll and destroying the transport answer open requests with Cancelled") {
    TransportFixture f(withFaults([](auto& x) { x.latencyMs = 3000; }));
    const auto start = std::chrono::steady_clock::now();
    auto r = f.worker.await<FetchedJobs>([&](auto cb) {
        f.transport->fetchActiveJobs(50, cb);
        f.transport->cancelAll();
    });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Cancelled);
    CHECK(f.worker.call([&] { return f.transport->requestsInFlight(); }) == 0);

    auto destroyed = f.worker.await<FetchedStatus>([&](auto cb) {
        f.transport->fetchSystemStatus(cb);
        f.transport.reset();
    });
    REQUIRE_FALSE(destroyed.ok());
    CHECK(destroyed.error().kind == ErrorKind::Cancelled);
    CHECK(millisSince(start) < 2500);
}

TEST_CASE("http: an invalid base URL fails every request with the reason") {
    TransportFixture f;
    f.worker.call([&] { f.transport.reset(); });
    f.makeTransport("ftp://127.0.0.1/api/v1");
    auto r = f.worker.await<FetchedStatus>([&](auto cb) { f.transport->fetchSystemStatus(cb); });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::InvalidArgument);
    CHECK(r.error().message.find("unsupported scheme 'ftp'") != std::string::npos);
}

TEST_CASE("images: download a result's PNG and decode it into a thumbnail, base64 too") {
    auto options = quietSim();
    options.imageSize = 256;
    TransportFixture f(options);
    const std::string id = f.sim->queueJob("an image");
    REQUIRE(f.sim->finishJob(id, true).ok());
    auto image = f.worker.await<model::ImagePtr>([&](auto cb) { f.transport->downloadImage(id, cb); });
    REQUIRE(image.ok());
    REQUIRE(image.value());
    CHECK(image.value()->width == 128);  // shrunk to the thumbnail size
    CHECK(image.value()->rgba.size() == size_t(image.value()->width) * size_t(image.value()->height) * 4);

    const auto png = sim::SimServer::renderPng(7, "inline", 64);
    auto decoded = f.worker.await<model::ImagePtr>([&](auto cb) { f.transport->decodeImage(protocol::base64Encode(png), cb); });
    REQUIRE(decoded.ok());
    CHECK(decoded.value()->width == 64);

    auto bad = f.worker.await<model::ImagePtr>([&](auto cb) { f.transport->decodeImage("not base64 at all!!", cb); });
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Decode);

    auto missing = f.worker.await<model::ImagePtr>([&](auto cb) { f.transport->downloadImage("nope", cb); });
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().httpStatus == 404);
}

TEST_CASE("http: an IPv6 literal base URL works end to end (skipped without IPv6 loopback)") {
    auto options = quietSim();
    options.bind = "::1";
    auto started = sim::SimServer::start(options);
    if (!started.ok()) {
        MESSAGE("no IPv6 loopback here: " << started.error().message);
        return;
    }
    auto sim = std::move(started).value();
    REQUIRE(sim->baseUrl().rfind("http://[::1]:", 0) == 0);
    TransportFixture f;
    f.worker.call([&] { f.transport.reset(); });
    f.makeTransport(sim->baseUrl() + "/");
    CHECK(f.worker.call([&] { return f.transport->webSocketUrl(); }) == sim->wsUrl());
    auto r = f.worker.await<FetchedStatus>([&](auto cb) { f.transport->fetchSystemStatus(cb); });
    CHECK(r.ok());
    CHECK(routeCount(*sim, "GET /system/status") == 1);
}

TEST_CASE("http: https to a plain-HTTP server is a readable TLS error, not a hang") {
    TransportFixture f;
    std::string url = f.sim->baseUrl();
    url.replace(0, 4, "https");
    f.worker.call([&] { f.transport.reset(); });
    auto settings = fastSettings();
    settings.getRetryDelaysMs = {};
    f.makeTransport(url, settings);
    auto r = f.worker.await<FetchedStatus>([&](auto cb) { f.transport->fetchSystemStatus(cb); });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Network);
    CHECK(r.error().message.rfind("TLS error with 127.0.0.1:" + std::to_string(f.sim->port()) + ": ", 0) == 0);
}
