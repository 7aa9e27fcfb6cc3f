#pragma once
// A tiny in-memory orchestrator::Transport for benchmarks that drive a real
// GenerationOrchestrator on a ManualExecutor: it answers from prepared data, always later on
// the worker (Executor::post), as the transport contract requires. No network, no threads.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "model/error.hpp"
#include "orchestrator/executor.hpp"
#include "orchestrator/transport.hpp"
#include "protocol/base64.hpp"
#include "protocol/image_codec.hpp"

namespace genmon::bench {

struct TinyBackend {
    std::vector<model::Job> jobs;                      // what /jobs/active answers (copied per fetch)
    std::vector<orchestrator::FetchedResult> results;  // what /results pages answer
    int thumbnailMaxSide = 128;                        // model::kThumbnailMaxSide
};

class TinyTransport final : public orchestrator::Transport {
public:
    TinyTransport(orchestrator::Executor& worker, std::shared_ptr<TinyBackend> backend)
        : worker_(worker), backend_(std::move(backend)) {}

    void fetchSystemStatus(orchestrator::Callback<orchestrator::FetchedStatus> done) override {
        orchestrator::FetchedStatus s;
        model::SystemStatusPatch p;
        p.status = "healthy";
        p.gpu_available = true;
        p.queue_length = static_cast<int64_t>(backend_->jobs.size());
        s.patch = p;
        answer(std::move(done), model::Outcome<orchestrator::FetchedStatus>(std::move(s)));
    }
    void fetchActiveJobs(int, orchestrator::Callback<orchestrator::FetchedJobs> done) override {
        orchestrator::FetchedJobs j;
        j.jobs = backend_->jobs;
        answer(std::move(done), model::Outcome<orchestrator::FetchedJobs>(std::move(j)));
    }
    void fetchResults(int limit, int offset, orchestrator::Callback<orchestrator::FetchedResults> done) override {
        orchestrator::FetchedResults page;
        const auto& all = backend_->results;
        for (size_t i = static_cast<size_t>(offset); i < all.size() && i < static_cast<size_t>(offset + limit); ++i)
            page.results.push_back(all[i]);
        answer(std::move(done), model::Outcome<orchestrator::FetchedResults>(std::move(page)));
    }
    void generate(const model::GenerationRequest&, orchestrator::Callback<model::GenerateResponse> done) override {
        answer(std::move(done), model::Outcome<model::GenerateResponse>(unsupported()));
    }
    void queueGeneration(const model::GenerationRequest&,
                         orchestrator::Callback<model::QueueGenerationResponse> done) override {
        answer(std::move(done), model::Outcome<model::QueueGenerationResponse>(unsupported()));
    }
    void cancelJob(const std::string&, orchestrator::Callback<model::CancelResponse> done) override {
        answer(std::move(done), model::Outcome<model::CancelResponse>(unsupported()));
    }
    void deleteResult(const std::string&, orchestrator::Callback<model::Unit> done) override {
        answer(std::move(done), model::Outcome<model::Unit>(unsupported()));
    }
    // As RealTransport does (on its helper thread): base64 -> bytes -> a thumbnail.
    void decodeImage(std::string base64, orchestrator::Callback<model::ImagePtr> done) override {
        auto bytes = protocol::base64Decode(base64);
        if (!bytes) return answer(std::move(done), model::Outcome<model::ImagePtr>(unsupported()));
        auto img = protocol::decodeThumbnail(bytes->data(), bytes->size(), protocol::ImageLimits{},
                                             backend_->thumbnailMaxSide);
        if (!img) return answer(std::move(done), model::Outcome<model::ImagePtr>(img.error()));
        answer(std::move(done), model::Outcome<model::ImagePtr>(
                                    std::make_shared<const model::Image>(std::move(img).value())));
    }
    void downloadImage(const std::string&, orchestrator::Callback<model::ImagePtr> done) override {
        answer(std::move(done), model::Outcome<model::ImagePtr>(unsupported()));
    }
    void startPush(orchestrator::UpdateSink*) override {}
    void stopPush() override {}
    void reconnect() override {}
    void cancelAll() override {}

private:
    static model::Error unsupported() { return model::Error::make(model::ErrorKind::InvalidArgument, "bench"); }
    template <class T>
    void answer(orchestrator::Callback<T> done, model::Outcome<T> value) {
        worker_.post([done = std::move(done), value = std::move(value)]() mutable { done(std::move(value)); });
    }

    orchestrator::Executor& worker_;
    std::shared_ptr<TinyBackend> backend_;
};

inline orchestrator::TransportFactory tinyFactory(orchestrator::Executor& worker, std::shared_ptr<TinyBackend> backend) {
    return [&worker, backend](const orchestrator::BackendConfig&) -> std::unique_ptr<orchestrator::Transport> {
        return std::make_unique<TinyTransport>(worker, backend);
    };
}

}  // namespace genmon::bench
