#include "app/runtime.hpp"

#include "app/history_sink.hpp"
#include "app/signals.hpp"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <malloc.h>
#include <mutex>

namespace genmon::app {

using model::Error;
using model::ErrorKind;

namespace {

std::string trimmed(std::string s) {
    const char* ws = " \t\r\n";
    const size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    const size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

std::shared_future<model::Status> ready(model::Status st) {
    std::promise<model::Status> p;
    p.set_value(std::move(st));
    return p.get_future().share();
}

}  // namespace

model::Outcome<std::string> readApiKeyFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        return Error::make(ErrorKind::InvalidArgument,
                           "cannot read the API key file '" + path + "': " + (err ? std::strerror(err) : "cannot open it"));
    }
    std::string line;
    std::getline(in, line);
    if (line.size() > 4096) return Error::make(ErrorKind::InvalidArgument, "the API key file '" + path + "' is too long");
    line = trimmed(std::move(line));
    if (line.empty()) return Error::make(ErrorKind::InvalidArgument, "the API key file '" + path + "' is empty");
    return line;
}

model::Outcome<std::optional<std::string>> resolveApiKey(const CliOptions& options) {
    if (options.apiKeyArgument) {
        std::string key = trimmed(*options.apiKeyArgument);
        if (key.empty()) return Error::make(ErrorKind::InvalidArgument, "--api-key is empty");
        return std::optional<std::string>(std::move(key));
    }
    if (options.apiKeyFile) {
        auto key = readApiKeyFile(*options.apiKeyFile);
        if (!key) return std::move(key).error();
        return std::optional<std::string>(std::move(key).value());
    }
    if (const char* env = std::getenv("GENMON_API_KEY")) {
        std::string key = trimmed(env);
        if (!key.empty()) return std::optional<std::string>(std::move(key));
    }
    return std::optional<std::string>{};
}

bool isUnreachable(const Error& e) noexcept {
    return e.kind == ErrorKind::Network || e.kind == ErrorKind::Timeout ||
           (e.kind == ErrorKind::Http && e.httpStatus >= 500);
}

namespace {
// glibc raises its mmap threshold to the size of each large block freed (up to 32 MiB), after
// which big blocks come from the heap arenas and stay there. A monitor that runs for days sees
// the odd multi-MiB body (a results page with images, a hostile 10 MiB answer): with the
// dynamic threshold each one ratchets RSS up for good (the soak saw 24 -> 70 MB). A fixed
// threshold keeps every block of 256 KiB or more in its own mapping, returned when freed.
void returnLargeBlocksToTheSystem() {
    static std::once_flag once;
    std::call_once(once, [] { mallopt(M_MMAP_THRESHOLD, 256 * 1024); });
}
}  // namespace

Runtime::Runtime(RuntimeOptions options)
    : options_(std::move(options)),
      ownLoop_(options_.sharedLoop ? nullptr : std::make_unique<transport::EventLoop>()),
      loop_(options_.sharedLoop ? *options_.sharedLoop : *ownLoop_),
      settings_(options_.transport) {
    returnLargeBlocksToTheSystem();
    if (!settings_.log) settings_.log = std::make_shared<orchestrator::ExchangeLog>();
}

Runtime::~Runtime() {
    shutdown();
    (void)stopRecording();
}

model::Status Runtime::startRecording(const std::string& path, const orchestrator::BackendConfig& backend) {
    // The base URL as the transport will use it (normalised, never with credentials).
    auto base = transport::parseBaseUrl(backend.baseUrl);
    const std::string url = base ? base->str() : backend.baseUrl;
    auto recorder = transport::Recorder::create(path, url, loop_.nowMicros(), backend.simulated);
    if (!recorder) return std::move(recorder).error();
    recorder_ = std::move(recorder).value();
    settings_.log->setObserver(recorder_);
    // A forced exit (the shutdown deadline, a second Ctrl+C) still ends the file with its "end" line.
    if (auto* signals = ShutdownSignals::current())
        emergencyHook_ = signals->addEmergencyHook(
            [recorder = recorder_] { (void)recorder->closeWithin(std::chrono::milliseconds(200)); });
    return model::okStatus();
}

void Runtime::flushRecording() {
    if (recorder_) recorder_->flushIfDirty();
}

void Runtime::scheduleRecordingFlush(std::shared_ptr<transport::Recorder> recorder) {
    // Writes flush themselves once a second has passed; this covers a quiet backend, so what
    // the last message brought is on disk within a second too. shutdown() cancels it.
    loop_.schedule(transport::Recorder::kFlushInterval.count(), [this, recorder]() mutable {
        recorder->flushIfDirty();
        scheduleRecordingFlush(std::move(recorder));
    });
}

model::Status Runtime::stopRecording() {
    if (!recorder_) return model::okStatus();
    if (emergencyHook_ != 0)
        if (auto* signals = ShutdownSignals::current()) signals->removeEmergencyHook(emergencyHook_);
    emergencyHook_ = 0;
    settings_.log->setObserver(nullptr);
    auto st = recorder_->close(loop_.nowMicros());
    recorder_.reset();
    return st;
}

std::unique_ptr<orchestrator::Transport> Runtime::makeTransport(const orchestrator::BackendConfig& backend) {
    transport::TransportSettings settings;
    {
        std::lock_guard lock(settingsMutex_);
        settings = settings_;
    }
    return std::make_unique<transport::RealTransport>(loop_, backend, std::move(settings), images_);
}

std::shared_future<model::Status> Runtime::start(orchestrator::BackendConfig backend, std::optional<std::string> apiKey,
                                                 orchestrator::PollSettings polls) {
    std::shared_future<model::Status> first;
    {
        std::lock_guard lock(mutex_);
        if (started_) return ready(Error::make(ErrorKind::InvalidArgument, "the session was started already"));
        started_ = true;
        {
            std::lock_guard s(settingsMutex_);
            if (apiKey) settings_.log->addSecret(*apiKey);
            settings_.apiKey = std::move(apiKey);
        }
        loop_.start();
        if (recorder_) scheduleRecordingFlush(recorder_);
        images_ = options_.sharedImages ? std::move(options_.sharedImages) : std::make_shared<transport::ImageDecoder>(loop_);
        orchestrator::OrchestratorOptions defaults;
        defaults.backend = std::move(backend);
        defaults.polls = polls;
        defaults.usePush = options_.usePush;
        if (options_.history) defaults.lifecycleSink = std::make_shared<HistorySink>(options_.history);
        manager_ = std::make_unique<orchestrator::OrchestratorManager>(
            loop_, [this](const orchestrator::BackendConfig& b) { return makeTransport(b); }, buffer_, events_,
            std::move(defaults));
        binding_.emplace(manager_->acquire(options_.consumer));
        attempts_ = 1;
        first = binding_->initialize();
    }
    if (options_.retryInitialize) supervisor_ = std::thread([this, first] { supervise(first); });
    return first;
}

void Runtime::supervise(std::shared_future<model::Status> current) {
    using namespace std::chrono;
    for (;;) {
        // Wait for this attempt, waking now and then to notice shutdown.
        while (current.wait_for(milliseconds(100)) != std::future_status::ready) {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        const model::Status st = current.get();
        std::unique_lock lock(mutex_);
        if (stopping_) return;
        initialized_ = st.ok();
        if (st.ok()) {
            lastError_.reset();
            nextRetryAt_ = 0;
            return;  // from here the socket's reconnects and the polls keep the data fresh
        }
        lastError_ = st.error();
        if (!isUnreachable(st.error())) {
            nextRetryAt_ = 0;
            return;
        }
        const auto& delays = options_.initRetryDelaysMs;
        const size_t step = std::min(static_cast<size_t>(std::max(1, attempts_.load())), delays.size()) - 1;
        const int delayMs = delays.empty() ? 3000 : delays[step];
        nextRetryAt_ = loop_.nowMicros() + int64_t{delayMs} * 1000;
        retryNow_ = false;
        cv_.wait_for(lock, milliseconds(delayMs), [this] { return stopping_ || retryNow_; });
        nextRetryAt_ = 0;
        if (stopping_) return;
        ++attempts_;
        current = binding_->initialize();
    }
}

void Runtime::retryInitializeNow() {
    {
        std::lock_guard lock(mutex_);
        retryNow_ = true;
    }
    cv_.notify_all();
}

void Runtime::setApiKey(std::optional<std::string> apiKey) {
    std::lock_guard lock(settingsMutex_);
    if (apiKey) settings_.log->addSecret(*apiKey);  // old keys stay redacted too
    settings_.apiKey = std::move(apiKey);
}

void Runtime::shutdown() {
    {
        std::lock_guard lock(mutex_);
        if (!started_ || stopping_) return;
        stopping_ = true;
    }
    cv_.notify_all();
    if (supervisor_.joinable()) supervisor_.join();
    // The last consumer goes: the manager posts destroy() (transport closed, state reset).
    if (binding_) {
        binding_->release();
        binding_.reset();
    }
    if (!ownLoop_) {
        // A fleet's shared worker keeps serving the other backends: wait for destroy() and the
        // answers it posts instead of stopping the loop.
        loop_.runAndWait([] {});
        loop_.runAndWait([] {});
        manager_.reset();
        loop_.runAndWait([] {});
        images_.reset();
        nextRetryAt_ = 0;
        return;
    }
    // Drain: destroy() and the "cancelled" answers it causes (they reach the orchestrator) run
    // while the orchestrator still exists.
    loop_.stop();
    // The manager's destructor waits for the work it posted (already done after a clean drain);
    // a running worker lets it finish even when the drain hit its deadline.
    loop_.start();
    manager_.reset();
    loop_.stop();
    images_.reset();
    nextRetryAt_ = 0;
    // The worker is gone, so nothing records any more: commit what is queued and close. A fleet's
    // members share one store and one loop: the fleet closes it after the last of them.
    if (options_.history && !options_.sharedLoop) options_.history->close();
}

orchestrator::GenerationOrchestrator& Runtime::orchestrator() { return manager_->orchestrator(); }

orchestrator::OrchestratorManager& Runtime::manager() { return *manager_; }

bool Runtime::started() const {
    std::lock_guard lock(mutex_);
    return started_;
}

bool Runtime::initialized() const {
    if (manager_) return manager_->isInitialized();
    std::lock_guard lock(mutex_);
    return initialized_;
}

int64_t Runtime::nextInitRetryAtMicros() const noexcept { return nextRetryAt_.load(); }

int Runtime::initAttempts() const noexcept { return attempts_.load(); }

std::optional<model::Error> Runtime::lastInitError() const {
    std::lock_guard lock(mutex_);
    return lastError_;
}

}  // namespace genmon::app
