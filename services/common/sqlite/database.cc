#include "services/common/sqlite/database.h"

#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace olif::sqlite {
namespace {

// Long statements are shortened in messages; the start names them well enough.
std::string Shorten(absl::string_view sql) {
  constexpr size_t kMax = 120;
  std::string s;
  for (char c : sql) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (space && (s.empty() || s.back() == ' ')) continue;
    s.push_back(space ? ' ' : c);
  }
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

}  // namespace

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view statement) {
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message =
      absl::StrCat("sqlite: ", detail, " (code ", extended, ") in \"", Shorten(statement), "\"");
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_CONSTRAINT:
      if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::AlreadyExistsError(message);
      }
      return absl::FailedPreconditionError(message);
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    default:
      return absl::InternalError(message);
  }
}

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
    : db_(db), stmt_(stmt), sql_(std::move(sql)) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteError(db_, rc, sql_);
  return *this;
}

Statement& Statement::Bind(int index, absl::string_view text) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteError(db_, rc, sql_);
  return *this;
}

Statement& Statement::BindBlob(int index, absl::string_view bytes) {
  // A zero-length blob still binds as a blob, not NULL.
  static const char kEmpty = 0;
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &kEmpty : bytes.data(),
                                     bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteError(db_, rc, sql_);
  return *this;
}

Statement& Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteError(db_, rc, sql_);
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  if (!bind_status_.ok()) return bind_status_;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, sql_);
}

absl::Status Statement::Run() {
  return ForEachRow([](const Statement&) { return absl::OkStatus(); });
}

absl::Status Statement::ForEachRow(const std::function<absl::Status(const Statement&)>& row) {
  absl::Status status;
  while (status.ok()) {
    absl::StatusOr<bool> more = Step();
    if (!more.ok()) {
      status = more.status();
    } else if (!*more) {
      break;
    } else {
      status = row(*this);
    }
  }
  Reset();
  return status;
}

absl::StatusOr<bool> Statement::ReadOne(const std::function<void(const Statement&)>& row) {
  absl::StatusOr<bool> found = Step();
  if (found.ok() && *found) row(*this);
  Reset();
  return found;
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_status_ = absl::OkStatus();
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), n);
}

std::string Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return blob == nullptr ? std::string() : std::string(static_cast<const char*>(blob), n);
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Database::Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Database::~Database() {
  statements_.clear();  // finalize before close
  sqlite3_close(db_);
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                         const std::vector<Migration>& migrations,
                                                         const OpenOptions& options) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteError(raw, rc, absl::StrCat("open ", path));
    sqlite3_close(raw);
    return status;
  }
  std::unique_ptr<Database> db(new Database(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  if (absl::Status s = db->Exec(absl::StrCat("PRAGMA busy_timeout = ", options.busy_timeout_ms));
      !s.ok()) {
    return s;
  }
  // Pages freed by deletes can be given back to the file system
  // (IncrementalVacuum, Reclaim). Takes effect on a new file only, before its
  // first table; an older file keeps its mode until Reclaim rebuilds it.
  if (absl::Status s = db->Exec("PRAGMA auto_vacuum = INCREMENTAL"); !s.ok()) return s;
  // journal_mode answers with the mode in force; anything but wal is an error
  // (e.g. a file system that cannot hold the shared-memory index).
  absl::StatusOr<Statement*> mode = db->Prepare("PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  std::string journal;
  absl::StatusOr<bool> row =
      (*mode)->ReadOne([&](const Statement& s) { journal = s.ColumnText(0); });
  if (!row.ok()) return row.status();
  if (journal != "wal") {
    return absl::FailedPreconditionError(
        absl::StrCat("sqlite: ", path, ": journal_mode is '", journal, "', WAL is required"));
  }
  // Temporary data (a savepoint's sub-journal, sorts) stays in memory: it
  // holds no more than one transaction's changes and must not cost file I/O.
  if (absl::Status s = db->Exec(
          "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
          // Up to 64 MiB of pages cached (SQLite's default is 2 MiB), taken
          // only as the database is used: an index over random keys (a
          // client's idempotency key) stays in memory far longer.
          "PRAGMA cache_size = -65536;");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = db->Migrate(migrations, options); !s.ok()) return s;
  return db;
}

absl::Status Database::Migrate(const std::vector<Migration>& migrations,
                               const OpenOptions& options) {
  // A second connection to a database its owner migrates (a reader) brings none.
  if (migrations.empty()) return absl::OkStatus();
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return absl::InternalError(absl::StrCat("migration ", migrations[i].name, " has version ",
                                              migrations[i].version, ", expected ", i + 1));
    }
  }
  absl::StatusOr<int> current = SchemaVersion();
  if (!current.ok()) return current.status();
  const int known = static_cast<int>(migrations.size());
  if (*current > known) {
    return absl::FailedPreconditionError(absl::StrCat("database ", path_, " has schema version ",
                                                      *current, ", newer than this build knows (",
                                                      known, "); run a newer build"));
  }
  const int target = options.target_version.value_or(known);
  for (const Migration& m : migrations) {
    if (m.version <= *current || m.version > target) continue;
    absl::Status status = WriteTransaction([&]() -> absl::Status {
      if (absl::Status s = Exec(m.sql); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat("migration ", m.name, ": ", s.message()));
      }
      return Exec(absl::StrCat("PRAGMA user_version = ", m.version));
    });
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status Database::Exec(absl::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);  // sqlite3_errmsg carries the same text
  if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
  return absl::OkStatus();
}

absl::StatusOr<Statement*> Database::Prepare(absl::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
  auto owned = std::make_unique<Statement>(db_, stmt, std::string(sql));
  Statement* result = owned.get();
  statements_.emplace(std::string(sql), std::move(owned));
  return result;
}

absl::Status Database::Run(absl::string_view sql) {
  absl::StatusOr<Statement*> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Run();
}

void Database::TakeOverCheckpoints() {
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<Database*>(self)->wal_pages_ = pages;
        return SQLITE_OK;
      },
      this);
}

absl::Status Database::CheckpointPassive() {
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  // BUSY: another checkpoint is running; what it copies is copied.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return SqliteError(db_, rc, "wal_checkpoint(PASSIVE)");
  return absl::OkStatus();
}

absl::Status Database::Transaction(absl::string_view begin,
                                   const std::function<absl::Status()>& work) {
  if (absl::Status s = Run(begin); !s.ok()) return s;
  absl::Status status = work();
  if (status.ok()) status = Run("COMMIT");
  if (!status.ok() && !sqlite3_get_autocommit(db_)) {
    // A failed COMMIT may leave the transaction open; ROLLBACK ends it. Its own
    // error is secondary to the one being returned.
    (void)Exec("ROLLBACK");
  }
  return status;
}

absl::Status Database::WriteTransaction(const std::function<absl::Status()>& work) {
  return Transaction("BEGIN IMMEDIATE", work);
}

absl::Status Database::ReadTransaction(const std::function<absl::Status()>& work) {
  return Transaction("BEGIN DEFERRED", work);
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int Database::Changes() const { return sqlite3_changes(db_); }

absl::StatusOr<int> Database::SchemaVersion() {
  absl::StatusOr<Statement*> stmt = Prepare("PRAGMA user_version");
  if (!stmt.ok()) return stmt.status();
  int version = 0;
  absl::StatusOr<bool> row =
      (*stmt)->ReadOne([&](const Statement& s) { version = static_cast<int>(s.ColumnInt64(0)); });
  if (!row.ok()) return row.status();
  return version;
}

int64_t Database::SizeBytes() const { return FileSize(path_) + FileSize(path_ + "-wal"); }

absl::StatusOr<int64_t> Database::PragmaInt(absl::string_view pragma) {
  absl::StatusOr<Statement*> stmt = Prepare(absl::StrCat("PRAGMA ", pragma));
  if (!stmt.ok()) return stmt.status();
  int64_t value = 0;
  absl::StatusOr<bool> row =
      (*stmt)->ReadOne([&](const Statement& s) { value = s.ColumnInt64(0); });
  if (!row.ok()) return row.status();
  return value;
}

absl::StatusOr<Database::Space> Database::SpaceUsed() {
  Space space{.size_bytes = SizeBytes()};
  for (auto [pragma, out] :
       {std::pair{"page_size", &space.page_size}, std::pair{"page_count", &space.page_count},
        std::pair{"freelist_count", &space.free_pages}}) {
    absl::StatusOr<int64_t> value = PragmaInt(pragma);
    if (!value.ok()) return value.status();
    *out = *value;
  }
  absl::StatusOr<int64_t> mode = PragmaInt("auto_vacuum");
  if (!mode.ok()) return mode.status();
  space.incremental_vacuum = *mode == 2;
  return space;
}

absl::Status Database::IncrementalVacuum(int max_pages) {
  // The pragma answers one row per step; Exec steps it to the end.
  return Exec(absl::StrCat("PRAGMA incremental_vacuum(", max_pages, ")"));
}

absl::StatusOr<Reclaimed> Reclaim(const std::string& path) {
  if (FileSize(path) == 0) {
    return absl::NotFoundError(absl::StrCat("sqlite: no database at ", path));
  }
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path, {});
  if (!db.ok()) return db.status();
  absl::StatusOr<Database::Space> space = (*db)->SpaceUsed();
  if (!space.ok()) return space.status();
  Reclaimed out;
  if (!space->incremental_vacuum) {
    // Open asked for INCREMENTAL; an existing file takes it at a VACUUM.
    if (absl::Status s = (*db)->Exec("VACUUM"); !s.ok()) return s;
    out.rebuilt = true;
  } else if (absl::Status s = (*db)->IncrementalVacuum(); !s.ok()) {
    return s;
  }
  if (absl::Status s = (*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)"); !s.ok()) return s;
  return out;
}

}  // namespace olif::sqlite
