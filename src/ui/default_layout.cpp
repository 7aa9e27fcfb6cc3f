#include "ui/default_layout.hpp"

#include <algorithm>
#include <cmath>

namespace genmon::ui {
namespace {
DefaultLayout g_layout;
}

DefaultPlaces defaultPlaces(const DefaultLayout& l, ImVec2 origin, ImVec2 size, float em) {
    DefaultPlaces p;
    if (size.x < l.narrowBelowEm * em) {
        // Narrow: the queue takes the whole width on top; the other panels share the bottom.
        const float queueH = size.y * l.narrowQueueHeight, third = size.x / 3;
        const float bottomY = origin.y + queueH, bottomH = size.y - queueH;
        p.queue = {origin, ImVec2(size.x, queueH)};
        p.detail = {ImVec2(origin.x, bottomY), ImVec2(third, bottomH)};
        p.results = {ImVec2(origin.x + third, bottomY), ImVec2(third, bottomH)};
        p.system = {ImVec2(origin.x + 2 * third, bottomY), ImVec2(size.x - 2 * third, bottomH)};
    } else {
        const float share = size.x < l.wideLeftWidthBelowEm * em ? l.wideLeftWidthNarrower : l.wideLeftWidth;
        const float leftW = std::round(size.x * share);
        const float rightW = size.x - leftW;
        const float queueH = std::round(size.y * l.wideQueueHeight);
        const float resultsH = std::round(size.y * l.wideResultsHeight);
        p.queue = {origin, ImVec2(leftW, queueH)};
        p.detail = {ImVec2(origin.x, origin.y + queueH), ImVec2(leftW, size.y - queueH)};
        p.results = {ImVec2(origin.x + leftW, origin.y), ImVec2(rightW, resultsH)};
        p.system = {ImVec2(origin.x + leftW, origin.y + resultsH), ImVec2(rightW, size.y - resultsH)};
    }
    const ImVec2 gs(std::min(l.generateWidthEm * em, size.x - l.generateMarginEm * em),
                    std::min(l.generateHeightEm * em, size.y - l.generateMarginEm * em));
    p.generate = {ImVec2(origin.x + (size.x - gs.x) / 2, origin.y + (size.y - gs.y) / 2), gs};
    return p;
}

const DefaultLayout& defaultLayout() { return g_layout; }
void setDefaultLayout(const DefaultLayout& layout) { g_layout = layout; }

}  // namespace genmon::ui
