#pragma once
// Settings: poll intervals, the data frame rate and theme; saved in the config folder on exit.
#include "ui/frame_context.hpp"

namespace genmon::ui {

class SettingsView {
public:
    void draw(FrameContext& ctx);

private:
    bool loaded_ = false;
    int downMs_ = 0, upMs_ = 0, statusMs_ = 0;  // edits not applied yet
};

}  // namespace genmon::ui
