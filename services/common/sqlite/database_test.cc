#include "services/common/sqlite/database.h"
#include "services/common/testing/testing.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace olif::sqlite {
namespace {

class DatabaseTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing_util::FreshTestDir("db");
    path_ = (dir_ / "test.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string path_;
};

const std::vector<Migration> kTwo = {
    {1, "0001_notes.sql", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"},
    {2, "0002_tags.sql",
     "ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT 'none';"
     "CREATE INDEX notes_by_tag ON notes (tag);"},
};

TEST_F(DatabaseTest, OpensWithDurabilitySettings) {
  auto db = Database::Open(path_, kTwo);
  ASSERT_TRUE(db.ok()) << db.status();
  auto pragma = [&](const char* sql) {
    Statement* s = *(*db)->Prepare(sql);
    EXPECT_TRUE(*s->Step());
    std::string v = s->ColumnText(0);
    s->Reset();
    return v;
  };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(pragma("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(pragma("PRAGMA busy_timeout"), "5000");
  EXPECT_EQ(*(*db)->SchemaVersion(), 2);
}

TEST_F(DatabaseTest, UpgradesVersionOneDatabaseWithoutLoss) {
  {
    auto v1 = Database::Open(path_, kTwo, {.target_version = 1});
    ASSERT_TRUE(v1.ok());
    EXPECT_EQ(*(*v1)->SchemaVersion(), 1);
    ASSERT_TRUE((*v1)->Exec("INSERT INTO notes (body) VALUES ('first'), ('second')").ok());
  }
  auto v2 = Database::Open(path_, kTwo);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*(*v2)->SchemaVersion(), 2);
  Statement* s = *(*v2)->Prepare("SELECT body, tag FROM notes ORDER BY id");
  ASSERT_TRUE(*s->Step());
  EXPECT_EQ(s->ColumnText(0), "first");
  EXPECT_EQ(s->ColumnText(1), "none");
  ASSERT_TRUE(*s->Step());
  EXPECT_EQ(s->ColumnText(0), "second");
  EXPECT_FALSE(*s->Step());
}

TEST_F(DatabaseTest, RefusesNewerSchemaThanKnown) {
  ASSERT_TRUE(Database::Open(path_, kTwo).ok());
  auto old_build = Database::Open(path_, {kTwo[0]});
  EXPECT_EQ(old_build.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(old_build.status().message().find("schema version 2, newer than this build knows (1)"),
            std::string::npos)
      << old_build.status();
}

TEST_F(DatabaseTest, FailedMigrationLeavesPreviousVersion) {
  const std::vector<Migration> broken = {kTwo[0], {2, "0002_bad.sql", "CREATE TABLE notes (x);"}};
  auto db = Database::Open(path_, broken);
  EXPECT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("migration 0002_bad.sql"), std::string::npos) << db.status();
  auto again = Database::Open(path_, kTwo, {.target_version = 1});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->SchemaVersion(), 1);
}

TEST_F(DatabaseTest, RefusesGapsInMigrationNumbers) {
  auto db = Database::Open(path_, {kTwo[1]});
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInternal);
}

TEST_F(DatabaseTest, ErrorsNameTheStatement) {
  auto db = Database::Open(path_, kTwo);
  ASSERT_TRUE(db.ok());
  auto bad = (*db)->Prepare("SELECT nope FROM notes");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(bad.status().message().find("no such column: nope"), std::string::npos);
  EXPECT_NE(bad.status().message().find("in \"SELECT nope FROM notes\""), std::string::npos)
      << bad.status();
}

TEST_F(DatabaseTest, ConstraintViolationsMapToCodes) {
  auto db = Database::Open(path_, kTwo);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("INSERT INTO notes (id, body) VALUES (1, 'a')").ok());
  Statement* dup = *(*db)->Prepare("INSERT INTO notes (id, body) VALUES (?1, ?2)");
  dup->Bind(1, int64_t{1}).Bind(2, "b");
  EXPECT_EQ(dup->Run().code(), absl::StatusCode::kAlreadyExists);
  Statement* null_body = *(*db)->Prepare("INSERT INTO notes (id, body) VALUES (?1, ?2)");
  null_body->Bind(1, int64_t{2}).BindNull(2);
  EXPECT_EQ(null_body->Run().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(DatabaseTest, WriteTransactionRollsBackOnError) {
  auto db = Database::Open(path_, kTwo);
  ASSERT_TRUE(db.ok());
  absl::Status s = (*db)->WriteTransaction([&]() -> absl::Status {
    if (absl::Status e = (*db)->Exec("INSERT INTO notes (body) VALUES ('kept?')"); !e.ok())
      return e;
    return absl::AbortedError("caller changed its mind");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  Statement* count = *(*db)->Prepare("SELECT COUNT(*) FROM notes");
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->ColumnInt64(0), 0);
  count->Reset();

  ASSERT_TRUE((*db)
                  ->WriteTransaction(
                      [&] { return (*db)->Exec("INSERT INTO notes (body) VALUES ('kept')"); })
                  .ok());
  count = *(*db)->Prepare("SELECT COUNT(*) FROM notes");
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->ColumnInt64(0), 1);
}

TEST_F(DatabaseTest, WriteTransactionTakesTheWriteLockUpFront) {
  auto a = Database::Open(path_, kTwo, {.busy_timeout_ms = 50});
  auto b = Database::Open(path_, kTwo, {.busy_timeout_ms = 50});
  ASSERT_TRUE(a.ok() && b.ok());
  absl::Status inner;
  ASSERT_TRUE((*a)->WriteTransaction([&] {
                    // BEGIN IMMEDIATE in a second connection cannot start while
                    // the first holds the write lock: it fails fast and retryably.
                    inner = (*b)->WriteTransaction([] { return absl::OkStatus(); });
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(inner.code(), absl::StatusCode::kUnavailable) << inner;
}

TEST_F(DatabaseTest, BlobsAndTextRoundTrip) {
  auto db = Database::Open(path_, {{1, "0001_blobs.sql", "CREATE TABLE b (k TEXT, v BLOB);"}});
  ASSERT_TRUE(db.ok());
  const std::string bytes("\0\x01\xff", 3);
  Statement* ins = *(*db)->Prepare("INSERT INTO b VALUES (?1, ?2)");
  ASSERT_TRUE(ins->Bind(1, "Zoë").BindBlob(2, bytes).Run().ok());
  ASSERT_TRUE(ins->Bind(1, "empty").BindBlob(2, "").Run().ok());
  Statement* sel = *(*db)->Prepare("SELECT k, v, v IS NULL FROM b ORDER BY rowid");
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->ColumnText(0), "Zoë");
  EXPECT_EQ(sel->ColumnBlob(1), bytes);
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->ColumnBlob(1), "");
  EXPECT_EQ(sel->ColumnInt64(2), 0) << "an empty blob is not NULL";
}

TEST_F(DatabaseTest, SizeCountsFileAndWal) {
  auto db = Database::Open(path_, kTwo);
  ASSERT_TRUE(db.ok());
  const int64_t before = (*db)->SizeBytes();
  ASSERT_TRUE((*db)->Exec("INSERT INTO notes (body) VALUES (hex(randomblob(20000)))").ok());
  EXPECT_GT((*db)->SizeBytes(), before + 20000);
}

// Fills `db`'s notes with 2,000 rows of 2 KB and deletes nine in ten.
void FillAndPruneMost(Database& db) {
  ASSERT_TRUE(db.WriteTransaction([&] {
                  return db.Exec(
                      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                      " WHERE i < 2000) INSERT INTO notes (body)"
                      " SELECT hex(randomblob(1000)) FROM n");
                }).ok());
  ASSERT_TRUE(db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  ASSERT_TRUE(db.Exec("DELETE FROM notes WHERE id % 10 != 0").ok());
  ASSERT_TRUE(db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
}

int64_t FileBytes(const std::string& path) {
  return static_cast<int64_t>(std::filesystem::file_size(path));
}

TEST_F(DatabaseTest, APrunedDatabaseShrinksOnDiskAfterReclaim) {
  auto db = Database::Open(path_, kTwo);
  ASSERT_TRUE(db.ok());
  FillAndPruneMost(**db);
  absl::StatusOr<Database::Space> pruned = (*db)->SpaceUsed();
  ASSERT_TRUE(pruned.ok());
  EXPECT_TRUE(pruned->incremental_vacuum) << "a new file is made with incremental vacuum on";
  EXPECT_GT(pruned->free_pages, pruned->page_count / 2);
  const int64_t before = FileBytes(path_);

  absl::StatusOr<Reclaimed> reclaimed = Reclaim(path_);  // beside the open connection
  ASSERT_TRUE(reclaimed.ok()) << reclaimed.status();
  EXPECT_FALSE(reclaimed->rebuilt);
  EXPECT_LT(FileBytes(path_), before / 3);
  absl::StatusOr<Database::Space> after = (*db)->SpaceUsed();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->free_pages, 0);
  // The rows kept are all there.
  auto stmt = (*db)->Prepare("SELECT COUNT(*) FROM notes");
  int64_t rows = 0;
  ASSERT_TRUE((*stmt)->ReadOne([&](const Statement& r) { rows = r.ColumnInt64(0); }).ok());
  EXPECT_EQ(rows, 200);
}

TEST_F(DatabaseTest, AnOlderFileWithoutIncrementalVacuumIsRebuiltOnceThenIncremental) {
  {
    // A file made before the hub turned incremental vacuum on.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw,
                           "PRAGMA auto_vacuum = NONE; PRAGMA journal_mode = WAL;"
                           " CREATE TABLE old_rows (v TEXT)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  auto db = Database::Open(path_, kTwo);
  ASSERT_TRUE(db.ok());
  FillAndPruneMost(**db);
  EXPECT_FALSE((*db)->SpaceUsed()->incremental_vacuum);
  const int64_t before = FileBytes(path_);
  absl::StatusOr<Reclaimed> first = Reclaim(path_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->rebuilt);
  EXPECT_LT(FileBytes(path_), before / 3);
  EXPECT_TRUE((*db)->SpaceUsed()->incremental_vacuum);
  absl::StatusOr<Reclaimed> second = Reclaim(path_);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->rebuilt);
}

TEST_F(DatabaseTest, IncrementalVacuumInsideAWriteGivesPagesBack) {
  auto db = Database::Open(path_, kTwo);
  ASSERT_TRUE(db.ok());
  FillAndPruneMost(**db);
  ASSERT_TRUE((*db)->WriteTransaction([&] { return (*db)->IncrementalVacuum(); }).ok());
  EXPECT_EQ((*db)->SpaceUsed()->free_pages, 0);
}

TEST_F(DatabaseTest, ReclaimOfAMissingDatabaseIsNotFound) {
  EXPECT_EQ(Reclaim((dir_ / "none.db").string()).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace olif::sqlite
