#include "services/common/audit/audit.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

#include "services/common/testing/testing.h"

namespace olif::audit {
namespace {

constexpr Table kTable{"thing_audit", "thing_id"};

std::unique_ptr<sqlite::Database> OpenAuditDb(const std::string& name) {
  const std::vector<sqlite::Migration> schema = {
      {1, "0001_audit.sql",
       "CREATE TABLE thing_audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at_us INTEGER NOT NULL,"
       " actor TEXT NOT NULL, action TEXT NOT NULL, thing_id TEXT NOT NULL,"
       " child_ref TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL,"
       " trace_id TEXT NOT NULL) STRICT;"}};
  auto db = sqlite::Database::Open((olif::testing_util::FreshTestDir(name) / "audit.db").string(),
                                   schema);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

TEST(AuditTest, LinesComeBackInOrderPerObjectWithTheUnidentifiedNamed) {
  auto db = OpenAuditDb("audit");
  ASSERT_NE(db, nullptr);
  const absl::Time t = absl::FromUnixSeconds(1800000000);
  ASSERT_TRUE(Append(*db, kTable, {t, "prof-a", "read", "thing-1", "c1", "OK", "why", "t1"}).ok());
  ASSERT_TRUE(Append(*db, kTable,
                     {t + absl::Seconds(1), "", "read", "thing-2", "",
                      Outcome(absl::NotFoundError("gone")), "", "t2"})
                  .ok());
  ASSERT_TRUE(Append(*db, kTable,
                     {t + absl::Seconds(2), "prof-b", "update", "thing-1", "c1", "OK", "", "t3"})
                  .ok());
  const std::vector<Entry> all = *Read(*db, kTable);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].actor, "unidentified");
  EXPECT_EQ(all[1].outcome, "NOT_FOUND: gone");
  const std::vector<Entry> one = *Read(*db, kTable, "thing-1");
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].at, t);
  EXPECT_EQ(one[1].action, "update");
  EXPECT_EQ(one[1].trace_id, "t3");
}

TEST(AuditTest, SearchFiltersNewestFirstAndTheAdminFormChecksItsInput) {
  auto db = OpenAuditDb("audit_search");
  ASSERT_NE(db, nullptr);
  const absl::Time t = absl::FromUnixSeconds(1800000000);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(Append(*db, kTable,
                       {t + absl::Seconds(i), i % 2 == 0 ? "prof-a" : "prof-b",
                        i < 3 ? "read" : "disclose", absl::StrCat("thing-", i % 3),
                        i == 4 ? "c9" : "c1", "OK", absl::StrCat("reason ", i), ""})
                    .ok());
  }
  auto found = Search(*db, kTable, {.actor = "prof-a"});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0].reason, "reason 4");  // newest first
  EXPECT_EQ((*found)[2].reason, "reason 0");
  EXPECT_EQ(Search(*db, kTable, {.action = "disclose", .child_ref = "c9"})->size(), 1u);
  EXPECT_EQ(Search(*db, kTable, {.object_id = "thing-1"})->size(), 2u);
  EXPECT_EQ(Search(*db, kTable, {.from = t + absl::Seconds(2), .to = t + absl::Seconds(4)})->size(),
            2u);
  EXPECT_EQ(Search(*db, kTable, {.limit = 2})->size(), 2u);

  olifantenpad::admin::v1::SearchAuditRequest request;
  request.set_actor("prof-b");
  request.mutable_from()->set_seconds(1800000003);
  absl::StatusOr<Query> query = QueryFromAdmin(request);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->limit, 100);
  auto answer = ToAdmin(*Search(*db, kTable, *query));
  ASSERT_EQ(answer.entries_size(), 2);
  EXPECT_EQ(answer.entries(0).reason(), "reason 5");
  EXPECT_EQ(answer.entries(0).at().seconds(), 1800000005);
  EXPECT_EQ(answer.entries(1).object_id(), "thing-0");
  request.set_limit(5000);
  EXPECT_EQ(QueryFromAdmin(request)->limit, 1000);
  request.set_limit(-1);
  EXPECT_EQ(QueryFromAdmin(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.set_limit(0);
  request.mutable_to()->set_seconds(1800000001);
  EXPECT_EQ(QueryFromAdmin(request).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace olif::audit
