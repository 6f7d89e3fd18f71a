#include "adapters/runtime/history.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "adapters/runtime/deliverer.h"
#include "services/common/clock/clock.h"
#include "services/common/metrics/metrics.h"
#include "services/common/testing/testing.h"

namespace olif::adapters {
namespace {

const absl::Time kHistoryT0 = absl::FromUnixSeconds(1'790'000'000);

class HistoryTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = (testing_util::FreshTestDir("history") / "adapter.db").string();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*sqlite::Database::Open(path_, {})));
    ASSERT_TRUE(writer_->Run(MessageHistory::CreateTables).ok());
    ASSERT_TRUE(writer_->Run(DeliveryQueue::CreateTables).ok());
    history_ = *MessageHistory::Open(path_, *writer_);
  }
  // Queues one message for "fhir" with payload "p".
  void Enqueue(const std::string& key, const std::string& event_id, absl::Time at) {
    ASSERT_TRUE(writer_
                    ->Run([&](sqlite::Database& db) {
                      return DeliveryQueue::Enqueue(db, "fhir", key, event_id, "t", "p", at);
                    })
                    .ok());
  }
  HistoryEntry Entry(absl::Time at, std::string key, std::string outcome, std::string direction) {
    return {.at = at,
            .direction = std::move(direction),
            .destination = "fhir",
            .key = std::move(key),
            .event_id = "ev",
            .topic = "t",
            .outcome = std::move(outcome),
            .detail = "HTTP 201",
            .sent = "{\"resourceType\":\"Bundle\"}",
            .response = "{}",
            .took = absl::Milliseconds(12)};
  }
  std::string path_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<MessageHistory> history_;
};

TEST_F(HistoryTest, SearchesByEveryFilterNewestFirst) {
  ASSERT_TRUE(history_->Record(Entry(kHistoryT0, "req-1", "failed", "out")).ok());
  ASSERT_TRUE(
      history_->Record(Entry(kHistoryT0 + absl::Seconds(1), "req-1", "delivered", "out")).ok());
  ASSERT_TRUE(
      history_->Record(Entry(kHistoryT0 + absl::Seconds(2), "req-2", "delivered", "out")).ok());
  ASSERT_TRUE(
      history_->Record(Entry(kHistoryT0 + absl::Seconds(3), "req-2", "applied", "in")).ok());

  auto all = history_->Search({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->front().outcome, "applied");  // newest first
  EXPECT_EQ(all->back().detail, "HTTP 201");
  EXPECT_EQ(all->back().took, absl::Milliseconds(12));
  EXPECT_EQ(all->back().sent, "{\"resourceType\":\"Bundle\"}");

  EXPECT_EQ(history_->Search({.key = "req-1"})->size(), 2u);
  EXPECT_EQ(history_->Search({.outcome = "delivered"})->size(), 2u);
  EXPECT_EQ(history_->Search({.direction = "in"})->size(), 1u);
  EXPECT_EQ(history_->Search({.key = "req-2", .outcome = "delivered"})->size(), 1u);
  auto window = history_->Search(
      {.from = kHistoryT0 + absl::Seconds(1), .to = kHistoryT0 + absl::Seconds(3)});
  ASSERT_EQ(window->size(), 2u);
  EXPECT_EQ(window->front().at, kHistoryT0 + absl::Seconds(2));
  EXPECT_EQ(history_->Search({.limit = 3})->size(), 3u);
  EXPECT_TRUE(history_->Search({.key = "req-9"})->empty());
  EXPECT_EQ(history_->Search({.destination = "fhir"})->size(), 4u);
  EXPECT_TRUE(history_->Search({.destination = "school"})->empty());
  EXPECT_EQ(history_->Search({.event_id = "ev", .direction = "out"})->size(), 3u);
  const int64_t second = all->at(2).id;
  auto one = history_->Search({.id = second});
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().key, "req-1");
  EXPECT_EQ(one->front().outcome, "delivered");
  EXPECT_TRUE(history_->Search({.key = "req-2", .id = second})->empty());
}

TEST_F(HistoryTest, CountsPerDestinationDirectionOutcomeAndBucket) {
  for (int s : {0, 10, 59, 61, 119}) {
    ASSERT_TRUE(
        history_->Record(Entry(kHistoryT0 + absl::Seconds(s), "k", "delivered", "out")).ok());
  }
  ASSERT_TRUE(history_->Record(Entry(kHistoryT0 + absl::Seconds(5), "k", "failed", "out")).ok());
  ASSERT_TRUE(history_->Record(Entry(kHistoryT0 + absl::Seconds(70), "k", "applied", "in")).ok());
  // Outside the range: before it and at its (exclusive) end.
  ASSERT_TRUE(history_->Record(Entry(kHistoryT0 - absl::Seconds(1), "k", "failed", "out")).ok());
  ASSERT_TRUE(history_->Record(Entry(kHistoryT0 + absl::Seconds(120), "k", "failed", "out")).ok());

  auto counts = history_->Count(kHistoryT0, kHistoryT0 + absl::Minutes(2), absl::Minutes(1));
  ASSERT_TRUE(counts.ok()) << counts.status();
  std::vector<std::string> seen;
  for (const HistoryCount& c : *counts) {
    seen.push_back(
        absl::StrCat(c.destination, " ", c.direction, " ", c.outcome, " ", c.bucket, " ", c.count));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"fhir in applied 1 1", "fhir out delivered 0 3",
                                            "fhir out delivered 1 2", "fhir out failed 0 1"}));
  EXPECT_TRUE(
      history_->Count(kHistoryT0 + absl::Hours(1), kHistoryT0 + absl::Hours(2), absl::Minutes(1))
          ->empty());
}

TEST_F(HistoryTest, EveryFilterIsServedByAnIndexNotAScan) {
  // Each search and the index it must walk (a SCAN, or a TEMP B-TREE sort,
  // would read the whole history).
  const std::vector<std::tuple<std::string, HistoryQuery, std::string>> searches = {
      {"none", {}, "message_history_at"},
      {"time", {.from = kHistoryT0, .to = kHistoryT0 + absl::Hours(1)}, "message_history_at"},
      {"destination", {.destination = "fhir"}, "message_history_destination"},
      {"key", {.key = "req-1"}, "message_history_key"},
      {"event", {.event_id = "ev"}, "message_history_event_at"},
      {"outcome", {.outcome = "dead_lettered"}, "message_history_outcome"},
      {"direction", {.direction = "in", .from = kHistoryT0}, "message_history_direction"}};
  for (const auto& [name, query, index] : searches) {
    absl::StatusOr<std::string> plan = history_->Explain(query);
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_NE(plan->find("SEARCH message_history USING INDEX " + index + " "), std::string::npos)
        << name << ": " << *plan;
    EXPECT_EQ(plan->find("TEMP B-TREE"), std::string::npos) << name << " sorts: " << *plan;
  }
}

TEST_F(HistoryTest, PruneForgetsOnlyWhatIsOlderThanTheRetention) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(history_->Record(Entry(kHistoryT0 + absl::Hours(i), "k", "delivered", "out")).ok());
  }
  auto removed = history_->Prune(kHistoryT0 + absl::Hours(3));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 3);
  auto left = history_->Search({});
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ(left->back().at, kHistoryT0 + absl::Hours(3));
  EXPECT_EQ(*history_->Prune(kHistoryT0 + absl::Hours(3)), 0);
}

// A destination that refuses a message for good the first time.
class RefusingOnce : public Connector {
 public:
  SendResult Send(const Delivery& d) override {
    if (calls++ == 0) {
      return {.ok = false, .retryable = true, .detail = "HTTP 503", .sent = "bundle:" + d.payload};
    }
    return {.ok = true, .detail = "HTTP 200", .sent = "bundle:" + d.payload, .response = "ok"};
  }
  int calls = 0;
};

TEST_F(HistoryTest, TheDelivererRecordsEveryAttemptWithWhatWasSent) {
  FakeClock clock(kHistoryT0);
  metrics::Registry registry;
  auto queue = *DeliveryQueue::Open(path_, *writer_, {.initial_backoff = absl::Seconds(1)});
  Enqueue("req-1", "ev-1", clock.Now());
  RefusingOnce connector;
  Deliverer deliverer(*queue, "fhir", connector, clock, registry, {.history = history_.get()});
  ASSERT_EQ(*deliverer.RunOnce(), 1);
  clock.Advance(absl::Seconds(5));
  ASSERT_EQ(*deliverer.RunOnce(), 1);
  auto lines = history_->Search({.event_id = "ev-1"});
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[1].outcome, "failed");
  EXPECT_EQ((*lines)[1].detail, "HTTP 503");
  EXPECT_EQ((*lines)[0].outcome, "delivered");
  EXPECT_EQ((*lines)[0].sent, "bundle:p");
  EXPECT_EQ((*lines)[0].response, "ok");
  EXPECT_EQ((*lines)[0].key, "req-1");
}

// Refuses for good, as a 400 does.
class Refusing : public Connector {
 public:
  SendResult Send(const Delivery&) override {
    return {.ok = false, .retryable = false, .detail = "HTTP 400", .response = "invalid"};
  }
};

TEST_F(HistoryTest, AnAttemptThatMakesADeadLetterSaysSoInTheSameCommit) {
  FakeClock clock(kHistoryT0);
  metrics::Registry registry;
  auto queue = *DeliveryQueue::Open(path_, *writer_, {});
  Enqueue("req-9", "ev-9", clock.Now());
  Refusing connector;
  Deliverer deliverer(*queue, "fhir", connector, clock, registry, {.history = history_.get()});
  const uint64_t commits = writer_->stats().transactions;
  ASSERT_EQ(*deliverer.RunOnce(), 1);
  EXPECT_EQ(writer_->stats().transactions - commits, 1u) << "outcome and history apart";
  auto lines = history_->Search({.event_id = "ev-9"});
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].outcome, "dead_lettered");
  EXPECT_EQ((*lines)[0].detail, "HTTP 400");
  EXPECT_EQ(queue->DeadLetters("fhir", 10)->size(), 1u);
}

}  // namespace
}  // namespace olif::adapters
