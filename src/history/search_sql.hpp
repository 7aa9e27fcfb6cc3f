#pragma once
// A Query as an SQL condition over `jobs j` (internal to src/history). The same rules as
// matches() in query.cpp; the tests check that both agree.
//
// Words go through FTS5. The words that must match become either a subquery the plan starts
// from (`j.id IN (SELECT rowid FROM jobs_fts ...)`: best when few jobs match), or a test of the
// row set the store filled from FTS5 beforehand (`genmon_fts_hit(0, j.id)`: the plan then walks
// the time index newest first and stops at the limit, best when many match: building and
// sorting tens of thousands of rows is what made a common word slow). The words that must not
// match are always such a row set (slot 1).
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "history/query.hpp"

namespace genmon::history::sql_search {

using Value = std::variant<int64_t, std::string>;

// The name of the SQL function the store registers: genmon_fts_hit(slot, rowid) -> 0 or 1.
inline constexpr const char* kFtsHitFunction = "genmon_fts_hit";

struct FtsExpressions {
    std::string all;  // FTS5 expression every match must satisfy; empty: no words
    std::string any;  // FTS5 expression no match may satisfy; empty: no excluded words
};
FtsExpressions ftsExpressions(const Query& query);

struct Condition {
    std::string sql;            // "1" when the query is empty
    std::vector<Value> values;  // for ?1, ?2, ... in order
};

// wordsBySet: test slot 0 for the words that must match, instead of the subquery.
Condition where(const Query& query, int64_t nowMicros, bool wordsBySet);

// The FTS5 expression for one Words or Error term: "sea side"* (a prefix on the last word
// unless quoted), with the column filter for error:.
std::string ftsExpression(const QueryTerm& term);

}  // namespace genmon::history::sql_search
