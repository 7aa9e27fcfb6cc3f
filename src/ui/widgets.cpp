#include "ui/widgets.hpp"

#include "ui/fonts.hpp"
#include "ui/theme.hpp"

namespace genmon::ui {

void textView(std::string_view s) { ImGui::TextUnformatted(s.data(), s.data() + s.size()); }

void coloredText(const ImVec4& color, std::string_view s) {
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    textView(s);
    ImGui::PopStyleColor();
}

void coloredWrapped(const ImVec4& color, std::string_view s) {
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::PushTextWrapPos(0.0f);
    textView(s);
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
}

void sectionTitle(const char* title) {
    ImGui::Spacing();
    ImGui::PushFont(fonts().heading);
    ImGui::TextUnformatted(title);
    ImGui::PopFont();
    ImGui::Separator();
}

bool beginFields(const char* id, float labelWidth) {
    if (!ImGui::BeginTable(id, 2, ImGuiTableFlags_SizingFixedFit)) return false;
    ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, labelWidth);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    return true;
}

void fieldLabel(const char* label) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    coloredText(palette().muted, label);
    ImGui::TableNextColumn();
}

void field(const char* label, std::string_view value) {
    fieldLabel(label);
    ImGui::PushTextWrapPos(0.0f);
    textView(value);
    ImGui::PopTextWrapPos();
}

}  // namespace genmon::ui
