#include "services/common/outbox/outbox.h"
#include "services/common/testing/testing.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "google/rpc/error_details.pb.h"
#include "services/common/ids/ids.h"

namespace olif::outbox {
namespace {

const std::vector<sqlite::Migration> kSchema = {{1, "0001_outbox.sql", outbox::kTableSql}};

class OutboxTest : public testing::Test {
 protected:
  void SetUp() override {
    // CTest runs tests in parallel processes: each gets its own directory.
    path_ = (testing_util::FreshTestDir("outbox") / "outbox.db").string();
    auto db = sqlite::Database::Open(path_, kSchema);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  absl::StatusOr<olifantenpad::common::v1::EventEnvelope> AppendOne(const std::string& field) {
    google::rpc::BadRequest payload;
    payload.add_field_violations()->set_field(field);
    absl::StatusOr<olifantenpad::common::v1::EventEnvelope> out;
    absl::Status s = db_->WriteTransaction([&]() -> absl::Status {
      out = Append(*db_, "test",
                   {.topic = "test.topic",
                    .payload = &payload,
                    .trace_id = "t1",
                    .occurred_at = absl::FromUnixMicros(1'700'000'000'123'456)});
      return out.status();
    });
    if (!s.ok()) return s;
    return out;
  }
  std::string path_;
  std::unique_ptr<sqlite::Database> db_;
};

TEST_F(OutboxTest, AppendAssignsIncreasingSeqAndReadsBack) {
  auto a = AppendOne("a");
  auto b = AppendOne("b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->seq(), 1);
  EXPECT_EQ(b->seq(), 2);
  EXPECT_TRUE(IsUuid(a->event_id()));
  EXPECT_NE(a->event_id(), b->event_id());

  auto events = ReadAfter(*db_, "test", 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  const auto& e = (*events)[1];
  EXPECT_EQ(e.event_id(), b->event_id());
  EXPECT_EQ(e.producer(), "test");
  EXPECT_EQ(e.topic(), "test.topic");
  EXPECT_EQ(e.trace_id(), "t1");
  EXPECT_EQ(e.occurred_at().seconds(), 1'700'000'000);
  EXPECT_EQ(e.occurred_at().nanos(), 123'456'000);
  google::rpc::BadRequest payload;
  ASSERT_TRUE(e.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.field_violations(0).field(), "b");

  auto after_first = ReadAfter(*db_, "test", 1, 10);
  ASSERT_EQ(after_first->size(), 1u);
  EXPECT_EQ((*after_first)[0].seq(), 2);
}

TEST_F(OutboxTest, RolledBackEventLeavesNoRow) {
  google::rpc::BadRequest payload;
  absl::Status s = db_->WriteTransaction([&]() -> absl::Status {
    auto e = Append(*db_, "test", {.topic = "x", .payload = &payload});
    if (!e.ok()) return e.status();
    return absl::AbortedError("business write failed");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(GetStats(*db_)->row_count, 0);
}

TEST_F(OutboxTest, HeadSeqSurvivesPruning) {
  ASSERT_TRUE(AppendOne("a").ok());
  ASSERT_TRUE(AppendOne("b").ok());
  ASSERT_TRUE(db_->Exec("DELETE FROM outbox").ok());
  Stats stats = *GetStats(*db_);
  EXPECT_EQ(stats.head_seq, 2);
  EXPECT_EQ(stats.row_count, 0);
  EXPECT_EQ(AppendOne("c")->seq(), 3) << "a seq is never reused";
}

}  // namespace
}  // namespace olif::outbox
