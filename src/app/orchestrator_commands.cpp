#include "app/orchestrator_commands.hpp"

#include <imgui.h>

namespace genmon::app {

void OrchestratorCommands::copyToClipboard(const std::string& text) { ImGui::SetClipboardText(text.c_str()); }

}  // namespace genmon::app
