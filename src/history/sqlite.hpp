#pragma once
// Thin RAII over SQLite's C API for this layer: a connection, a prepared statement, and errors
// as values. Not an ORM: the SQL stays visible where it is used.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.hpp"

namespace genmon::history::sql {

// A readable line for a failed call: "what: SQLite's message (code)".
model::Error error(sqlite3* db, std::string_view what);
// True for the results that mean the file itself is not usable (damaged, not a database).
bool isDamage(int code) noexcept;

class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
    Statement& operator=(Statement&& o) noexcept {
        if (this != &o) {
            sqlite3_finalize(stmt_);
            db_ = o.db_;
            stmt_ = o.stmt_;
            o.stmt_ = nullptr;
        }
        return *this;
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { sqlite3_finalize(stmt_); }

    explicit operator bool() const noexcept { return stmt_ != nullptr; }

    // Parameters are 1-based, as in SQLite. Empty optionals bind NULL.
    Statement& bind(int i, std::string_view s) {
        sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int i, const char* s) { return bind(i, std::string_view(s)); }
    Statement& bind(int i, const std::string& s) { return bind(i, std::string_view(s)); }
    Statement& bind(int i, int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
    Statement& bind(int i, double v) {
        sqlite3_bind_double(stmt_, i, v);
        return *this;
    }
    Statement& bindBlob(int i, const std::vector<uint8_t>& bytes) {
        sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bindNull(int i) {
        sqlite3_bind_null(stmt_, i);
        return *this;
    }
    template <class T>
    Statement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bindNull(i);
    }
    // 0 means "not known" for the time columns.
    Statement& bindTime(int i, int64_t micros) { return micros ? bind(i, micros) : bindNull(i); }

    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return sqlite3_step(stmt_); }
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

    bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
    double real(int col) const { return sqlite3_column_double(stmt_, col); }
    std::string text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
    }
    std::optional<std::string> optText(int col) const {
        if (isNull(col)) return std::nullopt;
        return text(col);
    }
    std::optional<int64_t> optInt64(int col) const {
        if (isNull(col)) return std::nullopt;
        return int64(col);
    }
    std::optional<int> optInt(int col) const {
        if (isNull(col)) return std::nullopt;
        return static_cast<int>(int64(col));
    }
    std::optional<double> optReal(int col) const {
        if (isNull(col)) return std::nullopt;
        return real(col);
    }
    int64_t timeOrZero(int col) const { return isNull(col) ? 0 : int64(col); }
    std::vector<uint8_t> blob(int col) const {
        const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
        const int n = sqlite3_column_bytes(stmt_, col);
        return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>();
    }

    sqlite3_stmt* get() const noexcept { return stmt_; }

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
public:
    Connection() = default;
    Connection(Connection&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
    Connection& operator=(Connection&& o) noexcept {
        if (this != &o) {
            close();
            db_ = o.db_;
            o.db_ = nullptr;
        }
        return *this;
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() { close(); }

    // flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, or SQLITE_OPEN_READONLY.
    static model::Outcome<Connection> open(const std::string& path, int flags, int busyTimeoutMs);
    void close() noexcept;

    model::Outcome<Statement> prepare(std::string_view sql) const;
    // Runs one or more statements that return no rows.
    model::Status exec(const char* sql) const;
    // The first column of the first row as an integer (a PRAGMA, a count).
    model::Outcome<int64_t> queryInt(const char* sql) const;

    sqlite3* get() const noexcept { return db_; }
    explicit operator bool() const noexcept { return db_ != nullptr; }

private:
    sqlite3* db_ = nullptr;
};

// A write transaction taken at BEGIN (IMMEDIATE), so two processes queue on the busy timeout
// instead of one failing when it upgrades a read lock. Rolled back unless committed.
class Transaction {
public:
    static model::Outcome<Transaction> begin(const Connection& c);
    Transaction(Transaction&& o) noexcept : c_(o.c_) { o.c_ = nullptr; }
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    ~Transaction();
    model::Status commit();

private:
    explicit Transaction(const Connection* c) : c_(c) {}
    const Connection* c_;
};

}  // namespace genmon::history::sql
