#pragma once

// A thin SQLite layer: a connection opened with the hub's durability settings
// (WAL, synchronous=FULL, foreign keys, busy timeout), numbered migrations
// tracked with PRAGMA user_version, cached prepared statements and write
// transactions that start with BEGIN IMMEDIATE. Every SQLite error becomes an
// absl::Status whose message names the statement.
//
// Thread safety: a Database and its Statements are NOT thread-safe; the owner
// serialises access (one writer thread or a mutex). Statements returned by
// Prepare() are owned by the Database and must not outlive it.

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/sqlite/migrations.h"

namespace olif::sqlite {

// Turns an SQLite result code into a Status naming the statement.
// BUSY/LOCKED -> UNAVAILABLE, unique/primary key -> ALREADY_EXISTS, other
// constraints -> FAILED_PRECONDITION, FULL -> RESOURCE_EXHAUSTED,
// CORRUPT/NOTADB -> DATA_LOSS, everything else -> INTERNAL.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view statement);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds by 1-based index. Text and blobs are copied.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, absl::string_view text);
  Statement& BindBlob(int index, absl::string_view bytes);
  Statement& BindNull(int index);

  // Advances: true when a row is ready, false when done.
  absl::StatusOr<bool> Step();
  // Steps to completion, ignoring rows; then resets.
  absl::Status Run();
  // Calls `row` for each result row until done or `row` fails; then resets.
  absl::Status ForEachRow(const std::function<absl::Status(const Statement&)>& row);
  // Steps once: calls `row` and returns true when there is a row, returns
  // false when there is none; then resets.
  absl::StatusOr<bool> ReadOne(const std::function<void(const Statement&)>& row);
  // Clears bindings and rewinds so the statement can run again.
  void Reset();

  int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;
  std::string ColumnBlob(int column) const;
  bool ColumnIsNull(int column) const;

  const std::string& sql() const { return sql_; }

 private:
  absl::Status bind_status_;  // first bind error, reported by Step()
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
};

struct Reclaimed {
  bool rebuilt = false;  // an older file was rebuilt by VACUUM to turn incremental vacuum on
};

// Gives the free pages of the database at `path` back to the file system, on
// a connection of its own beside the owner's (waiting up to the busy timeout
// for its writer): PRAGMA incremental_vacuum, or on a file made before
// incremental vacuum was turned on, one full VACUUM that turns it on. Then a
// TRUNCATE checkpoint empties the write-ahead log.
absl::StatusOr<Reclaimed> Reclaim(const std::string& path);

struct OpenOptions {
  // Highest migration to apply; all of them when unset (tests pin older ones).
  std::optional<int> target_version;
  int busy_timeout_ms = 5000;
};

class Database {
 public:
  // Opens (creating when missing) the database at `path` and applies the
  // pending `migrations`, each in its own transaction. Refuses a database
  // whose schema is newer than the migrations know. With no migrations the
  // schema is left as it is (a second connection to an owned database).
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                        const std::vector<Migration>& migrations,
                                                        const OpenOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL that returns no rows (may hold several statements).
  absl::Status Exec(absl::string_view sql);

  // A prepared statement for `sql`, compiled once and cached; it is reset
  // before it is handed out.
  absl::StatusOr<Statement*> Prepare(absl::string_view sql);
  // Runs one statement that returns no rows through the statement cache: for
  // what runs on every transaction (BEGIN, SAVEPOINT, RELEASE, COMMIT), which
  // Exec would parse again each time.
  absl::Status Run(absl::string_view sql);

  // Checkpoints. By default SQLite copies the write-ahead log into the
  // database inside a COMMIT once the log holds 1,000 pages, which stalls that
  // commit. After TakeOverCheckpoints() this connection never checkpoints;
  // WalPages() says how many pages the log held after its last commit, and
  // another connection's CheckpointPassive() does the copying alongside.
  void TakeOverCheckpoints();
  int WalPages() const { return wal_pages_; }
  // PRAGMA wal_checkpoint(PASSIVE): copies what it can without waiting for
  // readers or the writer; the log starts again from its beginning at the
  // next commit after a checkpoint that copied everything.
  absl::Status CheckpointPassive();

  // Runs `work` inside BEGIN IMMEDIATE ... COMMIT; rolls back when `work`
  // returns an error or the commit fails, and returns that error.
  absl::Status WriteTransaction(const std::function<absl::Status()>& work);

  // Runs `work` inside a deferred (read) transaction, for a consistent view.
  absl::Status ReadTransaction(const std::function<absl::Status()>& work);

  int64_t LastInsertRowId() const;
  int Changes() const;

  // PRAGMA user_version: the last migration applied.
  absl::StatusOr<int> SchemaVersion();
  // Size of the database file plus its write-ahead log, in bytes.
  int64_t SizeBytes() const;
  // How the file's pages are used.
  struct Space {
    int64_t size_bytes = 0;  // file plus write-ahead log
    int64_t page_size = 0;
    int64_t page_count = 0;
    int64_t free_pages = 0;  // left by deletes, reusable, not yet given back
    bool incremental_vacuum = false;
  };
  absl::StatusOr<Space> SpaceUsed();
  // A PRAGMA that answers one integer, e.g. "page_count".
  absl::StatusOr<int64_t> PragmaInt(absl::string_view pragma);
  // PRAGMA incremental_vacuum: moves up to `max_pages` free pages (all when
  // 0) to the end of the file and cuts them off; in WAL mode the file shrinks
  // at the next checkpoint. Does nothing unless auto_vacuum is INCREMENTAL
  // (every database created since it was turned on at Open).
  absl::Status IncrementalVacuum(int max_pages = 0);
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path);
  absl::Status Migrate(const std::vector<Migration>& migrations, const OpenOptions& options);
  absl::Status Transaction(absl::string_view begin, const std::function<absl::Status()>& work);

  sqlite3* db_;
  std::string path_;
  int wal_pages_ = 0;  // set by the WAL hook after TakeOverCheckpoints()
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements_;
};

}  // namespace olif::sqlite
