#pragma once
// Drives ui::App frame by frame with no GL at all (ImGui draws into draw lists that nobody
// renders) and injects input through ImGui's io as Debian's ImGui 1.86 takes it: io.MousePos,
// io.MouseDown, io.KeysDown (GLFW key codes, as the window delivers them) and typed characters.
#include <GLFW/glfw3.h>  // key codes only
#include <doctest/doctest.h>
#include <imgui.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/gui.hpp"
#include "orchestrator/queue_module.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"

namespace genmon::test {

// Records every command the UI posts, as readable lines ("cancelJob backend-1").
class RecordingCommands final : public ui::CommandSink {
public:
    std::vector<std::string> log;
    // Issue 17.2: backend(i)'s commands land in the same log as "@i cancelJob x".
    ui::CommandSink& backend(int index) override {
        if (parent_) return parent_->backend(index);
        auto& sink = routed_[index];
        if (!sink) {
            sink = std::make_unique<RecordingCommands>();
            sink->parent_ = this;
            sink->prefix_ = std::to_string(index);
            sink->prefix_.insert(sink->prefix_.begin(), '@');
            sink->prefix_.push_back(' ');
        }
        return *sink;
    }
    void add(std::string line) {
        if (parent_)
            parent_->log.push_back(line.insert(0, prefix_));
        else
            log.push_back(std::move(line));
    }
    orchestrator::QueueViewSpec lastSpec;
    void cancelJob(const std::string& id) override { add("cancelJob " + id); }
    void clearQueue() override { add("clearQueue"); }
    void clearCompletedJobs() override { add("clearCompletedJobs"); }
    void deleteResult(const std::string& id) override { add("deleteResult " + id); }
    void refreshAll() override { add("refreshAll"); }
    void refreshResults() override { add("refreshResults"); }
    void startGeneration(const model::GenerationRequest& r, model::GenerationMode) override {
        add("startGeneration " + r.prompt);
    }
    void setHistoryLimit(int n) override { add("setHistoryLimit " + std::to_string(n)); }
    void setQueueView(const orchestrator::QueueViewSpec& spec) override {
        lastSpec = spec;
        add("setQueueView " + spec.filter);
    }
    void setPollIntervals(int down, int up, int status) override {
        add("setPollIntervals " + std::to_string(down) + " " + std::to_string(up) + " " + std::to_string(status));
    }
    void connect(const std::string& url) override { add("connect " + url); }
    void reconnect() override { add("reconnect"); }
    void startDemo() override { add("startDemo"); }
    void copyToClipboard(const std::string& text) override { add("copy " + text); }
    void quit() override { add("quit"); }
    void focusBackend(int index) override { add("focusBackend " + std::to_string(index)); }
    int pendingCommands() const override { return 0; }
    // Issue 18: a live backend with a history (false: what fixtures render).
    bool live = false;
    bool canRunAgain() const override { return live; }
    bool searchesHistory() const override { return live; }
    void runAgain(const std::string& id) override { add("runAgain " + id); }
    void runAgainAll(const std::vector<std::string>& ids) override {
        std::string line = "runAgainAll";
        for (const auto& id : ids) line += " " + id;
        add(line);
    }
    size_t count(const std::string& line) const { return static_cast<size_t>(std::count(log.begin(), log.end(), line)); }

private:
    RecordingCommands* parent_ = nullptr;
    std::string prefix_;
    std::map<int, std::unique_ptr<RecordingCommands>> routed_;
};

inline constexpr int64_t kNow = 1'795'694'400'000'000;  // 2026-11-26T12:00:00Z

// A snapshot made by the orchestrator's own queue module, as the worker would publish it.
inline orchestrator::SnapshotPtr snapshotOf(std::vector<model::Job> jobs, orchestrator::QueueViewSpec spec = {},
                                            int64_t now = kNow) {
    orchestrator::QueueModule q;
    q.setJobs(std::move(jobs), now);
    q.setViewSpec(spec);
    auto s = std::make_shared<orchestrator::Snapshot>();
    s->version = 1;
    s->jobs = q.jobs();
    s->activeJobs = q.activeJobs();
    s->sortedActiveJobs = q.sortedActiveJobs();
    s->queueView = q.queueView();
    s->queueViewSpec = q.viewSpec();
    s->counts = q.counts();
    s->isActive = s->queueManagerActive = s->isConnected = true;
    s->connection.phase = orchestrator::ConnectionPhase::Connected;
    s->jobsUpdatedAtMicros = s->statusUpdatedAtMicros = now - 1'000'000;
    return s;
}

inline model::Job makeJob(const std::string& uiId, const std::string& backendId, model::JobStatus status,
                          const std::string& prompt, int minutesAgo) {
    model::Job j;
    j.uiId = model::Text(uiId);
    j.backendId = model::Text(backendId);
    j.status = status;
    j.progress = status == model::JobStatus::Processing ? 40 : 0;
    j.prompt = model::Text(prompt);
    j.created_at = model::Timestamp::fromMicros(kNow - int64_t{minutesAgo} * 60'000'000);
    return j;
}

class UiHarness {
public:
    explicit UiHarness(orchestrator::SnapshotPtr snap, int width = 1440, int height = 900) : snap(std::move(snap)) {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
        ui::loadFonts(15.0f);
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas; nothing uploads it
        app::mapKeysLikeGlfw();
        app = std::make_unique<ui::App>(commands, nullptr);
        app->setProbe(&probe);
        frame(3);  // let the default layout settle
    }
    ~UiHarness() {
        app.reset();
        ImGui::DestroyContext();
    }
    UiHarness(const UiHarness&) = delete;
    UiHarness& operator=(const UiHarness&) = delete;

    void frame(int n = 1) {
        for (int i = 0; i < n; ++i) {
            ImGuiIO& io = ImGui::GetIO();
            io.DeltaTime = 1.0f / 60.0f;
            ImGui::NewFrame();
            ui::FrameInput in{snap, now, std::move(pendingEvents), retryAt};
            in.exchanges = exchanges;
            in.fleet = fleet;
            pendingEvents.clear();
            app->frame(in);
            ImGui::Render();
        }
    }

    const ui::Probe::Item& item(const std::string& name) {
        const auto* it = probe.find(name);
        if (!it) FAIL("no item '" << name << "' was drawn this frame");
        return *it;
    }
    bool drawn(const std::string& name) const { return probe.find(name) != nullptr; }
    size_t countDrawn(const std::string& prefix) const {
        size_t n = 0;
        for (const auto& [k, v] : probe.items)
            if (k.rfind(prefix, 0) == 0) ++n;
        return n;
    }

    void click(ImVec2 pos, bool shift = false, bool ctrl = false) {
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = pos;
        frame();  // hover first, as a real pointer would
        io.KeyShift = shift;
        io.KeyCtrl = ctrl;
        io.MouseDown[0] = true;
        frame();
        io.MouseDown[0] = false;
        frame();
        io.KeyShift = io.KeyCtrl = false;
        frame();
    }
    void clickItem(const std::string& name, bool shift = false, bool ctrl = false) {
        const ImVec2 at = item(name).center();
        click(at, shift, ctrl);
    }
    void press(int glfwKey) {
        ImGuiIO& io = ImGui::GetIO();
        io.KeysDown[glfwKey] = true;
        frame();
        io.KeysDown[glfwKey] = false;
        frame();
    }
    void type(const std::string& text) {
        for (char c : text) {
            ImGui::GetIO().AddInputCharacter(static_cast<unsigned>(c));
            frame();
        }
        frame();
    }
    ui::UiState& state() { return app->state(); }

    RecordingCommands commands;
    ui::Probe probe;
    const orchestrator::ExchangeLog* exchanges = nullptr;  // the Inspector's rows
    orchestrator::SnapshotPtr snap;
    int64_t now = kNow;
    int64_t retryAt = 0;
    std::vector<orchestrator::Event> pendingEvents;
    std::vector<ui::FleetRow> fleet;  // issue 17.2: several backends (empty: one, as always)
    std::unique_ptr<ui::App> app;
};

}  // namespace genmon::test
