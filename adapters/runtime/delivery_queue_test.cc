#include "adapters/runtime/delivery_queue.h"

#include "absl/strings/str_cat.h"

#include <gtest/gtest.h>

#include <tuple>

#include "services/common/testing/testing.h"

namespace olif::adapters {
namespace {

const absl::Time kQueueT0 = absl::FromUnixSeconds(1'795'000'000);
constexpr char kFhir[] = "youthcare-fhir";

class DeliveryQueueTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::string path = (testing_util::FreshTestDir("delivery") / "adapter.db").string();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*sqlite::Database::Open(path, {})));
    ASSERT_TRUE(writer_->Run(DeliveryQueue::CreateTables).ok());
    queue_ = *DeliveryQueue::Open(path, *writer_,
                                  {.max_attempts = 3,
                                   .initial_backoff = absl::Seconds(1),
                                   .max_backoff = absl::Seconds(60),
                                   .jitter = 0.2});
  }
  void Enqueue(const std::string& key, const std::string& event_id, absl::Time at = kQueueT0) {
    ASSERT_TRUE(writer_
                    ->Run([&](sqlite::Database& db) {
                      return DeliveryQueue::Enqueue(db, kFhir, key, event_id, "t",
                                                    "payload-" + event_id, at);
                    })
                    .ok());
  }
  std::vector<std::string> DueEvents(absl::Time now) {
    std::vector<std::string> ids;
    auto due = queue_->Due(kFhir, now, 100);
    EXPECT_TRUE(due.ok()) << due.status();
    if (due.ok()) {
      for (const Delivery& d : *due) ids.push_back(d.event_id);
    }
    return ids;
  }
  int64_t IdOf(const std::string& event_id, absl::Time now) {
    auto due = queue_->Due(kFhir, now, 100);
    if (due.ok()) {
      for (const Delivery& d : *due) {
        if (d.event_id == event_id) return d.id;
      }
    }
    ADD_FAILURE() << event_id << " not due";
    return -1;
  }

  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<DeliveryQueue> queue_;
};

TEST_F(DeliveryQueueTest, OnlyTheHeadOfEachKeyIsDueAndEnqueueIsIdempotent) {
  Enqueue("req-a", "e1");
  Enqueue("req-a", "e2");
  Enqueue("req-b", "e3");
  Enqueue("req-a", "e1");  // redelivered event
  EXPECT_EQ(DueEvents(kQueueT0), std::vector<std::string>({"e1", "e3"}));
  EXPECT_EQ(*queue_->Depth(kFhir), 3);
  ASSERT_TRUE(queue_->Delivered(IdOf("e1", kQueueT0), kQueueT0).ok());
  EXPECT_EQ(DueEvents(kQueueT0), std::vector<std::string>({"e2", "e3"}));
}

TEST_F(DeliveryQueueTest, SkippedKeysAreNotDueAndDoNotCountTowardsTheLimit) {
  for (const char* key : {"req-a", "req-b", "req-c", "req-d"}) {
    Enqueue(key, absl::StrCat("e-", key, "-1"));
    Enqueue(key, absl::StrCat("e-", key, "-2"));
  }
  auto due = queue_->Due(kFhir, kQueueT0, 2, [](const std::string& key) {
    return key == "req-a" || key == "req-c";  // on their way already
  });
  ASSERT_TRUE(due.ok()) << due.status();
  std::vector<std::string> ids;
  for (const Delivery& d : *due) ids.push_back(d.event_id);
  // Neither a skipped key's head nor the message behind it.
  EXPECT_EQ(ids, (std::vector<std::string>{"e-req-b-1", "e-req-d-1"}));
  // The limit stops the reading: one asked, one given, the oldest.
  due = queue_->Due(kFhir, kQueueT0, 1);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().event_id, "e-req-a-1");
}

TEST_F(DeliveryQueueTest, AFailureWaitsWithBackoffAndHoldsOnlyItsOwnKey) {
  Enqueue("req-a", "e1");
  Enqueue("req-a", "e2");
  Enqueue("req-b", "e3");
  ASSERT_TRUE(queue_->Failed(IdOf("e1", kQueueT0), "HTTP 503", /*retryable=*/true, kQueueT0).ok());
  EXPECT_EQ(DueEvents(kQueueT0), std::vector<std::string>({"e3"})) << "req-a waits; req-b flows";
  const Delivery waiting = *queue_->Get(1);
  EXPECT_EQ(waiting.attempts, 1);
  EXPECT_EQ(waiting.last_error, "HTTP 503");
  EXPECT_GE(waiting.next_attempt, kQueueT0 + absl::Milliseconds(800));
  EXPECT_LE(waiting.next_attempt, kQueueT0 + absl::Milliseconds(1200));
  EXPECT_EQ(DueEvents(kQueueT0 + absl::Seconds(2)), std::vector<std::string>({"e1", "e3"}));
}

TEST_F(DeliveryQueueTest, AfterTheLastAttemptADeadLetterBlocksNothingElse) {
  Enqueue("req-a", "e1");
  Enqueue("req-a", "e2");
  Enqueue("req-b", "e3");
  absl::Time now = kQueueT0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(queue_->Failed(1, "HTTP 503", true, now).ok());
    now += absl::Minutes(5);
  }
  EXPECT_EQ(queue_->Get(1)->state, DeliveryState::kDead);
  EXPECT_EQ(DueEvents(now), std::vector<std::string>({"e3"}))
      << "e2 stays behind its key's dead letter";
  ASSERT_EQ(queue_->DeadLetters(kFhir, 10)->size(), 1u);
}

TEST_F(DeliveryQueueTest, ANonRetryableFailureIsDeadAtOnceAndEditAndResendDeliversIt) {
  Enqueue("req-a", "e1");
  auto after = queue_->Failed(1, "HTTP 400: Patient.birthDate invalid", false, kQueueT0);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->state, DeliveryState::kDead) << "Failed answers with the state it left";
  EXPECT_EQ(after->attempts, 1);
  EXPECT_EQ(queue_->Get(1)->state, DeliveryState::kDead);
  EXPECT_TRUE(DueEvents(kQueueT0 + absl::Hours(1)).empty());
  EXPECT_EQ(queue_->EditAndResend(1, "fixed", "", "", kQueueT0).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(queue_
                  ->EditAndResend(1, "fixed", "beheer@olifantenpad.example", "birth date corrected",
                                  kQueueT0)
                  .ok());
  const Delivery d = *queue_->Get(1);
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.payload, "fixed");
  EXPECT_EQ(d.attempts, 0);
  EXPECT_EQ(DueEvents(kQueueT0), std::vector<std::string>({"e1"}));
  ASSERT_TRUE(queue_->Delivered(1, kQueueT0).ok());
  EXPECT_EQ(queue_->Retry(1, "x", "y", kQueueT0).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(DeliveryQueueTest, RetryMatchingWakesOnlyTheDeadLettersHeldForWhatChanged) {
  // (key, payload, error): dead letters, but for one still pending.
  const std::vector<std::tuple<std::string, std::string, std::string>> messages = {
      {"req-a", R"({"child":{"child_ref":"child-1"}})", "held: no consent known here"},
      {"req-b", R"({"child":{"child_ref":"child-2"}})", "held: no consent known here"},
      {"req-c", R"({"child":{"child_ref":"child-1"}})", "HTTP 400: refused"},
      {"req-d", "not json, as an operator left it", "held: no consent known here"},
      {"req-e", R"({"child":{"child_ref":"child-1"}})", ""}};
  for (const auto& [key_, payload_, error] : messages) {
    // Lambdas capture copies: structured bindings cannot be captured before C++20 compilers
    // catch up (clang 14).
    const std::string& key = key_;
    const std::string& payload = payload_;
    ASSERT_TRUE(writer_
                    ->Run([&](sqlite::Database& db) {
                      return DeliveryQueue::Enqueue(db, kFhir, key, "ev-" + key, "submitted",
                                                    payload, kQueueT0);
                    })
                    .ok());
    if (!error.empty()) {
      ASSERT_EQ(queue_->Failed(IdOf("ev-" + key, kQueueT0), error, false, kQueueT0)->state,
                DeliveryState::kDead);
    }
  }
  const DeliveryQueue::DeadLetterMatch match{.topic = "submitted",
                                             .error_prefix = "held:",
                                             .json_path = "$.child.child_ref",
                                             .value = "child-1"};
  int64_t retried = -1;
  ASSERT_TRUE(writer_
                  ->Run([&](sqlite::Database& db) -> absl::Status {
                    auto n = DeliveryQueue::RetryMatching(
                        db, kFhir, match, "adapter", "consent arrived", kQueueT0 + absl::Hours(1));
                    if (!n.ok()) return n.status();
                    retried = *n;
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(retried, 1);
  const auto due = DueEvents(kQueueT0 + absl::Hours(1));
  EXPECT_EQ(due, (std::vector<std::string>{"ev-req-a", "ev-req-e"}));
  auto a = queue_->Get(IdOf("ev-req-a", kQueueT0 + absl::Hours(1)));
  EXPECT_EQ(a->attempts, 0);
  EXPECT_EQ(queue_->DeadLetters(kFhir, 10)->size(), 3u);  // b, c and d stay
  // The wake-up is recorded like an operator's retry, so pruning keeps it.
  ASSERT_TRUE(queue_->Delivered(a->id, kQueueT0 + absl::Hours(1)).ok());
  EXPECT_EQ(*queue_->PruneFinished(kQueueT0 + absl::Hours(48)), 0);
}

TEST_F(DeliveryQueueTest, SkipLetsTheKeyMoveOn) {
  Enqueue("req-a", "e1");
  Enqueue("req-a", "e2");
  ASSERT_TRUE(queue_->Failed(1, "HTTP 422", false, kQueueT0).ok());
  EXPECT_TRUE(DueEvents(kQueueT0).empty());
  ASSERT_TRUE(queue_->Skip(1, "beheer", "duplicate of an earlier request", kQueueT0).ok());
  EXPECT_EQ(DueEvents(kQueueT0), std::vector<std::string>({"e2"}));
  EXPECT_EQ(queue_->Skip(42, "beheer", "x", kQueueT0).code(), absl::StatusCode::kNotFound);
}

TEST_F(DeliveryQueueTest, PruningForgetsOnlyOldFinishedMessagesNoOneActedOn) {
  Enqueue("k1", "e1");  // delivered long ago
  Enqueue("k2", "e2");  // delivered recently
  Enqueue("k3", "e3");  // skipped long ago by an operator: its action stays
  Enqueue("k4", "e4");  // pending
  const std::vector<Delivery> due = *queue_->Due(kFhir, kQueueT0, 100);
  auto ids = [&due](const std::string& e) {
    for (const Delivery& d : due) {
      if (d.event_id == e) return d.id;
    }
    return int64_t{0};
  };
  const int64_t e1 = ids("e1"), e2 = ids("e2"), e3 = ids("e3"), e4 = ids("e4");
  ASSERT_TRUE(queue_->Delivered(e1, kQueueT0).ok());
  ASSERT_TRUE(queue_->Delivered(e2, kQueueT0 + absl::Hours(48)).ok());
  ASSERT_TRUE(queue_->Failed(e3, "HTTP 400", false, kQueueT0).ok());
  ASSERT_TRUE(queue_->Skip(e3, "op", "sent by hand", kQueueT0).ok());
  auto removed = queue_->PruneFinished(kQueueT0 + absl::Hours(24));
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(queue_->Get(e1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(queue_->Get(e2).ok());
  EXPECT_EQ(queue_->Get(e3)->state, DeliveryState::kSkipped);
  EXPECT_EQ(queue_->Get(e4)->state, DeliveryState::kPending);
  EXPECT_EQ(*queue_->Depth(kFhir), 1);
}

TEST(BackoffTest, DoublesUpToTheCapWithJitter) {
  const RetryPolicy p{
      .initial_backoff = absl::Seconds(1), .max_backoff = absl::Seconds(30), .jitter = 0.2};
  EXPECT_EQ(Backoff(p, 1, 0.5), absl::Seconds(1));
  EXPECT_EQ(Backoff(p, 2, 0.5), absl::Seconds(2));
  EXPECT_EQ(Backoff(p, 5, 0.5), absl::Seconds(16));
  EXPECT_EQ(Backoff(p, 6, 0.5), absl::Seconds(30));
  EXPECT_EQ(Backoff(p, 60, 0.5), absl::Seconds(30));
  EXPECT_EQ(Backoff(p, 1, 0.0), absl::Milliseconds(800));
  EXPECT_GT(Backoff(p, 1, 0.999999), absl::Microseconds(1'199'990));
  EXPECT_LT(Backoff(p, 1, 0.999999), absl::Milliseconds(1200));
}

}  // namespace
}  // namespace olif::adapters

namespace olif::adapters {
namespace {

TEST(RetryPolicyFromConfigTest, KeepsTheDefaultsForWhatIsLeftOut) {
  olifantenpad::config::v1::DeliveryRetryConfig r;
  auto p = RetryPolicyFromConfig(r, "x.retry");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->max_attempts, RetryPolicy{}.max_attempts);
  EXPECT_EQ(p->max_backoff, RetryPolicy{}.max_backoff);
  r.set_max_attempts(3);
  r.mutable_initial_backoff()->set_seconds(2);
  p = RetryPolicyFromConfig(r, "x.retry");
  EXPECT_EQ(p->max_attempts, 3);
  EXPECT_EQ(p->initial_backoff, absl::Seconds(2));
  r.set_max_attempts(-1);
  EXPECT_EQ(RetryPolicyFromConfig(r, "x.retry").status().message(),
            "x.retry.max_attempts: must not be negative");
}

}  // namespace
}  // namespace olif::adapters
