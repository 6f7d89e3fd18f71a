#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/alerts/alert_book.h"
#include "adapters/alerts/alert_rules.h"
#include "adapters/runtime/adapter_database.h"
#include "services/common/testing/testing.h"

namespace olif::alerts {
namespace {

namespace cfg = olifantenpad::config::v1;
namespace admin = olifantenpad::admin::v1;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

// An observation where youthcare_fhir answered with `pending` messages for
// fhir, `dead` dead letters, and referrals with a consumer `lag` behind consent.
Observation Look(int64_t pending, int64_t dead = 0, int64_t lag = 0) {
  Observation o;
  ProcessView& fhir = o["youthcare_fhir"];
  fhir.answered = fhir.serving = true;
  admin::QueueDepth* q = fhir.queues.add_queues();
  q->set_destination("fhir");
  q->set_pending(pending);
  q->set_dead(dead);
  ProcessView& referrals = o["referrals"];
  referrals.answered = referrals.serving = true;
  admin::BusConsumerStatus* c = referrals.status.add_bus_consumers();
  c->set_producer("consent");
  c->set_lag(lag);
  return o;
}

Rule Backlog(absl::Duration hold) {
  return {"fhir-backlog",
          cfg::ALERT_KIND_QUEUE_BACKLOG,
          "youthcare_fhir",
          "fhir",
          10,
          hold,
          "",
          "look at the FHIR server"};
}

class AlertBookTest : public testing::Test {
 protected:
  void SetUp() override {
    auto db = adapters::OpenAdapterDatabase(
        (testing_util::FreshTestDir("alerts") / "alerts.db").string(),
        {.retry = {}, .retry_field = "alerts.retry", .tables = {AlertBook::CreateTables}});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    book_ = *AlertBook::Open(db_.path, *db_.writer, /*notify=*/true, "test-hub");
  }
  StepResult Step(const std::vector<Rule>& rules, const Observation& o, absl::Time at) {
    absl::StatusOr<StepResult> r = book_->Step(rules, o, at);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : StepResult{};
  }
  // The notifications queued for the webhook, oldest first, as JSON.
  std::vector<nlohmann::json> Notifications() {
    std::vector<nlohmann::json> out;
    auto due = db_.queue->Due(kWebhookDestination, absl::InfiniteFuture(), 1000);
    EXPECT_TRUE(due.ok());
    // Due gives the oldest per key; deliver each to see the next.
    while (due.ok() && !due->empty()) {
      for (const auto& d : *due) {
        out.push_back(nlohmann::json::parse(d.payload));
        EXPECT_TRUE(db_.queue->Delivered(d.id, kT0).ok());
      }
      due = db_.queue->Due(kWebhookDestination, absl::InfiniteFuture(), 1000);
    }
    return out;
  }
  adapters::AdapterDatabase db_;
  std::unique_ptr<AlertBook> book_;
};

TEST_F(AlertBookTest, ABacklogFiresOnceAfterItsHoldAndResolvesOnceWithHowLongItLasted) {
  const std::vector<Rule> rules = {Backlog(absl::Seconds(30))};
  EXPECT_EQ(Step(rules, Look(50), kT0).fired, 0);  // pending: not for 30 s yet
  EXPECT_EQ(Step(rules, Look(60), kT0 + absl::Seconds(10)).fired, 0);
  EXPECT_EQ(Step(rules, Look(70), kT0 + absl::Seconds(30)).fired, 1);
  // However long it goes on, and however many retries happen meanwhile: no more.
  for (int i = 1; i <= 20; ++i) {
    EXPECT_EQ(Step(rules, Look(70 + i), kT0 + absl::Seconds(30 + i * 10)).fired, 0);
  }
  // A process that does not answer changes nothing.
  Observation silent = Look(0);
  silent["youthcare_fhir"].answered = false;
  silent["youthcare_fhir"].queues.clear_queues();
  EXPECT_EQ(Step(rules, silent, kT0 + absl::Seconds(250)).resolved, 0);
  EXPECT_EQ(Step(rules, Look(3), kT0 + absl::Seconds(300)).resolved, 1);
  EXPECT_EQ(Step(rules, Look(0), kT0 + absl::Seconds(310)).resolved, 0);

  const std::vector<nlohmann::json> sent = Notifications();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0]["state"], "firing");
  EXPECT_EQ(sent[0]["alert"], "fhir-backlog");
  EXPECT_EQ(sent[0]["kind"], "queue_backlog");
  EXPECT_EQ(sent[0]["subject"], "youthcare_fhir/fhir");
  EXPECT_EQ(sent[0]["summary"], "70 messages wait for fhir at youthcare_fhir (alert above 10)");
  EXPECT_EQ(sent[0]["advice"], "look at the FHIR server");
  EXPECT_EQ(sent[0]["hub"], "test-hub");
  EXPECT_EQ(sent[1]["state"], "resolved");
  EXPECT_EQ(sent[1]["lasted_seconds"], 300);
  EXPECT_EQ(sent[1]["summary"], "3 messages wait for fhir at youthcare_fhir (alert above 10)");

  admin::ListAlertsRequest request;
  EXPECT_EQ(book_->List(request)->alerts_size(), 0);
  request.set_include_resolved(true);
  auto listed = book_->List(request);
  ASSERT_EQ(listed->alerts_size(), 1);
  EXPECT_EQ(listed->alerts(0).state(), "resolved");
  EXPECT_EQ(listed->alerts(0).resolved_at().seconds(), absl::ToUnixSeconds(kT0) + 300);
}

TEST_F(AlertBookTest, AConditionThatEndsBeforeItsHoldSendsNothing) {
  const std::vector<Rule> rules = {Backlog(absl::Minutes(1))};
  Step(rules, Look(50), kT0);
  Step(rules, Look(5), kT0 + absl::Seconds(20));
  Step(rules, Look(50), kT0 + absl::Seconds(40));  // starts again: a new pending
  Step(rules, Look(50), kT0 + absl::Seconds(90));  // 50 s: not yet
  EXPECT_TRUE(Notifications().empty());
  admin::ListAlertsRequest request;
  auto listed = book_->List(request);
  ASSERT_EQ(listed->alerts_size(), 1);
  EXPECT_EQ(listed->alerts(0).state(), "pending");
  EXPECT_EQ(listed->alerts(0).since().seconds(), absl::ToUnixSeconds(kT0) + 40);
}

TEST_F(AlertBookTest, TheStateOutlivesTheProcessSoARestartRepeatsNothing) {
  const std::vector<Rule> rules = {Backlog(absl::ZeroDuration())};
  EXPECT_EQ(Step(rules, Look(50), kT0).fired, 1);
  book_ = *AlertBook::Open(db_.path, *db_.writer, true, "test-hub");  // as after a restart
  EXPECT_EQ(Step(rules, Look(50), kT0 + absl::Seconds(10)).fired, 0);
  EXPECT_EQ(Step(rules, Look(0), kT0 + absl::Seconds(20)).resolved, 1);
  EXPECT_EQ(Notifications().size(), 2u);
}

TEST_F(AlertBookTest, EachKindFindsItsSubjects) {
  Observation o = Look(0, /*dead=*/2, /*lag=*/500);
  o["school"].answered = false;
  o["school"].error = "UNAVAILABLE: connection refused";
  ProcessView& handover = o["handover"];
  handover.answered = handover.serving = true;
  admin::Attention* a = handover.status.add_attention();
  a->set_kind("handover_unacknowledged");
  a->set_subject("handovers/h-1");
  a->set_detail("Het Palet has not acknowledged for 11 days");
  admin::BusConsumerStatus* c = o["referrals"].status.add_bus_consumers();
  c->set_producer("scheduling");
  c->set_behind_horizon(true);
  c->set_last_error("events 1..10 were pruned");
  const std::vector<Rule> rules = {
      {"dead", cfg::ALERT_KIND_DEAD_LETTERS, "", "", 0, absl::ZeroDuration(), "", ""},
      {"lag", cfg::ALERT_KIND_CONSUMER_LAG, "", "", 100, absl::ZeroDuration(), "", ""},
      {"horizon", cfg::ALERT_KIND_CONSUMER_BEHIND_HORIZON, "", "", 0, absl::ZeroDuration(), "", ""},
      {"down", cfg::ALERT_KIND_PROCESS_DOWN, "", "", 0, absl::ZeroDuration(), "", ""},
      {"unacknowledged", cfg::ALERT_KIND_ATTENTION, "", "", 0, absl::ZeroDuration(),
       "handover_unacknowledged", ""}};
  EXPECT_EQ(Step(rules, o, kT0).fired, 5);
  std::vector<std::string> subjects;
  for (const nlohmann::json& n : Notifications()) {
    subjects.push_back(n["alert"].get<std::string>() + " " + n["subject"].get<std::string>());
  }
  std::sort(subjects.begin(), subjects.end());
  EXPECT_EQ(subjects, (std::vector<std::string>{
                          "dead youthcare_fhir/fhir", "down school", "horizon referrals/scheduling",
                          "lag referrals/consent", "unacknowledged handover/handovers/h-1"}));
  // The item dealt with and the school back: those two end; the rest hold.
  handover.status.clear_attention();
  o["school"].answered = o["school"].serving = true;
  EXPECT_EQ(Step(rules, o, kT0 + absl::Minutes(1)).resolved, 2);
}

TEST_F(AlertBookTest, ARuleTakenOutOfTheConfigurationEndsItsAlerts) {
  EXPECT_EQ(Step({Backlog(absl::ZeroDuration())}, Look(50), kT0).fired, 1);
  EXPECT_EQ(Step({}, Look(50), kT0 + absl::Seconds(5)).resolved, 1);
  const std::vector<nlohmann::json> sent = Notifications();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1]["summary"], "the rule was taken out of the configuration");
}

TEST(AlertRulesTest, ConfigurationMistakesAreNamed) {
  google::protobuf::RepeatedPtrField<cfg::AlertRule> rules;
  cfg::AlertRule* r = rules.Add();
  r->set_name("fhir-backlog");
  r->set_kind(cfg::ALERT_KIND_QUEUE_BACKLOG);
  r->mutable_for_()->set_seconds(30);
  auto ok = RulesFromConfig(rules);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[0].hold, absl::Seconds(30));
  *rules.Add() = *r;
  EXPECT_EQ(RulesFromConfig(rules).status().message(),
            "alerts.rules[1].name: \"fhir-backlog\" is used by an earlier rule");
  rules[1].set_name("Bad Name");
  EXPECT_EQ(RulesFromConfig(rules).status().message(),
            "alerts.rules[1].name: \"Bad Name\" is not 3-64 characters of a-z, 0-9 and '-'");
  rules[1].set_name("attention");
  rules[1].set_kind(cfg::ALERT_KIND_ATTENTION);
  EXPECT_EQ(RulesFromConfig(rules).status().message(),
            "alerts.rules[1].attention_kind: required for ALERT_KIND_ATTENTION");
  rules[1].set_kind(cfg::ALERT_KIND_UNSPECIFIED);
  EXPECT_EQ(RulesFromConfig(rules).status().message(), "alerts.rules[1].kind: required");
  rules[1].set_kind(cfg::ALERT_KIND_CONSUMER_LAG);
  rules[1].set_above(-1);
  EXPECT_EQ(RulesFromConfig(rules).status().message(),
            "alerts.rules[1].above: must not be negative");
}

}  // namespace
}  // namespace olif::alerts
