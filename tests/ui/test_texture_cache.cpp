// The thumbnails' GPU textures (ui/texture_cache.hpp): uploaded once, and gone once their result
// is (a day of a busy backend must not keep a budget's worth of textures nobody can draw).
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <set>

#include "ui/texture_cache.hpp"

using namespace genmon;

namespace {

class CountingBackend : public ui::TextureBackend {
public:
    ImTextureID create(const model::Image&) override {
        const auto id = reinterpret_cast<ImTextureID>(static_cast<uintptr_t>(++created));
        live.insert(id);
        return id;
    }
    void destroy(ImTextureID id) override {
        ++destroyed;
        live.erase(id);
    }
    int created = 0, destroyed = 0;
    std::set<ImTextureID> live;
};

model::ImagePtr thumbnail(int side = 64) {
    auto image = std::make_shared<model::Image>();
    image->width = image->height = side;
    image->rgba.assign(static_cast<size_t>(side) * static_cast<size_t>(side) * 4, 0x80);
    return image;
}

}  // namespace

TEST_CASE("issue 14 (all day): a texture whose result left the snapshot is deleted, one still listed stays") {
    CountingBackend backend;
    ui::TextureCache cache(&backend);
    auto listed = thumbnail();
    auto leaving = thumbnail();
    const ImTextureID kept = cache.get(listed);
    REQUIRE(cache.get(leaving) != nullptr);
    CHECK(cache.get(listed) == kept);  // uploaded once
    CHECK(backend.created == 2);
    cache.endFrame();
    CHECK(cache.count() == 2);  // both were drawn this frame

    // The next frame draws neither; one result left the snapshot (nobody holds its image).
    leaving.reset();
    cache.endFrame();
    CHECK(backend.destroyed == 1);
    CHECK(cache.count() == 1);
    CHECK(cache.bytes() == 64u * 64u * 4u);
    // The listed one, not drawn (say, scrolled out of view), waits for the byte budget.
    cache.endFrame();
    CHECK(backend.live.count(kept) == 1);
    CHECK(cache.get(listed) == kept);
}

TEST_CASE("issue 14 (all day): a thousand results passing through keep as many textures as are listed") {
    CountingBackend backend;
    ui::TextureCache cache(&backend);
    std::vector<model::ImagePtr> shown;  // the ten results a snapshot lists, newest first
    for (int i = 0; i < 1000; ++i) {
        shown.insert(shown.begin(), thumbnail(32));
        if (shown.size() > 10) shown.pop_back();
        for (const auto& image : shown) cache.get(image);
        cache.endFrame();
    }
    CHECK(backend.created == 1000);
    CHECK(cache.count() <= 11);
    CHECK(backend.live.size() == cache.count());
}
