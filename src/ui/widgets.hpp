#pragma once
// Small drawing helpers the views share: text from string_views, coloured and wrapped text,
// section titles, and label/value rows that line up in one two-column table per section.
#include <imgui.h>

#include <string_view>

namespace genmon::ui {

inline constexpr const char* kDash = "\xE2\x80\x94";  // — for a value that is not there

void textView(std::string_view s);
void coloredText(const ImVec4& color, std::string_view s);
void coloredWrapped(const ImVec4& color, std::string_view s);
void sectionTitle(const char* title);
// A label/value table; call fieldLabel or field per row, then ImGui::EndTable().
bool beginFields(const char* id, float labelWidth);
void fieldLabel(const char* label);
void field(const char* label, std::string_view value);  // wrapped value

}  // namespace genmon::ui
