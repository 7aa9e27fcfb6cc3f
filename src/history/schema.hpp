#pragma once
// The database's shape and how it gets there (internal to src/history).
//
// PRAGMA user_version is the schema version; PRAGMA application_id marks the file as genmon's.
//   v1  the first shape: one row per job id (no backend column), params as the server's JSON.
//   v2  the full shape: (backend, job id) rows with every parameter in its own column, LoRA
//       tags, thumbnails, the re-run link, an FTS5 index kept in sync by triggers.
// A new file is made v1 and then migrated, so the path every older file takes is the one each
// new file takes too.
#include <cstdint>
#include <string>

#include "history/record.hpp"
#include "history/sqlite.hpp"

namespace genmon::history::schema {

inline constexpr int kVersion = 2;
inline constexpr int32_t kApplicationId = 0x67656E6D;  // "genm"

// Reads (and changes nothing): one line when the file is damaged, another program's, or of a
// newer version. Run before anything writes to the file.
model::Status checkUsable(const sql::Connection& db, const std::string& path);

// Brings the open database to kVersion in one write transaction, or says in one line why it
// cannot (a newer version, another program's database). `path` is for the messages.
model::Status migrate(const sql::Connection& db, const std::string& path, int64_t nowMicros);

// The upsert of one record (v2), prepared once per connection.
class RecordWriter {
public:
    static model::Outcome<RecordWriter> prepare(const sql::Connection& db);
    // Upserts; keeps the LoRA rows in step with the prompt and stores the thumbnail. The caller
    // holds the transaction. On failure the SQLite code is in lastCode().
    model::Status write(const JobRecord& r, int64_t nowMicros);
    int lastCode() const noexcept { return lastCode_; }

private:
    const sql::Connection* db_ = nullptr;
    sql::Statement upsert_, rowId_, clearLoras_, addLora_, putThumb_;
    int lastCode_ = 0;
};

// The columns a JobRecord is read from (alias j for jobs), in the order readRecord expects,
// and the two extra columns of the thumbnail (alias t for thumbs, LEFT JOINed).
extern const char* const kRecordColumns;
extern const char* const kThumbColumns;
JobRecord readRecord(const sql::Statement& st, bool withThumbnail);

}  // namespace genmon::history::schema
