#pragma once
// Recent results: a thumbnail grid and a list, hover previews with metadata, delete with confirmation, copy prompt and seed, history limit, refresh.
#include <string>

#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

class ResultsView final : public View {
public:
    const char* title() const override { return "Results"; }
    bool& open(UiState& st) const override { return st.showResults; }
    std::optional<PanelPlace> layoutPlace(const DefaultPlaces& at) const override { return at.results; }
    std::optional<Panel> keyboardPanel() const override { return Panel::Results; }
    void draw(FrameContext& ctx) override;

private:
    void syncHistoryLimit(FrameContext& ctx);
    int lastSnapshotLimit_ = 0;  // the worker's limit as last seen, to adopt changes made elsewhere
    int pendingLimit_ = 0;       // posted and not yet reflected by a snapshot (0: none)
    bool limitActive_ = false;   // the slider is being dragged: post once, on release
    std::string lastScrolledTo_; // the selection last brought into view
};

}  // namespace genmon::ui
