#include "app/ui_probe_file.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <imgui.h>

#include "protocol/json_writer.hpp"

namespace genmon::app {
namespace {

const char* panelName(ui::Panel p) {
    switch (p) {
        case ui::Panel::Queue: return "queue";
        case ui::Panel::Results: return "results";
        case ui::Panel::System: return "system";
        case ui::Panel::Detail: return "detail";
        case ui::Panel::Generate: return "generate";
    }
    return "?";
}

const char* confirmName(ui::Confirmation::Kind k) {
    switch (k) {
        case ui::Confirmation::Kind::None: return "";
        case ui::Confirmation::Kind::CancelJobs: return "cancelJobs";
        case ui::Confirmation::Kind::ClearQueue: return "clearQueue";
        case ui::Confirmation::Kind::DeleteResult: return "deleteResult";
        case ui::Confirmation::Kind::RetryFailed: return "retryFailed";
    }
    return "?";
}

// Whole pixels: sub-pixel noise would rewrite the file for nothing.
int64_t px(float v) { return static_cast<int64_t>(std::lround(v)); }

}  // namespace

std::unique_ptr<UiProbeFile> UiProbeFile::fromEnvironment() {
    const char* path = std::getenv(kEnvVar);
    if (!path || !*path) return nullptr;
    return std::make_unique<UiProbeFile>(path);
}

std::string UiProbeFile::describe(const ui::UiState& st, const orchestrator::Snapshot& snap,
                                  const std::string& windowTitle, const ui::Probe& probe, const Io& io) {
    protocol::JsonWriter w(true);
    w.beginObject();
    w.field("title", windowTitle);
    w.field("focus", panelName(st.focus));
    w.field("cursorJob", st.cursorJob);
    w.key("selectedJobs").beginArray();
    for (const auto& id : st.selectedJobs) w.value(id);
    w.endArray();
    w.field("detailJob", st.detailJob);
    w.field("filter", st.filter);
    w.field("appliedFilter", snap.queueViewSpec.filter);  // what the worker's queue view is filtered by
    w.field("queueRows", static_cast<uint64_t>(snap.queueView.size()));
    w.field("activeJobs", static_cast<uint64_t>(snap.sortedActiveJobs.size()));
    w.field("connected", snap.isConnected);
    w.key("mouse");
    if (io.mouseValid)
        w.beginArray().value(px(io.mouseX)).value(px(io.mouseY)).endArray();
    else
        w.null();
    w.field("textInput", io.textInput);
    w.key("keysDown").beginArray();
    for (int k : io.keysDown) w.value(k);
    w.endArray();
    w.key("open").beginObject();
    w.field("help", st.showHelp).field("about", st.showAbout).field("settings", st.showSettings);
    w.field("connect", st.showConnect).field("inspector", st.showInspector).field("generate", st.showGenerate);
    w.field("metrics", st.showMetrics).field("timeline", st.showTimeline).field("detail", st.showDetail);
    w.field("confirm", confirmName(st.confirm.kind));
    w.endObject();
    w.field("confirmText", st.confirm.what);
    w.key("toasts").beginArray();
    for (const auto& t : st.toasts) w.value(t.message);
    w.endArray();
    w.key("items").beginObject();
    for (const auto& [name, item] : probe.items) {
        w.key(name).beginObject();
        w.key("min").beginArray().value(px(item.min.x)).value(px(item.min.y)).endArray();
        w.key("max").beginArray().value(px(item.max.x)).value(px(item.max.y)).endArray();
        if (!item.text.empty()) w.field("text", item.text);
        w.endObject();
    }
    w.endObject();
    w.endObject();
    return std::move(w).take();
}

void UiProbeFile::frameDrawn(const ui::UiState& state, const orchestrator::Snapshot& snap, const std::string& windowTitle) {
    const ImGuiIO& imgui = ImGui::GetIO();
    Io io;
    io.mouseValid = ImGui::IsMousePosValid(&imgui.MousePos);
    io.mouseX = imgui.MousePos.x;
    io.mouseY = imgui.MousePos.y;
    io.textInput = imgui.WantTextInput;
    for (int k = 0; k < IM_ARRAYSIZE(imgui.KeysDown); ++k)
        if (imgui.KeysDown[k]) io.keysDown.push_back(k);
    std::string now = describe(state, snap, windowTitle, probe_, io);
    if (now == lastWritten_) return;
    // Readers never see half a file: write beside it, then rename over it.
    const std::string tmp = path_ + ".tmp";
    bool ok = false;
    if (std::FILE* f = std::fopen(tmp.c_str(), "wb")) {
        ok = std::fwrite(now.data(), 1, now.size(), f) == now.size();
        ok = std::fclose(f) == 0 && ok;
    }
    ok = ok && std::rename(tmp.c_str(), path_.c_str()) == 0;
    if (!ok) {
        if (!warned_) std::fprintf(stderr, "genmon: warning: cannot write the UI probe file %s\n", path_.c_str());
        warned_ = true;
        return;
    }
    lastWritten_ = std::move(now);
}

}  // namespace genmon::app
