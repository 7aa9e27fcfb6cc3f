#pragma once
// The queue table: sortedActiveJobs (as filtered and sorted by the worker), status chips, progress, ages, ETA, multi-select, per-row and bulk cancel, clear queue, clear completed, context menu.
#include <vector>

#include "ui/frame_context.hpp"

namespace genmon::ui {

class QueueView {
public:
    void draw(FrameContext& ctx);

private:
    void sendToEveryBackend(FrameContext& ctx);  // issue 17.2: all-backends mode

    orchestrator::QueueViewSpec sentSpec_;  // the last filter/sort sent to the worker
    std::vector<orchestrator::QueueViewSpec> sentPerBackend_;  // all-backends mode: per backend
};

}  // namespace genmon::ui
