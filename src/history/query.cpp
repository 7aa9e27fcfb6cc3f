#include "history/query.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

namespace genmon::history {

std::string_view searchHelp() {
    return "words            in the prompt, negative prompt or error (\"light\" finds lighthouse)\n"
           "\"a phrase\"       these words in this order\n"
           "-word            without it; '-' also excludes any term: -status:failed\n"
           "id:3fa2          job id starting with\n"
           "status:failed    queued, running, succeeded, failed, cancelled, left; active, finished;\n"
           "                 several: status:failed,cancelled\n"
           "lora:name        a <lora:name:w> tag in the prompt\n"
           "sampler:euler    sampler name containing\n"
           "size:512x768     width x height\n"
           "seed:42  steps:30\n"
           "error:oom        words in the error text only\n"
           "backend:name     the backend's name or part of its URL\n"
           "since:2h         30m, 2h, 7d, 2w, or a date: 2026-11-30, 2026-11-30T14:00 (local time)\n"
           "until:...        before then (a date alone includes that day)\n";
}

std::string_view queryFieldName(QueryField f) noexcept {
    switch (f) {
        case QueryField::Words: return "words";
        case QueryField::Id: return "id";
        case QueryField::Status: return "status";
        case QueryField::Lora: return "lora";
        case QueryField::Sampler: return "sampler";
        case QueryField::Size: return "size";
        case QueryField::Seed: return "seed";
        case QueryField::Steps: return "steps";
        case QueryField::Error: return "error";
        case QueryField::Backend: return "backend";
        case QueryField::Since: return "since";
        case QueryField::Until: return "until";
    }
    return "words";
}

std::string QueryError::message() const {
    return "at character " + std::to_string(position + 1) + ": " + reason;
}

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool isTokenByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }
char lowerAscii(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lowerAscii(c);
    return out;
}
bool equalsNoCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
    return true;
}
bool containsNoCase(std::string_view hay, std::string_view needle) {
    return lower(hay).find(lower(needle)) != std::string::npos;
}

std::optional<QueryField> fieldFromKey(std::string_view key) {
    for (QueryField f : {QueryField::Id, QueryField::Status, QueryField::Lora, QueryField::Sampler, QueryField::Size,
                         QueryField::Seed, QueryField::Steps, QueryField::Error, QueryField::Backend, QueryField::Since,
                         QueryField::Until})
        if (queryFieldName(f) == key) return f;
    return std::nullopt;
}

// Statuses a person may type, each with what it stands for.
bool statusesFor(std::string_view word, std::vector<RunStatus>& out) {
    using S = RunStatus;
    struct Alias {
        std::string_view name;
        std::vector<RunStatus> statuses;
    };
    static const Alias aliases[] = {
        {"queued", {S::Queued}},         {"pending", {S::Queued}},       {"running", {S::Running}},
        {"processing", {S::Running}},    {"started", {S::Running}},      {"succeeded", {S::Succeeded}},
        {"completed", {S::Succeeded}},   {"success", {S::Succeeded}},    {"done", {S::Succeeded}},
        {"failed", {S::Failed}},         {"error", {S::Failed}},         {"cancelled", {S::Cancelled}},
        {"canceled", {S::Cancelled}},    {"left", {S::Left}},            {"active", {S::Queued, S::Running}},
        {"finished", {S::Succeeded, S::Failed, S::Cancelled, S::Left}},
    };
    for (const auto& a : aliases)
        if (a.name == word) {
            for (RunStatus s : a.statuses)
                if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
            return true;
        }
    return false;
}

template <class T>
bool parseNumber(std::string_view s, T& out) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// "90m", "2h", "1h30m", "7d", "2w": micros; nullopt when not a duration.
std::optional<int64_t> parseDuration(std::string_view s) {
    if (s.empty()) return std::nullopt;
    int64_t total = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = i;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        if (j == i || j == s.size()) return std::nullopt;
        int64_t n = 0;
        if (!parseNumber(s.substr(i, j - i), n) || n > 100'000'000) return std::nullopt;
        int64_t unit = 0;
        switch (lowerAscii(s[j])) {
            case 's': unit = 1'000'000; break;
            case 'm': unit = 60'000'000; break;
            case 'h': unit = 3'600'000'000; break;
            case 'd': unit = 86'400'000'000; break;
            case 'w': unit = 7 * 86'400'000'000; break;
            default: return std::nullopt;
        }
        total += n * unit;
        i = j + 1;
    }
    return total;
}

// "2026-11-30" or "2026-11-30T14:00[:SS]" (also with a space) in local time: epoch micros.
// A date alone as an upper bound means the end of that day (the start of the next).
std::optional<int64_t> parseLocalDate(std::string_view s, bool endOfDay) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    if (!parseNumber(s.substr(0, 4), year) || !parseNumber(s.substr(5, 2), month) || !parseNumber(s.substr(8, 2), day))
        return std::nullopt;
    const bool dateOnly = s.size() == 10;
    if (!dateOnly) {
        if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || (s.size() != 16 && s.size() != 19) || s[13] != ':')
            return std::nullopt;
        if (!parseNumber(s.substr(11, 2), hour) || !parseNumber(s.substr(14, 2), minute)) return std::nullopt;
        if (s.size() == 19 && (s[16] != ':' || !parseNumber(s.substr(17, 2), second))) return std::nullopt;
    }
    if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
        second > 59)
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;
    const std::tm asked = tm;
    std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1)) return std::nullopt;
    // mktime normalises 30 February into March: refuse dates that do not exist.
    if (tm.tm_mday != asked.tm_mday || tm.tm_mon != asked.tm_mon) return std::nullopt;
    if (dateOnly && endOfDay) {
        std::tm next = asked;
        next.tm_mday += 1;
        t = std::mktime(&next);
        if (t == static_cast<std::time_t>(-1)) return std::nullopt;
    }
    return static_cast<int64_t>(t) * 1'000'000;
}

class Parser {
public:
    explicit Parser(std::string_view text) : s_(text) {}

    ParsedQuery run() {
        Query q;
        q.text = std::string(s_);
        while (true) {
            while (i_ < s_.size() && isSpace(s_[i_])) ++i_;
            if (i_ >= s_.size()) break;
            QueryTerm t;
            t.position = i_;
            if (s_[i_] == '-') {
                if (i_ + 1 >= s_.size() || isSpace(s_[i_ + 1]))
                    return fail(i_, "a lone '-' excludes nothing: write it before a word or a term, e.g. -blurry");
                t.negated = true;
                ++i_;
            }
            if (!term(t)) return ParsedQuery{std::nullopt, error_};
            q.terms.push_back(std::move(t));
        }
        return ParsedQuery{std::move(q), {}};
    }

private:
    ParsedQuery fail(size_t at, std::string reason) {
        error_ = QueryError{at, std::move(reason)};
        return ParsedQuery{std::nullopt, error_};
    }
    bool error(size_t at, std::string reason) {
        error_ = QueryError{at, std::move(reason)};
        return false;
    }

    // A quoted string starting at i_ (on the quote): its content, i_ after the closing quote.
    bool quoted(std::string& out) {
        const size_t open = i_;
        const size_t close = s_.find('"', open + 1);
        if (close == std::string_view::npos)
            return error(open, "the quote opened here is never closed");
        out = std::string(s_.substr(open + 1, close - open - 1));
        i_ = close + 1;
        return true;
    }
    // Up to the next whitespace.
    std::string_view bare() {
        const size_t start = i_;
        while (i_ < s_.size() && !isSpace(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }

    bool words(QueryTerm& t, std::string text, bool phrase, size_t at) {
        if (searchTokens(text).empty())
            return error(at, phrase ? "the phrase \"" + text + "\" has no letters or digits to search for"
                                    : "'" + text + "' has no letters or digits to search for (put it in quotes?)");
        t.text = std::move(text);
        t.phrase = phrase;
        return true;
    }

    bool term(QueryTerm& t) {
        const size_t at = i_;
        if (s_[i_] == '"') {
            std::string text;
            if (!quoted(text)) return false;
            t.field = QueryField::Words;
            return words(t, std::move(text), true, at);
        }
        size_t j = i_;
        while (j < s_.size() && std::isalpha(static_cast<unsigned char>(s_[j]))) ++j;
        if (j == i_ || j >= s_.size() || s_[j] != ':') {
            t.field = QueryField::Words;
            return words(t, std::string(bare()), false, at);
        }
        const std::string key = lower(s_.substr(i_, j - i_));
        const auto field = fieldFromKey(key);
        if (!field)
            return error(at, "unknown term '" + key +
                                 ":' (terms: id, status, lora, sampler, size, seed, steps, error, backend, since, "
                                 "until; put text with a colon in quotes to search for it)");
        t.field = *field;
        i_ = j + 1;
        const size_t valueAt = i_;
        std::string value;
        bool wasQuoted = false;
        if (i_ < s_.size() && s_[i_] == '"') {
            if (!quoted(value)) return false;
            wasQuoted = true;
        } else {
            value = std::string(bare());
        }
        if (value.empty()) return error(at, key + ": needs a value, e.g. " + example(*field));
        return fieldValue(t, key, value, wasQuoted, valueAt);
    }

    static std::string example(QueryField f) {
        switch (f) {
            case QueryField::Id: return "id:3fa2";
            case QueryField::Status: return "status:failed";
            case QueryField::Lora: return "lora:film_grain";
            case QueryField::Sampler: return "sampler:euler";
            case QueryField::Size: return "size:512x768";
            case QueryField::Seed: return "seed:42";
            case QueryField::Steps: return "steps:30";
            case QueryField::Error: return "error:oom";
            case QueryField::Backend: return "backend:127.0.0.1:8000";
            case QueryField::Since: return "since:2h";
            case QueryField::Until: return "until:2026-11-30";
            case QueryField::Words: break;
        }
        return "word";
    }

    bool fieldValue(QueryTerm& t, const std::string& key, const std::string& value, bool wasQuoted, size_t at) {
        switch (t.field) {
            case QueryField::Id:
            case QueryField::Lora:
            case QueryField::Sampler:
            case QueryField::Backend: t.text = value; return true;
            case QueryField::Error: return words(t, value, wasQuoted, at);
            case QueryField::Status: {
                size_t from = 0;
                while (from <= value.size()) {
                    size_t to = value.find_first_of(",|", from);
                    if (to == std::string::npos) to = value.size();
                    const std::string word = lower(std::string_view(value).substr(from, to - from));
                    if (word.empty() || !statusesFor(word, t.statuses))
                        return error(at + from, "unknown status '" + word +
                                                    "' (queued, running, succeeded, failed, cancelled, left; "
                                                    "active, finished)");
                    from = to + 1;
                }
                return true;
            }
            case QueryField::Size: {
                const size_t x = value.find_first_of("xX");
                if (x == std::string::npos || !parseNumber(std::string_view(value).substr(0, x), t.width) ||
                    !parseNumber(std::string_view(value).substr(x + 1), t.height) || t.width < 1 || t.height < 1 ||
                    t.width > 65536 || t.height > 65536)
                    return error(at, "size:" + value + " is not a size: write width x height, e.g. size:512x768");
                return true;
            }
            case QueryField::Seed:
                if (!parseNumber(value, t.number))
                    return error(at, "seed:" + value + " is not a whole number, e.g. seed:42 (or seed:-1)");
                return true;
            case QueryField::Steps:
                if (!parseNumber(value, t.number) || t.number < 0 || t.number > 100000)
                    return error(at, "steps:" + value + " is not a number of steps, e.g. steps:30");
                return true;
            case QueryField::Since:
            case QueryField::Until: {
                if (auto d = parseDuration(value)) {
                    t.time = TimeBound{true, *d};
                    return true;
                }
                if (auto abs = parseLocalDate(value, t.field == QueryField::Until)) {
                    t.time = TimeBound{false, *abs};
                    return true;
                }
                return error(at, key + ":" + value +
                                     " is not a time: write a duration (30m, 2h, 7d, 2w) or a date (2026-11-30, "
                                     "2026-11-30T14:00)");
            }
            case QueryField::Words: break;
        }
        return error(at, "unexpected term");
    }

    std::string_view s_;
    size_t i_ = 0;
    QueryError error_;
};

// The words of `needle` appear in `hay` in order; the last one as a prefix unless exact.
bool phraseIn(const std::vector<std::string>& hay, const std::vector<std::string>& needle, bool exact) {
    if (needle.empty() || hay.size() < needle.size()) return false;
    for (size_t k = 0; k + needle.size() <= hay.size(); ++k) {
        bool ok = true;
        for (size_t i = 0; ok && i < needle.size(); ++i) {
            const std::string& h = hay[k + i];
            const bool last = i + 1 == needle.size();
            ok = (last && !exact) ? h.compare(0, needle[i].size(), needle[i]) == 0 : h == needle[i];
        }
        if (ok) return true;
    }
    return false;
}

bool textIn(const std::optional<std::string>& column, const std::vector<std::string>& needle, bool exact) {
    return column && phraseIn(searchTokens(*column), needle, exact);
}

bool termMatches(const QueryTerm& t, const JobRecord& j, int64_t now) {
    switch (t.field) {
        case QueryField::Words: {
            const auto needle = searchTokens(t.text);
            return textIn(j.params.prompt, needle, t.phrase) || textIn(j.params.negativePrompt, needle, t.phrase) ||
                   textIn(j.error, needle, t.phrase);
        }
        case QueryField::Error: return textIn(j.error, searchTokens(t.text), t.phrase);
        case QueryField::Id: return j.jobId.compare(0, t.text.size(), t.text) == 0;
        case QueryField::Status:
            return std::find(t.statuses.begin(), t.statuses.end(), j.status) != t.statuses.end();
        case QueryField::Lora: {
            for (const auto& tag : j.loras())
                if (equalsNoCase(tag.name, t.text)) return true;
            return false;
        }
        case QueryField::Sampler: return j.params.sampler && containsNoCase(*j.params.sampler, t.text);
        case QueryField::Size: return j.params.width == t.width && j.params.height == t.height;
        case QueryField::Seed: return j.params.seed == t.number;
        case QueryField::Steps: return j.params.steps && *j.params.steps == t.number;
        case QueryField::Backend: return equalsNoCase(j.backend, t.text) || containsNoCase(j.backendUrl, t.text);
        case QueryField::Since: return j.atMicros() >= t.time.resolve(now);
        case QueryField::Until: return j.atMicros() < t.time.resolve(now);
    }
    return false;
}

}  // namespace

bool isAlternativeField(QueryField f) noexcept {
    switch (f) {
        case QueryField::Id:
        case QueryField::Status:
        case QueryField::Sampler:
        case QueryField::Size:
        case QueryField::Seed:
        case QueryField::Steps:
        case QueryField::Backend: return true;
        default: return false;
    }
}

ParsedQuery parseQuery(std::string_view text) { return Parser(text).run(); }

std::vector<std::string> searchTokens(std::string_view text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && !isTokenByte(static_cast<unsigned char>(text[i]))) ++i;
        const size_t start = i;
        while (i < text.size() && isTokenByte(static_cast<unsigned char>(text[i]))) ++i;
        if (i > start) out.push_back(lower(text.substr(start, i - start)));
    }
    return out;
}

bool matches(const Query& query, const JobRecord& job, int64_t nowMicros) {
    // Alternatives (same field, not negated) need one hit per field; everything else must hold.
    std::vector<QueryField> wanted, hit;
    for (const auto& t : query.terms) {
        const bool m = termMatches(t, job, nowMicros);
        if (t.negated) {
            if (m) return false;
        } else if (isAlternativeField(t.field)) {
            if (std::find(wanted.begin(), wanted.end(), t.field) == wanted.end()) wanted.push_back(t.field);
            if (m && std::find(hit.begin(), hit.end(), t.field) == hit.end()) hit.push_back(t.field);
        } else if (!m) {
            return false;
        }
    }
    return wanted.size() == hit.size();
}

}  // namespace genmon::history
