#include "adapters/runtime/deliverer.h"
#include "services/common/sync/mutex.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/testing/testing.h"

namespace olif::adapters {
namespace {

constexpr char kDest[] = "youthcare-fhir";

// A destination that records what arrived and can be told to fail.
class FakeDestination : public Connector {
 public:
  SendResult Send(const Delivery& d) override {
    olif::MutexLock lock(&mu);
    if (down) return {.ok = false, .retryable = true, .detail = "connection refused"};
    if (poison.contains(d.payload)) {
      return {.ok = false, .retryable = false, .detail = "HTTP 400: unknown ServiceRequest.code"};
    }
    received[d.key].push_back(d.event_id);
    ++count[d.event_id];
    return {.ok = true, .detail = "HTTP 201"};
  }
  void SetDown(bool down_now) {
    olif::MutexLock lock(&mu);
    down = down_now;
  }
  void SetPoison(std::set<std::string> payloads) {
    olif::MutexLock lock(&mu);
    poison = std::move(payloads);
  }
  // What arrived for `key`, in order.
  std::vector<std::string> Received(const std::string& key) {
    olif::MutexLock lock(&mu);
    return received[key];
  }
  bool NothingReceived() {
    olif::MutexLock lock(&mu);
    return received.empty();
  }
  std::map<std::string, int> Count() {
    olif::MutexLock lock(&mu);
    return count;
  }

  olif::Mutex mu;
  bool down ABSL_GUARDED_BY(mu) = false;
  std::set<std::string> poison ABSL_GUARDED_BY(mu);
  std::map<std::string, std::vector<std::string>> received
      ABSL_GUARDED_BY(mu);  // per key, in order
  std::map<std::string, int> count ABSL_GUARDED_BY(mu);
};

class DelivererTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::string path = (testing_util::FreshTestDir("deliverer") / "adapter.db").string();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*sqlite::Database::Open(path, {})));
    ASSERT_TRUE(writer_->Run(DeliveryQueue::CreateTables).ok());
    queue_ = *DeliveryQueue::Open(path, *writer_,
                                  {.max_attempts = 20, .max_backoff = absl::Seconds(30)});
    deliverer_ = std::make_unique<Deliverer>(*queue_, kDest, destination_, clock_, registry_);
  }
  void Enqueue(int requests, int events_per_request) {
    ASSERT_TRUE(writer_
                    ->Run([&](sqlite::Database& db) -> absl::Status {
                      for (int e = 0; e < events_per_request; ++e) {
                        for (int r = 0; r < requests; ++r) {
                          const std::string id = absl::StrCat("ev-", r, "-", e);
                          if (absl::Status s = DeliveryQueue::Enqueue(
                                  db, kDest, absl::StrCat("req-", r), id, "t", id, clock_.Now());
                              !s.ok()) {
                            return s;
                          }
                        }
                      }
                      return absl::OkStatus();
                    })
                    .ok());
  }
  // Runs the deliverer with the clock moving on by `step` per round.
  void Rounds(int n, absl::Duration step) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(deliverer_->RunOnce().ok());
      clock_.Advance(step);
    }
  }

  FakeClock clock_{absl::FromUnixSeconds(1'795'000'000)};
  metrics::Registry registry_;
  FakeDestination destination_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<DeliveryQueue> queue_;
  std::unique_ptr<Deliverer> deliverer_;
};

TEST_F(DelivererTest, AnOutageLosesNothingAndKeepsOrderPerRequest) {
  destination_.SetDown(true);
  Enqueue(/*requests=*/50, /*events_per_request=*/4);
  Rounds(30, absl::Seconds(1));  // 30 s of outage
  EXPECT_TRUE(destination_.NothingReceived());
  EXPECT_EQ(*queue_->Depth(kDest), 200) << "the backlog shows while it lasts";
  EXPECT_NE(registry_.Render().find("olif_adapter_queue_depth{destination=\"youthcare-fhir\"} 200"),
            std::string::npos);
  destination_.SetDown(false);
  Rounds(200, absl::Seconds(5));
  EXPECT_EQ(*queue_->Depth(kDest), 0);
  for (int r = 0; r < 50; ++r) {
    const std::vector<std::string> got = destination_.Received(absl::StrCat("req-", r));
    ASSERT_EQ(got.size(), 4u) << r;
    for (int e = 0; e < 4; ++e) EXPECT_EQ(got[e], absl::StrCat("ev-", r, "-", e));
  }
  for (const auto& [id, n] : destination_.Count()) EXPECT_EQ(n, 1) << id << " delivered once";
}

TEST_F(DelivererTest, APoisonMessageIsDeadLetteredAndTheRestFlowsThenEditingDeliversIt) {
  destination_.SetPoison({"ev-3-0"});
  Enqueue(10, 2);
  Rounds(5, absl::Seconds(1));
  auto dead = queue_->DeadLetters(kDest, 10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().event_id, "ev-3-0");
  EXPECT_EQ(dead->front().last_error, "HTTP 400: unknown ServiceRequest.code");
  EXPECT_TRUE(destination_.Received("req-3").empty()) << "its own key waits behind it";
  for (int r = 0; r < 10; ++r) {
    if (r != 3) {
      EXPECT_EQ(destination_.Received(absl::StrCat("req-", r)).size(), 2u) << r;
    }
  }
  ASSERT_TRUE(queue_
                  ->EditAndResend(dead->front().id, "ev-3-0-fixed", "beheer",
                                  "code corrected to the provider's list", clock_.Now())
                  .ok());
  Rounds(3, absl::Seconds(1));
  EXPECT_EQ(destination_.Received("req-3"), std::vector<std::string>({"ev-3-0", "ev-3-1"}));
  EXPECT_NE(registry_.Render().find("olif_adapter_deliveries_total{destination=\"youthcare-fhir\","
                                    "result=\"dead_lettered\"} 1"),
            std::string::npos);
}

TEST_F(DelivererTest, TheLoopDeliversOnItsOwnAndStops) {
  Enqueue(3, 1);
  deliverer_->Start();
  ASSERT_TRUE(testing_util::WaitFor([&] { return destination_.Count().size() == 3; }));
  deliverer_->Stop();
}

// A destination that takes a while to answer and counts how many messages
// it holds at once.
class SlowDestination : public FakeDestination {
 public:
  SendResult Send(const Delivery& d) override {
    {
      olif::MutexLock lock(&mu);
      most_at_once = std::max(most_at_once, ++at_once);
    }
    absl::SleepFor(absl::Milliseconds(5));
    SendResult r = FakeDestination::Send(d);
    olif::MutexLock lock(&mu);
    --at_once;
    return r;
  }
  int at_once ABSL_GUARDED_BY(mu) = 0;
  int most_at_once ABSL_GUARDED_BY(mu) = 0;
};

TEST_F(DelivererTest, SeveralKeysGoAtOnceEachInOrderAndEveryMessageOnce) {
  SlowDestination slow;
  Deliverer deliverer(*queue_, kDest, slow, clock_, registry_, {.max_in_flight = 4});
  Enqueue(12, 5);  // 12 keys of 5 messages
  deliverer.Start();
  ASSERT_TRUE(testing_util::WaitFor([&] { return *queue_->Depth(kDest) == 0; }));
  deliverer.Stop();
  const std::map<std::string, int> count = slow.Count();
  ASSERT_EQ(count.size(), 60u);
  for (const auto& [event, times] : count) EXPECT_EQ(times, 1) << event << " sent again";
  for (int r = 0; r < 12; ++r) {
    std::vector<std::string> in_order;
    for (int e = 0; e < 5; ++e) in_order.push_back(absl::StrCat("ev-", r, "-", e));
    EXPECT_EQ(slow.Received(absl::StrCat("req-", r)), in_order);
  }
  olif::MutexLock lock(&slow.mu);
  EXPECT_GT(slow.most_at_once, 1) << "one message at a time";
  EXPECT_LE(slow.most_at_once, 4) << "more at once than configured";
}

TEST_F(DelivererTest, WakeSendsWhatWasJustQueuedWithoutWaitingForThePoll) {
  Deliverer deliverer(*queue_, kDest, destination_, clock_, registry_,
                      {.idle_poll = absl::Hours(1)});
  deliverer.Start();
  Enqueue(1, 1);
  deliverer.Wake();
  ASSERT_TRUE(
      testing_util::WaitFor([&] { return destination_.Count().size() == 1; }, absl::Seconds(20)));
  deliverer.Stop();
}

}  // namespace
}  // namespace olif::adapters
