#include "app/assets.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "app/settings_store.hpp"
#include "platform/png.hpp"

namespace genmon::app {
namespace fs = std::filesystem;
namespace od = simdjson::ondemand;

namespace {

// ---- a small JSON tree ------------------------------------------------------------------------
// The files are a few kilobytes: they are read into a tree first, so every syntax error is found
// (with its line) before any value is used, and numbers keep their text, so "0.58" becomes
// exactly the float 0.58f the code writes (through a double it could round differently).

struct Node {
    enum class Kind { Object, Array, String, Number, Bool, Null } kind = Kind::Null;
    std::string text;  // a string's value, a number's JSON text
    std::vector<std::pair<std::string, Node>> members;
    std::vector<Node> items;
};

const char* kindName(Node::Kind k) {
    switch (k) {
        case Node::Kind::Object: return "an object";
        case Node::Kind::Array: return "an array";
        case Node::Kind::String: return "a string";
        case Node::Kind::Number: return "a number";
        case Node::Kind::Bool: return "true or false";
        case Node::Kind::Null: return "null";
    }
    return "a value";
}

simdjson::error_code toNode(od::value v, Node& out, int depth) {
    if (depth > 8) return simdjson::DEPTH_ERROR;
    od::json_type type;
    if (auto e = v.type().get(type)) return e;
    switch (type) {
        case od::json_type::object: {
            out.kind = Node::Kind::Object;
            od::object object;
            if (auto e = v.get_object().get(object)) return e;
            for (auto field : object) {
                od::field f;
                if (auto e = std::move(field).get(f)) return e;
                std::string_view key;
                if (auto e = f.unescaped_key().get(key)) return e;
                Node child;
                if (auto e = toNode(f.value(), child, depth + 1)) return e;
                out.members.emplace_back(std::string(key), std::move(child));
            }
            return simdjson::SUCCESS;
        }
        case od::json_type::array: {
            out.kind = Node::Kind::Array;
            od::array array;
            if (auto e = v.get_array().get(array)) return e;
            for (auto item : array) {
                od::value element;
                if (auto e = std::move(item).get(element)) return e;
                Node child;
                if (auto e = toNode(element, child, depth + 1)) return e;
                out.items.push_back(std::move(child));
            }
            return simdjson::SUCCESS;
        }
        case od::json_type::string: {
            out.kind = Node::Kind::String;
            std::string_view s;
            if (auto e = v.get_string().get(s)) return e;
            out.text = s;
            return simdjson::SUCCESS;
        }
        case od::json_type::number: {
            out.kind = Node::Kind::Number;
            double ignored;  // validates the number; its text is what is kept
            if (auto e = v.get_double().get(ignored)) return e;
            std::string_view raw = v.raw_json_token();
            while (!raw.empty() && std::strchr(" \t\r\n", raw.back())) raw.remove_suffix(1);
            out.text = raw;
            return simdjson::SUCCESS;
        }
        case od::json_type::boolean: {
            out.kind = Node::Kind::Bool;
            bool b;
            if (auto e = v.get_bool().get(b)) return e;
            out.text = b ? "true" : "false";
            return simdjson::SUCCESS;
        }
        case od::json_type::null:
            out.kind = Node::Kind::Null;
            return v.is_null() ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
    }
    return simdjson::INCORRECT_TYPE;
}

model::Error fileError(std::string message) { return model::Error::make(model::ErrorKind::Decode, std::move(message)); }

size_t lineAt(std::string_view text, size_t offset) {
    size_t line = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
    return line;
}

// The whole document as a tree, or "line 7: not valid JSON (...)".
model::Outcome<Node> parseTree(std::string_view json) {
    const simdjson::padded_string padded(json);
    od::parser parser;
    od::document doc;
    auto syntax = [&](simdjson::error_code e) -> model::Error {
        std::string where;
        const char* at = nullptr;
        if (doc.current_location().get(at) == simdjson::SUCCESS && at >= padded.data() && at <= padded.data() + json.size())
            where = "line " + std::to_string(lineAt(json, static_cast<size_t>(at - padded.data()))) + ": ";
        return fileError(where + "not valid JSON (" + simdjson::error_message(e) + ")");
    };
    if (auto e = parser.iterate(padded).get(doc)) return fileError(std::string("not valid JSON (") + simdjson::error_message(e) + ")");
    od::value root;
    if (auto e = doc.get_value().get(root)) return syntax(e);
    Node tree;
    if (auto e = toNode(root, tree, 0)) return syntax(e);
    if (const char* rest = nullptr; doc.current_location().get(rest) == simdjson::SUCCESS)  // not at the end
        return syntax(simdjson::TRAILING_CONTENT);
    if (tree.kind != Node::Kind::Object) return fileError(std::string("the file must hold one JSON object, not ") + kindName(tree.kind));
    return tree;
}

std::string joined(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

// ---- values -------------------------------------------------------------------------------------

// A float exactly as written ("0.58" -> 0.58f), within [lo, hi].
model::Outcome<float> number(const Node& n, const std::string& path, float lo, float hi) {
    if (n.kind != Node::Kind::Number) return fileError(path + ": expected a number, found " + kindName(n.kind));
    float v = 0;
    const char* end = n.text.data() + n.text.size();
    const auto r = std::from_chars(n.text.data(), end, v);
    if (r.ec != std::errc() || r.ptr != end || !std::isfinite(v))
        return fileError(path + ": " + n.text + " is not a number genmon can use");
    if (v < lo || v > hi) {
        std::ostringstream why;
        why << path << ": " << n.text << " is out of range (" << lo << " to " << hi << ")";
        return fileError(why.str());
    }
    return v;
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr const char* kColourForms = "\"#RRGGBB\", \"#RRGGBBAA\", \"rgba(R, G, B, A)\" (0-255, alpha 0-1) or [r, g, b, a] (0-1)";

// One colour in any of the four forms. Byte values become byte / 255.0f, as the code's rgb().
model::Outcome<ImVec4> colour(const Node& n, const std::string& path) {
    auto bad = [&](const std::string& what) { return fileError(path + ": " + what + " is not a colour; write " + kColourForms); };
    if (n.kind == Node::Kind::Array) {
        if (n.items.size() != 4) return bad("an array of " + std::to_string(n.items.size()) + " numbers");
        float c[4];
        for (size_t i = 0; i < 4; ++i) {
            auto v = number(n.items[i], path + "[" + std::to_string(i) + "]", 0, 1);
            if (!v) return v.error();
            c[i] = v.value();
        }
        return ImVec4(c[0], c[1], c[2], c[3]);
    }
    if (n.kind != Node::Kind::String) return bad(kindName(n.kind));
    const std::string& s = n.text;
    if (!s.empty() && s[0] == '#') {
        if (s.size() != 7 && s.size() != 9) return bad("\"" + s + "\"");
        int bytes[4] = {0, 0, 0, 255};
        for (size_t i = 0; i + 1 < s.size(); i += 2) {
            const int hi = hexDigit(s[i + 1]), lo = hexDigit(s[i + 2]);
            if (hi < 0 || lo < 0) return bad("\"" + s + "\"");
            bytes[i / 2] = hi * 16 + lo;
        }
        if (s.size() == 7) return ImVec4(bytes[0] / 255.0f, bytes[1] / 255.0f, bytes[2] / 255.0f, 1.0f);
        return ImVec4(bytes[0] / 255.0f, bytes[1] / 255.0f, bytes[2] / 255.0f, bytes[3] / 255.0f);
    }
    if (s.rfind("rgba(", 0) == 0 && s.back() == ')') {
        // Split "rgba(50, 80, 130, 0.55)" at the commas and read each part exactly.
        std::vector<std::string> parts;
        std::string part;
        for (char ch : s.substr(5, s.size() - 6)) {
            if (ch == ',') {
                parts.push_back(part);
                part.clear();
            } else if (ch != ' ') {
                part += ch;
            }
        }
        parts.push_back(part);
        if (parts.size() != 4) return bad("\"" + s + "\"");
        int bytes[3];
        for (size_t i = 0; i < 3; ++i) {
            const auto r = std::from_chars(parts[i].data(), parts[i].data() + parts[i].size(), bytes[i]);
            if (r.ec != std::errc() || r.ptr != parts[i].data() + parts[i].size() || bytes[i] < 0 || bytes[i] > 255)
                return bad("\"" + s + "\"");
        }
        float alpha = 0;
        const auto r = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), alpha);
        if (r.ec != std::errc() || r.ptr != parts[3].data() + parts[3].size() || !(alpha >= 0 && alpha <= 1))
            return bad("\"" + s + "\"");
        return ImVec4(bytes[0] / 255.0f, bytes[1] / 255.0f, bytes[2] / 255.0f, alpha);
    }
    return bad("\"" + s + "\"");
}

model::Outcome<ImVec2> pair(const Node& n, const std::string& path, float lo, float hi) {
    if (n.kind != Node::Kind::Array || n.items.size() != 2)
        return fileError(path + ": expected [x, y], found " + (n.kind == Node::Kind::Array ? "an array of " + std::to_string(n.items.size()) : std::string(kindName(n.kind))));
    auto x = number(n.items[0], path + "[0]", lo, hi);
    if (!x) return x.error();
    auto y = number(n.items[1], path + "[1]", lo, hi);
    if (!y) return y.error();
    return ImVec2(x.value(), y.value());
}

// ---- a table of keys ------------------------------------------------------------------------------
// Each object of a file is read against the keys it may have: an unknown key is an error that
// lists the known ones (a typo should not pass unnoticed); keys starting with '_' are comments.

template <class Target>
struct Field {
    const char* key;
    model::Status (*read)(const Node&, const std::string& path, Target&);
};

template <class Target>
model::Status readObject(const Node& object, const std::string& path, const std::vector<Field<Target>>& fields,
                         Target& into, bool partial) {
    if (object.kind != Node::Kind::Object)
        return fileError((path.empty() ? std::string("the file") : path) + ": expected an object, found " + kindName(object.kind));
    std::vector<bool> seen(fields.size(), false);
    for (const auto& [key, value] : object.members) {
        if (!key.empty() && key[0] == '_') continue;
        size_t i = 0;
        while (i < fields.size() && key != fields[i].key) ++i;
        if (i == fields.size()) {
            std::string known;
            for (const auto& f : fields) known += (known.empty() ? "" : ", ") + std::string(f.key);
            return fileError(joined(path, key) + ": unknown key (known here: " + known + ")");
        }
        if (seen[i]) return fileError(joined(path, key) + ": given twice");
        seen[i] = true;
        if (auto st = fields[i].read(value, joined(path, key), into); !st) return st;
    }
    if (!partial)
        for (size_t i = 0; i < fields.size(); ++i)
            if (!seen[i]) return fileError(joined(path, fields[i].key) + ": missing");
    return model::okStatus();
}

// Members by pointer, so one small lambda per kind of value serves every key.
#define GENMON_COLOUR_FIELD(Struct, member)                                          \
    Field<Struct> {                                                                  \
        #member, [](const Node& n, const std::string& p, Struct& t) -> model::Status { \
            auto c = colour(n, p);                                                   \
            if (!c) return c.error();                                                \
            t.member = c.value();                                                    \
            return model::okStatus();                                                \
        }                                                                            \
    }
#define GENMON_NUMBER_FIELD(Struct, key, member, lo, hi)                             \
    Field<Struct> {                                                                  \
        key, [](const Node& n, const std::string& p, Struct& t) -> model::Status {   \
            auto v = number(n, p, lo, hi);                                           \
            if (!v) return v.error();                                                \
            t.member = v.value();                                                    \
            return model::okStatus();                                                \
        }                                                                            \
    }
#define GENMON_PAIR_FIELD(Struct, key, member, lo, hi)                               \
    Field<Struct> {                                                                  \
        key, [](const Node& n, const std::string& p, Struct& t) -> model::Status {   \
            auto v = pair(n, p, lo, hi);                                             \
            if (!v) return v.error();                                                \
            t.member = v.value();                                                    \
            return model::okStatus();                                                \
        }                                                                            \
    }

const std::vector<Field<ui::Palette>>& paletteFields() {
    using P = ui::Palette;
    static const std::vector<Field<P>> fields = {
        GENMON_COLOUR_FIELD(P, text),       GENMON_COLOUR_FIELD(P, muted),     GENMON_COLOUR_FIELD(P, accent),
        GENMON_COLOUR_FIELD(P, ok),         GENMON_COLOUR_FIELD(P, warning),   GENMON_COLOUR_FIELD(P, error),
        GENMON_COLOUR_FIELD(P, info),       GENMON_COLOUR_FIELD(P, processing), GENMON_COLOUR_FIELD(P, queued),
        GENMON_COLOUR_FIELD(P, completed),  GENMON_COLOUR_FIELD(P, failed),    GENMON_COLOUR_FIELD(P, chipText),
        GENMON_COLOUR_FIELD(P, panelBg),
    };
    return fields;
}

// Roundings, paddings and spacings in em: up to 5 font sizes; borders up to 4 pixels.
const std::vector<Field<ui::ThemeSizes>>& sizeFields() {
    using S = ui::ThemeSizes;
    static const std::vector<Field<S>> fields = {
        GENMON_NUMBER_FIELD(S, "WindowRounding", windowRounding, 0, 5),
        GENMON_NUMBER_FIELD(S, "FrameRounding", frameRounding, 0, 5),
        GENMON_NUMBER_FIELD(S, "GrabRounding", grabRounding, 0, 5),
        GENMON_NUMBER_FIELD(S, "PopupRounding", popupRounding, 0, 5),
        GENMON_NUMBER_FIELD(S, "ScrollbarRounding", scrollbarRounding, 0, 5),
        GENMON_PAIR_FIELD(S, "WindowPadding", windowPadding, 0, 5),
        GENMON_PAIR_FIELD(S, "FramePadding", framePadding, 0, 5),
        GENMON_PAIR_FIELD(S, "ItemSpacing", itemSpacing, 0, 5),
        GENMON_PAIR_FIELD(S, "CellPadding", cellPadding, 0, 5),
        GENMON_NUMBER_FIELD(S, "ScrollbarSize", scrollbarSize, 0.1f, 5),
    };
    return fields;
}
const std::vector<Field<ui::ThemeSizes>>& borderFields() {
    using S = ui::ThemeSizes;
    static const std::vector<Field<S>> fields = {
        GENMON_NUMBER_FIELD(S, "WindowBorderSize", windowBorderSize, 0, 4),
        GENMON_NUMBER_FIELD(S, "FrameBorderSize", frameBorderSize, 0, 4),
    };
    return fields;
}

// ImGui's colours by ImGui's own names ("WindowBg", "Header", ...), except the three the
// palette sets.
bool followsPalette(int index, const char** which) {
    switch (index) {
        case ImGuiCol_Text: *which = "palette.text"; return true;
        case ImGuiCol_TextDisabled: *which = "palette.muted"; return true;
        case ImGuiCol_WindowBg: *which = "palette.panelBg"; return true;
        default: return false;
    }
}

model::Status readImGuiColours(const Node& object, const std::string& path, ui::Theme& theme, bool partial) {
    if (object.kind != Node::Kind::Object) return fileError(path + ": expected an object, found " + kindName(object.kind));
    std::vector<bool> seen(ImGuiCol_COUNT, false);
    for (const auto& [key, value] : object.members) {
        if (!key.empty() && key[0] == '_') continue;
        int index = 0;
        while (index < ImGuiCol_COUNT && key != ImGui::GetStyleColorName(index)) ++index;
        const std::string where = joined(path, key);
        if (index == ImGuiCol_COUNT) return fileError(where + ": unknown key (ImGui 1.86's colour names: Border, FrameBg, Header, ...)");
        if (const char* which = nullptr; followsPalette(index, &which))
            return fileError(where + ": follows the palette; set " + which + " instead");
        if (seen[static_cast<size_t>(index)]) return fileError(where + ": given twice");
        seen[static_cast<size_t>(index)] = true;
        auto c = colour(value, where);
        if (!c) return c.error();
        theme.colors[static_cast<size_t>(index)] = c.value();
    }
    if (!partial)
        for (int index = 0; index < ImGuiCol_COUNT; ++index)
            if (const char* which = nullptr; !seen[static_cast<size_t>(index)] && !followsPalette(index, &which))
                return fileError(joined(path, ImGui::GetStyleColorName(index)) + ": missing");
    return model::okStatus();
}

model::Status readThemeTree(const Node& root, ui::Theme& theme, bool partial) {
    bool seenPalette = false, seenImGui = false, seenSizes = false, seenBorders = false, seenLighten = false;
    for (const auto& [key, value] : root.members) {
        model::Status st = model::okStatus();
        if (!key.empty() && key[0] == '_') continue;
        if (key == "palette") {
            seenPalette = true;
            st = readObject(value, key, paletteFields(), theme.palette, partial);
        } else if (key == "imgui") {
            seenImGui = true;
            st = readImGuiColours(value, key, theme, partial);
        } else if (key == "sizesEm") {
            seenSizes = true;
            st = readObject(value, key, sizeFields(), theme.sizes, partial);
        } else if (key == "bordersPx") {
            seenBorders = true;
            st = readObject(value, key, borderFields(), theme.sizes, partial);
        } else if (key == "barFillLighten") {
            seenLighten = true;
            auto v = number(value, key, 0, 1);
            if (v) theme.barFillLighten = v.value();
            else st = v.error();
        } else {
            return fileError(key + ": unknown key (known: palette, imgui, sizesEm, bordersPx, barFillLighten)");
        }
        if (!st) return st;
    }
    if (!partial) {
        const std::pair<bool, const char*> sections[] = {
            {seenPalette, "palette"}, {seenImGui, "imgui"}, {seenSizes, "sizesEm"}, {seenBorders, "bordersPx"},
            {seenLighten, "barFillLighten"}};
        for (const auto& [seen, name] : sections)
            if (!seen) return fileError(std::string(name) + ": missing");
    }
    return model::okStatus();
}

const std::vector<Field<ui::DefaultLayout>>& layoutTop() {
    using L = ui::DefaultLayout;
    static const std::vector<Field<L>> fields = {
        GENMON_NUMBER_FIELD(L, "narrowBelowEm", narrowBelowEm, 0, 1000),
        Field<L>{"narrow", [](const Node& n, const std::string& p, L& l) -> model::Status {
                     static const std::vector<Field<L>> narrow = {
                         GENMON_NUMBER_FIELD(L, "queueHeight", narrowQueueHeight, 0, 1)};
                     return readObject(n, p, narrow, l, false);
                 }},
        Field<L>{"wide", [](const Node& n, const std::string& p, L& l) -> model::Status {
                     static const std::vector<Field<L>> wide = {
                         GENMON_NUMBER_FIELD(L, "leftWidth", wideLeftWidth, 0, 1),
                         GENMON_NUMBER_FIELD(L, "leftWidthBelowEm", wideLeftWidthBelowEm, 0, 1000),
                         GENMON_NUMBER_FIELD(L, "leftWidthNarrower", wideLeftWidthNarrower, 0, 1),
                         GENMON_NUMBER_FIELD(L, "queueHeight", wideQueueHeight, 0, 1),
                         GENMON_NUMBER_FIELD(L, "resultsHeight", wideResultsHeight, 0, 1)};
                     return readObject(n, p, wide, l, false);
                 }},
        Field<L>{"generate", [](const Node& n, const std::string& p, L& l) -> model::Status {
                     static const std::vector<Field<L>> generate = {
                         GENMON_NUMBER_FIELD(L, "widthEm", generateWidthEm, 1, 1000),
                         GENMON_NUMBER_FIELD(L, "heightEm", generateHeightEm, 1, 1000),
                         GENMON_NUMBER_FIELD(L, "marginEm", generateMarginEm, 0, 100)};
                     return readObject(n, p, generate, l, false);
                 }},
    };
    return fields;
}

#undef GENMON_COLOUR_FIELD
#undef GENMON_NUMBER_FIELD
#undef GENMON_PAIR_FIELD

// ---- files --------------------------------------------------------------------------------------

model::Outcome<std::string> readText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        const bool exists = fs::exists(path, ec);
        return model::Error::make(model::ErrorKind::NotFound,
                                  path.string() + (exists ? ": cannot be read" : ": no such file"));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path executableDir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

}  // namespace

model::Status readTheme(std::string_view json, ui::Theme& theme, bool partial) {
    auto tree = parseTree(json);
    if (!tree) return tree.error();
    ui::Theme copy = theme;  // all or nothing: a bad key leaves the theme as it was
    if (auto st = readThemeTree(tree.value(), copy, partial); !st) return st;
    theme = copy;
    return model::okStatus();
}

model::Outcome<ui::DefaultLayout> readLayout(std::string_view json) {
    auto tree = parseTree(json);
    if (!tree) return tree.error();
    ui::DefaultLayout layout;
    if (auto st = readObject(tree.value(), "", layoutTop(), layout, false); !st) return st.error();
    return layout;
}

std::optional<fs::path> findAssetsDir(std::string* searched) {
    std::vector<fs::path> candidates;
    const char* env = std::getenv("GENMON_ASSETS_DIR");
    if (env && *env) {
        candidates.emplace_back(env);  // set: the only place looked at
    } else {
        if (const fs::path exe = executableDir(); !exe.empty()) candidates.push_back(exe.parent_path() / "share" / "genmon");
#ifdef GENMON_SOURCE_ASSETS_DIR
        candidates.emplace_back(GENMON_SOURCE_ASSETS_DIR);  // the build tree: the source's assets/
#endif
    }
    std::string looked;
    for (const auto& dir : candidates) {
        std::error_code ec;
        if (fs::is_directory(dir, ec)) return fs::weakly_canonical(dir, ec);
        looked += (looked.empty() ? "" : ", ") + dir.lexically_normal().string();
    }
    if (searched) *searched = (env && *env ? "GENMON_ASSETS_DIR=" : "") + looked;
    return std::nullopt;
}

std::string userThemePath() { return configDir() + "/theme.json"; }

Assets loadAssets(const AssetOptions& options) {
    Assets assets;
    std::string searched;
    assets.dir = options.dir ? std::optional<fs::path>(*options.dir) : findAssetsDir(&searched);
    if (!assets.dir) {
        assets.warnings.push_back("no assets folder (looked in " + searched +
                                  "); using the built-in themes and layout" + (options.icons ? ", no window icon" : ""));
    } else {
        const fs::path& dir = *assets.dir;
        for (auto [kind, name] : {std::pair{ui::ThemeKind::Dark, "dark"}, std::pair{ui::ThemeKind::Light, "light"}}) {
            const fs::path file = dir / "themes" / (std::string(name) + ".json");
            ui::Theme& theme = kind == ui::ThemeKind::Dark ? assets.dark : assets.light;
            auto text = readText(file);
            model::Status st = text ? readTheme(text.value(), theme, false) : model::Status(text.error());
            if (!st)
                assets.warnings.push_back((text ? file.string() + ": " : std::string()) + st.error().message +
                                          "; using the built-in " + name + " theme");
        }
        const fs::path layoutFile = dir / "layout" / "default.json";
        auto text = readText(layoutFile);
        auto layout = text ? readLayout(text.value()) : model::Outcome<ui::DefaultLayout>(text.error());
        if (layout)
            assets.layout = layout.value();
        else
            assets.warnings.push_back((text ? layoutFile.string() + ": " : std::string()) + layout.error().message +
                                      "; using the built-in layout");
        if (options.icons) {
            for (int size : kIconSizes) {
                const fs::path file = dir / "icons" / ("genmon-" + std::to_string(size) + ".png");
                auto image = platform::readPng(file.string());
                if (!image || image->width != size || image->height != size) {
                    assets.warnings.push_back(file.string() + ": " +
                                              (image ? "is " + std::to_string(image->width) + "x" + std::to_string(image->height) +
                                                           ", not " + std::to_string(size) + "x" + std::to_string(size)
                                                     : image.error().message) +
                                              "; the window has no icon");
                    assets.icons.clear();
                    break;
                }
                assets.icons.push_back(std::move(image).value());
            }
        }
    }
    if (options.userTheme) {
        const std::string file = options.userThemeFile ? *options.userThemeFile : userThemePath();
        std::error_code ec;
        if (fs::exists(file, ec)) {
            // Partial: its keys override both the dark and the light theme; a bad file is
            // ignored as a whole, and the base themes stay.
            auto text = readText(file);
            model::Status st = text ? model::okStatus() : model::Status(text.error());
            ui::Theme dark = assets.dark, light = assets.light;
            if (st) st = readTheme(text.value(), dark, true);
            if (st) st = readTheme(text.value(), light, true);
            if (st) {
                assets.dark = dark;
                assets.light = light;
            } else {
                assets.warnings.push_back((text ? file + ": " : std::string()) + st.error().message +
                                          "; your theme is not used");
            }
        }
    }
    return assets;
}

void installAssets(const Assets& assets) {
    ui::setTheme(ui::ThemeKind::Dark, assets.dark);
    ui::setTheme(ui::ThemeKind::Light, assets.light);
    ui::setDefaultLayout(assets.layout);
}

}  // namespace genmon::app
