#pragma once
// The generation form (spec §2.4 parameters with the backend defaults), deferred or immediate mode.
#include <cstdint>

#include "model/generation_request.hpp"
#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

class GenerateView final : public View {
public:
    const char* title() const override { return "Generate"; }
    const char* menuShortcut() const override { return "g"; }
    bool& open(UiState& st) const override { return st.showGenerate; }
    std::optional<PanelPlace> layoutPlace(const DefaultPlaces& at) const override { return at.generate; }
    std::optional<Panel> keyboardPanel() const override { return Panel::Generate; }
    void draw(FrameContext& ctx) override;

private:
    void submit(FrameContext& ctx);
    bool drawParameters(FrameContext& ctx);

    // The edited parameters persist like the upstream studio's form; prompts live in UiState.
    model::GenerationRequest values_;
    bool initialized_ = false;       // values_ start from state.generate.defaults on first draw
    double denoiseValue_ = 0.75;     // kept while the checkbox is off, so re-enabling restores it
    bool focusPrompt_ = false;       // after "Please enter a prompt": put the cursor there
    int64_t lastSentMicros_ = 0;    // the "sent" note under the button
    model::GenerationMode lastSentMode_ = model::GenerationMode::Deferred;
};

}  // namespace genmon::ui
