#include "history/search_sql.hpp"

#include <algorithm>

namespace genmon::history::sql_search {

namespace {

std::string likeContaining(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

class Builder {
public:
    std::string param(Value v) {
        values.push_back(std::move(v));
        std::string name = "?";
        name += std::to_string(values.size());
        return name;
    }

    // One term's condition, true or false (never NULL) when negated.
    std::string term(const QueryTerm& t, int64_t now) {
        switch (t.field) {
            case QueryField::Id: {
                // A range on the job_id index: every id starting with the prefix sorts between.
                const std::string lo = param(t.text);
                return "(j.job_id >= " + lo + " AND j.job_id < " + param(t.text + "\xF4\x8F\xBF\xBF") + ")";
            }
            case QueryField::Status: {
                std::string in;
                for (RunStatus s : t.statuses) {
                    if (!in.empty()) in += ", ";
                    in += param(std::string(runStatusName(s)));
                }
                return "j.status IN (" + in + ")";
            }
            case QueryField::Lora:
                return "EXISTS (SELECT 1 FROM job_loras l WHERE l.name = " + param(t.text) + " AND l.job = j.id)";
            case QueryField::Sampler: return "j.sampler LIKE " + param(likeContaining(t.text)) + " ESCAPE '\\'";
            case QueryField::Size:
                return "(j.width = " + param(int64_t{t.width}) + " AND j.height = " + param(int64_t{t.height}) + ")";
            case QueryField::Seed: return "j.seed = " + param(t.number);
            case QueryField::Steps: return "j.steps = " + param(t.number);
            case QueryField::Backend: {
                const std::string p = param(t.text);
                return "(j.backend = " + p + " COLLATE NOCASE OR instr(lower(j.backend_url), lower(" + p + ")) > 0)";
            }
            case QueryField::Since: return "j.at_us >= " + param(t.time.resolve(now));
            case QueryField::Until: return "j.at_us < " + param(t.time.resolve(now));
            case QueryField::Words:
            case QueryField::Error: break;  // the FTS conditions, built together
        }
        return "1";
    }

    std::vector<Value> values;
};

}  // namespace

std::string ftsExpression(const QueryTerm& t) {
    std::string s = "\"";
    for (char c : t.text) {
        if (c == '"') s += '"';
        s += c;
    }
    s += '"';
    if (!t.phrase) s += '*';
    if (t.field != QueryField::Error) return s;
    std::string filtered = "error : ";
    filtered += s;
    return filtered;
}

FtsExpressions ftsExpressions(const Query& query) {
    FtsExpressions e;
    for (const QueryTerm& t : query.terms) {
        if (t.field != QueryField::Words && t.field != QueryField::Error) continue;
        std::string& into = t.negated ? e.any : e.all;
        if (!into.empty()) into += t.negated ? " OR " : " AND ";
        into += ftsExpression(t);
    }
    return e;
}

Condition where(const Query& query, int64_t nowMicros, bool wordsBySet) {
    Builder b;
    std::vector<std::string> parts;
    std::vector<std::pair<QueryField, std::vector<std::string>>> alternatives;
    for (const QueryTerm& t : query.terms) {
        if (t.field == QueryField::Words || t.field == QueryField::Error) continue;  // below, all together
        const std::string cond = b.term(t, nowMicros);
        if (t.negated) {
            parts.push_back("NOT COALESCE(" + cond + ", 0)");
        } else if (isAlternativeField(t.field)) {
            auto it = std::find_if(alternatives.begin(), alternatives.end(), [&](const auto& a) { return a.first == t.field; });
            if (it == alternatives.end()) it = alternatives.insert(alternatives.end(), {t.field, {}});
            it->second.push_back(cond);
        } else {
            parts.push_back(cond);
        }
    }
    for (const auto& [field, conds] : alternatives) {
        std::string any;
        for (const auto& c : conds) {
            if (!any.empty()) any += " OR ";
            any += c;
        }
        if (conds.size() > 1) any = "(" + any + ")";
        parts.push_back(std::move(any));
    }
    const FtsExpressions fts = ftsExpressions(query);
    if (!fts.all.empty()) {
        if (wordsBySet)
            parts.push_back(std::string(kFtsHitFunction) + "(0, j.id)");
        else
            parts.push_back("j.id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH " + b.param(fts.all) + ")");
    }
    if (!fts.any.empty()) parts.push_back(std::string("NOT ") + kFtsHitFunction + "(1, j.id)");
    Condition c;
    for (const auto& p : parts) {
        if (!c.sql.empty()) c.sql += " AND ";
        c.sql += p;
    }
    if (c.sql.empty()) c.sql = "1";
    c.values = std::move(b.values);
    return c;
}

}  // namespace genmon::history::sql_search
