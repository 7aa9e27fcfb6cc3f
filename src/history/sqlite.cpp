#include "history/sqlite.hpp"

namespace genmon::history::sql {

model::Error error(sqlite3* db, std::string_view what) {
    const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    std::string msg(what);
    msg += ": ";
    msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    msg += " (SQLite code " + std::to_string(code) + ")";
    return model::Error::make(model::ErrorKind::Internal, std::move(msg));
}

bool isDamage(int code) noexcept {
    const int primary = code & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

model::Outcome<Connection> Connection::open(const std::string& path, int flags, int busyTimeoutMs) {
    Connection c;
    const int rc = sqlite3_open_v2(path.c_str(), &c.db_, flags | SQLITE_OPEN_NOFOLLOW, nullptr);
    if (rc != SQLITE_OK) {
        model::Error e = c.db_ ? error(c.db_, "cannot open " + path)
                               : model::Error::make(model::ErrorKind::Internal,
                                                    "cannot open " + path + ": " + sqlite3_errstr(rc));
        return e;
    }
    sqlite3_extended_result_codes(c.db_, 1);
    sqlite3_busy_timeout(c.db_, busyTimeoutMs);
    return c;
}

void Connection::close() noexcept {
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
}

model::Outcome<Statement> Connection::prepare(std::string_view sql) const {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
        return error(db_, "cannot prepare a history query");
    return Statement(db_, stmt);
}

model::Status Connection::exec(const char* sql) const {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return error(db_, "history");
    }
    return model::okStatus();
}

model::Outcome<int64_t> Connection::queryInt(const char* sql) const {
    auto st = prepare(sql);
    if (!st) return st.error();
    const int rc = st->step();
    if (rc == SQLITE_ROW) return st->int64(0);
    if (rc == SQLITE_DONE) return int64_t{0};
    return error(db_, "history");
}

model::Outcome<Transaction> Transaction::begin(const Connection& c) {
    if (auto st = c.exec("BEGIN IMMEDIATE"); !st) return st.error();
    return Transaction(&c);
}

Transaction::~Transaction() {
    if (c_) sqlite3_exec(c_->get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

model::Status Transaction::commit() {
    const Connection* c = c_;
    c_ = nullptr;
    if (auto st = c->exec("COMMIT"); !st) {
        sqlite3_exec(c->get(), "ROLLBACK", nullptr, nullptr, nullptr);
        return st;
    }
    return model::okStatus();
}

}  // namespace genmon::history::sql
