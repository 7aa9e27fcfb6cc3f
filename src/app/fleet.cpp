#include "app/fleet.hpp"

#include <cctype>

#include "app/snapshot_json.hpp"
#include "transport/url.hpp"

namespace genmon::app {

FleetBackend parseBackendArgument(const std::string& argument) {
    FleetBackend b;
    const size_t scheme = argument.find("://");
    const size_t eq = argument.find('=');
    // NAME=URL: the '=' comes before the scheme (a query string's '=' comes after it).
    if (eq != std::string::npos && scheme != std::string::npos && eq < scheme) {
        b.name = argument.substr(0, eq);
        b.config.baseUrl = argument.substr(eq + 1);
    } else {
        b.config.baseUrl = argument;
    }
    return b;
}

std::string defaultBackendName(const std::string& url) {
    auto base = transport::parseBaseUrl(url);
    return base ? base->hostPort() : url;
}

Fleet::Fleet(RuntimeOptions options) : options_(std::move(options)) {
    options_.sharedLoop = &loop_;
    options_.sharedImages = std::make_shared<transport::ImageDecoder>(loop_);  // one thread for every backend
}

Fleet::~Fleet() { shutdown(); }

std::string Fleet::uniqueName(std::string wanted, const std::string& url) const {
    if (wanted.empty()) wanted = defaultBackendName(url);
    auto taken = [this](const std::string& n) {
        for (const auto& m : members_)
            if (m->name == n) return true;
        return false;
    };
    if (!taken(wanted)) return wanted;
    for (int i = 2;; ++i)
        if (std::string n = wanted + " #" + std::to_string(i); !taken(n)) return n;
}

Fleet::MemberPtr Fleet::add(FleetBackend backend, orchestrator::PollSettings polls) {
    auto member = std::make_shared<Member>();
    {
        std::lock_guard lock(mutex_);
        member->name = uniqueName(std::move(backend.name), backend.config.baseUrl);
    }
    auto base = transport::parseBaseUrl(backend.config.baseUrl);
    member->url = base ? base->str() : backend.config.baseUrl;
    member->runtime = std::make_unique<Runtime>(options_);
    if (onPublish_) member->runtime->snapshots().setOnPublish(onPublish_);
    if (!recordPattern_.empty()) {  // before start: the recorder sees the first exchange
        member->recordPath = recordingPathFor(recordPattern_, member->name);
        if (auto st = member->runtime->startRecording(member->recordPath, backend.config); !st)
            member->recordError = st.error().message;
    }
    member->first = member->runtime->start(std::move(backend.config), std::move(backend.apiKey), polls);
    std::lock_guard lock(mutex_);
    members_.push_back(member);
    return member;
}

std::vector<Fleet::MemberPtr> Fleet::members() const {
    std::lock_guard lock(mutex_);
    return members_;
}

size_t Fleet::size() const {
    std::lock_guard lock(mutex_);
    return members_.size();
}

void Fleet::setOnPublish(std::function<void()> onPublish) { onPublish_ = std::move(onPublish); }

void Fleet::recordEachInto(std::string path) { recordPattern_ = std::move(path); }

std::string Fleet::recordingError() const {
    for (const auto& m : members())
        if (!m->recordError.empty()) return "cannot record " + m->name + ": " + m->recordError;
    return {};
}

std::string recordingPathFor(const std::string& path, const std::string& backendName) {
    std::string name;
    for (char c : backendName) name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
    // The extension of the file name only (a dot in a folder's name is not one).
    const size_t slash = path.find_last_of('/');
    const size_t dot = path.find_last_of('.');
    const bool hasExt = dot != std::string::npos && (slash == std::string::npos || dot > slash + 1);
    return hasExt ? path.substr(0, dot) + "." + name + path.substr(dot) : path + "." + name;
}

void Fleet::shutdown() {
    std::vector<MemberPtr> members;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
        members = members_;
    }
    for (const auto& m : members) m->runtime->flushRecording();  // on disk before a shutdown the deadline might cut
    for (const auto& m : members) m->runtime->shutdown();
    options_.sharedImages.reset();  // its thread joins while the worker still takes its answers
    loop_.stop();
    for (const auto& m : members) (void)m->runtime->stopRecording();  // each file's end line; nothing writes after
    if (options_.history) options_.history->close();  // every member's records, committed
}

std::string fleetToJson(const std::vector<Fleet::MemberPtr>& members, const std::vector<std::string>& errors,
                        bool pretty) {
    // Each backend's object is snapshotToJson's with "name" and "url" in front: the same keys,
    // written by the same code as a single backend's dump.
    std::string out = "{\"backends\":[";
    bool first = true;
    for (size_t i = 0; i < members.size(); ++i) {
        const auto& m = members[i];
        const std::string one = snapshotToJson(*m->runtime->snapshots().acquire(), pretty);
        const size_t open = one.find('{');
        if (open == std::string::npos) continue;  // never: a snapshot is an object
        out += first ? "\n" : ",\n";
        out += "{\"name\":\"";
        protocol::JsonWriter::appendEscaped(out, m->name);
        out += "\",\"url\":\"";
        protocol::JsonWriter::appendEscaped(out, m->url);
        out += "\",";
        if (i < errors.size() && !errors[i].empty()) {
            out += "\"error\":\"";
            protocol::JsonWriter::appendEscaped(out, errors[i]);
            out += "\",";
        }
        out += one.substr(open + 1);
        first = false;
    }
    out += "\n]}";
    return out;
}

}  // namespace genmon::app
