#include "history/schema.hpp"

#include <algorithm>
#include <vector>

namespace genmon::history::schema {

namespace {

// The first shape, kept as it was released: every older file starts here.
constexpr const char* kCreateV1 = R"sql(
PRAGMA application_id = 1734700653;
CREATE TABLE jobs (
  job_id      TEXT PRIMARY KEY,
  backend_url TEXT NOT NULL,
  status      TEXT NOT NULL,
  created_us  INTEGER,
  finished_us INTEGER,
  error       TEXT,
  prompt      TEXT,
  params_json TEXT
);
CREATE INDEX jobs_created ON jobs(created_us);
PRAGMA user_version = 1;
)sql";

// v2, part 1: the tables. The v1 rows are copied between part 1 and part 2.
constexpr const char* kCreateV2Tables = R"sql(
ALTER TABLE jobs RENAME TO jobs_v1;
DROP INDEX IF EXISTS jobs_created;
CREATE TABLE jobs (
  id              INTEGER PRIMARY KEY,
  backend         TEXT NOT NULL,
  backend_url     TEXT NOT NULL DEFAULT '',
  job_id          TEXT NOT NULL,
  status          TEXT NOT NULL,
  at_us           INTEGER NOT NULL,  -- created_us, else seen_us: where the job sits in time
  created_us      INTEGER,
  started_us      INTEGER,
  finished_us     INTEGER,
  end_us          INTEGER NOT NULL,  -- finished_us, else the last time it was seen
  seen_us         INTEGER NOT NULL,
  updated_us      INTEGER NOT NULL,
  error           TEXT,
  prompt          TEXT,
  negative_prompt TEXT,
  sampler         TEXT,
  width           INTEGER,
  height          INTEGER,
  steps           INTEGER,
  cfg             REAL,
  seed            INTEGER,
  batch_size      INTEGER,
  n_iter          INTEGER,
  denoising       REAL,
  result_id       TEXT,
  rerun_of        TEXT,
  UNIQUE (backend, job_id)
);
CREATE TABLE job_loras (
  name   TEXT NOT NULL COLLATE NOCASE,
  job    INTEGER NOT NULL,
  weight REAL,
  PRIMARY KEY (name, job)
) WITHOUT ROWID;
CREATE INDEX job_loras_job ON job_loras(job);
CREATE TABLE thumbs (
  job    INTEGER PRIMARY KEY,
  width  INTEGER NOT NULL,
  height INTEGER NOT NULL,
  rgba   BLOB NOT NULL
);
)sql";

// v2, part 2: indexes, the FTS5 index over the jobs table (external content) and the triggers
// that keep it and the side tables in step with every insert, update and delete.
constexpr const char* kCreateV2Indexes = R"sql(
DROP TABLE jobs_v1;
CREATE INDEX jobs_at ON jobs(at_us);
CREATE INDEX jobs_status_at ON jobs(status, at_us);
CREATE INDEX jobs_job_id ON jobs(job_id);
CREATE INDEX jobs_end ON jobs(end_us);
CREATE INDEX jobs_finished ON jobs(finished_us) WHERE finished_us IS NOT NULL;
CREATE INDEX jobs_runs ON jobs(sampler, width, height, steps, finished_us)
  WHERE status = 'succeeded' AND started_us IS NOT NULL AND finished_us IS NOT NULL;
CREATE VIRTUAL TABLE jobs_fts USING fts5(
  prompt, negative_prompt, error, content = 'jobs', content_rowid = 'id');
CREATE TRIGGER jobs_after_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO jobs_fts (rowid, prompt, negative_prompt, error)
    VALUES (new.id, new.prompt, new.negative_prompt, new.error);
END;
CREATE TRIGGER jobs_after_delete AFTER DELETE ON jobs BEGIN
  INSERT INTO jobs_fts (jobs_fts, rowid, prompt, negative_prompt, error)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt, old.error);
  DELETE FROM job_loras WHERE job = old.id;
  DELETE FROM thumbs WHERE job = old.id;
END;
CREATE TRIGGER jobs_after_update_text AFTER UPDATE OF prompt, negative_prompt, error ON jobs
  WHEN old.prompt IS NOT new.prompt OR old.negative_prompt IS NOT new.negative_prompt OR old.error IS NOT new.error
BEGIN
  INSERT INTO jobs_fts (jobs_fts, rowid, prompt, negative_prompt, error)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt, old.error);
  INSERT INTO jobs_fts (rowid, prompt, negative_prompt, error)
    VALUES (new.id, new.prompt, new.negative_prompt, new.error);
END;
INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild');
PRAGMA user_version = 2;
)sql";

constexpr const char* kUpsert =
    // ?1 backend ?2 url ?3 job ?4 status ?5 created ?6 started ?7 finished ?8 error ?9 now
    // ?10 prompt ?11 negative ?12 sampler ?13 width ?14 height ?15 steps ?16 cfg ?17 seed
    // ?18 batch ?19 n_iter ?20 denoising ?21 result ?22 rerun_of ?23 the new status is final
    // An absent value (NULL) keeps the stored one; a final status is never replaced by a
    // non-final one. (No IN lists and no RETURNING: each builds a temporary table per row.)
R"sql(
INSERT INTO jobs (backend, backend_url, job_id, status, at_us, created_us, started_us, finished_us, end_us,
                  seen_us, updated_us, error, prompt, negative_prompt, sampler, width, height, steps, cfg, seed,
                  batch_size, n_iter, denoising, result_id, rerun_of)
VALUES (?1, ?2, ?3, ?4, COALESCE(?5, ?9), ?5, ?6, ?7, COALESCE(?7, ?9), ?9, ?9, ?8, ?10, ?11, ?12, ?13, ?14, ?15,
        ?16, ?17, ?18, ?19, ?20, ?21, ?22)
ON CONFLICT (backend, job_id) DO UPDATE SET
  backend_url = CASE WHEN excluded.backend_url <> '' THEN excluded.backend_url ELSE backend_url END,
  status = CASE WHEN ?23 = 0 AND (status = 'succeeded' OR status = 'failed' OR status = 'cancelled' OR status = 'left')
           THEN status ELSE excluded.status END,
  at_us = COALESCE(excluded.created_us, created_us, at_us),
  created_us = COALESCE(excluded.created_us, created_us),
  started_us = COALESCE(excluded.started_us, started_us),
  finished_us = COALESCE(excluded.finished_us, finished_us),
  end_us = COALESCE(excluded.finished_us, finished_us, excluded.updated_us),
  updated_us = excluded.updated_us,
  error = COALESCE(excluded.error, error),
  prompt = COALESCE(excluded.prompt, prompt),
  negative_prompt = COALESCE(excluded.negative_prompt, negative_prompt),
  sampler = COALESCE(excluded.sampler, sampler),
  width = COALESCE(excluded.width, width),
  height = COALESCE(excluded.height, height),
  steps = COALESCE(excluded.steps, steps),
  cfg = COALESCE(excluded.cfg, cfg),
  seed = COALESCE(excluded.seed, seed),
  batch_size = COALESCE(excluded.batch_size, batch_size),
  n_iter = COALESCE(excluded.n_iter, n_iter),
  denoising = COALESCE(excluded.denoising, denoising),
  result_id = COALESCE(excluded.result_id, result_id),
  rerun_of = COALESCE(excluded.rerun_of, rerun_of)
)sql";

struct Inspection {
    int64_t userVersion = 0;
    int64_t applicationId = 0;
    std::vector<std::string> tables;
};

model::Outcome<Inspection> inspect(const sql::Connection& db, const std::string& path) {
    Inspection in;
    auto damaged = [&](const char* what) {
        const int code = sqlite3_extended_errcode(db.get());
        if (sql::isDamage(code))
            return model::Error::make(model::ErrorKind::Decode, "history database " + path + " is damaged or not a database (" +
                                                                    sqlite3_errmsg(db.get()) +
                                                                    "): move it away or choose another with --history-db");
        return sql::error(db.get(), std::string("history database ") + path + ": cannot read its " + what);
    };
    auto v = db.queryInt("PRAGMA user_version");
    if (!v) return damaged("version");
    in.userVersion = v.value();
    auto a = db.queryInt("PRAGMA application_id");
    if (!a) return damaged("application id");
    in.applicationId = a.value();
    auto st = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    if (!st) return damaged("tables");
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) in.tables.push_back(st->text(0));
    if (rc != SQLITE_DONE) return damaged("tables");
    return in;
}

std::string listTables(const std::vector<std::string>& tables) {
    std::string out;
    for (size_t i = 0; i < tables.size() && i < 5; ++i) out += (i ? ", " : "") + tables[i];
    if (tables.size() > 5) out += ", ...";
    return out;
}

model::Status failWith(const sql::Connection& db, const std::string& path, const char* step) {
    return sql::error(db.get(), "history database " + path + ": " + step);
}

std::optional<RunStatus> statusFromV1(const std::string& s) {
    if (auto known = runStatusFromName(s)) return known;
    if (s == "completed") return RunStatus::Succeeded;
    if (s == "processing") return RunStatus::Running;
    if (s == "pending") return RunStatus::Queued;
    return RunStatus::Left;
}

// Copies every v1 row into the v2 table through the same upsert the writer uses.
model::Status copyV1Rows(const sql::Connection& db, const std::string& path, int64_t nowMicros) {
    auto writer = RecordWriter::prepare(db);
    if (!writer) return writer.error();
    auto rows = db.prepare(R"sql(
SELECT job_id, backend_url, status, created_us, finished_us, error, prompt,
       p ->> '$.negative_prompt', p ->> '$.sampler_name', p ->> '$.width', p ->> '$.height', p ->> '$.steps',
       p ->> '$.cfg_scale', p ->> '$.seed', p ->> '$.batch_size', p ->> '$.n_iter', p ->> '$.denoising_strength'
FROM (SELECT *, CASE WHEN json_valid(params_json) THEN params_json END AS p FROM jobs_v1)
)sql");
    if (!rows) return rows.error();
    int rc;
    while ((rc = rows->step()) == SQLITE_ROW) {
        const sql::Statement& r = rows.value();
        JobRecord rec;
        rec.jobId = r.text(0);
        rec.backendUrl = r.text(1);
        rec.backend = backendName(rec.backendUrl);
        rec.status = *statusFromV1(r.text(2));
        rec.createdMicros = r.timeOrZero(3);
        rec.finishedMicros = r.timeOrZero(4);
        rec.error = r.optText(5);
        rec.params.prompt = r.optText(6);
        rec.params.negativePrompt = r.optText(7);
        rec.params.sampler = r.optText(8);
        rec.params.width = r.optInt(9);
        rec.params.height = r.optInt(10);
        rec.params.steps = r.optInt(11);
        rec.params.cfg = r.optReal(12);
        rec.params.seed = r.optInt64(13);
        rec.params.batchSize = r.optInt(14);
        rec.params.nIter = r.optInt(15);
        rec.params.denoisingStrength = r.optReal(16);
        // v1 kept no "seen" time: the job's own times stand in for it.
        const int64_t when = rec.finishedMicros ? rec.finishedMicros : rec.createdMicros ? rec.createdMicros : nowMicros;
        if (auto st = writer->write(rec, when); !st) return st;
    }
    if (rc != SQLITE_DONE) return failWith(db, path, "cannot read the version 1 rows");
    return model::okStatus();
}

// What the file is: genmon's at a version this genmon can read or migrate, or empty.
model::Outcome<Inspection> inspectUsable(const sql::Connection& db, const std::string& path) {
    auto in = inspect(db, path);
    if (!in) return in.error();
    const Inspection& i = in.value();
    const bool empty = i.tables.empty() && i.userVersion == 0;
    if (!empty && i.applicationId != kApplicationId)
        return model::Error::make(model::ErrorKind::Decode,
                                  "history database " + path + " belongs to another program (tables: " +
                                      (i.tables.empty() ? std::string("none") : listTables(i.tables)) +
                                      "): choose another file with --history-db");
    if (i.userVersion > kVersion)
        return model::Error::make(model::ErrorKind::Decode,
                                  "history database " + path + " has schema version " + std::to_string(i.userVersion) +
                                      ", newer than this genmon knows (" + std::to_string(kVersion) +
                                      "): a newer genmon wrote it; update genmon or choose another file with --history-db");
    if (!empty && i.userVersion < 1)
        return model::Error::make(model::ErrorKind::Decode, "history database " + path +
                                                                " has genmon's mark but no schema version: it is damaged; "
                                                                "move it away or choose another with --history-db");
    return in;
}

model::Error damaged(const sql::Connection& db, const std::string& path) {
    return model::Error::make(model::ErrorKind::Decode, "history database " + path + " is damaged or not a database (" +
                                                            sqlite3_errmsg(db.get()) +
                                                            "): move it away or choose another with --history-db");
}

}  // namespace

model::Status checkUsable(const sql::Connection& db, const std::string& path) {
    // One read transaction: the version, the mark and the tables from the same moment (another
    // genmon may be creating the schema right now).
    if (!db.exec("BEGIN")) return failWith(db, path, "cannot read it");
    auto in = inspectUsable(db, path);
    db.exec("ROLLBACK");
    if (!in) return in.error();
    return model::okStatus();
}

model::Status migrate(const sql::Connection& db, const std::string& path, int64_t nowMicros) {
    auto tx = sql::Transaction::begin(db);
    if (!tx) {
        if (sql::isDamage(sqlite3_extended_errcode(db.get()))) return damaged(db, path);
        return failWith(db, path, "cannot start a transaction");
    }
    // Again inside the transaction: another process may have migrated it meanwhile.
    auto in = inspectUsable(db, path);
    if (!in) return in.error();
    int64_t version = in->userVersion;
    if (version == 0) {
        if (auto st = db.exec(kCreateV1); !st) return failWith(db, path, "cannot create the schema");
        version = 1;
    }
    if (version == 1) {
        if (!db.exec(kCreateV2Tables)) return failWith(db, path, "cannot migrate from version 1");
        if (auto st = copyV1Rows(db, path, nowMicros); !st) return st;
        if (!db.exec(kCreateV2Indexes)) return failWith(db, path, "cannot migrate from version 1");
        version = 2;
    }
    return tx->commit();
}

model::Outcome<RecordWriter> RecordWriter::prepare(const sql::Connection& db) {
    RecordWriter w;
    w.db_ = &db;
    auto upsert = db.prepare(kUpsert);
    if (!upsert) return upsert.error();
    auto rowId = db.prepare("SELECT id FROM jobs WHERE backend = ?1 AND job_id = ?2");
    if (!rowId) return rowId.error();
    auto clear = db.prepare("DELETE FROM job_loras WHERE job = ?1");
    if (!clear) return clear.error();
    auto add = db.prepare("INSERT OR REPLACE INTO job_loras (name, job, weight) VALUES (?1, ?2, ?3)");
    if (!add) return add.error();
    auto thumb = db.prepare("INSERT OR REPLACE INTO thumbs (job, width, height, rgba) VALUES (?1, ?2, ?3, ?4)");
    if (!thumb) return thumb.error();
    w.upsert_ = std::move(upsert).value();
    w.rowId_ = std::move(rowId).value();
    w.clearLoras_ = std::move(clear).value();
    w.addLora_ = std::move(add).value();
    w.putThumb_ = std::move(thumb).value();
    return w;
}

model::Status RecordWriter::write(const JobRecord& r, int64_t nowMicros) {
    auto failed = [&](sql::Statement& st) {
        lastCode_ = sqlite3_extended_errcode(db_->get());
        model::Error e = sql::error(db_->get(), "cannot write job " + r.jobId);
        st.reset();
        return e;
    };
    const JobParams& p = r.params;
    sql::Statement& u = upsert_;
    u.bind(1, r.backend).bind(2, r.backendUrl).bind(3, r.jobId).bind(4, runStatusName(r.status));
    u.bindTime(5, r.createdMicros).bindTime(6, r.startedMicros).bindTime(7, r.finishedMicros).bind(8, r.error);
    u.bind(9, nowMicros).bind(10, p.prompt).bind(11, p.negativePrompt).bind(12, p.sampler).bind(13, p.width);
    u.bind(14, p.height).bind(15, p.steps).bind(16, p.cfg).bind(17, p.seed).bind(18, p.batchSize).bind(19, p.nIter);
    u.bind(20, p.denoisingStrength).bind(21, r.resultId).bind(22, r.rerunOf).bind(23, isFinal(r.status) ? 1 : 0);
    if (u.step() != SQLITE_DONE) return failed(u);
    u.reset();
    const bool sideTables = p.prompt || (r.thumbnail && !r.thumbnail->rgba.empty());
    if (!sideTables) {
        lastCode_ = 0;
        return model::okStatus();
    }
    // The row's id, by the unique key (RETURNING would build a temporary table per row).
    rowId_.bind(1, r.backend).bind(2, r.jobId);
    if (rowId_.step() != SQLITE_ROW) return failed(rowId_);
    const int64_t id = rowId_.int64(0);
    rowId_.reset();
    if (p.prompt) {
        clearLoras_.bind(1, id);
        if (clearLoras_.step() != SQLITE_DONE) return failed(clearLoras_);
        clearLoras_.reset();
        for (const LoraTag& tag : parseLoraTags(*p.prompt)) {
            addLora_.bind(1, tag.name).bind(2, id).bind(3, tag.weight);
            if (addLora_.step() != SQLITE_DONE) return failed(addLora_);
            addLora_.reset();
        }
    }
    if (r.thumbnail && !r.thumbnail->rgba.empty()) {
        putThumb_.bind(1, id).bind(2, r.thumbnail->width).bind(3, r.thumbnail->height).bindBlob(4, r.thumbnail->rgba);
        if (putThumb_.step() != SQLITE_DONE) return failed(putThumb_);
        putThumb_.reset();
    }
    lastCode_ = 0;
    return model::okStatus();
}

const char* const kRecordColumns =
    "j.backend, j.backend_url, j.job_id, j.status, j.created_us, j.started_us, j.finished_us, j.seen_us, "
    "j.updated_us, j.error, j.prompt, j.negative_prompt, j.sampler, j.width, j.height, j.steps, j.cfg, j.seed, "
    "j.batch_size, j.n_iter, j.denoising, j.result_id, j.rerun_of";
const char* const kThumbColumns = "t.width, t.height, t.rgba";

JobRecord readRecord(const sql::Statement& r, bool withThumbnail) {
    JobRecord rec;
    rec.backend = r.text(0);
    rec.backendUrl = r.text(1);
    rec.jobId = r.text(2);
    rec.status = runStatusFromName(r.text(3)).value_or(RunStatus::Left);
    rec.createdMicros = r.timeOrZero(4);
    rec.startedMicros = r.timeOrZero(5);
    rec.finishedMicros = r.timeOrZero(6);
    rec.seenMicros = r.timeOrZero(7);
    rec.updatedMicros = r.timeOrZero(8);
    rec.error = r.optText(9);
    rec.params.prompt = r.optText(10);
    rec.params.negativePrompt = r.optText(11);
    rec.params.sampler = r.optText(12);
    rec.params.width = r.optInt(13);
    rec.params.height = r.optInt(14);
    rec.params.steps = r.optInt(15);
    rec.params.cfg = r.optReal(16);
    rec.params.seed = r.optInt64(17);
    rec.params.batchSize = r.optInt(18);
    rec.params.nIter = r.optInt(19);
    rec.params.denoisingStrength = r.optReal(20);
    rec.resultId = r.optText(21);
    rec.rerunOf = r.optText(22);
    if (withThumbnail && !r.isNull(23)) {
        Thumbnail t;
        t.width = static_cast<int>(r.int64(23));
        t.height = static_cast<int>(r.int64(24));
        t.rgba = r.blob(25);
        if (t.width > 0 && t.height > 0 && t.rgba.size() == static_cast<size_t>(t.width) * static_cast<size_t>(t.height) * 4)
            rec.thumbnail = std::move(t);
    }
    return rec;
}

}  // namespace genmon::history::schema
