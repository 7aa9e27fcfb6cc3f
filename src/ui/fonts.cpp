#include "ui/fonts.hpp"

#include <fontconfig/fontconfig.h>

#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

namespace genmon::ui {
namespace {
Fonts g_fonts;

// Latin, Latin-1, general punctuation (… — •), arrows, ≤ ≥ (a lower-bound ETA), geometric
// shapes (● ▲ ■), misc symbols and dingbats (⚠ ✔ ✖).
const ImWchar kRanges[] = {0x0020, 0x00FF, 0x2010, 0x205E, 0x2190, 0x21FF, 0x2264, 0x2265, 0x2300, 0x23FF,
                           0x25A0, 0x25FF, 0x2600, 0x26FF, 0x2700, 0x27BF, 0};

struct PatternDeleter {
    void operator()(FcPattern* p) const { FcPatternDestroy(p); }
};
using Pattern = std::unique_ptr<FcPattern, PatternDeleter>;
struct ConfigDeleter {
    void operator()(FcConfig* c) const { FcConfigDestroy(c); }
};

bool sameFamily(const char* a, const char* b) {
    for (; *a && *b; ++a, ++b)
        if (std::tolower(static_cast<unsigned char>(*a)) != std::tolower(static_cast<unsigned char>(*b))) return false;
    return *a == *b;
}

model::Error notFound(const std::string& name, const std::string& why) {
    return model::Error::make(model::ErrorKind::NotFound, "fontconfig finds no font \"" + name + "\" (" + why + ")");
}

model::Outcome<std::string> lookUp(FcConfig* config, const std::string& name) {
    Pattern wanted(FcNameParse(reinterpret_cast<const FcChar8*>(name.c_str())));
    if (!wanted) return notFound(name, "not a fontconfig name");
    FcChar8* family = nullptr;
    if (FcPatternGetString(wanted.get(), FC_FAMILY, 0, &family) != FcResultMatch) return notFound(name, "no family named");
    const std::string wantedFamily(reinterpret_cast<const char*>(family));
    Pattern query(FcPatternDuplicate(wanted.get()));
    FcConfigSubstitute(config, query.get(), FcMatchPattern);
    FcDefaultSubstitute(query.get());
    FcResult result = FcResultNoMatch;
    Pattern match(FcFontMatch(config, query.get(), &result));
    if (!match) return notFound(name, "no fonts installed");
    // fontconfig always answers with some font: only one of the family asked for will do.
    bool familyMatches = false;
    for (int i = 0; FcPatternGetString(match.get(), FC_FAMILY, i, &family) == FcResultMatch; ++i)
        if (sameFamily(reinterpret_cast<const char*>(family), wantedFamily.c_str())) familyMatches = true;
    if (!familyMatches) return notFound(name, "no font of the family \"" + wantedFamily + "\" is installed");
    FcChar8* file = nullptr;
    if (FcPatternGetString(match.get(), FC_FILE, 0, &file) != FcResultMatch) return notFound(name, "the match has no file");
    return std::string(reinterpret_cast<const char*>(file));
}

ImFont* builtinFont(float size) {
    ImFontConfig cfg;
    cfg.SizePixels = size;
    return ImGui::GetIO().Fonts->AddFontDefault(&cfg);
}

ImFont* load(const std::string& name, float size, std::string& warning) {
    auto note = [&warning](const std::string& line) {
        if (!warning.empty()) warning += "; ";
        warning += line;
    };
    auto file = findFontFile(name);
    if (!file) {
        const bool dejavu = name.rfind("DejaVu", 0) == 0;
        note(file.error().message + (dejavu ? "; install fonts-dejavu-core" : "") + "; using ImGui's built-in font");
        return builtinFont(size);
    }
    if (!std::ifstream(file.value(), std::ios::binary)) {  // ImGui would assert on an unreadable file
        note("cannot read the font " + file.value() + "; using ImGui's built-in font");
        return builtinFont(size);
    }
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    return ImGui::GetIO().Fonts->AddFontFromFileTTF(file.value().c_str(), size, &cfg, kRanges);
}
}  // namespace

model::Outcome<std::string> findFontFile(const std::string& name) {
    static std::mutex mutex;
    static std::map<std::string, model::Outcome<std::string>> answers;
    std::lock_guard lock(mutex);
    if (auto it = answers.find(name); it != answers.end()) return it->second;
    // Loading the configuration is most of a lookup's cost (about 11 ms against 3): one, private
    // (FcInit's global one would outlive genmon in leak checkers), released at exit.
    static std::unique_ptr<FcConfig, ConfigDeleter> config(FcInitLoadConfigAndFonts());
    auto answer = config ? lookUp(config.get(), name) : notFound(name, "fontconfig cannot load its configuration");
    answers.emplace(name, answer);
    return answer;
}

Fonts loadFonts(float size, const FontChoice& choice) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    Fonts f;
    f.size = size;
    f.regular = load(choice.regular, size, f.warning);
    f.mono = load(choice.mono, size * 0.93f, f.warning);
    f.heading = load(choice.heading, size * 1.15f, f.warning);
    io.FontDefault = f.regular;
    g_fonts = f;
    return f;
}

const Fonts& fonts() { return g_fonts; }

}  // namespace genmon::ui
