// Issue 14.1, frames cost what they show on the software renderer: the damage tracker says where
// a frame differs from the last one, and a frame drawn only there is pixel for pixel the frame a
// full redraw gives (checked with Mesa's llvmpipe through EGL, like the screenshot suite).
#include <doctest/doctest.h>

#include <imgui.h>

#include <memory>
#include <string>

#include "app/fixture.hpp"
#include "app/gui.hpp"
#include "platform/damage.hpp"
#include "platform/gl_textures.hpp"
#include "platform/offscreen.hpp"
#include "test_support.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"

using namespace genmon;
using platform::Damage;
using platform::DamageRect;
using platform::DamageTracker;

namespace {

// An ImGui context that builds draw data and renders nothing.
struct Context {
    Context() {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(800, 600);
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    ~Context() { ImGui::DestroyContext(); }
};

// One frame: a window with two lines of text at a place; returns the draw data.
const ImDrawData& frame(const char* first, const char* second, ImVec2 pos = {20, 20}, bool extraWindow = false) {
    ImGui::GetIO().DeltaTime = 1.0f / 60;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(pos);
    ImGui::SetNextWindowSize(ImVec2(300, 200));
    ImGui::Begin("w", nullptr, ImGuiWindowFlags_NoDecoration);
    ImGui::TextUnformatted(first);
    ImGui::TextUnformatted(second);
    ImGui::End();
    if (extraWindow) {
        ImGui::SetNextWindowPos(ImVec2(500, 400));
        ImGui::SetNextWindowSize(ImVec2(120, 40));
        ImGui::Begin("extra", nullptr, ImGuiWindowFlags_NoDecoration);
        ImGui::TextUnformatted("a toast");
        ImGui::End();
    }
    ImGui::Render();
    return *ImGui::GetDrawData();
}

bool covers(const Damage& d, DamageRect r) {
    for (const auto& x : d.rects)
        if (x.x0 <= r.x0 && x.y0 <= r.y0 && x.x1 >= r.x1 && x.y1 >= r.y1) return true;
    return false;
}

float damagedArea(const Damage& d) {
    float a = 0;
    for (const auto& r : d.rects) a += r.area();
    return a;
}

}  // namespace

TEST_CASE("issue 14.1 damage: the first frame is drawn whole, an identical frame draws nothing") {
    Context c;
    DamageTracker t;
    CHECK(t.update(frame("queued", "0%")).full);
    frame("queued", "0%");  // ImGui's own first frames settle sizes
    t.update(frame("queued", "0%"));
    const Damage same = t.update(frame("queued", "0%"));
    CHECK_FALSE(same.full);
    CHECK(same.rects.empty());
}

TEST_CASE("issue 14.1 damage: a changed text damages that line only, covering the old and the new glyphs") {
    Context c;
    DamageTracker t;
    for (int i = 0; i < 3; ++i) t.update(frame("processing", "62%"));
    const Damage d = t.update(frame("processing", "63%"));
    REQUIRE_FALSE(d.full);
    REQUIRE_FALSE(d.rects.empty());
    const float line = ImGui::GetTextLineHeightWithSpacing();
    // The "2" that became a "3", on the second line; the first line and the rest are kept.
    const float glyphX = 28 + ImGui::CalcTextSize("6").x + ImGui::CalcTextSize("3").x / 2;
    const float lineY = 20 + 8 + line + ImGui::GetFontSize() / 2;
    CHECK(covers(d, {glyphX - 1, lineY - 2, glyphX + 1, lineY + 2}));
    CHECK(damagedArea(d) < 0.05f * 800 * 600);
    for (const auto& r : d.rects) CHECK(r.y0 >= 20 + 8 + line - 2);  // nothing above the changed line
}

TEST_CASE("issue 14.1 damage: a text that grows or shrinks damages from the change on, old and new extents") {
    Context c;
    DamageTracker t;
    for (int i = 0; i < 3; ++i) t.update(frame("9.9 s", "tail"));
    const Damage d = t.update(frame("10 s and more", "tail"));
    REQUIRE_FALSE(d.full);
    CHECK(covers(d, {28, 29, 28 + ImGui::CalcTextSize("10 s and more").x - 1, 29 + ImGui::GetFontSize() - 2}));
    CHECK(damagedArea(d) < 0.05f * 800 * 600);
}

TEST_CASE("issue 14.1 damage: a window that moves damages where it was and where it is") {
    Context c;
    DamageTracker t;
    for (int i = 0; i < 3; ++i) t.update(frame("a", "b", {20, 20}));
    const Damage d = t.update(frame("a", "b", {60, 40}));
    REQUIRE_FALSE(d.full);
    CHECK(covers(d, {20, 20, 60, 40}));      // the old corner, uncovered now
    CHECK(covers(d, {300, 200, 360, 240}));  // the new corner
}

TEST_CASE("issue 14.1 damage: another window (a toast opening), a resize or invalidate() draw the whole frame") {
    Context c;
    DamageTracker t;
    for (int i = 0; i < 3; ++i) t.update(frame("a", "b"));
    CHECK(t.update(frame("a", "b", {20, 20}, true)).full);
    t.update(frame("a", "b", {20, 20}, true));
    CHECK_FALSE(t.update(frame("a", "b", {20, 20}, true)).full);
    ImGui::GetIO().DisplaySize = ImVec2(900, 600);
    CHECK(t.update(frame("a", "b", {20, 20}, true)).full);
    CHECK_FALSE(t.update(frame("a", "b", {20, 20}, true)).full);
    t.invalidate();
    CHECK(t.update(frame("a", "b", {20, 20}, true)).full);
}

TEST_CASE("issue 14.1 damage: rectangles merge when they overlap or are too many, in whole pixels inside the display") {
    const DamageRect display{0, 0, 100, 100};
    // Overlapping ones always merge (a command drawn once per rectangle must not blend twice).
    auto merged = platform::mergeDamage({{10.2f, 10.2f, 20.5f, 20.5f}, {15, 15, 30, 30}}, 8, display);
    REQUIRE(merged.size() == 1);
    CHECK(merged[0].x0 == 9);
    CHECK(merged[0].y0 == 9);
    CHECK(merged[0].x1 == 31);
    CHECK(merged[0].y1 == 31);
    std::vector<DamageRect> many;
    for (int i = 0; i < 20; ++i) many.push_back({static_cast<float>(i * 5), 50, static_cast<float>(i * 5 + 2), 52});
    const auto fewer = platform::mergeDamage(many, 8, display);
    CHECK(fewer.size() <= 8);
    for (size_t i = 0; i < fewer.size(); ++i)
        for (size_t j = i + 1; j < fewer.size(); ++j)
            CHECK((fewer[i].x1 <= fewer[j].x0 || fewer[j].x1 <= fewer[i].x0 || fewer[i].y1 <= fewer[j].y0 ||
                   fewer[j].y1 <= fewer[i].y0));  // disjoint
    CHECK(platform::mergeDamage({{-10, -10, 5, 5}, {90, 90, 200, 200}}, 8, display).back().x1 == 100);
    CHECK(platform::mergeDamage({{40, 40, 40, 60}}, 8, display).size() == 1);  // a zero-width change still counts
}

TEST_CASE("issue 14.1 damage: renders offscreen frames drawn only where they changed, pixel-identical to full redraws") {
    auto fixture = app::loadFixture((std::filesystem::path(GENMON_SOURCE_DIR) / "tests/screenshots/fixtures/busy_queue.json").string());
    REQUIRE(fixture.ok());
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui::GetIO().ConfigInputTextCursorBlink = false;
    ui::loadFonts(15.0f);
    app::mapKeysLikeGlfw();
    {
        auto renderer = platform::OffscreenRenderer::create(fixture->width, fixture->height);
        REQUIRE_MESSAGE(renderer.ok(), (renderer.ok() ? std::string() : renderer.error().message));
        platform::GlTextureBackend textures;
        app::NullCommands commands;
        ui::App app(commands, &textures);
        app.state() = fixture->ui;
        DamageTracker tracker;
        constexpr float kClear[4] = {0.06f, 0.07f, 0.09f, 1.0f};
        int64_t now = fixture->nowMicros;
        double partialShare = 0;
        int partialFrames = 0;
        for (int i = 0; i < 14; ++i) {
            // What moves between frames: the clock (ages, elapsed times, "updated ... ago"), the
            // pointer over rows and buttons, the keyboard cursor, a panel opening.
            now += 700'000;
            ImGuiIO& io = ImGui::GetIO();
            io.MousePos = ImVec2(200.0f + 37.0f * static_cast<float>(i), 60.0f + 23.0f * static_cast<float>(i));
            if (i == 6) app.state().cursorJob = fixture->snapshot->queueView.job(2).uiId.str();
            if (i == 10) app.state().showHelp = true;
            renderer.value()->newFrame(1.0f / 60);
            app.frame({fixture->snapshot, now, i == 0 ? fixture->events : std::vector<orchestrator::Event>{},
                       fixture->initRetryAtMicros, nullptr});
            ImGui::Render();
            ImDrawData* data = ImGui::GetDrawData();
            const Damage damage = tracker.update(*data);
            platform::renderDrawData(data, &damage, kClear);
            const model::Image partial = renderer.value()->capture();
            platform::renderDrawData(data, nullptr, kClear);
            const model::Image whole = renderer.value()->capture();
            const std::string which = "frame " + std::to_string(i) + (damage.full ? " (drawn whole)" : " (drawn in part)");
            INFO(which);
            CHECK(partial.rgba == whole.rgba);
            if (!damage.full) {
                float area = 0;
                for (const auto& r : damage.rects) area += r.area();
                partialShare += area / (data->DisplaySize.x * data->DisplaySize.y);
                ++partialFrames;
            }
        }
        // The check above means something only if most frames were drawn in part.
        CHECK(partialFrames >= 8);
        CHECK(partialShare / std::max(1, partialFrames) < 0.3);
        app.releaseTextures();
    }
    ImGui::DestroyContext();
}

TEST_CASE("issue 14.1 damage: a command clipped to a damage rectangle gets exactly its own scissor there, fractional edges included") {
    // The OpenGL3 backend truncates the clip rectangle to whole pixels; drawing a command only
    // inside a damage rectangle must cover the same pixels of it as the full frame does.
    const ImVec2 off(0, 0), scale(1, 1);
    const int fbHeight = 600;
    int checked = 0;
    for (float a = 800.0f; a < 802.0f; a += 0.25f)
        for (float b = 820.0f; b < 822.0f; b += 0.25f)
            for (int r0 = 795; r0 < 825; r0 += 3) {
                const ImVec4 clip(a, 100.5f, b, 131.75f);
                const DamageRect r{static_cast<float>(r0), 90, static_cast<float>(r0 + 10), 140};
                const platform::PixelRect whole = platform::backendScissor(clip, off, scale, fbHeight);
                const platform::PixelRect want{std::max(whole.x0, r0), std::max(whole.y0, 90), std::min(whole.x1, r0 + 10),
                                               std::min(whole.y1, 140)};
                ImVec4 part;
                const bool drawn = platform::clipForDamage(clip, r, off, scale, fbHeight, part);
                REQUIRE(drawn == !want.empty());
                if (!drawn) continue;
                const platform::PixelRect got = platform::backendScissor(part, off, scale, fbHeight);
                CHECK(got.x0 == want.x0);
                CHECK(got.x1 == want.x1);
                CHECK(got.y0 == want.y0);
                CHECK(got.y1 == want.y1);
                ++checked;
            }
    CHECK(checked > 100);
}
