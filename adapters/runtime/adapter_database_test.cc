// An adapter's database opened one way, and the pruning every adapter runs.

#include "adapters/runtime/adapter_database.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/common/testing/testing.h"

namespace olif::adapters {
namespace {

absl::Status CreateOwnTable(sqlite::Database& db) {
  return db.Exec("CREATE TABLE IF NOT EXISTS own_rows (id INTEGER PRIMARY KEY)");
}

std::string DbPath() { return (testing_util::FreshTestDir("adapterdb") / "adapter.db").string(); }

TEST(AdapterDatabaseTest, OpensTheQueueTheHistoryAndTheAdaptersOwnTables) {
  int commits = 0;
  auto db = OpenAdapterDatabase(DbPath(), {.retry = {},
                                           .retry_field = "test.retry",
                                           .tables = {CreateOwnTable},
                                           .on_commit = [&commits] { ++commits; }});
  ASSERT_TRUE(db.ok()) << db.status();
  const int before = commits;
  ASSERT_TRUE(db->writer
                  ->Run([](sqlite::Database& d) {
                    if (absl::Status s = d.Exec("INSERT INTO own_rows (id) VALUES (1)"); !s.ok()) {
                      return s;
                    }
                    return DeliveryQueue::Enqueue(d, "dest", "k", "e1", "topic", "{}", absl::Now());
                  })
                  .ok());
  EXPECT_GT(commits, before) << "on_commit runs after each commit";
  EXPECT_EQ(*db->queue->Depth("dest"), 1);
  EXPECT_TRUE(db->history->Search({}).ok());
}

TEST(AdapterDatabaseTest, ARetrySettingThatCannotBeIsRefusedNamingIt) {
  olifantenpad::config::v1::DeliveryRetryConfig retry;
  retry.set_max_attempts(-1);
  auto db = OpenAdapterDatabase(DbPath(), {.retry = retry, .retry_field = "test.retry"});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(db.status().message().find("test.retry"), absl::string_view::npos) << db.status();
}

TEST(AdapterDatabaseTest, PruningGivesTheFreedPagesBackToTheFileSystem) {
  auto db = OpenAdapterDatabase(DbPath(), {.retry = {}, .retry_field = "test.retry"});
  ASSERT_TRUE(db.ok()) << db.status();
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  const std::string sent(2000, 'x');
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(db->history
                    ->Record({.at = clock.Now() - absl::Hours(i < 900 ? 24 * 40 : 1),
                              .direction = "out",
                              .destination = "dest",
                              .key = absl::StrCat("k", i),
                              .event_id = absl::StrCat("e", i),
                              .outcome = "delivered",
                              .sent = sent})
                    .ok());
  }
  auto space = [&] {
    auto reader = sqlite::Database::Open(db->path, {});
    return *(*reader)->SpaceUsed();
  };
  const sqlite::Database::Space before = space();
  ASSERT_EQ(*Pruning(*db, clock, absl::Hours(24 * 30))(), 900);
  const sqlite::Database::Space after = space();
  EXPECT_EQ(after.free_pages, 0);
  EXPECT_LT(after.page_count, before.page_count / 3);
  EXPECT_EQ(db->history->Search({.limit = 1000})->size(), 100u);
}

TEST(AdapterDatabaseTest, PruningForgetsWhatIsPastTheRetentionAndRunsTheAdaptersOwnSteps) {
  auto db = OpenAdapterDatabase(DbPath(), {.retry = {}, .retry_field = "test.retry"});
  ASSERT_TRUE(db.ok()) << db.status();
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  const absl::Time old = clock.Now() - absl::Hours(24 * 40);
  for (const auto& [event, at] : {std::pair{"old", old}, std::pair{"new", clock.Now()}}) {
    ASSERT_TRUE(db->history
                    ->Record({.at = at,
                              .direction = "out",
                              .destination = "dest",
                              .key = "k",
                              .event_id = event,
                              .outcome = "delivered"})
                    .ok());
  }
  ASSERT_TRUE(db->writer
                  ->Run([&](sqlite::Database& d) {
                    return DeliveryQueue::Enqueue(d, "dest", "k", "e-old", "t", "{}", old);
                  })
                  .ok());
  auto due = db->queue->Due("dest", clock.Now(), 10);
  ASSERT_TRUE(due.ok() && due->size() == 1);
  ASSERT_TRUE(db->queue->Delivered((*due)[0].id, old).ok());

  absl::Time horizon;
  auto prune = Pruning(*db, clock, absl::Hours(24 * 30),
                       {{"own", [&horizon](absl::Time before) -> absl::StatusOr<int64_t> {
                           horizon = before;
                           return 2;
                         }}});
  absl::StatusOr<int64_t> gone = prune();
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(*gone, 1 + 1 + 2);  // a history line, a delivered message, the own step's
  EXPECT_EQ(horizon, clock.Now() - absl::Hours(24 * 30));
  auto left = db->history->Search({});
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].event_id, "new");

  auto failing =
      Pruning(*db, clock, absl::Hours(1), {{"own", [](absl::Time) -> absl::StatusOr<int64_t> {
                                              return absl::UnavailableError("disk gone");
                                            }}});
  EXPECT_EQ(failing().status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace olif::adapters
