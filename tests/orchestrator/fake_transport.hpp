#pragma once
// A scripted, counting stand-in for orchestrator::Transport, and fixtures that wire it to a
// ManualExecutor (deterministic, virtual time) + SnapshotBuffer + EventQueue +
// GenerationOrchestrator (+ OrchestratorManager).
//
// FakeBackend is the test's handle: it outlives every FakeTransport the factory makes (a
// backend change makes a new one), counts every call per method, records the arguments, and
// answers each callback later through Executor::post, never inside the call. Answers come
// from a per-method queue of scripted outcomes, else from a per-method responder. With
// `hold = true` answers wait until the test releases them (in-flight and parallel tests).
// cancelAll() makes every answer of that transport still on its way arrive as Cancelled, as
// the real transport does.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "model/error.hpp"
#include "orchestrator/event_queue.hpp"
#include "orchestrator/executor.hpp"
#include "orchestrator/manager.hpp"
#include "orchestrator/orchestrator.hpp"
#include "orchestrator/snapshot_buffer.hpp"
#include "orchestrator/transport.hpp"

namespace genmon::test {

namespace orch = genmon::orchestrator;
using model::Error;
using model::ErrorKind;
using model::Outcome;

// One method's answers: scripted outcomes first (in order), then the responder.
template <class T, class... Args>
struct Script {
    std::deque<Outcome<T>> queued;
    std::function<Outcome<T>(const Args&...)> respond;

    void push(Outcome<T> o) { queued.push_back(std::move(o)); }
    Outcome<T> next(const Args&... args) {
        if (!queued.empty()) {
            Outcome<T> o = std::move(queued.front());
            queued.pop_front();
            return o;
        }
        return respond(args...);
    }
};

inline Error httpError(int status, std::string text) { return Error::http(status, std::move(text)); }

class FakeBackend {
public:
    explicit FakeBackend(orch::Executor& exec) : exec_(exec) {
        status.respond = [] {
            orch::FetchedStatus s;
            model::SystemStatusPatch p;
            p.status = "healthy";
            p.gpu_available = true;
            p.queue_length = 0;
            s.patch = p;
            return Outcome<orch::FetchedStatus>(s);
        };
        jobs.respond = [](const int&) { return Outcome<orch::FetchedJobs>(orch::FetchedJobs{}); };
        results.respond = [](const int&, const int&) { return Outcome<orch::FetchedResults>(orch::FetchedResults{}); };
        generate.respond = [](const model::GenerationRequest&) {
            model::GenerateResponse r;
            r.job_id = "gen-1";
            r.status = model::JobStatus::Completed;
            r.progress = 100;
            r.images = {"aW1hZ2U="};
            return Outcome<model::GenerateResponse>(r);
        };
        queueGeneration.respond = [this](const model::GenerationRequest&) {
            return Outcome<model::QueueGenerationResponse>(
                model::QueueGenerationResponse{"delivery-" + std::to_string(++deliveries_)});
        };
        cancel.respond = [](const std::string&) {
            return Outcome<model::CancelResponse>(model::CancelResponse{true, "cancelled", "Generation job cancelled"});
        };
        deleteResult.respond = [](const std::string&) { return Outcome<model::Unit>(model::Unit{}); };
        decode.respond = [](const std::string&) { return Outcome<model::ImagePtr>(tinyImage()); };
        download.respond = [](const std::string&) { return Outcome<model::ImagePtr>(tinyImage()); };
    }

    static model::ImagePtr tinyImage() {
        auto img = std::make_shared<model::Image>();
        img->width = img->height = 2;
        img->rgba.assign(16, 0xff);
        return img;
    }

    // ---- scripts (set them before the call they answer) ----
    Script<orch::FetchedStatus> status;
    Script<orch::FetchedJobs, int> jobs;
    Script<orch::FetchedResults, int, int> results;
    Script<model::GenerateResponse, model::GenerationRequest> generate;
    Script<model::QueueGenerationResponse, model::GenerationRequest> queueGeneration;
    Script<model::CancelResponse, std::string> cancel;
    Script<model::Unit, std::string> deleteResult;
    Script<model::ImagePtr, std::string> decode;
    Script<model::ImagePtr, std::string> download;

    bool hold = false;             // keep answers until released
    bool factoryFails = false;     // the factory returns no transport
    orch::ParseTotals parse;       // what every transport reports as its decoder's tally (worker only)

    // ---- records ----
    int count(std::string_view method) const {
        std::lock_guard lock(mutex_);
        auto it = calls_.find(std::string(method));
        return it == calls_.end() ? 0 : it->second;
    }
    int totalCalls() const {
        std::lock_guard lock(mutex_);
        int n = 0;
        for (const auto& [k, v] : calls_) n += v;
        return n;
    }
    // Calls that go to the network (not startPush/stopPush/cancelAll bookkeeping).
    int requestCalls() const {
        return count("fetchSystemStatus") + count("fetchActiveJobs") + count("fetchResults") + count("generate") +
               count("queueGeneration") + count("cancelJob") + count("deleteResult") + count("downloadImage");
    }
    std::vector<std::string> cancelIds() const { return locked(cancelIds_); }
    std::vector<std::pair<int, int>> resultPages() const { return locked(resultPages_); }
    std::vector<int> activeJobLimits() const { return locked(activeJobLimits_); }
    std::vector<std::string> deletedIds() const { return locked(deletedIds_); }
    std::vector<std::string> decodedBase64() const { return locked(decoded_); }
    std::vector<std::string> downloadedIds() const { return locked(downloaded_); }
    std::vector<model::GenerationRequest> generateRequests() const { return locked(generateRequests_); }
    std::vector<model::GenerationRequest> queueRequests() const { return locked(queueRequests_); }
    std::vector<orch::BackendConfig> configs() const { return locked(configs_); }
    int transportsCreated() const { return static_cast<int>(locked(configs_).size()); }
    int transportsAlive() const {
        std::lock_guard lock(mutex_);
        return alive_;
    }
    size_t heldCount() const {
        std::lock_guard lock(mutex_);
        return held_.size();
    }
    std::vector<std::string> heldMethods() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& h : held_) out.push_back(h.method);
        return out;
    }
    void resetCounts() {
        std::lock_guard lock(mutex_);
        calls_.clear();
        cancelIds_.clear();
        resultPages_.clear();
        activeJobLimits_.clear();
        deletedIds_.clear();
        decoded_.clear();
        downloaded_.clear();
    }

    // ---- releasing held answers (they are posted; run the executor to deliver them) ----
    void releaseAll() {
        std::deque<Held> all;
        {
            std::lock_guard lock(mutex_);
            all.swap(held_);
        }
        for (auto& h : all) exec_.post(std::move(h.deliver));
    }
    // The first held answer of `method`; false when there is none.
    bool releaseFirst(std::string_view method) {
        std::function<void()> fn;
        {
            std::lock_guard lock(mutex_);
            for (auto it = held_.begin(); it != held_.end(); ++it)
                if (it->method == method) {
                    fn = std::move(it->deliver);
                    held_.erase(it);
                    break;
                }
        }
        if (!fn) return false;
        exec_.post(std::move(fn));
        return true;
    }

    // ---- the push socket of the newest transport ----
    orch::UpdateSink* listener() const {
        std::lock_guard lock(mutex_);
        return listener_;
    }
    // Posts a push event to the worker, as the real socket does.
    void push(std::function<void(orch::UpdateSink&)> fn) {
        auto* l = listener();
        REQUIRE_MESSAGE(l != nullptr, "no push listener: startPush was not called or stopPush was");
        exec_.post([l, fn = std::move(fn)] { fn(*l); });
    }
    void push(orch::Update update) {
        push([update = std::move(update)](orch::UpdateSink& l) { l.apply(update); });
    }
    void pushPhase(orch::ConnectionPhase phase, std::string lastError = {}) {
        orch::ConnectionInfo info;
        info.phase = phase;
        info.lastError = std::move(lastError);
        push([info](orch::UpdateSink& l) { l.apply(info); });
    }

    orch::TransportFactory factory();

private:
    friend class FakeTransport;
    struct Instance {
        uint64_t cancelGeneration = 0;
    };
    struct Held {
        std::string method;
        std::function<void()> deliver;
    };

    template <class V>
    V locked(const V& v) const {
        std::lock_guard lock(mutex_);
        return v;
    }
    void record(const std::string& method) {
        std::lock_guard lock(mutex_);
        ++calls_[method];
    }

    // Answers `done` later with `outcome`, or Cancelled when the transport's cancelAll ran since.
    template <class T>
    void answer(const std::string& method, const std::shared_ptr<Instance>& inst, orch::Callback<T> done,
                Outcome<T> outcome) {
        const uint64_t generation = inst->cancelGeneration;
        auto out = std::make_shared<Outcome<T>>(std::move(outcome));
        std::function<void()> deliver = [inst, generation, done = std::move(done), out] {
            if (inst->cancelGeneration != generation)
                done(Error::make(ErrorKind::Cancelled, "request cancelled"));
            else
                done(std::move(*out));
        };
        if (hold) {
            std::lock_guard lock(mutex_);
            held_.push_back({method, std::move(deliver)});
            return;
        }
        exec_.post(std::move(deliver));
    }

    orch::Executor& exec_;
    mutable std::mutex mutex_;
    std::map<std::string, int> calls_;
    std::vector<std::string> cancelIds_, deletedIds_, decoded_, downloaded_;
    std::vector<std::pair<int, int>> resultPages_;
    std::vector<int> activeJobLimits_;
    std::vector<model::GenerationRequest> generateRequests_, queueRequests_;
    std::vector<orch::BackendConfig> configs_;
    std::deque<Held> held_;
    orch::UpdateSink* listener_ = nullptr;
    int alive_ = 0;
    int deliveries_ = 0;
};

class FakeTransport final : public orch::Transport {
public:
    FakeTransport(FakeBackend& b) : b_(b), inst_(std::make_shared<FakeBackend::Instance>()) {
        std::lock_guard lock(b_.mutex_);
        ++b_.alive_;
    }
    ~FakeTransport() override {
        std::lock_guard lock(b_.mutex_);
        --b_.alive_;
        if (b_.listener_ == listener_) b_.listener_ = nullptr;
    }

    void fetchSystemStatus(orch::Callback<orch::FetchedStatus> done) override {
        b_.record("fetchSystemStatus");
        b_.answer("fetchSystemStatus", inst_, std::move(done), b_.status.next());
    }
    void fetchActiveJobs(int limit, orch::Callback<orch::FetchedJobs> done) override {
        b_.record("fetchActiveJobs");
        {
            std::lock_guard lock(b_.mutex_);
            b_.activeJobLimits_.push_back(limit);
        }
        b_.answer("fetchActiveJobs", inst_, std::move(done), b_.jobs.next(limit));
    }
    void fetchResults(int limit, int offset, orch::Callback<orch::FetchedResults> done) override {
        b_.record("fetchResults");
        {
            std::lock_guard lock(b_.mutex_);
            b_.resultPages_.emplace_back(limit, offset);
        }
        b_.answer("fetchResults", inst_, std::move(done), b_.results.next(limit, offset));
    }
    void generate(const model::GenerationRequest& r, orch::Callback<model::GenerateResponse> done) override {
        b_.record("generate");
        {
            std::lock_guard lock(b_.mutex_);
            b_.generateRequests_.push_back(r);
        }
        b_.answer("generate", inst_, std::move(done), b_.generate.next(r));
    }
    void queueGeneration(const model::GenerationRequest& r,
                         orch::Callback<model::QueueGenerationResponse> done) override {
        b_.record("queueGeneration");
        {
            std::lock_guard lock(b_.mutex_);
            b_.queueRequests_.push_back(r);
        }
        b_.answer("queueGeneration", inst_, std::move(done), b_.queueGeneration.next(r));
    }
    void cancelJob(const std::string& id, orch::Callback<model::CancelResponse> done) override {
        b_.record("cancelJob");
        {
            std::lock_guard lock(b_.mutex_);
            b_.cancelIds_.push_back(id);
        }
        b_.answer("cancelJob", inst_, std::move(done), b_.cancel.next(id));
    }
    void deleteResult(const std::string& id, orch::Callback<model::Unit> done) override {
        b_.record("deleteResult");
        {
            std::lock_guard lock(b_.mutex_);
            b_.deletedIds_.push_back(id);
        }
        b_.answer("deleteResult", inst_, std::move(done), b_.deleteResult.next(id));
    }
    void decodeImage(std::string base64, orch::Callback<model::ImagePtr> done) override {
        b_.record("decodeImage");
        {
            std::lock_guard lock(b_.mutex_);
            b_.decoded_.push_back(base64);
        }
        b_.answer("decodeImage", inst_, std::move(done), b_.decode.next(base64));
    }
    void downloadImage(const std::string& id, orch::Callback<model::ImagePtr> done) override {
        b_.record("downloadImage");
        {
            std::lock_guard lock(b_.mutex_);
            b_.downloaded_.push_back(id);
        }
        b_.answer("downloadImage", inst_, std::move(done), b_.download.next(id));
    }
    void startPush(orch::UpdateSink* l) override {
        b_.record("startPush");
        std::lock_guard lock(b_.mutex_);
        listener_ = l;
        b_.listener_ = l;
    }
    void stopPush() override {
        b_.record("stopPush");
        std::lock_guard lock(b_.mutex_);
        if (b_.listener_ == listener_) b_.listener_ = nullptr;
        listener_ = nullptr;
    }
    void reconnect() override { b_.record("reconnect"); }
    orch::ParseTotals parseTotals() const override { return b_.parse; }
    void cancelAll() override {
        b_.record("cancelAll");
        ++inst_->cancelGeneration;  // worker only, like every call and answer
        // Held answers of this transport are delivered now (as Cancelled).
        std::deque<FakeBackend::Held> mine;
        {
            std::lock_guard lock(b_.mutex_);
            mine.swap(b_.held_);
        }
        // The held queue is shared by every transport; only one is alive at a time in these
        // tests, so every held answer belongs to this one.
        for (auto& h : mine) b_.exec_.post(std::move(h.deliver));
    }

private:
    FakeBackend& b_;
    std::shared_ptr<FakeBackend::Instance> inst_;
    orch::UpdateSink* listener_ = nullptr;
};

inline orch::TransportFactory FakeBackend::factory() {
    return [this](const orch::BackendConfig& cfg) -> std::unique_ptr<orch::Transport> {
        {
            std::lock_guard lock(mutex_);
            ++calls_["factory"];
            configs_.push_back(cfg);
        }
        if (factoryFails) return nullptr;
        return std::make_unique<FakeTransport>(*this);
    };
}

// ---- builders --------------------------------------------------------------------------------

inline model::Job makeJob(std::string id, model::JobStatus status, std::string createdIso = {}, uint8_t progress = 0) {
    model::Job j;
    j.uiId = j.backendId = model::Text(id);
    j.status = status;
    j.progress = progress;
    if (!createdIso.empty()) j.created_at = model::Timestamp::parse(createdIso);
    j.prompt = model::Text("prompt of " + id);
    return j;
}

inline model::GenerationResult makeResult(std::string id, std::string createdIso = "2026-11-26T07:00:00") {
    model::GenerationResult r;
    r.id = id;
    r.job_id = id;
    r.prompt = "prompt of " + id;
    r.created_at = model::Timestamp::parse(createdIso);
    return r;
}

inline orch::FetchedResults fetchedResults(int n, const std::string& prefix = "r") {
    orch::FetchedResults out;
    for (int i = 0; i < n; ++i) out.results.push_back({makeResult(prefix + std::to_string(i)), std::nullopt});
    return out;
}

inline orch::FetchedJobs fetchedJobs(std::vector<model::Job> jobs) {
    orch::FetchedJobs out;
    out.jobs = std::move(jobs);
    return out;
}

inline std::vector<std::string> ids(const orch::JobList& list) {
    std::vector<std::string> out;
    list.forEach([&](const model::Job& j) { out.push_back(j.uiId.str()); });
    return out;
}

inline std::vector<std::string> ids(const orch::ResultList& list) {
    std::vector<std::string> out;
    for (const auto& r : list) out.push_back(r->id);
    return out;
}

inline model::JobPtr findJob(const orch::JobList& list, std::string_view id) {
    model::JobPtr found;
    list.forEachPtr([&](const model::JobPtr& j) {
        if (!found && (j->uiId == id || j->backendId == id)) found = j;
    });
    return found;
}

template <class T>
bool isReady(const std::future<T>& f) {
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}
template <class T>
bool isReady(const std::shared_future<T>& f) {
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

// ---- fixtures ----------------------------------------------------------------------------------

// Options for tests: default intervals, but snapshots are published as soon as the worker is
// idle (coalescing delay 0) so a test sees push updates after runUntilIdle().
inline orch::OrchestratorOptions testOptions(double historyLimit = orch::kDefaultHistoryLimit) {
    orch::OrchestratorOptions o;
    o.historyLimit = historyLimit;
    o.backend.baseUrl = "http://backend-a/api/v1";
    o.polls.publishCoalesceMs = 0;
    return o;
}

// The orchestrator as the app reaches it (issue 15.2): through a manager and one binding. orc
// has reads and actions only; lifecycle goes through start/initialize and the manager.
struct Harness {
    orch::ManualExecutor exec;
    FakeBackend fake{exec};
    orch::SnapshotBuffer buffer;
    orch::EventQueue events;
    orch::OrchestratorManager manager{exec, fake.factory(), buffer, events, testOptions()};
    std::optional<orch::Binding> binding{manager.acquire()};
    orch::GenerationOrchestrator& orc = manager.orchestrator();

    // The last release destroys, and the manager waits for what it posted: run it first.
    ~Harness() {
        fake.hold = false;
        fake.releaseAll();
        binding.reset();
        exec.runUntilIdle();
    }

    // Runs the worker until idle and returns the (now answered) outcome.
    template <class T>
    Outcome<T> settle(std::future<Outcome<T>> f) {
        exec.runUntilIdle();
        REQUIRE_MESSAGE(isReady(f), "the command did not answer after the worker went idle");
        return f.get();
    }
    template <class T>
    Outcome<T> settle(std::shared_future<Outcome<T>> f) {
        exec.runUntilIdle();
        REQUIRE_MESSAGE(isReady(f), "the command did not answer after the worker went idle");
        return f.get();
    }
    // The binding's initialize with these options (their history limit as the manager's override).
    std::shared_future<model::Status> start(orch::OrchestratorOptions o = testOptions()) {
        manager.setHistoryLimitOverride(o.historyLimit == orch::kDefaultHistoryLimit
                                            ? std::nullopt
                                            : std::optional<int>(static_cast<int>(o.historyLimit)));
        manager.setOptions(std::move(o));
        return binding->initialize();
    }
    void initialize(orch::OrchestratorOptions o = testOptions()) {
        auto r = settle(start(std::move(o)));
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().message));
        events.drain();
    }
    orch::SnapshotPtr snap() const { return buffer.acquire(); }
    std::vector<orch::Event> drain() { return events.drain(); }
};

// Finds the first event with this message; nullopt when none.
inline std::optional<orch::Event> findEvent(const std::vector<orch::Event>& events, std::string_view message) {
    for (const auto& e : events)
        if (e.message == message) return e;
    return std::nullopt;
}

struct ManagerHarness {
    orch::ManualExecutor exec;
    FakeBackend fake{exec};
    orch::SnapshotBuffer buffer;
    orch::EventQueue events;
    orch::OrchestratorManager manager{exec, fake.factory(), buffer, events, testOptions()};

    // The manager waits for the work it posted (the last release's destroy): run it first.
    ~ManagerHarness() {
        fake.hold = false;
        fake.releaseAll();
        exec.runUntilIdle();
    }
    orch::SnapshotPtr snap() const { return buffer.acquire(); }
};

}  // namespace genmon::test
