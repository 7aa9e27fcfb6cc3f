#include "platform/damage.hpp"

#include <glad/gl.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace genmon::platform {

namespace {

// A draw list as the tracker sees it: the live one or the remembered copy.
struct ListView {
    const ImDrawVert* vtx;
    const ImDrawIdx* idx;
    const ImDrawCmd* cmds;
    size_t cmdCount;
};

bool sameVertex(const ImDrawVert& a, const ImDrawVert& b) { return std::memcmp(&a, &b, sizeof(ImDrawVert)) == 0; }

const ImDrawVert& corner(const ListView& l, const ImDrawCmd& c, size_t triangle, int k) {
    return l.vtx[c.VtxOffset + l.idx[c.IdxOffset + triangle * 3 + static_cast<size_t>(k)]];
}

bool sameTriangle(const ListView& a, const ImDrawCmd& ca, size_t ta, const ListView& b, const ImDrawCmd& cb, size_t tb) {
    for (int k = 0; k < 3; ++k)
        if (!sameVertex(corner(a, ca, ta, k), corner(b, cb, tb, k))) return false;
    return true;
}

DamageRect clipOf(const ImDrawCmd& c) { return {c.ClipRect.x, c.ClipRect.y, c.ClipRect.z, c.ClipRect.w}; }

DamageRect intersect(DamageRect a, DamageRect b) {
    return {std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1), std::min(a.y1, b.y1)};
}

DamageRect unite(DamageRect a, DamageRect b) {
    if (a.area() <= 0) return b;
    if (b.area() <= 0) return a;
    return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
}

// Where triangles [from, to) of a command draw: their bounding box inside the clip rectangle.
DamageRect trianglesBox(const ListView& l, const ImDrawCmd& c, size_t from, size_t to) {
    if (from >= to) return {};
    DamageRect box{1e30f, 1e30f, -1e30f, -1e30f};
    for (size_t t = from; t < to; ++t)
        for (int k = 0; k < 3; ++k) {
            const ImVec2 p = corner(l, c, t, k).pos;
            box.x0 = std::min(box.x0, p.x);
            box.y0 = std::min(box.y0, p.y);
            box.x1 = std::max(box.x1, p.x);
            box.y1 = std::max(box.y1, p.y);
        }
    return intersect(box, clipOf(c));
}

DamageRect commandBox(const ListView& l, const ImDrawCmd& c) { return trianglesBox(l, c, 0, c.ElemCount / 3); }

// What changed between two versions of one command with the same clip rectangle and texture:
// the triangles between the longest equal prefix and the longest equal suffix, old and new.
void diffCommand(const ListView& o, const ImDrawCmd& oc, const ListView& n, const ImDrawCmd& nc,
                 std::vector<DamageRect>& out) {
    const size_t to = oc.ElemCount / 3, tn = nc.ElemCount / 3, common = std::min(to, tn);
    size_t prefix = 0;
    while (prefix < common && sameTriangle(o, oc, prefix, n, nc, prefix)) ++prefix;
    if (prefix == to && prefix == tn) return;  // identical
    size_t suffix = 0;
    while (suffix < common - prefix && sameTriangle(o, oc, to - 1 - suffix, n, nc, tn - 1 - suffix)) ++suffix;
    out.push_back(trianglesBox(o, oc, prefix, to - suffix));
    out.push_back(trianglesBox(n, nc, prefix, tn - suffix));
}

float growthIfMerged(const DamageRect& a, const DamageRect& b) { return unite(a, b).area() - a.area() - b.area(); }

}  // namespace

PixelRect backendScissor(const ImVec4& clip, ImVec2 off, ImVec2 scale, int fbHeight) {
    // As imgui_impl_opengl3.cpp (1.86) computes it, float for float.
    const ImVec2 clipMin((clip.x - off.x) * scale.x, (clip.y - off.y) * scale.y);
    const ImVec2 clipMax((clip.z - off.x) * scale.x, (clip.w - off.y) * scale.y);
    if (clipMax.x <= clipMin.x || clipMax.y <= clipMin.y) return {};
    const int gx = static_cast<int>(clipMin.x), gy = static_cast<int>(static_cast<float>(fbHeight) - clipMax.y);
    const int gw = static_cast<int>(clipMax.x - clipMin.x), gh = static_cast<int>(clipMax.y - clipMin.y);
    return {gx, fbHeight - gy - gh, gx + gw, fbHeight - gy};
}

bool clipForDamage(const ImVec4& clip, const DamageRect& r, ImVec2 off, ImVec2 scale, int fbHeight, ImVec4& out) {
    const PixelRect s = backendScissor(clip, off, scale, fbHeight);
    const PixelRect d{static_cast<int>((r.x0 - off.x) * scale.x), static_cast<int>((r.y0 - off.y) * scale.y),
                      static_cast<int>((r.x1 - off.x) * scale.x), static_cast<int>((r.y1 - off.y) * scale.y)};
    const PixelRect in{std::max(s.x0, d.x0), std::max(s.y0, d.y0), std::min(s.x1, d.x1), std::min(s.y1, d.y1)};
    if (in.empty()) return false;
    // Whole pixels: the backend's arithmetic gives them back exactly.
    out = ImVec4(off.x + static_cast<float>(in.x0) / scale.x, off.y + static_cast<float>(in.y0) / scale.y,
                 off.x + static_cast<float>(in.x1) / scale.x, off.y + static_cast<float>(in.y1) / scale.y);
    return true;
}

std::vector<DamageRect> mergeDamage(std::vector<DamageRect> rects, size_t maxRects, DamageRect display) {
    for (auto& r : rects)  // whole pixels, one more around (antialiased fringes, rounding)
        r = intersect({std::floor(r.x0) - 1, std::floor(r.y0) - 1, std::ceil(r.x1) + 1, std::ceil(r.y1) + 1}, display);
    std::erase_if(rects, [](const DamageRect& r) { return r.area() <= 0; });
    // Overlapping rectangles always merge: each command is drawn once per rectangle, and drawing
    // a translucent one twice over the same pixels would blend it twice. Then, while there are
    // too many, the pair whose union adds the least area merges.
    auto overlap = [](const DamageRect& a, const DamageRect& b) { return intersect(a, b).area() > 0; };
    while (rects.size() > 1) {
        size_t bi = 0, bj = 1;
        bool found = false;
        for (size_t i = 0; i < rects.size() && !found; ++i)
            for (size_t j = i + 1; j < rects.size() && !found; ++j)
                if (overlap(rects[i], rects[j])) {
                    bi = i;
                    bj = j;
                    found = true;
                }
        if (!found) {
            if (rects.size() <= maxRects) break;
            float best = growthIfMerged(rects[0], rects[1]);
            for (size_t i = 0; i < rects.size(); ++i)
                for (size_t j = i + 1; j < rects.size(); ++j)
                    if (const float g = growthIfMerged(rects[i], rects[j]); g < best) {
                        best = g;
                        bi = i;
                        bj = j;
                    }
        }
        rects[bi] = unite(rects[bi], rects[bj]);
        rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(bj));
    }
    return rects;
}

Damage DamageTracker::update(const ImDrawData& data) {
    Damage d;
    const bool sameFrame = valid_ && data.DisplayPos.x == prevPos_.x && data.DisplayPos.y == prevPos_.y &&
                           data.DisplaySize.x == prevSize_.x && data.DisplaySize.y == prevSize_.y &&
                           static_cast<size_t>(data.CmdListsCount) == prev_.size();
    bool full = !sameFrame;
    std::vector<DamageRect> raw;
    for (int li = 0; !full && li < data.CmdListsCount; ++li) {
        const ImDrawList& nl = *data.CmdLists[li];
        const List& ol = prev_[static_cast<size_t>(li)];
        if (nl._OwnerName != ol.owner) {  // another window there: raised, opened or closed
            full = true;
            break;
        }
        const ListView o{ol.vtx.data(), ol.idx.data(), ol.cmds.data(), ol.cmds.size()};
        const ListView n{nl.VtxBuffer.Data, nl.IdxBuffer.Data, nl.CmdBuffer.Data, static_cast<size_t>(nl.CmdBuffer.Size)};
        for (size_t c = 0; c < n.cmdCount; ++c)
            if (n.cmds[c].UserCallback) full = true;  // a callback draws what we cannot see
        if (full) break;
        if (o.cmdCount != n.cmdCount) {  // the list's structure changed: all it drew, before and after
            DamageRect before{}, after{};
            for (size_t c = 0; c < o.cmdCount; ++c) before = unite(before, commandBox(o, o.cmds[c]));
            for (size_t c = 0; c < n.cmdCount; ++c) after = unite(after, commandBox(n, n.cmds[c]));
            raw.push_back(before);
            raw.push_back(after);
            continue;
        }
        for (size_t c = 0; c < n.cmdCount; ++c) {
            const ImDrawCmd& oc = o.cmds[c];
            const ImDrawCmd& nc = n.cmds[c];
            const bool sameClip = std::memcmp(&oc.ClipRect, &nc.ClipRect, sizeof(ImVec4)) == 0;
            if (!sameClip || oc.TextureId != nc.TextureId) {
                raw.push_back(commandBox(o, oc));
                raw.push_back(commandBox(n, nc));
            } else {
                diffCommand(o, oc, n, nc, raw);
            }
        }
    }
    remember(data);
    if (full) return d;
    const DamageRect display{data.DisplayPos.x, data.DisplayPos.y, data.DisplayPos.x + data.DisplaySize.x,
                             data.DisplayPos.y + data.DisplaySize.y};
    d.rects = mergeDamage(std::move(raw), kMaxRects, display);
    float area = 0;
    for (const auto& r : d.rects) area += r.area();
    d.full = area > kFullAboveShare * display.area();
    if (d.full) d.rects.clear();
    return d;
}

void DamageTracker::remember(const ImDrawData& data) {
    prev_.resize(static_cast<size_t>(data.CmdListsCount));
    for (int li = 0; li < data.CmdListsCount; ++li) {
        const ImDrawList& l = *data.CmdLists[li];
        List& keep = prev_[static_cast<size_t>(li)];
        keep.owner = l._OwnerName;
        keep.vtx.assign(l.VtxBuffer.Data, l.VtxBuffer.Data + l.VtxBuffer.Size);
        keep.idx.assign(l.IdxBuffer.Data, l.IdxBuffer.Data + l.IdxBuffer.Size);
        keep.cmds.assign(l.CmdBuffer.Data, l.CmdBuffer.Data + l.CmdBuffer.Size);
    }
    prevPos_ = data.DisplayPos;
    prevSize_ = data.DisplaySize;
    valid_ = true;
}

void renderDrawData(ImDrawData* data, const Damage* damage, const float clearColor[4]) {
    const int fbWidth = static_cast<int>(data->DisplaySize.x * data->FramebufferScale.x);
    const int fbHeight = static_cast<int>(data->DisplaySize.y * data->FramebufferScale.y);
    glViewport(0, 0, fbWidth, fbHeight);
    glClearColor(clearColor[0], clearColor[1], clearColor[2], clearColor[3]);
    if (!damage || damage->full) {
        glDisable(GL_SCISSOR_TEST);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(data);
        return;
    }
    if (damage->rects.empty()) return;
    // Clear each rectangle, then draw every command once per rectangle it touches, clipped to it.
    glEnable(GL_SCISSOR_TEST);
    const ImVec2 off = data->DisplayPos, scale = data->FramebufferScale;
    for (const auto& r : damage->rects) {
        const int x0 = static_cast<int>((r.x0 - off.x) * scale.x), x1 = static_cast<int>((r.x1 - off.x) * scale.x);
        const int y0 = static_cast<int>((r.y0 - off.y) * scale.y), y1 = static_cast<int>((r.y1 - off.y) * scale.y);
        glScissor(x0, fbHeight - y1, x1 - x0, y1 - y0);  // GL's origin is bottom-left
        glClear(GL_COLOR_BUFFER_BIT);
    }
    glDisable(GL_SCISSOR_TEST);
    std::vector<ImVector<ImDrawCmd>> original(static_cast<size_t>(data->CmdListsCount));
    for (int li = 0; li < data->CmdListsCount; ++li) {
        ImDrawList& l = *data->CmdLists[li];
        ImVector<ImDrawCmd> clipped;
        for (const ImDrawCmd& c : l.CmdBuffer)
            for (const auto& r : damage->rects) {
                ImDrawCmd part = c;
                if (clipForDamage(c.ClipRect, r, off, scale, fbHeight, part.ClipRect)) clipped.push_back(part);
            }
        original[static_cast<size_t>(li)].swap(l.CmdBuffer);
        l.CmdBuffer.swap(clipped);
    }
    ImGui_ImplOpenGL3_RenderDrawData(data);
    for (int li = 0; li < data->CmdListsCount; ++li) data->CmdLists[li]->CmdBuffer.swap(original[static_cast<size_t>(li)]);
}

}  // namespace genmon::platform
