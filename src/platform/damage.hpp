#pragma once
// Frames cost what they show (issue 14.1), on the software renderer. With Mesa's llvmpipe two
// thirds of a frame's CPU is the fragment work of drawing the whole window again, although a
// data frame usually changes a few progress bars and texts. The tracker compares this frame's
// ImGui draw data with the last one's and says where pixels may differ; the renderer then
// clears and draws only there (every draw command clipped to those rectangles), and the window
// presents only those rectangles. Outside them the previous frame's pixels are kept, and they
// are what a full redraw would give, because nothing drawn there changed.
//
// What counts as a change: a triangle added, removed or changed (position, texture coordinate,
// colour) in a command, a command's clip rectangle or texture, a draw list's commands, the
// lists themselves or their order (a window raised): the last ones mean the whole frame.
// Textures changing under an unchanged id, a resize or an expose are the caller's to report
// (invalidate()).
#include <imgui.h>

#include <cstdint>
#include <vector>

namespace genmon::platform {

// In ImGui's coordinates (DisplayPos origin, top-left, y down).
struct DamageRect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    float area() const { return x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0; }
};

struct Damage {
    bool full = true;               // redraw everything
    std::vector<DamageRect> rects;  // else only these (empty: nothing changed at all)
};

class DamageTracker {
public:
    static constexpr size_t kMaxRects = 8;            // more are merged (smallest growth first)
    static constexpr float kFullAboveShare = 0.6f;    // past this share of the screen, redraw it all

    // Compares with the previous call's draw data; remembers this one.
    Damage update(const ImDrawData& data);
    // The next update reports full damage.
    void invalidate() { valid_ = false; }

private:
    struct List {
        const char* owner = nullptr;
        std::vector<ImDrawVert> vtx;
        std::vector<ImDrawIdx> idx;
        std::vector<ImDrawCmd> cmds;
    };
    void remember(const ImDrawData& data);

    std::vector<List> prev_;
    ImVec2 prevPos_{0, 0}, prevSize_{0, 0};
    bool valid_ = false;
};

// Grows each rectangle to whole pixels (and one more around, for rounding), clips it to the
// display, and merges until none overlap and at most maxRects remain: the result is disjoint.
std::vector<DamageRect> mergeDamage(std::vector<DamageRect> rects, size_t maxRects, DamageRect display);

// The framebuffer pixels ImGui 1.86's OpenGL3 backend lets a command with this clip rectangle
// touch (its glScissor, truncations included), as a rectangle in window rows (y down).
struct PixelRect {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool empty() const { return x1 <= x0 || y1 <= y0; }
};
PixelRect backendScissor(const ImVec4& clip, ImVec2 displayPos, ImVec2 scale, int fbHeight);
// The clip rectangle for drawing a command only inside damage rectangle r: the backend's
// scissor for it is exactly backendScissor(clip) ∩ r, so a pixel of r gets every command a full
// redraw gives it, also where the clip rectangle has fractional edges. False: nothing to draw.
bool clipForDamage(const ImVec4& clip, const DamageRect& r, ImVec2 displayPos, ImVec2 scale, int fbHeight, ImVec4& out);

// Draws the frame into the bound framebuffer with ImGui's OpenGL3 backend: everything (damage
// null or full), or only inside the rectangles (each cleared first, every command clipped to
// them). GL state as the backend leaves it.
void renderDrawData(ImDrawData* data, const Damage* damage, const float clearColor[4]);

}  // namespace genmon::platform
