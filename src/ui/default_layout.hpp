#pragma once
// Where the panels go on a first start and after View > Reset layout: the numbers are data
// (assets/layout/default.json, read by app/assets.hpp); the shape (a queue-and-detail column
// beside a results-and-system column, or the queue on top of three columns in a narrow window)
// is here. The values built into this file are the fallback and reproduce the asset exactly.
#include <imgui.h>

namespace genmon::ui {

struct DefaultLayout {
    float narrowBelowEm = 64;         // a work area narrower than this gets the narrow layout
    float narrowQueueHeight = 0.5f;   // narrow: the queue's share of the height; the rest is split in three
    float wideLeftWidth = 0.58f;      // wide: the queue and detail column's share of the width...
    float wideLeftWidthBelowEm = 90;  // ...or, in a work area narrower than this,
    float wideLeftWidthNarrower = 0.6f;  // this share
    float wideQueueHeight = 0.62f;    // wide: the queue's share of the left column
    float wideResultsHeight = 0.52f;  // wide: the results' share of the right column
    float generateWidthEm = 36, generateHeightEm = 31;  // the Generate form, centred...
    float generateMarginEm = 2;       // ...leaving at least this margin in a small window
};

struct PanelPlace {
    ImVec2 pos, size;
};
struct DefaultPlaces {
    PanelPlace queue, detail, results, system, generate;
};

// The panels' places in the work area at origin of the given size (pixels), em = font size.
DefaultPlaces defaultPlaces(const DefaultLayout& layout, ImVec2 origin, ImVec2 size, float em);

// The layout placePanels uses: the built-in one until app/assets installs the asset's.
const DefaultLayout& defaultLayout();
void setDefaultLayout(const DefaultLayout& layout);

}  // namespace genmon::ui
