#include "services/common/audit/audit.h"

#include <gtest/gtest.h>

#include "services/common/testing/testing.h"

namespace olif::audit {
namespace {

constexpr Table kTable{"thing_audit", "thing_id"};

TEST(AuditTest, LinesComeBackInOrderPerObjectWithTheUnidentifiedNamed) {
  const std::vector<sqlite::Migration> schema = {
      {1, "0001_audit.sql",
       "CREATE TABLE thing_audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at_us INTEGER NOT NULL,"
       " actor TEXT NOT NULL, action TEXT NOT NULL, thing_id TEXT NOT NULL,"
       " child_ref TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL,"
       " trace_id TEXT NOT NULL) STRICT;"}};
  auto db = sqlite::Database::Open(
      (olif::testing_util::FreshTestDir("audit") / "audit.db").string(), schema);
  ASSERT_TRUE(db.ok()) << db.status();
  const absl::Time t = absl::FromUnixSeconds(1800000000);
  ASSERT_TRUE(Append(**db, kTable, {t, "prof-a", "read", "thing-1", "c1", "OK", "why", "t1"}).ok());
  ASSERT_TRUE(Append(**db, kTable,
                     {t + absl::Seconds(1), "", "read", "thing-2", "",
                      Outcome(absl::NotFoundError("gone")), "", "t2"})
                  .ok());
  ASSERT_TRUE(Append(**db, kTable,
                     {t + absl::Seconds(2), "prof-b", "update", "thing-1", "c1", "OK", "", "t3"})
                  .ok());
  const std::vector<Entry> all = *Read(**db, kTable);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].actor, "unidentified");
  EXPECT_EQ(all[1].outcome, "NOT_FOUND: gone");
  const std::vector<Entry> one = *Read(**db, kTable, "thing-1");
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].at, t);
  EXPECT_EQ(one[1].action, "update");
  EXPECT_EQ(one[1].trace_id, "t3");
}

}  // namespace
}  // namespace olif::audit
