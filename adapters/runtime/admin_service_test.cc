#include "adapters/runtime/admin_service.h"

#include <gtest/gtest.h>

#include "services/common/clock/timestamp.h"
#include "services/common/testing/grpc_server.h"
#include "services/common/testing/testing.h"

namespace olif::adapters {
namespace {

namespace av1 = olifantenpad::admin::v1;
const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);

class AdapterAdminTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::string path = (testing_util::FreshTestDir("adapter_admin") / "a.db").string();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*sqlite::Database::Open(path, {})));
    ASSERT_TRUE(writer_->Run(DeliveryQueue::CreateTables).ok());
    ASSERT_TRUE(writer_->Run(MessageHistory::CreateTables).ok());
    queue_ = *DeliveryQueue::Open(path, *writer_, {.max_attempts = 2});
    history_ = *MessageHistory::Open(path, *writer_);
    admin_ = std::make_unique<AdapterAdminServiceImpl>(*queue_, *history_,
                                                       std::vector<std::string>{"fhir"}, clock_);
    // Three messages of two keys; the first dies at once.
    ASSERT_TRUE(writer_
                    ->Run([&](sqlite::Database& db) -> absl::Status {
                      for (auto [key, id] : {std::pair{"req-1", "ev-1"}, std::pair{"req-1", "ev-2"},
                                             std::pair{"req-2", "ev-3"}}) {
                        if (auto s = DeliveryQueue::Enqueue(db, "fhir", key, id, "t",
                                                            std::string("payload of ") + id, kT0);
                            !s.ok()) {
                          return s;
                        }
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    auto due = queue_->Due("fhir", kT0, 10);
    ASSERT_EQ(due->size(), 2u);
    dead_id_ = due->front().id;
    ASSERT_TRUE(queue_->Failed(dead_id_, "HTTP 400: bad code", false, kT0).ok());
  }

  FakeClock clock_{kT0};
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<DeliveryQueue> queue_;
  std::unique_ptr<MessageHistory> history_;
  std::unique_ptr<AdapterAdminServiceImpl> admin_;
  int64_t dead_id_ = 0;
};

TEST_F(AdapterAdminTest, ListsAndShowsDeadLetters) {
  auto dead = admin_->DeadLetters({});
  ASSERT_TRUE(dead.ok()) << dead.status();
  ASSERT_EQ(dead->dead_letters_size(), 1);
  const av1::Delivery& d = dead->dead_letters(0);
  EXPECT_EQ(d.event_id(), "ev-1");
  EXPECT_EQ(d.state(), av1::DELIVERY_STATE_DEAD);
  EXPECT_EQ(d.last_error(), "HTTP 400: bad code");
  EXPECT_EQ(d.payload(), "payload of ev-1");
  EXPECT_EQ(admin_->Show(d.id())->key(), "req-1");
  EXPECT_EQ(admin_->Show(999).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(admin_->Show(0).status().code(), absl::StatusCode::kInvalidArgument);
  av1::ListDeadLettersRequest other;
  other.set_destination("school");
  auto refused = admin_->DeadLetters(other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("this adapter has: fhir"), std::string::npos);
}

TEST_F(AdapterAdminTest, ActionsNeedWhoAndWhyAndChangeNothingWithout) {
  auto refused = admin_->Act("retry", dead_id_, "", "", nullptr);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("who"), std::string::npos);
  EXPECT_NE(refused.status().message().find("why"), std::string::npos);
  const std::string empty;
  auto no_payload = admin_->Act("edit", dead_id_, "op-anouk", "fix code", &empty);
  EXPECT_EQ(no_payload.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->Show(dead_id_)->state(), av1::DELIVERY_STATE_DEAD);
}

TEST_F(AdapterAdminTest, RetrySkipAndEditAndResend) {
  // Editing replaces the message and makes it pending again.
  const std::string fixed = "corrected payload";
  auto edited = admin_->Act("edit", dead_id_, "op-anouk", "code fixed", &fixed);
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->state(), av1::DELIVERY_STATE_PENDING);
  EXPECT_EQ(edited->payload(), fixed);
  EXPECT_EQ(edited->attempts(), 0);
  // Only a dead letter can be acted on.
  EXPECT_EQ(admin_->Act("skip", dead_id_, "op", "why", nullptr).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(queue_->Failed(dead_id_, "HTTP 400 again", false, kT0).ok());
  auto skipped = admin_->Act("skip", dead_id_, "op-anouk", "sent by hand", nullptr);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->state(), av1::DELIVERY_STATE_SKIPPED);
  // With the dead letter skipped, its key's next message is due.
  auto due = queue_->Due("fhir", kT0, 10);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ(due->front().event_id, "ev-2");
  // Who did what and why, in order, for whoever looks later.
  ASSERT_EQ(skipped->actions_size(), 2);
  EXPECT_EQ(skipped->actions(0).action(), "edited and resent");
  EXPECT_EQ(skipped->actions(0).who(), "op-anouk");
  EXPECT_EQ(skipped->actions(0).why(), "code fixed");
  EXPECT_EQ(skipped->actions(1).action(), "skipped");
  EXPECT_EQ(skipped->actions(1).why(), "sent by hand");
  EXPECT_EQ(admin_->Show(dead_id_)->actions_size(), 2);
  EXPECT_EQ(admin_->Show(due->front().id)->actions_size(), 0);
}

TEST_F(AdapterAdminTest, QueueDepthCountsPendingAndDead) {
  auto depth = admin_->Depths();
  ASSERT_TRUE(depth.ok());
  ASSERT_EQ(depth->queues_size(), 1);
  EXPECT_EQ(depth->queues(0).destination(), "fhir");
  EXPECT_EQ(depth->queues(0).pending(), 2);
  EXPECT_EQ(depth->queues(0).dead(), 1);
}

TEST_F(AdapterAdminTest, SearchHistoryChecksItsFilters) {
  ASSERT_TRUE(history_
                  ->Record({.at = kT0,
                            .direction = "out",
                            .destination = "fhir",
                            .key = "req-2",
                            .event_id = "ev-3",
                            .outcome = "delivered"})
                  .ok());
  av1::SearchHistoryRequest q;
  q.set_key("req-2");
  auto found = admin_->Search(q);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->entries_size(), 1);
  EXPECT_EQ(found->entries(0).event_id(), "ev-3");
  q.set_direction("sideways");
  EXPECT_EQ(admin_->Search(q).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AdapterAdminTest, CountHistoryCountsPerBucketAndNamesWhatIsWrong) {
  for (int s : {0, 30, 90}) {
    ASSERT_TRUE(history_
                    ->Record({.at = kT0 + absl::Seconds(s),
                              .direction = "out",
                              .destination = "fhir",
                              .outcome = "delivered"})
                    .ok());
  }
  av1::CountHistoryRequest r;
  *r.mutable_from() = ToTimestamp(kT0);
  *r.mutable_to() = ToTimestamp(kT0 + absl::Minutes(2));
  r.mutable_bucket()->set_seconds(60);
  auto counts = admin_->Count(r);
  ASSERT_TRUE(counts.ok()) << counts.status();
  ASSERT_EQ(counts->counts_size(), 2);
  EXPECT_EQ(counts->counts(0).bucket(), 0);
  EXPECT_EQ(counts->counts(0).count(), 2);
  EXPECT_EQ(counts->counts(1).bucket(), 1);
  EXPECT_EQ(counts->counts(1).count(), 1);
  EXPECT_EQ(counts->counts(1).outcome(), "delivered");

  av1::CountHistoryRequest no_range;
  no_range.mutable_bucket()->set_seconds(60);
  auto refused = admin_->Count(no_range);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().ToString().find("from"), std::string::npos) << refused.status();
  av1::CountHistoryRequest too_fine = r;
  too_fine.mutable_bucket()->set_seconds(0);
  EXPECT_EQ(admin_->Count(too_fine).status().code(), absl::StatusCode::kInvalidArgument);
  *too_fine.mutable_to() = ToTimestamp(kT0 + absl::Hours(25));
  too_fine.mutable_bucket()->set_seconds(60);
  auto many = admin_->Count(too_fine);
  EXPECT_NE(many.status().ToString().find("1440"), std::string::npos) << many.status();
}

TEST_F(AdapterAdminTest, OperatorsActThroughGrpcWithPreciseRefusals) {
  testing_util::TestGrpcServer server({admin_.get()}, "youthcare_fhir");
  auto stub = server.Stub<av1::AdapterAdminService>();
  av1::ListDeadLettersResponse dead;
  ASSERT_TRUE(stub->ListDeadLetters(testing_util::TestGrpcServer::Context().get(), {}, &dead).ok());
  ASSERT_EQ(dead.dead_letters_size(), 1);

  av1::RetryDeliveryRequest retry;
  retry.set_id(dead.dead_letters(0).id());
  av1::RetryDeliveryResponse retried;
  grpc::Status refused =
      stub->RetryDelivery(testing_util::TestGrpcServer::Context().get(), retry, &retried);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("who"), std::string::npos) << refused.error_message();
  EXPECT_NE(refused.error_message().find("why"), std::string::npos) << refused.error_message();

  retry.set_who("op-anouk");
  retry.set_why("the provider fixed its code list");
  ASSERT_TRUE(
      stub->RetryDelivery(testing_util::TestGrpcServer::Context().get(), retry, &retried).ok());
  EXPECT_EQ(retried.delivery().state(), av1::DELIVERY_STATE_PENDING);
  ASSERT_EQ(retried.delivery().actions_size(), 1);
  EXPECT_EQ(retried.delivery().actions(0).who(), "op-anouk");
}

}  // namespace
}  // namespace olif::adapters
