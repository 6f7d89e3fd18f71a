// The hub's events become notifications for the chain they concern — and
// only for it — queued in the consumer's transaction, in the documented
// format, without a child's identity.

#include "adapters/childcare/notifications.h"

#include <gtest/gtest.h>

#include "adapters/childcare/childcare_store.h"
#include "adapters/childcare/testing/chains.h"
#include "adapters/runtime/delivery_queue.h"
#include "nlohmann/json.hpp"
#include "olifantenpad/handover/v1/events.pb.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"
#include "services/common/events/handover_topics.h"
#include "services/common/events/referrals_topics.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/testing/testing.h"

namespace olif::childcare {
namespace {

namespace hv1 = olifantenpad::handover::v1;
namespace rv1 = olifantenpad::referrals::v1;
namespace sv1 = olifantenpad::scheduling::v1;
using nlohmann::json;
using testing_util::ApplyEvent;

class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = (testing_util::FreshTestDir("notify") / "childcare.db").string();
    auto db = sqlite::Database::Open(path, {});
    ASSERT_TRUE(db.ok()) << db.status();
    writer_ = std::make_unique<sqlite::Writer>(std::move(*db));
    for (auto create : {adapters::DeliveryQueue::CreateTables, ChildcareStore::CreateTables}) {
      ASSERT_TRUE(writer_->Run(create).ok());
    }
    auto queue = adapters::DeliveryQueue::Open(path, *writer_, {});
    ASSERT_TRUE(queue.ok());
    queue_ = std::move(*queue);
    auto store = ChildcareStore::Open(path, *writer_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    chains_ = {testing::DevChain(0), testing::DevChain(1)};
  }

  Notifier Make(Notifier::Source source) { return Notifier(source, chains_, clock_, metrics_); }

  // What is queued for `chain`, oldest first, as JSON.
  std::vector<json> Queued(const std::string& chain) {
    auto due = queue_->Due(Destination(chain), absl::InfiniteFuture(), 100);
    EXPECT_TRUE(due.ok()) << due.status();
    std::vector<json> out;
    for (const auto& d : *due) out.push_back(json::parse(d.payload));
    return out;
  }

  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<adapters::DeliveryQueue> queue_;
  std::unique_ptr<ChildcareStore> store_;
  std::vector<std::shared_ptr<const Chain>> chains_;
  FakeClock clock_{absl::FromUnixSeconds(1790000000)};
  metrics::Registry metrics_;
};

rv1::RequestSubmitted Submitted(const std::string& id, const std::string& organisation) {
  rv1::RequestSubmitted s;
  s.set_request_id(id);
  s.mutable_requester()->set_organisation_id(organisation);
  s.mutable_requester()->set_location_id("loc-x");
  return s;
}

rv1::RequestUpdated Updated(const std::string& id, rv1::Transition t) {
  rv1::RequestUpdated u;
  u.set_request_id(id);
  u.set_transition(t);
  u.mutable_expert()->set_professional_id("prof-anna-de-vries");
  u.mutable_expert()->set_organisation_id("org-jz-het-kompas");
  u.mutable_child()->set_child_ref("5d7f3c1e-0b9a-4e2d-8c6f-1a2b3c4d5e6f");
  return u;
}

TEST_F(NotifierTest, TheExpertsAnswersReachTheChainThatAskedUnderItsQuestionId) {
  Notifier n = Make(Notifier::Source::kReferrals);
  ASSERT_TRUE(store_->RememberRequest("req-1", {"boomgaard", "V-507"}, clock_.Now()).ok());
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestSubmitted,
                         Submitted("req-1", "org-kdv-de-boomgaard"))
                  .ok());
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestUpdated,
                         Updated("req-1", rv1::TRANSITION_ACCEPTED))
                  .ok());
  rv1::RequestUpdated message = Updated("req-1", rv1::TRANSITION_MESSAGE_ADDED);
  message.mutable_message()->set_author(rv1::AUTHOR_EXPERT);
  message.mutable_message()->set_text("Probeer een vast ritueel voor het slapen.");
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestUpdated, message).ok());
  rv1::RequestUpdated own = message;  // the worker's own message is not sent back
  own.mutable_message()->set_author(rv1::AUTHOR_REQUESTER);
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestUpdated, own).ok());
  rv1::RequestUpdated cycle = Updated("req-1", rv1::TRANSITION_CYCLE_RECORDED);
  cycle.mutable_cycle()->set_number(1);
  cycle.mutable_cycle()->set_plan("Vast ritueel");
  cycle.mutable_cycle()->set_outcome(rv1::OUTCOME_CONTINUE);
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestUpdated, cycle).ok());
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestUpdated,
                         Updated("req-1", rv1::TRANSITION_RESOLVED))
                  .ok());

  // The queue hands out one message of a key at a time: deliver each in turn.
  std::vector<std::string> kinds;
  for (int i = 0; i < 10; ++i) {
    auto due = queue_->Due(Destination("boomgaard"), absl::InfiniteFuture(), 10);
    ASSERT_TRUE(due.ok());
    if (due->empty()) break;
    const json j = json::parse((*due)[0].payload);
    kinds.push_back(j["notification"]);
    EXPECT_EQ(j["chain"], "boomgaard");
    EXPECT_EQ(j["request"]["id"], "req-1");
    EXPECT_EQ(j["request"]["question_id"], "V-507");
    EXPECT_EQ(j["expert"]["professional_id"], "prof-anna-de-vries");
    EXPECT_EQ(j.dump().find("5d7f3c1e"), std::string::npos) << "no child reference: " << j;
    if (j["notification"] == "expert_message") {
      EXPECT_EQ(j["message"], "Probeer een vast ritueel voor het slapen.");
    }
    if (j["notification"] == "cycle_recorded") {
      EXPECT_EQ(j["cycle"]["plan"], "Vast ritueel");
      EXPECT_EQ(j["cycle"]["outcome"], "continue");
    }
    ASSERT_TRUE(queue_->Delivered((*due)[0].id, clock_.Now()).ok());
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"request_accepted", "expert_message", "cycle_recorded",
                                             "request_resolved"}));
  EXPECT_TRUE(Queued("zonnestraal").empty());
}

TEST_F(NotifierTest, RequestsOfOtherOrganisationsPassWithoutATrace) {
  Notifier n = Make(Notifier::Source::kReferrals);
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestSubmitted,
                         Submitted("req-2", "org-jz-het-kompas"))
                  .ok());
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestUpdated,
                         Updated("req-2", rv1::TRANSITION_ACCEPTED))
                  .ok());
  EXPECT_TRUE(Queued("boomgaard").empty());
  EXPECT_TRUE(Queued("zonnestraal").empty());
  // A request of a chain made elsewhere (not through its files) still
  // reaches it, without a question id.
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestSubmitted,
                         Submitted("req-3", "org-kdv-zonnestraal"))
                  .ok());
  ASSERT_TRUE(ApplyEvent(*writer_, n, referrals::kTopicRequestUpdated,
                         Updated("req-3", rv1::TRANSITION_DECLINED))
                  .ok());
  ASSERT_EQ(Queued("zonnestraal").size(), 1u);
  EXPECT_TRUE(Queued("zonnestraal")[0]["request"]["question_id"].is_null());
}

TEST_F(NotifierTest, VisitsAtAChainsLocationAndMeetingsReachIt) {
  Notifier n = Make(Notifier::Source::kScheduling);
  ASSERT_TRUE(store_->RememberHandover("ho-1", {"boomgaard", "OV-2026-17"}, clock_.Now()).ok());
  sv1::VisitPlanned visit;
  visit.mutable_visit()->set_visit_id("visit-1");
  visit.mutable_visit()->set_kind(sv1::VISIT_KIND_PREVENTIVE_GROUP_VISIT);
  visit.mutable_visit()->set_location_id("loc-zonnestraal-centrum");
  visit.mutable_visit()->set_group_id("grp-zonnetjes");
  ASSERT_TRUE(ApplyEvent(*writer_, n, scheduling::kTopicVisitPlanned, visit).ok());
  sv1::VisitPlanned meeting;
  meeting.mutable_visit()->set_visit_id("visit-2");
  meeting.mutable_visit()->set_kind(sv1::VISIT_KIND_WARM_HANDOVER_MEETING);
  meeting.mutable_visit()->set_location_id("loc-boomgaard-noord");
  meeting.mutable_visit()->set_handover_id("ho-1");
  ASSERT_TRUE(ApplyEvent(*writer_, n, scheduling::kTopicVisitPlanned, meeting).ok());
  sv1::VisitCancelled elsewhere;
  elsewhere.mutable_visit()->set_visit_id("visit-3");
  elsewhere.mutable_visit()->set_location_id("loc-somewhere-else");
  ASSERT_TRUE(ApplyEvent(*writer_, n, scheduling::kTopicVisitCancelled, elsewhere).ok());

  ASSERT_EQ(Queued("zonnestraal").size(), 1u);
  const json v = Queued("zonnestraal")[0];
  EXPECT_EQ(v["notification"], "visit_planned");
  EXPECT_EQ(v["visit"]["kind"], "preventive_group_visit");
  EXPECT_EQ(v["visit"]["group_id"], "grp-zonnetjes");
  ASSERT_EQ(Queued("boomgaard").size(), 1u);
  const json m = Queued("boomgaard")[0];
  EXPECT_EQ(m["notification"], "meeting_planned");
  EXPECT_EQ(m["handover"]["form_id"], "OV-2026-17");
  EXPECT_TRUE(m["visit"]["group_id"].is_null());
  EXPECT_TRUE(m["visit"]["start"].is_null()) << "no time was set";
}

TEST_F(NotifierTest, ASchoolsAcknowledgementReachesTheChainThatSentTheForm) {
  Notifier n = Make(Notifier::Source::kHandover);
  ASSERT_TRUE(store_->RememberHandover("ho-1", {"boomgaard", "OV-2026-17"}, clock_.Now()).ok());
  hv1::HandoverAcknowledged ack;
  ack.mutable_handover()->set_handover_id("ho-1");
  ack.mutable_handover()->set_organisation_id("org-kdv-de-boomgaard");
  ack.mutable_handover()->set_school_organisation_id("sch-de-regenboog");
  ack.mutable_handover()->set_revision(2);
  ASSERT_TRUE(ApplyEvent(*writer_, n, handover::kTopicHandoverAcknowledged, ack).ok());
  ack.mutable_handover()->set_organisation_id("org-elsewhere");
  ack.mutable_handover()->set_handover_id("ho-2");
  ASSERT_TRUE(ApplyEvent(*writer_, n, handover::kTopicHandoverAcknowledged, ack).ok());
  ASSERT_EQ(Queued("boomgaard").size(), 1u);
  const json a = Queued("boomgaard")[0];
  EXPECT_EQ(a["notification"], "handover_acknowledged");
  EXPECT_EQ(a["handover"]["form_id"], "OV-2026-17");
  EXPECT_EQ(a["handover"]["revision"], 2);
  EXPECT_EQ(a["handover"]["school_organisation_id"], "sch-de-regenboog");
}

TEST_F(NotifierTest, AnEventThatIsNotWhatItsTopicPromisesIsPassedNotRetriedForEver) {
  Notifier n = Make(Notifier::Source::kHandover);
  rv1::RequestSubmitted wrong = Submitted("req-9", "org-kdv-de-boomgaard");
  EXPECT_TRUE(ApplyEvent(*writer_, n, handover::kTopicHandoverAcknowledged, wrong).ok());
  EXPECT_TRUE(Queued("boomgaard").empty());
  EXPECT_EQ(metrics_.GetCounter("olif_childcare_events_unreadable_total", "", {}).value(), 1);
}

}  // namespace
}  // namespace olif::childcare
