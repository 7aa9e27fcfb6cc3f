#pragma once
// The queue table: sortedActiveJobs (as filtered and sorted by the worker), status chips, progress, ages, ETA, multi-select, per-row and bulk cancel, clear queue, clear completed, context menu.
#include <vector>

#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

class QueueView final : public View {
public:
    const char* title() const override { return "Queue"; }
    bool& open(UiState& st) const override { return st.showQueue; }
    std::optional<PanelPlace> layoutPlace(const DefaultPlaces& at) const override { return at.queue; }
    std::optional<Panel> keyboardPanel() const override { return Panel::Queue; }
    void draw(FrameContext& ctx) override;

private:
    void sendToEveryBackend(FrameContext& ctx);  // issue 17.2: all-backends mode

    orchestrator::QueueViewSpec sentSpec_;  // the last filter/sort sent to the worker
    std::vector<orchestrator::QueueViewSpec> sentPerBackend_;  // all-backends mode: per backend
};

}  // namespace genmon::ui
