#pragma once
// The job detail pane: every field of the selected job, its params and its error text.
#include <cstdint>
#include <string>

#include "model/job.hpp"
#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

class DetailView final : public View {
public:
    const char* title() const override { return "Job detail"; }
    bool& open(UiState& st) const override { return st.showDetail; }
    std::optional<PanelPlace> layoutPlace(const DefaultPlaces& at) const override { return at.detail; }
    void draw(FrameContext& ctx) override;

private:
    // The selected job in this snapshot, or null when it left the queue. Cached per snapshot:
    // a full scan of 100k jobs happens only when the selection changes or the list was rebuilt.
    model::JobPtr lookup(const orchestrator::Snapshot& snap, const std::string& uiId, int64_t nowMicros);
    void drawFor(FrameContext& ctx, const std::string& id);  // id: a uiId in ctx.snap
    void drawJob(FrameContext& ctx, const model::Job& job, bool gone);
    void drawFields(FrameContext& ctx, const model::Job& job, bool gone);
    void drawParams(FrameContext& ctx, const model::Job& job);
    void drawPrompt(const model::Job& job);
    void drawResultJson(FrameContext& ctx, const model::Job& job);

    const orchestrator::Snapshot* cachedSnap_ = nullptr;
    uint64_t cachedVersion_ = 0;
    size_t cachedSize_ = 0;
    std::string cachedId_;
    model::JobPtr cachedJob_;     // null: not in that snapshot
    model::JobPtr lastKnown_;     // the selected job as last seen, shown after it is gone
    int shownBackend_ = -1;       // issue 17.2, all-backends mode: whose job it is
    int64_t lastFullScanMicros_ = 0;

    // Read-only text fields need mutable std::strings; rebuilt only when the text or width changes.
    model::Text promptSource_;    // held so its address cannot be reused while it is the key
    float promptWrapWidth_ = 0;
    std::string promptWrapped_;
    int promptLines_ = 1;
    model::Text jsonSource_;
    float jsonWrapWidth_ = 0;
    std::string jsonWrapped_;
    int jsonLines_ = 1;
};

}  // namespace genmon::ui
