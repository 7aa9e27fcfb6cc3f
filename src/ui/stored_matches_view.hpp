#pragma once
// Issue 18.2: below the queue, the stored jobs the queue's search found in the history
// (Snapshot::storedMatches), with "Run again" on each and "Retry failed" over them. Nothing is
// drawn (and no room taken) without a history or a search: fixtures and goldens never show it.
#include "ui/frame_context.hpp"

namespace genmon::ui {

// The height the section needs under the queue table; 0 when there is nothing to show.
float storedMatchesHeight(const FrameContext& ctx);
void drawStoredMatches(FrameContext& ctx);

}  // namespace genmon::ui
