#pragma once
// Metrics: genmon watching itself (issue 10), as Tracy's connection panel does. A grid of
// sparklines over the last 1, 5 or 10 minutes: queue depth, jobs per minute, job duration p50
// and p95, reconnects, snapshot age, WebSocket messages per second, parse time and UI frame
// time. Each shows its current value, min and max over the window, and the value under the
// pointer. A series without data says so instead of drawing a line that looks like a real zero.
// Issue 17.2: in all-backends mode, a tab per backend with its own series.
#include <string>
#include <vector>

#include <imgui.h>

#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

class MetricsView final : public View {
public:
    const char* title() const override { return "Metrics"; }
    const char* menuLabel() const override { return "Metrics (genmon itself)"; }
    bool& open(UiState& st) const override { return st.showMetrics; }
    void placeOnAppearing(float em) const override;
    void draw(FrameContext& ctx) override;

private:
    void drawOne(FrameContext& ctx, const std::string& backend);  // backend: named in the header (all-backends mode)

    std::vector<ImVec2> points_;  // one sparkline's polyline, reused every frame
};

}  // namespace genmon::ui
