#pragma once
// Where named items were drawn this frame, for UI tests: ImGui 1.86 has no test engine, so a
// test asks the views to note the rectangle (and text) of the items it wants to click or read.
// Production passes no probe; the views then skip this entirely.
#include <imgui.h>

#include <map>
#include <string>

namespace genmon::ui {

struct Probe {
    struct Item {
        ImVec2 min, max;
        std::string text;
        ImVec2 center() const { return ImVec2((min.x + max.x) / 2, (min.y + max.y) / 2); }
    };
    std::map<std::string, Item> items;  // cleared by the App at the start of each frame

    // Notes ImGui's last item under `name`.
    void noteLastItem(const std::string& name, std::string text = {}) {
        items[name] = Item{ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), std::move(text)};
    }
    const Item* find(const std::string& name) const {
        auto it = items.find(name);
        return it == items.end() ? nullptr : &it->second;
    }
};

}  // namespace genmon::ui
