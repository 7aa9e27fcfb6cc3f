#pragma once
// The Inspector: every HTTP attempt and WebSocket event, newest at the bottom, filterable.
// The log is copied only when it grew; headers (where the API key travels) are never in it.
#include <cstdint>
#include <string>
#include <vector>

#include "orchestrator/exchange_log.hpp"
#include "ui/frame_context.hpp"

namespace genmon::ui {

class InspectorView {
public:
    void draw(FrameContext& ctx, const orchestrator::ExchangeLog* log);

private:
    std::vector<orchestrator::Exchange> rows_;
    uint64_t copiedTotal_ = ~uint64_t{0};
    std::string filter_;
    std::vector<size_t> shown_;  // indexes of rows_ that pass the filter
    std::string shownFilter_;
    bool follow_ = true;
};

}  // namespace genmon::ui
