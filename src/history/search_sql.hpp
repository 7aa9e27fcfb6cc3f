#pragma once
// A Query as an SQL condition over `jobs j` (internal to src/history). The same rules as
// matches() in query.cpp; the tests check that both agree.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "history/query.hpp"

namespace genmon::history::sql_search {

using Value = std::variant<int64_t, std::string>;

struct Condition {
    std::string sql;            // "1" when the query is empty
    std::vector<Value> values;  // for ?1, ?2, ... in order
};

Condition where(const Query& query, int64_t nowMicros);

// The FTS5 expression for one Words or Error term: "sea side"* (a prefix on the last word
// unless quoted), with the column filter for error:.
std::string ftsExpression(const QueryTerm& term);

}  // namespace genmon::history::sql_search
