#pragma once
// System status: overall health, GPU and memory, queue counts, SDNext, warnings, CPU/RAM/disk/GPU metrics, and the unavailable notice after a 404.
#include "ui/frame_context.hpp"

namespace genmon::ui {

class SystemView {
public:
    void draw(FrameContext& ctx);
};

}  // namespace genmon::ui
