#include "adapters/youthcare_fhir/outbound.h"
#include "services/common/sync/mutex.h"

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/runtime/deliverer.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/history.h"
#include "adapters/youthcare_fhir/testing/examples.h"
#include "adapters/youthcare_fhir/testing/fake_fhir_server.h"
#include "adapters/youthcare_fhir/testing/fake_referrals.h"
#include "services/common/events/referrals_topics.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/testing/testing.h"

namespace olif::youthcare_fhir {
namespace {

namespace ex = examples;
namespace rv1 = olifantenpad::referrals::v1;
using adapters::DeliveryQueue;
using olifantenpad::common::v1::EventEnvelope;

const absl::Time kT0 = absl::FromUnixSeconds(1'795'000'000);

EventEnvelope Envelope(const std::string& event_id, const std::string& topic,
                       const google::protobuf::Message& event) {
  EventEnvelope e;
  e.set_event_id(event_id);
  e.set_topic(topic);
  e.mutable_payload()->PackFrom(event);
  return e;
}

std::string RequestId(int i) { return absl::StrCat("0d6c1a2e-8b8f-4f57-9a51-", 100000000000 + i); }

// Records which messages went out successfully, per key, in order.
class Recording : public adapters::Connector {
 public:
  explicit Recording(adapters::Connector& inner) : inner_(inner) {}
  adapters::SendResult Send(const adapters::Delivery& d) override {
    adapters::SendResult r = inner_.Send(d);
    olif::MutexLock lock(&mu);
    if (r.ok) {
      by_key[d.key].push_back(d.topic);
      ++times[d.event_id];
    }
    return r;
  }
  olif::Mutex mu;
  std::map<std::string, std::vector<std::string>> by_key ABSL_GUARDED_BY(mu);
  std::map<std::string, int> times ABSL_GUARDED_BY(mu);

 private:
  adapters::Connector& inner_;
};

class OutboundTest : public ::testing::Test {
 public:
  void SetUp() override { Open(clock_); }
  void Open(const Clock& clock, adapters::RetryPolicy policy = {.max_attempts = 3}) {
    path_ = (testing_util::FreshTestDir("youthcare_outbound") / "adapter.db").string();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*sqlite::Database::Open(path_, {})));
    for (auto create : {DeliveryQueue::CreateTables, adapters::MessageHistory::CreateTables,
                        consent::ConsentProjection::CreateTables}) {
      ASSERT_TRUE(writer_->Run(create).ok());
    }
    queue_ = *DeliveryQueue::Open(path_, *writer_, policy);
    history_ = *adapters::MessageHistory::Open(path_, *writer_);
    projection_ = *consent::ConsentProjection::Open(path_);
    ASSERT_TRUE(fhir_.Start("127.0.0.1", 0).ok());
    adapters::HttpClientOptions http;
    http.url = fhir_.base_url();
    http.timeout = absl::Seconds(2);
    http.connect_timeout = absl::Seconds(1);
    requests_ = std::make_unique<RequestRouter>(ex::kProvider, clock, registry_);
    consents_ = std::make_unique<ConsentRouter>(ex::kProvider, *projection_, clock, registry_);
    visits_ = std::make_unique<VisitRouter>(ex::kProvider, clock, registry_);
    outgoing_ = std::make_unique<FhirOutgoing>(ex::kProvider, *projection_, referrals_, clock);
    sender_ = std::make_unique<adapters::TranslatingHttpConnector>(*outgoing_, http);
    recording_ = std::make_unique<Recording>(*sender_);
    deliverer_ = std::make_unique<adapters::Deliverer>(
        *queue_, kDestination, *recording_, clock, registry_,
        adapters::DelivererOptions{.idle_poll = absl::Milliseconds(20), .history = history_.get()});
  }
  void Apply(bus::EventHandler& handler, const EventEnvelope& e) {
    ASSERT_TRUE(writer_->Run([&](sqlite::Database& db) { return handler.Apply(db, e); }).ok());
  }
  void Submit(const rv1::RequestSubmitted& e, const std::string& event_id) {
    Apply(*requests_, Envelope(event_id, referrals::kTopicRequestSubmitted, e));
  }
  // Runs the deliverer with the fake clock past any backoff.
  void Deliver(int rounds = 3) {
    for (int i = 0; i < rounds; ++i) {
      ASSERT_TRUE(deliverer_->RunOnce().ok());
      clock_.Advance(absl::Minutes(11));
    }
  }

  FakeClock clock_{kT0};
  metrics::Registry registry_;
  std::string path_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<DeliveryQueue> queue_;
  std::unique_ptr<adapters::MessageHistory> history_;
  std::unique_ptr<consent::ConsentProjection> projection_;
  fakes::FakeFhirServer fhir_;
  testing::FakeReferrals referrals_;
  std::unique_ptr<RequestRouter> requests_;
  std::unique_ptr<ConsentRouter> consents_;
  std::unique_ptr<VisitRouter> visits_;
  std::unique_ptr<FhirOutgoing> outgoing_;
  std::unique_ptr<adapters::TranslatingHttpConnector> sender_;
  std::unique_ptr<Recording> recording_;
  std::unique_ptr<adapters::Deliverer> deliverer_;
};

TEST_F(OutboundTest, QueuesOnlyThisProvidersRequestsAndEachEventOnce) {
  Submit(ex::Submitted(rv1::REQUEST_KIND_ANONYMOUS, RequestId(1), ex::kOtherProvider), "ev-1");
  EXPECT_EQ(*queue_->Depth(kDestination), 0);
  Submit(ex::Submitted(rv1::REQUEST_KIND_ANONYMOUS, RequestId(2)), "ev-2");
  Submit(ex::Submitted(rv1::REQUEST_KIND_ANONYMOUS, RequestId(2)), "ev-2");  // replayed
  EXPECT_EQ(*queue_->Depth(kDestination), 1);
  Deliver(1);
  auto requests = fhir_.Resources("ServiceRequest");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["identifier"][0]["value"], RequestId(2));
  EXPECT_EQ(fhir_.Resources("Task").size(), 1u);
  auto lines = history_->Search({.key = RequestId(2)});
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].outcome, "delivered");
  EXPECT_NE((*lines)[0].sent.find("\"transaction\""), std::string::npos);
  const std::string metrics = registry_.Render();
  EXPECT_NE(
      metrics.find(R"(olif_adapter_events_total{adapter="youthcare_fhir",result="received"} 3)"),
      std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find(R"(olif_adapter_events_total{adapter="youthcare_fhir",result="not_ours"} 1)"),
      std::string::npos);
  EXPECT_NE(
      metrics.find(R"(olif_adapter_deliveries_total{destination="fhir",result="delivered"} 1)"),
      std::string::npos);
}

TEST_F(OutboundTest, AVisitBecomesAnAppointmentThenAnEncounterAtItsExpertsProvider) {
  const std::string id = "01a2a0b0-0000-7000-8000-00000000c0de";
  Apply(*visits_,
        Envelope("ev-v0", scheduling::kTopicVisitPlanned,
                 ex::Planned("01a2a0b0-0000-7000-8000-0000000other", ex::kOtherProvider)));
  EXPECT_EQ(*queue_->Depth(kDestination), 0) << "another provider's expert";
  Apply(*visits_, Envelope("ev-v1", scheduling::kTopicVisitPlanned, ex::Planned(id)));
  const auto moved = ex::Rescheduled(id, 1'795'340'000);
  Apply(*visits_, Envelope("ev-v2", scheduling::kTopicVisitRescheduled, moved));
  auto held = ex::Held(id);
  *held.mutable_visit()->mutable_start() = moved.visit().start();
  *held.mutable_visit()->mutable_end() = moved.visit().end();
  Apply(*visits_, Envelope("ev-v3", scheduling::kTopicVisitHeld, held));
  Deliver(4);
  auto appointments = fhir_.Resources("Appointment");
  ASSERT_EQ(appointments.size(), 1u) << "created once, then updated";
  EXPECT_EQ(appointments[0]["status"], "fulfilled");
  EXPECT_EQ(appointments[0]["start"], "2026-11-22T09:33:20Z");
  auto encounters = fhir_.Resources("Encounter");
  ASSERT_EQ(encounters.size(), 1u);
  EXPECT_EQ(encounters[0]["subject"]["reference"].get<std::string>().rfind("Group/", 0), 0u)
      << encounters[0].dump();
  EXPECT_EQ(fhir_.Resources("Group").size(), 1u);
  olif::MutexLock lock(&recording_->mu);
  EXPECT_EQ(recording_->by_key[id], (std::vector<std::string>{scheduling::kTopicVisitPlanned,
                                                              scheduling::kTopicVisitRescheduled,
                                                              scheduling::kTopicVisitHeld}));
}

TEST_F(OutboundTest, ARequestWithdrawnByTheRequesterIsRevokedAtTheProvider) {
  Submit(ex::Submitted(rv1::REQUEST_KIND_GROUP, RequestId(1)), "ev-1");
  // The provider's own answers coming back are not sent again; nor another's withdrawal.
  auto accepted = ex::Withdrawal(RequestId(1));
  accepted.set_transition(rv1::TRANSITION_ACCEPTED);
  Apply(*requests_, Envelope("ev-2", referrals::kTopicRequestUpdated, accepted));
  Apply(*requests_, Envelope("ev-3", referrals::kTopicRequestUpdated,
                             ex::Withdrawal(RequestId(9), ex::kOtherProvider)));
  EXPECT_EQ(*queue_->Depth(kDestination), 1);
  Apply(*requests_,
        Envelope("ev-4", referrals::kTopicRequestUpdated, ex::Withdrawal(RequestId(1))));
  Deliver(2);  // the submission, then (its key's next) the withdrawal
  EXPECT_EQ(*queue_->Depth(kDestination), 0);
  const auto requests = fhir_.Resources("ServiceRequest");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["status"], "revoked");
  EXPECT_EQ(requests[0]["note"][0]["text"], "How can we help him join group play?")
      << "the rest of the request stays";
  const auto tasks = fhir_.Resources("Task");
  EXPECT_EQ(tasks[0]["status"], "cancelled");
  EXPECT_EQ(tasks[0]["statusReason"]["text"], "withdrawn by the requester");
  // A withdrawal of something the provider never had is refused there: a dead letter.
  Apply(*requests_,
        Envelope("ev-5", referrals::kTopicRequestUpdated, ex::Withdrawal(RequestId(2))));
  Deliver(1);
  auto dead = queue_->DeadLetters(kDestination, 10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE(dead->front().last_error.find("HTTP 404"), std::string::npos);
}

TEST_F(OutboundTest, AReassignmentMovesTheRequestToTheNewExpertWhereverTheyWork) {
  const std::string id = RequestId(1);
  auto reassign = [&](const std::string& event_id, const rv1::RequestUpdated& e) {
    Apply(*requests_, Envelope(event_id, referrals::kTopicRequestUpdated, e));
  };
  auto task = [&] { return fhir_.Resources("Task").at(0); };
  auto request = [&] { return fhir_.Resources("ServiceRequest").at(0); };
  // The request as referrals holds it, asked for when it moves.
  rv1::DirectLineRequest now;
  now.set_id(id);
  now.set_kind(rv1::REQUEST_KIND_GROUP);
  now.set_status(rv1::REQUEST_STATUS_SUBMITTED);
  *now.mutable_requester() = ex::Submitted(rv1::REQUEST_KIND_GROUP, id).requester();
  *now.mutable_group() = ex::Submitted(rv1::REQUEST_KIND_GROUP, id).group();
  now.set_question("How can we help him join group play?");
  now.mutable_expert()->set_professional_id("prof-ruud-van-dijk");
  now.mutable_expert()->set_organisation_id(ex::kProvider);
  *now.mutable_create_time() = ex::At(1'795'000'000);
  auto holds = [&](const rv1::DirectLineRequest& r) {
    olif::MutexLock lock(&referrals_.mu);
    referrals_.requests[r.id()] = r;
  };
  holds(now);
  Submit(ex::Submitted(rv1::REQUEST_KIND_GROUP, id), "ev-1");
  Deliver(1);

  // To a colleague: the Task's owner and the performer change.
  reassign("ev-2", ex::Reassignment(id, "prof-anna-de-vries", ex::kProvider, "prof-ruud-van-dijk",
                                    ex::kProvider, rv1::REQUEST_STATUS_SUBMITTED));
  Deliver(1);
  EXPECT_EQ(task()["owner"]["identifier"]["value"], "prof-ruud-van-dijk");
  EXPECT_EQ(task()["status"], "requested");
  EXPECT_EQ(request()["performer"][0]["identifier"]["value"], "prof-ruud-van-dijk");

  // Between two experts elsewhere, or before it was ever sent: nothing to tell.
  reassign("ev-3", ex::Reassignment(RequestId(7), "prof-mehmet-yilmaz", ex::kOtherProvider,
                                    "prof-eva-smit", ex::kOtherProvider));
  reassign("ev-4",
           ex::Reassignment(RequestId(8), "prof-anna-de-vries", ex::kProvider, "prof-ruud-van-dijk",
                            ex::kProvider, rv1::REQUEST_STATUS_AWAITING_CONSENT));
  EXPECT_EQ(*queue_->Depth(kDestination), 0);

  // To another organisation: this provider stops.
  reassign("ev-5", ex::Reassignment(id, "prof-ruud-van-dijk", ex::kProvider, "prof-mehmet-yilmaz",
                                    ex::kOtherProvider));
  Deliver(1);
  EXPECT_EQ(request()["status"], "revoked");
  EXPECT_EQ(task()["status"], "cancelled");
  EXPECT_EQ(task()["statusReason"]["text"], "reassigned to an expert of another organisation");

  // And back: put as referrals holds it now, active again, accepted.
  now.set_status(rv1::REQUEST_STATUS_ACCEPTED);
  now.mutable_expert()->set_professional_id("prof-anna-de-vries");
  holds(now);
  {
    olif::MutexLock lock(&referrals_.mu);
    referrals_.down = true;
  }
  reassign("ev-6", ex::Reassignment(id, "prof-mehmet-yilmaz", ex::kOtherProvider,
                                    "prof-anna-de-vries", ex::kProvider));
  Deliver(1);
  auto waiting = queue_->Due(kDestination, clock_.Now() + absl::Hours(1), 10);
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->front().last_error.rfind("cannot ask the referrals service for request", 0),
            0u)
      << waiting->front().last_error;
  {
    olif::MutexLock lock(&referrals_.mu);
    referrals_.down = false;
  }
  Deliver(1);
  ASSERT_EQ(fhir_.Resources("ServiceRequest").size(), 1u) << "created once, not again";
  EXPECT_EQ(request()["status"], "active");
  EXPECT_EQ(request()["performer"][0]["identifier"]["value"], "prof-anna-de-vries");
  EXPECT_EQ(task()["status"], "accepted");
  EXPECT_EQ(task()["owner"]["identifier"]["value"], "prof-anna-de-vries");

  // One the provider never had arrives whole.
  now.set_id(RequestId(2));
  now.set_status(rv1::REQUEST_STATUS_SUBMITTED);
  holds(now);
  reassign("ev-7",
           ex::Reassignment(RequestId(2), "prof-mehmet-yilmaz", ex::kOtherProvider,
                            "prof-anna-de-vries", ex::kProvider, rv1::REQUEST_STATUS_SUBMITTED));
  Deliver(1);
  ASSERT_EQ(fhir_.Resources("Task").size(), 2u);
  const auto moved_in = fhir_.Resources("Task")[1];
  EXPECT_EQ(moved_in["identifier"][0]["value"], RequestId(2));
  EXPECT_EQ(moved_in["status"], "requested");
  EXPECT_EQ(moved_in["owner"]["identifier"]["value"], "prof-anna-de-vries");
  EXPECT_EQ(*queue_->Depth(kDestination), 0);
  EXPECT_TRUE(queue_->DeadLetters(kDestination, 10)->empty());
}

TEST_F(OutboundTest, NamedChildWaitsForConsentAndWithdrawalRevokes) {
  const auto identity = ex::Identity();
  referrals_.Add(RequestId(1), rv1::REQUEST_STATUS_SUBMITTED, &identity);
  Submit(ex::Submitted(rv1::REQUEST_KIND_CHILD, RequestId(1)), "ev-1");
  // A consent for another provider permits nothing here and is not sent.
  auto elsewhere = ex::Granted(ex::kOtherProvider);
  elsewhere.set_consent_id("9c1e4b7a-2f3d-4e5a-8b6c-7d8e9f0a1b2c");
  Apply(*consents_, Envelope("ev-c0", consent::kTopicGranted, elsewhere));
  Deliver(1);
  EXPECT_TRUE(fhir_.Resources("Patient").empty());
  EXPECT_TRUE(fhir_.Resources("ServiceRequest").empty());
  EXPECT_TRUE(fhir_.Resources("Consent").empty());
  auto held = queue_->Due(kDestination, clock_.Now(), 10);
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ(held->front().last_error.rfind("held: no consent known here for child", 0), 0u)
      << held->front().last_error;

  Apply(*consents_, Envelope("ev-c1", consent::kTopicGranted, ex::Granted()));
  Deliver();
  auto patients = fhir_.Resources("Patient");
  ASSERT_EQ(patients.size(), 1u);
  EXPECT_EQ(patients[0]["name"][0]["given"][0], "Daan");
  ASSERT_EQ(fhir_.Resources("ServiceRequest").size(), 1u);
  const std::string patient_ref = "Patient/" + patients[0]["id"].get<std::string>();
  EXPECT_EQ(fhir_.Resources("ServiceRequest")[0]["subject"]["reference"], patient_ref);
  ASSERT_EQ(fhir_.Resources("Consent").size(), 1u);
  EXPECT_EQ(fhir_.Resources("Consent")[0]["status"], "active");

  Apply(*consents_, Envelope("ev-c2", consent::kTopicWithdrawn, ex::Withdrawn()));
  Apply(*requests_,
        Envelope("ev-2", referrals::kTopicRequestRestricted, ex::Restricted(RequestId(1))));
  Deliver();
  EXPECT_EQ(fhir_.Resources("ServiceRequest")[0]["status"], "revoked");
  EXPECT_EQ(fhir_.Resources("Task")[0]["status"], "cancelled");
  EXPECT_EQ(fhir_.Resources("Consent")[0]["status"], "inactive");
  EXPECT_EQ(fhir_.Resources("Consent").size(), 1u);
  EXPECT_EQ(*queue_->Depth(kDestination), 0);
}

TEST_F(OutboundTest, ARequestHeldUntilItsAttemptsRanOutGoesByItselfWhenTheConsentComes) {
  const auto identity = ex::Identity();
  referrals_.Add(RequestId(1), rv1::REQUEST_STATUS_SUBMITTED, &identity);
  referrals_.Add(RequestId(2), rv1::REQUEST_STATUS_SUBMITTED, &identity);
  Submit(ex::Submitted(rv1::REQUEST_KIND_CHILD, RequestId(1)), "ev-1");
  auto other_child = ex::Submitted(rv1::REQUEST_KIND_CHILD, RequestId(2));
  other_child.mutable_child()->set_child_ref("child-0b1c2d3e");
  Submit(other_child, "ev-2");
  Deliver(4);  // three attempts each, then dead letters
  auto dead = queue_->DeadLetters(kDestination, 10);
  ASSERT_EQ(dead->size(), 2u);
  EXPECT_EQ(dead->front().last_error.rfind("held: no consent known here", 0), 0u);
  const int64_t held_id = dead->front().key == RequestId(1) ? dead->front().id : dead->back().id;

  Apply(*consents_, Envelope("ev-c1", consent::kTopicGranted, ex::Granted()));
  Deliver(2);
  ASSERT_EQ(fhir_.Resources("Patient").size(), 1u) << "the consented child's request went";
  EXPECT_EQ(fhir_.Resources("ServiceRequest")[0]["identifier"][0]["value"], RequestId(1));
  dead = queue_->DeadLetters(kDestination, 10);
  ASSERT_EQ(dead->size(), 1u) << "the other child's stays held";
  EXPECT_EQ(dead->front().key, RequestId(2));
  EXPECT_EQ(*queue_->Depth(kDestination), 0);
  auto actions = queue_->Actions(held_id);
  ASSERT_EQ(actions->size(), 1u);
  EXPECT_EQ(actions->front().action, "retried");
  EXPECT_EQ(actions->front().who, "youthcare_fhir adapter");
  EXPECT_EQ(actions->front().why,
            "consent 5b0f7a52-4d0e-4f7e-9f3a-3c1d2e4b5a60 for the child arrived");
}

TEST_F(OutboundTest, WhileReferralsCannotBeAskedForTheIdentityTheRequestIsHeld) {
  const auto identity = ex::Identity();
  referrals_.Add(RequestId(1), rv1::REQUEST_STATUS_SUBMITTED, &identity);
  Apply(*consents_, Envelope("ev-c1", consent::kTopicGranted, ex::Granted()));
  Submit(ex::Submitted(rv1::REQUEST_KIND_CHILD, RequestId(1)), "ev-1");
  {
    olif::MutexLock lock(&referrals_.mu);
    referrals_.down = true;
  }
  ASSERT_TRUE(deliverer_->RunOnce().ok());
  auto held = queue_->Get(2);  // after the Consent the grant queued
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->event_id, "ev-1");
  EXPECT_EQ(held->state, adapters::DeliveryState::kPending);
  EXPECT_EQ(held->last_error.rfind("held: cannot ask the referrals service", 0), 0u)
      << held->last_error;
  EXPECT_TRUE(fhir_.Resources("Patient").empty());
  {
    olif::MutexLock lock(&referrals_.mu);
    referrals_.down = false;
  }
  Deliver(1);
  Deliver(1);
  EXPECT_EQ(fhir_.Resources("Patient").size(), 1u);
}

TEST_F(OutboundTest, ANewNamedChildRequestAfterWithdrawalIsNeverSent) {
  const auto identity = ex::Identity();
  referrals_.Add(RequestId(1), rv1::REQUEST_STATUS_SUBMITTED, &identity);
  Apply(*consents_, Envelope("ev-c1", consent::kTopicGranted, ex::Granted()));
  Apply(*consents_, Envelope("ev-c2", consent::kTopicWithdrawn, ex::Withdrawn()));
  Submit(ex::Submitted(rv1::REQUEST_KIND_CHILD, RequestId(1)), "ev-1");
  Deliver(5);
  EXPECT_TRUE(fhir_.Resources("Patient").empty());
  EXPECT_TRUE(fhir_.Resources("ServiceRequest").empty());
  // After the last attempt it waits for an operator, with the reason.
  auto dead = queue_->DeadLetters(kDestination, 10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE(dead->front().last_error.find("held"), std::string::npos);
}

TEST_F(OutboundTest, PoisonMessageIsDeadLetteredOthersFlowAndAnEditDeliversIt) {
  fhir_.AddFailure({.status = 400, .count = -1, .match = "POISON"});
  auto poison = ex::Submitted(rv1::REQUEST_KIND_ANONYMOUS, RequestId(1));
  poison.set_question("POISON: the provider refuses this");
  Submit(poison, "ev-1");
  for (int i = 2; i <= 5; ++i) {
    Submit(ex::Submitted(rv1::REQUEST_KIND_ANONYMOUS, RequestId(i)), absl::StrCat("ev-", i));
  }
  Deliver(1);
  EXPECT_EQ(fhir_.Resources("ServiceRequest").size(), 4u);
  auto dead = queue_->DeadLetters(kDestination, 10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().attempts, 1);  // a 400 is not retried
  EXPECT_NE(dead->front().last_error.find("HTTP 400"), std::string::npos);
  // The operator corrects the queued event and sends it again.
  const std::string fixed = absl::StrReplaceAll(
      dead->front().payload,
      {{"POISON: the provider refuses this", "How can we help him settle in?"}});
  ASSERT_TRUE(
      queue_->EditAndResend(dead->front().id, fixed, "op-anouk", "removed bad text", clock_.Now())
          .ok());
  Deliver(1);
  EXPECT_EQ(fhir_.Resources("ServiceRequest").size(), 5u);
  EXPECT_TRUE(queue_->DeadLetters(kDestination, 10)->empty());
  // An edit that is not a readable event is refused for good, not sent.
  Submit(ex::Submitted(rv1::REQUEST_KIND_ANONYMOUS, RequestId(6)), "ev-6");
  fhir_.AddFailure({.status = 400, .count = 1, .match = RequestId(6)});
  Deliver(1);
  auto second = queue_->DeadLetters(kDestination, 10);
  ASSERT_EQ(second->size(), 1u);
  ASSERT_TRUE(
      queue_->EditAndResend(second->front().id, "{not json", "op", "typo", clock_.Now()).ok());
  Deliver(1);
  auto again = queue_->DeadLetters(kDestination, 10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_NE(again->front().last_error.find("is not a readable RequestSubmitted"), std::string::npos)
      << again->front().last_error;
}

// The outage: the FHIR server is down for 20 s while 1,000 requests (and a
// restriction for 100 of them) are delivered in real time. Everything
// arrives afterwards, each once, in order per request; the backlog shows
// while it lasts.
TEST(OutageTest, EverythingArrivesOnceAndInOrderAfterTwentySecondsDown) {
  struct Harness : OutboundTest {
    void TestBody() override {}
  } h;
  h.Open(Clock::Real(), {.max_attempts = 1000,
                         .initial_backoff = absl::Milliseconds(100),
                         .max_backoff = absl::Seconds(2)});
  constexpr int kRequests = 1000;
  ASSERT_TRUE(
      h.writer_
          ->Run([&](sqlite::Database& db) -> absl::Status {
            for (int i = 0; i < kRequests; ++i) {
              const auto e = ex::Submitted(rv1::REQUEST_KIND_ANONYMOUS, RequestId(i));
              if (auto s = h.requests_->Apply(
                      db, Envelope(absl::StrCat("ev-s-", i), referrals::kTopicRequestSubmitted, e));
                  !s.ok()) {
                return s;
              }
              if (i % 10 == 0) {
                if (auto s = h.requests_->Apply(
                        db, Envelope(absl::StrCat("ev-r-", i), referrals::kTopicRequestRestricted,
                                     ex::Restricted(RequestId(i))));
                    !s.ok()) {
                  return s;
                }
              }
            }
            return absl::OkStatus();
          })
          .ok());
  h.deliverer_->Start();
  ASSERT_TRUE(testing_util::WaitFor(
      [&] { return h.fhir_.Resources("ServiceRequest").size() >= 200; }, absl::Seconds(60)));
  h.fhir_.GoDown(absl::Seconds(20));
  const absl::Time down_at = absl::Now();
  absl::SleepFor(absl::Seconds(2));
  const int64_t backlog = *h.queue_->Depth(kDestination);
  EXPECT_GT(backlog, 0);
  EXPECT_NE(h.registry_.Render().find("olif_adapter_queue_depth{destination=\"fhir\"}"),
            std::string::npos);
  ASSERT_TRUE(testing_util::WaitFor([&] { return *h.queue_->Depth(kDestination) == 0; },
                                    absl::Seconds(90)));
  EXPECT_GE(absl::Now() - down_at, absl::Seconds(19));
  // A figure for the README, not a limit: how long the backlog took once the server was back.
  std::cout << "backlog of " << backlog << "+ drained "
            << absl::FormatDuration(absl::Now() - down_at - absl::Seconds(20))
            << " after the FHIR server came back\n";
  h.deliverer_->Stop();
  EXPECT_TRUE(h.queue_->DeadLetters(kDestination, 10)->empty());
  std::set<std::string> ids;
  for (const auto& r : h.fhir_.Resources("ServiceRequest")) {
    ids.insert(r["identifier"][0]["value"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kRequests));
  EXPECT_EQ(h.fhir_.Resources("ServiceRequest").size(), static_cast<size_t>(kRequests));
  olif::MutexLock lock(&h.recording_->mu);
  for (const auto& [event, times] : h.recording_->times) EXPECT_EQ(times, 1) << event;
  EXPECT_EQ(h.recording_->times.size(), static_cast<size_t>(kRequests + kRequests / 10));
  for (int i = 0; i < kRequests; i += 10) {
    EXPECT_EQ(h.recording_->by_key[RequestId(i)],
              (std::vector<std::string>{referrals::kTopicRequestSubmitted,
                                        referrals::kTopicRequestRestricted}))
        << RequestId(i);
  }
}

}  // namespace
}  // namespace olif::youthcare_fhir
