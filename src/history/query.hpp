#pragma once
// Issue 18.2: the search language of the history (and, later, of the queue filter), parsed
// into a value. Parsing is pure; a bad query is a QueryError with a reason and a position.
//
//   lighthouse "at dusk" -blurry          words in the prompt, negative prompt or error text
//   id:3fa2                               job id prefix
//   status:failed,cancelled               one of these states (also status:failed status:cancelled)
//   lora:film_grain                       a <lora:film_grain:w> tag in the prompt
//   sampler:euler  size:512x768  seed:42  steps:30  backend:127.0.0.1:8000
//   error:"out of memory"                 words in the error text only
//   since:2h  until:2026-11-30            time range (s, m, h, d, w; or a local date [THH:MM])
//
// Terms are all required (AND). The same key given twice means either (OR) for id, status,
// sampler, size, seed, steps and backend, where a job has only one value; lora, words and
// error words all have to match. A leading '-' excludes: -word, -status:failed, -lora:x.
// Words match whole words, or their beginning ("light" finds "lighthouse"); a quoted phrase
// matches its words in order, in full. Case does not matter.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "history/record.hpp"

namespace genmon::history {

// What the field shows while it is empty, and the longer help the UI can show beside it.
inline constexpr std::string_view kSearchHint = "search: words  status:failed  lora:name  since:2h  id:3fa2  (? for all terms)";
std::string_view searchHelp();

enum class QueryField : uint8_t { Words, Id, Status, Lora, Sampler, Size, Seed, Steps, Error, Backend, Since, Until };
std::string_view queryFieldName(QueryField f) noexcept;  // "words", "id", "status", ...
// Fields where a job has one value, so the same key twice means either (id, status, sampler,
// size, seed, steps, backend).
bool isAlternativeField(QueryField f) noexcept;

// A point in time: relative to now (micros ago) or absolute (epoch micros, UTC).
struct TimeBound {
    bool relative = true;
    int64_t micros = 0;
    int64_t resolve(int64_t nowMicros) const noexcept { return relative ? nowMicros - micros : micros; }
    friend bool operator==(const TimeBound&, const TimeBound&) = default;
};

struct QueryTerm {
    QueryField field = QueryField::Words;
    bool negated = false;
    bool phrase = false;       // Words/Error: quoted, so the words in order and in full
    std::string text;          // Words/Error: the text; Id: the prefix; Lora, Sampler, Backend: the name
    std::vector<RunStatus> statuses;
    int width = 0, height = 0;  // Size
    int64_t number = 0;         // Seed, Steps
    TimeBound time;             // Since, Until
    size_t position = 0;        // byte offset of the term in the query text
    friend bool operator==(const QueryTerm&, const QueryTerm&) = default;
};

struct Query {
    std::string text;              // as typed
    std::vector<QueryTerm> terms;  // in the order typed
    bool empty() const noexcept { return terms.empty(); }
};

struct QueryError {
    size_t position = 0;  // byte offset in the query text where the problem starts
    std::string reason;
    // "at character 8: unknown status 'faild' (...)": one line for a person (1-based).
    std::string message() const;
};

struct ParsedQuery {
    std::optional<Query> query;
    QueryError error;  // meaningful when query is empty
    explicit operator bool() const noexcept { return query.has_value(); }
};

ParsedQuery parseQuery(std::string_view text);

// The same rules applied to one record in memory: the live jobs the UI merges with the stored
// ones, which the database may not have yet. Words are matched the way SQLite's FTS5 unicode61
// tokenizer splits them for ASCII text (letters and digits; case folded); beyond ASCII every
// byte counts as a letter and only ASCII is case folded, where FTS5 also folds and drops
// diacritics.
bool matches(const Query& query, const JobRecord& job, int64_t nowMicros);

// The words of a text as FTS5's unicode61 tokenizer sees them (ASCII folded to lower case).
std::vector<std::string> searchTokens(std::string_view text);

}  // namespace genmon::history
