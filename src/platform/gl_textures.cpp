#include "platform/gl_textures.hpp"

#include <glad/gl.h>

#include <cstdint>

namespace genmon::platform {

ImTextureID GlTextureBackend::create(const model::Image& image) {
    GLuint tex = 0;
    glGenTextures(1, &tex);
    if (!everUsed_.insert(tex).second) ++reusedIds_;
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, image.width, image.height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 image.rgba.data());
    return reinterpret_cast<ImTextureID>(static_cast<uintptr_t>(tex));
}

void GlTextureBackend::destroy(ImTextureID id) {
    const auto tex = static_cast<GLuint>(reinterpret_cast<uintptr_t>(id));
    glDeleteTextures(1, &tex);
}

}  // namespace genmon::platform
