// errorMessageFromBody: the text a person sees for a failed request (decision 7, spec §1.2-1.3).
#include <algorithm>
#include <string>

#include "protocol/decode.hpp"
#include "protocol/json_read.hpp"

namespace genmon::protocol {

using namespace detail;

namespace {

// One FastAPI validation entry (§1.3): {"loc": ["body", "prompt"], "msg": "Field required"}.
struct ValidationEntry {
    std::string field, msg;
};

// loc without its first "body"/"query"/... part, joined with dots: "prompt", "params.steps".
Read locationPath(In& in, ValidationEntry& e) {
    od::array loc;
    const Read r = in.rd.array(in.value, loc);
    if (r != Read::Ok) return r;
    bool first = true;
    for (auto partResult : loc) {
        od::value part;
        if (const error_code err = std::move(partResult).get(part)) return in.rd.fail(err);
        std::string_view text;
        const Read p = in.rd.idText(part, text);
        if (p == Read::Broken) return p;
        if (p != Read::Ok) continue;
        const bool location =
            text == "body" || text == "query" || text == "path" || text == "header" || text == "cookie";
        if (first && location) {
            first = false;
            continue;
        }
        first = false;
        if (!e.field.empty()) e.field += '.';
        e.field += text;
    }
    return Read::Ok;
}

constexpr auto kValidationFields = fieldTable<ValidationEntry>({
    {"msg", Rule::Quiet, "", [](In& in, ValidationEntry& e) { return in.textTo(e.msg); }},
    {"message", Rule::Quiet, "",
     [](In& in, ValidationEntry& e) {
         std::string_view text;
         const Read r = in.text(text);
         if (r == Read::Ok && e.msg.empty()) e.msg.assign(text);
         return r;
     }},
    {"loc", Rule::Quiet, "", locationPath},
});

// "prompt: Field required" from one validation entry (a plain string is taken as it is). A
// broken document is recorded in core.rd.broken; the caller stops there.
std::string validationEntry(ReaderCore& core, od::value& entry) {
    Reader& rd = core.rd;
    std::string_view text;
    od::json_type t;
    if (rd.kind(entry, t) != Read::Ok) return {};
    if (t == od::json_type::string) return rd.string(entry, text) == Read::Ok ? std::string(text) : std::string();
    od::object obj;
    if (rd.object(entry, obj) != Read::Ok) return {};
    ValidationEntry e;
    if (!core.readFields<kValidationFields>(obj, e, core.quietNotes("error"))) return {};
    if (e.msg.empty()) return {};
    return e.field.empty() ? e.msg : e.field + ": " + e.msg;
}

// Joins detail[] / errors[] entries with "; ".
std::string joinEntries(ReaderCore& core, od::array& arr) {
    std::string joined;
    for (auto entryResult : arr) {
        od::value entry;
        if (const error_code e = std::move(entryResult).get(entry)) return core.rd.fail(e), std::string();
        const std::string one = validationEntry(core, entry);
        if (core.rd.broken) return {};
        if (one.empty()) continue;
        if (!joined.empty()) joined += "; ";
        joined += one;
    }
    return joined;
}

std::string fallbackMessage(int status, std::string_view statusText) {
    if (!trimView(statusText).empty()) return std::string(trimView(statusText));
    return "Request failed with status " + std::to_string(status);
}

enum class ErrorBody : uint8_t { NotJson, NoMessage, Message };

struct ErrorFields {
    std::string title, detail, message, errors;
};

Read trimmedText(In& in, std::string& slot) {
    std::string_view text;
    const Read r = in.text(text);
    if (r == Read::Ok) slot.assign(trimView(text));
    return r;
}

// detail and errors: a string, a list of validation entries, or an object shown as an excerpt.
Read detailText(In& in, std::string& slot) {
    od::json_type t;
    const Read k = in.rd.kind(in.value, t);
    if (k != Read::Ok) return k;
    if (t == od::json_type::string) return trimmedText(in, slot);
    if (t == od::json_type::array) {
        od::array arr;
        if (in.rd.array(in.value, arr) == Read::Ok) slot = joinEntries(in.core, arr);
    } else if (t == od::json_type::object) {
        od::object inner;
        std::string_view raw;
        if (in.rd.object(in.value, inner) == Read::Ok) {
            if (const error_code e = inner.raw_json().get(raw))
                in.rd.fail(e);
            else
                slot = excerpt(raw, 120);
        }
    }
    return Read::Ok;
}

constexpr auto kErrorFields = fieldTable<ErrorFields>({
    {"title", Rule::Quiet, "", [](In& in, ErrorFields& f) { return trimmedText(in, f.title); }},
    {"message", Rule::Quiet, "", [](In& in, ErrorFields& f) { return trimmedText(in, f.message); }},
    {"detail", Rule::Quiet, "", [](In& in, ErrorFields& f) { return detailText(in, f.detail); }},
    {"errors", Rule::Quiet, "", [](In& in, ErrorFields& f) { return detailText(in, f.errors); }},
});

// The message a JSON error body carries (§1.2 order, RFC 7807 first). NotJson also covers
// JSON that turns out broken half-way, so its text is shown as an excerpt instead.
ErrorBody messageFromJson(ReaderCore& core, od::document& doc, std::string& out) {
    od::json_type t;
    if (doc.type().get(t)) return ErrorBody::NotJson;
    if (t == od::json_type::string) {
        std::string_view text;
        if (doc.get_string().get(text)) return ErrorBody::NotJson;
        out.assign(trimView(text));
        return out.empty() ? ErrorBody::NoMessage : ErrorBody::Message;
    }
    if (t == od::json_type::number || t == od::json_type::boolean) return ErrorBody::NotJson;  // "404 page not found"
    if (t != od::json_type::object) return ErrorBody::NoMessage;
    od::object obj;
    if (doc.get_object().get(obj)) return ErrorBody::NotJson;
    ErrorFields f;
    if (!core.readFields<kErrorFields>(obj, f, core.quietNotes("error"))) return ErrorBody::NotJson;
    const char* after = nullptr;
    if (doc.current_location().get(after) == simdjson::SUCCESS) return ErrorBody::NotJson;  // text after the JSON
    if (!f.title.empty())
        out = f.detail.empty() || f.detail == f.title ? f.title : f.title + ": " + f.detail;
    else if (!f.detail.empty())
        out = f.detail;
    else if (!f.message.empty())
        out = f.message;
    else
        out = f.errors;
    return out.empty() ? ErrorBody::NoMessage : ErrorBody::Message;
}

// The server's text made safe to show and to print on a terminal (issue 9): control characters
// (C0, DEL and the C1 range U+0080-U+009F, which include ESC and CSI: terminal escape sequences)
// become '?', runs of whitespace one space, and the whole is cut at kMaxMessageBytes on a UTF-8
// character boundary. Other UTF-8 text (a server's message in German or Chinese) is kept.
constexpr size_t kMaxMessageBytes = 500;

std::string readable(std::string_view text) {
    std::string out;
    out.reserve(std::min(text.size(), kMaxMessageBytes + 3));
    bool space = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        if (c < 0x20 || c == 0x7f) {
            out += '?';
        } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
            out += '?';  // a C1 control, e.g. U+009B (CSI)
            ++i;
        } else {
            out += static_cast<char>(c);
        }
        if (out.size() > kMaxMessageBytes) {
            size_t cut = kMaxMessageBytes;
            while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;  // not inside a character
            out.resize(cut);
            out += "...";
            return out;
        }
    }
    return out;
}

std::string messageFromBody(int httpStatus, std::string_view statusText, std::string_view body);

}  // namespace

std::string errorMessageFromBody(int httpStatus, std::string_view statusText, std::string_view body) {
    std::string message = readable(messageFromBody(httpStatus, statusText, body));
    return message.empty() ? "Request failed with status " + std::to_string(httpStatus) : message;
}

namespace {

std::string messageFromBody(int httpStatus, std::string_view statusText, std::string_view body) {
    const std::string_view trimmed = trimView(body);
    if (trimmed.empty()) return fallbackMessage(httpStatus, statusText);
    ReaderCore core{DecodeLimits{}};
    if (!nestsDeeperThan(trimmed, core.limits.maxDepth)) {
        simdjson::padded_string padded(trimmed);
        od::document doc;
        if (core.parser.iterate(padded).get(doc) == simdjson::SUCCESS) {
            std::string message;
            switch (messageFromJson(core, doc, message)) {
                case ErrorBody::Message: return message;
                case ErrorBody::NoMessage: return fallbackMessage(httpStatus, statusText);
                case ErrorBody::NotJson: break;
            }
        }
    }
    // Not JSON (an HTML page from a proxy, plain text): the status, then what the body said.
    std::string head =
        trimView(statusText).empty() ? "HTTP " + std::to_string(httpStatus) : std::string(trimView(statusText));
    std::string text;
    if (trimmed.front() == '<') {
        // Drop tags so "<html><title>502 Bad Gateway</title>" reads as "502 Bad Gateway".
        bool inTag = false;
        for (const char c : trimmed.substr(0, 4096)) {
            if (c == '<') {
                inTag = true;
                text += ' ';
            } else if (c == '>') {
                inTag = false;
            } else if (!inTag) {
                text += c;
            }
        }
    } else {
        text.assign(trimmed.substr(0, 4096));
    }
    const std::string shown = excerpt(text, 120);
    if (shown.empty()) return head;
    return head + ": " + shown;
}

}  // namespace

}  // namespace genmon::protocol
