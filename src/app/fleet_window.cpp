#include "app/fleet_window.hpp"

#include <cstdlib>

#include "transport/url.hpp"

namespace genmon::app {

using model::Error;
using model::ErrorKind;

model::Outcome<std::vector<FleetBackend>> fleetBackends(const CliOptions& o, const Settings& settings) {
    std::vector<FleetBackend> out;
    auto common = resolveApiKey(o);
    if (!common) return std::move(common).error();
    auto add = [&](FleetBackend b) -> model::Status {
        auto base = transport::parseBaseUrl(b.config.baseUrl);
        if (!base) return Error::make(ErrorKind::InvalidArgument, base.error().message);
        b.config.baseUrl = base->str();
        b.config.insecureTls = o.insecure;
        out.push_back(std::move(b));
        return model::okStatus();
    };
    if (o.backendUrls.size() > 1) {
        for (const auto& argument : o.backendUrls) {
            FleetBackend b = parseBackendArgument(argument);
            b.apiKey = common.value();
            if (auto st = add(std::move(b)); !st) return st.error();
        }
        return out;
    }
    if (o.backendUrl || o.demo || settings.backends.size() < 2) return out;
    for (const auto& entry : settings.backends) {
        FleetBackend b;
        b.name = entry.name;
        b.config.baseUrl = entry.url;
        const std::string who = "backend '" + (entry.name.empty() ? entry.url : entry.name) + "' in settings.json: ";
        if (!entry.keyEnv.empty()) {
            const char* value = std::getenv(entry.keyEnv.c_str());
            if (!value || !*value)
                return Error::make(ErrorKind::InvalidArgument, who + "the environment variable " + entry.keyEnv + " is not set");
            b.apiKey = std::string(value);
        } else if (!entry.keyFile.empty()) {
            auto key = readApiKeyFile(entry.keyFile);
            if (!key) return Error::make(ErrorKind::InvalidArgument, who + key.error().message);
            b.apiKey = std::move(key).value();
        } else {
            b.apiKey = common.value();
        }
        if (auto st = add(std::move(b)); !st) return Error::make(ErrorKind::InvalidArgument, who + st.error().message);
    }
    return out;
}

// One backend's sink (all-backends mode): the orchestrator commands go to its orchestrator;
// what is not one backend's (settings, Ctrl+L, quit) goes to the fleet's sink.
class FleetCommands::MemberCommands final : public OrchestratorCommands {
public:
    MemberCommands(FleetCommands& fleet, Fleet::MemberPtr member) : fleet_(fleet), member_(std::move(member)) {}
    void refreshAll() override {
        if (!member_->runtime->initialized()) {
            member_->runtime->retryInitializeNow();
            return;
        }
        track(member_->runtime->orchestrator().refreshAllData());
    }
    void reconnect() override { refreshAll(); }
    void setHistoryLimit(int limit) override { fleet_.setHistoryLimit(limit); }
    void setPollIntervals(int down, int up, int status) override { fleet_.setPollIntervals(down, up, status); }
    void connect(const std::string& baseUrl) override { fleet_.connect(baseUrl); }
    void startDemo() override { fleet_.startDemo(); }
    void focusBackend(int index) override { fleet_.focusBackend(index); }
    ui::CommandSink& backend(int index) override { return fleet_.backend(index); }
    bool canRunAgain() const override { return true; }
    void quit() override { fleet_.quit(); }

private:
    orchestrator::GenerationOrchestrator& target() override { return member_->runtime->orchestrator(); }
    FleetCommands& fleet_;
    Fleet::MemberPtr member_;
};

FleetCommands::FleetCommands(Fleet& fleet, Settings& settings, std::optional<std::string> apiKey)
    : fleet_(fleet), settings_(settings), apiKey_(std::move(apiKey)) {}

FleetCommands::~FleetCommands() = default;

ui::CommandSink& FleetCommands::backend(int index) {
    const auto members = fleet_.members();
    if (index < 0 || index >= static_cast<int>(members.size())) return *this;
    if (perBackend_.size() < members.size()) perBackend_.resize(members.size());
    auto& sink = perBackend_[static_cast<size_t>(index)];
    if (!sink) sink = std::make_unique<MemberCommands>(*this, members[static_cast<size_t>(index)]);
    return *sink;
}

int FleetCommands::pendingCommands() const {
    int n = OrchestratorCommands::pendingCommands();
    for (const auto& sink : perBackend_)
        if (sink) n += sink->pendingCommands();
    return n;
}

Fleet::MemberPtr FleetCommands::focusedMember() const {
    const auto members = fleet_.members();
    return members.at(static_cast<size_t>(std::clamp(focused_, 0, static_cast<int>(members.size()) - 1)));
}

void FleetCommands::focusBackend(int index) {
    if (index >= 0 && index < static_cast<int>(fleet_.size())) focused_ = index;
}

void FleetCommands::say(orchestrator::NotificationKind kind, std::string message, std::string detail) {
    auto m = focusedMember();
    m->runtime->events().push({orchestrator::Event::Type::Notification, kind, std::move(message), std::move(detail), {},
                               m->runtime->nowMicros()});
}

void FleetCommands::refreshAll() {
    auto m = focusedMember();
    if (!m->runtime->initialized()) {
        m->runtime->retryInitializeNow();
        return;
    }
    track(m->runtime->orchestrator().refreshAllData());
}

void FleetCommands::reconnect() { refreshAll(); }

void FleetCommands::setHistoryLimit(int limit) {
    settings_.historyLimit = limit;
    for (const auto& m : fleet_.members()) m->runtime->manager().setHistoryLimitOverride(limit);
}

void FleetCommands::setPollIntervals(int queueDownMs, int queueUpMs, int statusMs) {
    settings_.polls.queueWhileSocketDownMs = queueDownMs;
    settings_.polls.queueWhileSocketUpMs = queueUpMs;
    settings_.polls.statusMs = statusMs;
    for (const auto& m : fleet_.members()) track(m->runtime->orchestrator().setPollSettings(settings_.polls));
}

void FleetCommands::connect(const std::string& baseUrl) {
    FleetBackend b = parseBackendArgument(baseUrl);
    auto base = transport::parseBaseUrl(b.config.baseUrl);
    if (!base) {
        say(orchestrator::NotificationKind::Error, "Cannot add the backend", base.error().message);
        return;
    }
    b.config.baseUrl = base->str();
    b.config.insecureTls = focusedMember()->runtime->manager().backend().insecureTls;
    b.apiKey = apiKey_;
    auto added = fleet_.add(std::move(b), settings_.polls);
    if (settings_.historyLimit != 10) added->runtime->manager().setHistoryLimitOverride(settings_.historyLimit);
    focused_ = static_cast<int>(fleet_.size()) - 1;
    rememberUrl(settings_, added->url);
    say(orchestrator::NotificationKind::Info, "Added backend " + added->name, added->url);
    if (!added->recordError.empty())  // --record: this one is watched, not recorded
        say(orchestrator::NotificationKind::Warning, "Not recording " + added->name, added->recordError);
}

void FleetCommands::startDemo() {
    say(orchestrator::NotificationKind::Info, "The simulated backend runs on its own",
        "genmon --demo opens it; watching several backends, add genmon-sim's URL with Ctrl+L");
}

std::vector<ui::FleetRow> fleetRows(const Fleet& fleet, int focused) {
    std::vector<ui::FleetRow> rows;
    const auto members = fleet.members();
    rows.reserve(members.size());
    for (size_t i = 0; i < members.size(); ++i) {
        const auto& m = members[i];
        ui::FleetRow row;
        row.name = m->name;
        row.url = m->url;
        row.snapshot = m->runtime->snapshots().acquire();
        row.nextInitRetryAtMicros = m->runtime->nextInitRetryAtMicros();
        if (!m->runtime->initialized())
            if (auto e = m->runtime->lastInitError()) row.initError = e->message;
        row.focused = static_cast<int>(i) == focused;
        rows.push_back(std::move(row));
    }
    return rows;
}

FrameSource fleetFrameSource(Fleet& fleet, FleetCommands& commands) {
    // The last snapshot handed out, remade only when the focus or any backend's content changed.
    struct Cache {
        orchestrator::SnapshotPtr focused, shown;
        uint64_t version = 0;
    };
    auto cache = std::make_shared<Cache>();
    FrameSource source;
    source.snapshot = [&fleet, &commands, cache] {
        uint64_t version = static_cast<uint64_t>(commands.focused());
        for (const auto& m : fleet.members()) version += m->runtime->snapshots().acquire()->contentVersion;
        auto focused = commands.focusedMember()->runtime->snapshots().acquire();
        if (focused != cache->focused || version != cache->version || !cache->shown) {
            auto copy = std::make_shared<orchestrator::Snapshot>(*focused);  // a few pointers and strings
            copy->contentVersion = version;
            cache->focused = std::move(focused);
            cache->shown = std::move(copy);
            cache->version = version;
        }
        return cache->shown;
    };
    source.nowMicros = [&fleet] { return fleet.loop().nowMicros(); };
    source.drainEvents = [&fleet] {
        std::vector<orchestrator::Event> all;
        for (const auto& m : fleet.members())
            for (auto& e : m->runtime->events().drain()) {
                e.message = m->name + ": " + e.message;  // which backend answered
                all.push_back(std::move(e));
            }
        return all;
    };
    source.nextInitRetryAtMicros = [&commands] { return commands.focusedMember()->runtime->nextInitRetryAtMicros(); };
    // The Inspector follows the focus (in all-backends mode too: the focused one's, and says so).
    source.exchangesNow = [&commands]() -> const orchestrator::ExchangeLog* {
        return &commands.focusedMember()->runtime->exchanges();
    };
    source.fleet = [&fleet, &commands] { return fleetRows(fleet, commands.focused()); };
    return source;
}

}  // namespace genmon::app
