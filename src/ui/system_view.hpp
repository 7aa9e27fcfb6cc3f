#pragma once
// System status: overall health, GPU and memory, queue counts, SDNext, warnings, CPU/RAM/disk/GPU metrics, and the unavailable notice after a 404.
#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

class SystemView final : public View {
public:
    const char* title() const override { return "System"; }
    bool& open(UiState& st) const override { return st.showSystem; }
    std::optional<PanelPlace> layoutPlace(const DefaultPlaces& at) const override { return at.system; }
    void draw(FrameContext& ctx) override;
};

}  // namespace genmon::ui
