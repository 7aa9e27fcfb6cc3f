#pragma once
// The Inspector: every HTTP attempt and WebSocket event, newest at the bottom, filterable, with
// its direction (→ request without answer, ← response, ⇣ WS in, ⇡ WS out, · socket phase), and
// for the selected row a detail pane: the headers (the key only as "X-API-Key: ***"), the
// request and response bodies as the log previews them, and "Copy as curl" for HTTP rows.
// The log is copied only when it grew; it is redacted before anything reaches it.
#include <cstdint>
#include <string>
#include <vector>

#include "orchestrator/exchange_log.hpp"
#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

// A ready-to-run curl command for an HTTP exchange: method, URL, the key as a reference to the
// environment (-H "X-API-Key: $GENMON_API_KEY", never the key), and for a POST body the JSON
// content type and --data. Empty for WebSocket rows.
std::string curlCommand(const orchestrator::Exchange& exchange);
// 'text' for a POSIX shell: single quotes, each ' written as '\''.
std::string shellQuote(const std::string& text);

class InspectorView final : public View {
public:
    const char* title() const override { return "Inspector"; }
    const char* menuLabel() const override { return "Inspector (requests)"; }
    const char* menuShortcut() const override { return "i"; }
    bool& open(UiState& st) const override { return st.showInspector; }
    void placeOnAppearing(float em) const override;
    // ctx.exchanges: the focused backend's log; with a fleet its name is in the header.
    void draw(FrameContext& ctx) override;

private:
    void drawDetail(FrameContext& ctx, const orchestrator::Exchange& e);

    std::vector<orchestrator::Exchange> rows_;
    uint64_t copiedTotal_ = ~uint64_t{0};
    const orchestrator::ExchangeLog* copiedFrom_ = nullptr;  // a fleet's focus moved: another log
    std::string filter_;
    std::vector<size_t> shown_;  // indexes of rows_ that pass the filter
    std::string shownFilter_;
    bool follow_ = true;
    uint64_t scrolledTo_ = 0;  // the selection last scrolled into view
};

}  // namespace genmon::ui
