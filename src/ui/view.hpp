#pragma once
// One panel of the window, as the shell (ui/app.cpp) sees it (issue 15.4): its title, its entry
// in the View menu, its open flag, where it opens, and how it draws itself from the frame. A view
// owns its own state (scroll positions, filters, caches) and reads everything else from the
// FrameContext. A new view is one file (a class deriving from View) and one line in makeViews().
#include <imgui.h>

#include <memory>
#include <optional>
#include <vector>

#include "ui/default_layout.hpp"
#include "ui/frame_context.hpp"
#include "ui/ui_state.hpp"

namespace genmon::ui {

class View {
public:
    virtual ~View() = default;

    // The window's title: also ImGui's key for where the person moved it (imgui.ini).
    virtual const char* title() const = 0;
    // The View menu's entry, and the key shown beside it (the key itself is read in app_keys.cpp).
    virtual const char* menuLabel() const { return title(); }
    virtual const char* menuShortcut() const { return nullptr; }
    // Whether it is open: a flag of the UI state (the View menu and its close button toggle it).
    virtual bool& open(UiState& state) const = 0;
    // A panel of the default layout gives its place there ("Reset layout" puts it back); a
    // floating view gives none and places itself when it appears.
    virtual std::optional<PanelPlace> layoutPlace(const DefaultPlaces&) const { return std::nullopt; }
    virtual void placeOnAppearing(float /*em*/) const {}
    virtual ImGuiWindowFlags windowFlags() const { return ImGuiWindowFlags_NoCollapse; }
    // The panel j, k, Enter and Delete act on while this view has the keyboard focus; none: the
    // focus stays where it was (the detail and system panels only show things).
    virtual std::optional<Panel> keyboardPanel() const { return std::nullopt; }
    virtual void draw(FrameContext& ctx) = 0;
};

// Every view of the window, in the View menu's order (also the order they are drawn in).
std::vector<std::unique_ptr<View>> makeViews();

}  // namespace genmon::ui
