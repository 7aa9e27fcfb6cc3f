#pragma once
// Settings: poll intervals, the data frame rate and theme; saved in the config folder on exit.
#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

class SettingsView final : public View {
public:
    const char* title() const override { return "Settings"; }
    bool& open(UiState& st) const override { return st.showSettings; }
    void placeOnAppearing(float em) const override;
    ImGuiWindowFlags windowFlags() const override { return ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings; }
    void draw(FrameContext& ctx) override;

private:
    bool loaded_ = false;
    int downMs_ = 0, upMs_ = 0, statusMs_ = 0;  // edits not applied yet
};

}  // namespace genmon::ui
