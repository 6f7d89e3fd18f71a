// The handover service's rules beyond the state table: the consent gate, the
// parents' review, the warm handover and its meeting, amendments, lapse,
// retention, the audit trail, and that no event names the child.

#include "services/handover/handover_service.h"

#include <gtest/gtest.h>

#include "olifantenpad/handover/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"
#include "services/common/bus/unpack.h"
#include "services/common/clock/timestamp.h"
#include "services/common/events/scheduling_topics.h"
#include "services/handover/testing_util.h"

namespace olif::handover {
namespace {

namespace sv1 = olifantenpad::scheduling::v1;
using testing_util::ConflictType;
using testing_util::HandoverTest;

class HandoverServiceTest : public HandoverTest {
 protected:
  template <typename E>
  std::vector<E> Published(const std::string& topic) {
    std::vector<E> out;
    for (const auto& e : Events()) {
      if (e.topic() == topic) out.push_back(*bus::Unpack<E>(e));
    }
    return out;
  }
};

TEST_F(HandoverServiceTest, NeverReadyForSchoolWithoutConsent) {
  const std::string child = NewUuid();
  v1::HandoverForm f = Reviewed(examples::VeChild(child));
  f = *Finalise(f);
  EXPECT_EQ(f.status(), v1::HANDOVER_STATUS_AWAITING_CONSENT);
  EXPECT_EQ(Count(kTopicHandoverReadyForSchool), 0);
  EXPECT_EQ(Count(kTopicWarmHandoverRequested), 0);
  ASSERT_EQ(Published<v1::HandoverFinalised>(kTopicHandoverFinalised).size(), 1u);
  EXPECT_TRUE(Published<v1::HandoverFinalised>(kTopicHandoverFinalised)[0].awaiting_consent());
  // A consent for another school, or another purpose, releases nothing.
  Consent(child, "sch-het-palet");
  EXPECT_EQ(store_->Get(f.id())->status(), v1::HANDOVER_STATUS_AWAITING_CONSENT);
  v1::GetHandoverDocumentRequest read;
  read.set_handover_id(f.id());
  read.mutable_access()->set_actor_id("school-adapter");
  read.mutable_access()->set_reason("overdracht naar school");
  std::promise<absl::StatusOr<v1::GetHandoverDocumentResponse>> p;
  service_->Document(read, "t", [&p](auto r) { p.set_value(std::move(r)); });
  EXPECT_EQ(ConflictType(p.get_future().get().status()), "HANDOVER_STATE");

  // The parents' consent for the receiving school sends it, once.
  const std::string consent = Consent(child);
  const v1::HandoverForm sent = *store_->Get(f.id());
  EXPECT_EQ(sent.status(), v1::HANDOVER_STATUS_SENT);
  EXPECT_EQ(sent.consent_id(), consent);
  EXPECT_EQ(sent.revision(), 1);
  auto ready = Published<v1::HandoverReadyForSchool>(kTopicHandoverReadyForSchool);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].handover().version(), sent.version());
  EXPECT_EQ(ready[0].handover().school_organisation_id(), "sch-de-regenboog");
  EXPECT_TRUE(ready[0].warm());
  auto warm = Published<v1::WarmHandoverRequested>(kTopicWarmHandoverRequested);
  ASSERT_EQ(warm.size(), 1u);
  EXPECT_EQ(warm[0].handover_id(), f.id());
  EXPECT_EQ(warm[0].group_id(), "grp-egeltjes");
  EXPECT_EQ(warm[0].expected_start_date(), "2027-04-19");
  EXPECT_EQ(warm[0].reasons(0), v1::WARM_HANDOVER_REASON_VE_INDICATED);
  Consent(child);  // a second consent changes nothing
  EXPECT_EQ(Count(kTopicHandoverReadyForSchool), 1);
}

TEST_F(HandoverServiceTest, AWithdrawnConsentWithdrawsTheSentFormAndTellsTheSchool) {
  const std::string child = NewUuid();
  const std::string consent = Consent(child);
  v1::HandoverForm f = *Finalise(Reviewed(examples::PlainChild(child)));
  ASSERT_EQ(f.status(), v1::HANDOVER_STATUS_SENT);
  EXPECT_EQ(Count(kTopicWarmHandoverRequested), 0);  // not warm
  WithdrawConsent(consent, child);
  f = *store_->Get(f.id());
  EXPECT_EQ(f.status(), v1::HANDOVER_STATUS_WITHDRAWN);
  EXPECT_EQ(f.withdrawal().reason(), v1::WITHDRAWAL_REASON_CONSENT_WITHDRAWN);
  auto withdrawn = Published<v1::HandoverWithdrawn>(kTopicHandoverWithdrawn);
  ASSERT_EQ(withdrawn.size(), 1u);
  EXPECT_TRUE(withdrawn[0].school_must_delete());
  EXPECT_EQ(withdrawn[0].reason(), "consent_withdrawn");
  WithdrawConsent(consent, child);  // replayed: nothing more
  EXPECT_EQ(Count(kTopicHandoverWithdrawn), 1);
}

TEST_F(HandoverServiceTest, AChangeAfterTheParentsViewSendsItBackToThem) {
  const std::string child = NewUuid();
  Consent(child);
  v1::HandoverForm f = Reviewed(examples::VeChild(child));
  ASSERT_TRUE(f.parent_view().has_seen_at());
  v1::HandoverForm content = f;
  content.mutable_development(1)->set_level("passend bij de leeftijd");
  f = *Update(f, content);
  EXPECT_EQ(f.status(), v1::HANDOVER_STATUS_PARENT_REVIEW);
  EXPECT_FALSE(f.has_parent_view());
  EXPECT_EQ(ConflictType(Finalise(f).status()), "HANDOVER_STATE");
  f = *ParentView(f, "");
  EXPECT_EQ(Finalise(f)->status(), v1::HANDOVER_STATUS_SENT);

  // The same content again keeps their view.
  const std::string other = NewUuid();
  v1::HandoverForm g = Reviewed(examples::PlainChild(other));
  g = *Update(g, g);
  EXPECT_TRUE(g.parent_view().has_seen_at());
}

TEST_F(HandoverServiceTest, AStaleVersionIsAborted) {
  v1::HandoverForm f = *Create(examples::VeChild(NewUuid()));
  ASSERT_TRUE(Update(f, f).ok());
  EXPECT_EQ(Update(f, f).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Submit(f).status().code(), absl::StatusCode::kAborted);
}

TEST_F(HandoverServiceTest, CreateIsIdempotentOnItsRequestId) {
  v1::CreateDraftRequest call;
  call.set_request_id(NewUuid());
  *call.mutable_form() = examples::VeChild(NewUuid());
  const v1::HandoverForm first = *Wait(&HandoverService::CreateDraft, call);
  const v1::HandoverForm again = *Wait(&HandoverService::CreateDraft, call);
  EXPECT_EQ(first.id(), again.id());
  EXPECT_EQ(Count(kTopicHandoverChanged), 1);
  call.mutable_form()->set_particulars("iets anders");
  EXPECT_EQ(Wait(&HandoverService::CreateDraft, call).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(HandoverServiceTest, TheMeetingScheduledShowsOnTheForm) {
  const std::string child = NewUuid();
  Consent(child);
  const v1::HandoverForm f = *Finalise(Reviewed(examples::VeChild(child)));
  sv1::MeetingProposed proposed;
  sv1::VisitSummary& v = *proposed.mutable_visit();
  v.set_visit_id(NewUuid());
  v.set_kind(sv1::VISIT_KIND_WARM_HANDOVER_MEETING);
  v.set_status(sv1::VISIT_STATUS_PROPOSED);
  v.set_handover_id(f.id());
  Apply(scheduling::kTopicMeetingProposed, proposed);
  v1::HandoverForm shown = *store_->Get(f.id());
  EXPECT_EQ(shown.warm_handover().meeting().visit_id(), v.visit_id());
  EXPECT_EQ(shown.warm_handover().meeting().status(), sv1::VISIT_STATUS_PROPOSED);

  sv1::VisitPlanned planned;
  *planned.mutable_visit() = v;
  planned.mutable_visit()->set_status(sv1::VISIT_STATUS_BOOKED);
  const absl::Time start = clock_.Now() + absl::Hours(24 * 10);
  *planned.mutable_visit()->mutable_start() = ToTimestamp(start);
  *planned.mutable_visit()->mutable_end() = ToTimestamp(start + absl::Minutes(45));
  Apply(scheduling::kTopicVisitPlanned, planned);
  Apply(scheduling::kTopicVisitPlanned, planned);  // replayed: shown once
  shown = *store_->Get(f.id());
  EXPECT_EQ(shown.warm_handover().meeting().status(), sv1::VISIT_STATUS_BOOKED);
  EXPECT_EQ(FromTimestamp(shown.warm_handover().meeting().start()), start);
  EXPECT_EQ(shown.version(), f.version() + 2);

  // A preventive visit, or a meeting of another hub's form, changes no form.
  sv1::VisitPlanned other = planned;
  other.mutable_visit()->set_kind(sv1::VISIT_KIND_PREVENTIVE_GROUP_VISIT);
  Apply(scheduling::kTopicVisitPlanned, other);
  other = planned;
  other.mutable_visit()->set_handover_id(NewUuid());
  Apply(scheduling::kTopicVisitPlanned, other);
  EXPECT_EQ(store_->Get(f.id())->version(), shown.version());
}

TEST_F(HandoverServiceTest, AnAmendmentIsANewRevisionThatSaysWhatChanged) {
  const std::string child = NewUuid();
  Consent(child);
  v1::HandoverForm f = *Finalise(Reviewed(examples::PlainChild(child)));
  f = *Acknowledge(f);
  v1::HandoverForm content = f;
  content.mutable_development(0)->set_strengths("Helpt graag met opruimen.");
  content.set_concerns(true);
  v1::HandoverForm amended = *Amend(f, content);
  EXPECT_EQ(amended.status(), v1::HANDOVER_STATUS_AMENDED);
  EXPECT_EQ(amended.revision(), 2);
  EXPECT_EQ(
      std::vector<std::string>(amended.amended_paths().begin(), amended.amended_paths().end()),
      (std::vector<std::string>{"concerns", "development[0].strengths"}));
  auto events = Published<v1::HandoverAmended>(kTopicHandoverAmended);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].handover().revision(), 2);
  // Concerns flagged now make it warm: the meeting is asked for once.
  EXPECT_EQ(Count(kTopicWarmHandoverRequested), 1);
  // The school acknowledging the old revision is told it is stale.
  EXPECT_EQ(ConflictType(Acknowledge(amended, 1).status()), "STALE_REVISION");
  EXPECT_EQ(Acknowledge(amended, 2)->status(), v1::HANDOVER_STATUS_ACKNOWLEDGED);
  // The school and the child cannot change; nothing changed is refused.
  v1::HandoverForm moved = *store_->Get(f.id());
  v1::HandoverForm elsewhere = moved;
  elsewhere.mutable_receiver()->set_brin("34CD");
  EXPECT_EQ(Amend(moved, elsewhere).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Amend(moved, moved).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HandoverServiceTest, AFormWithoutConsentLapsesAfterTheWait) {
  v1::HandoverForm f = *Finalise(Reviewed(examples::VeChild(NewUuid())));
  clock_.Advance(Settings{}.consent_wait - absl::Minutes(1));
  EXPECT_EQ(service_->RunDueJobs()->lapsed, 0);
  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(service_->RunDueJobs()->lapsed, 1);
  EXPECT_EQ(store_->Get(f.id())->status(), v1::HANDOVER_STATUS_LAPSED);
  EXPECT_EQ(service_->RunDueJobs()->lapsed, 0);
  Consent(f.child().child_ref());  // too late: it stays lapsed, never sent
  EXPECT_EQ(Count(kTopicHandoverReadyForSchool), 0);
}

TEST_F(HandoverServiceTest, RetentionPurgesIdentityAndFreeTextAfterReceiptAndGrace) {
  const std::string child = NewUuid();
  Consent(child);
  v1::HandoverForm f = *Acknowledge(*Finalise(Reviewed(examples::VeChild(child))));
  clock_.Advance(Settings{}.retention_grace - absl::Hours(1));
  EXPECT_EQ(service_->RunDueJobs()->purged, 0);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(service_->RunDueJobs()->purged, 1);
  const v1::HandoverForm kept = *store_->Get(f.id());
  EXPECT_TRUE(kept.has_purge_time());
  EXPECT_EQ(kept.status(), v1::HANDOVER_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(kept.child().child_ref(), child);  // what went to whom, when
  EXPECT_EQ(kept.receiver().brin(), "12AB");
  EXPECT_EQ(kept.receipt().received_by(), "Joost Jansen");
  EXPECT_TRUE(kept.has_send_time());
  const std::string bytes = kept.SerializeAsString();
  for (const char* gone :
       {"Eliëlle", "Çelik", "123456782", "notenallergie", "boosheid", "Wij herkennen"}) {
    EXPECT_EQ(bytes.find(gone), std::string::npos) << gone;
  }
  EXPECT_TRUE(kept.guardians().empty());
  EXPECT_TRUE(kept.development().empty());
  EXPECT_EQ(service_->RunDueJobs()->purged, 0);
  auto trail = *store_->AuditTrail(f.id());
  EXPECT_EQ(trail.back().action, "purge");
  EXPECT_EQ(trail.back().actor, "retention");
  v1::GetHandoverPdfRequest read;
  read.set_handover_id(f.id());
  read.mutable_access()->set_actor_id("prof-sanne-bakker");
  read.mutable_access()->set_reason("afdrukken");
  std::promise<absl::StatusOr<v1::GetHandoverPdfResponse>> p;
  service_->Pdf(read, "t", [&p](auto r) { p.set_value(std::move(r)); });
  EXPECT_EQ(ConflictType(p.get_future().get().status()), "PURGED");
}

TEST_F(HandoverServiceTest, WithdrawnAndLapsedFormsArePurgedAfterTheGraceToo) {
  const v1::HandoverForm withdrawn = *Withdraw(*Create(examples::VeChild(NewUuid())));
  const v1::HandoverForm waiting = *Finalise(Reviewed(examples::VeChild(NewUuid())));
  const v1::HandoverForm draft = *Create(examples::VeChild(NewUuid()));
  const Settings d;
  ASSERT_LT(d.retention_grace, d.consent_wait);  // the timeline below relies on it
  clock_.Advance(d.retention_grace + absl::Minutes(1));
  JobCounts run = *service_->RunDueJobs();
  EXPECT_EQ(run.purged, 1);  // the withdrawn form's grace has passed
  EXPECT_EQ(run.lapsed, 0);
  EXPECT_TRUE(store_->Get(withdrawn.id())->has_purge_time());
  clock_.Advance(d.consent_wait - d.retention_grace);
  run = *service_->RunDueJobs();
  EXPECT_EQ(run.lapsed, 1);  // the lapsed form's grace starts now
  EXPECT_EQ(run.purged, 0);
  EXPECT_FALSE(store_->Get(waiting.id())->has_purge_time());
  clock_.Advance(d.retention_grace);
  EXPECT_EQ(service_->RunDueJobs()->purged, 1);
  const v1::HandoverForm lapsed = *store_->Get(waiting.id());
  EXPECT_EQ(lapsed.status(), v1::HANDOVER_STATUS_LAPSED);
  EXPECT_TRUE(lapsed.has_purge_time());
  EXPECT_EQ(lapsed.SerializeAsString().find("Eliëlle"), std::string::npos);
  EXPECT_EQ(store_->Get(withdrawn.id())->withdrawal().reason(),
            v1::WITHDRAWAL_REASON_BY_LOCATION);  // what happened stays
  // A draft still being written is not on the clock.
  EXPECT_FALSE(store_->Get(draft.id())->has_purge_time());
}

TEST_F(HandoverServiceTest, EveryReadOfTheChildsDataIsAudited) {
  const v1::HandoverForm f = *Create(examples::VeChild(NewUuid()));
  v1::GetHandoverRequest read;
  read.set_handover_id(f.id());
  read.mutable_access()->set_actor_id("prof-fatima-el-amrani");
  read.mutable_access()->set_reason("invullen met de mentor");
  ASSERT_TRUE(Wait(&HandoverService::Get, read).ok());
  read.set_handover_id(NewUuid());
  EXPECT_EQ(Wait(&HandoverService::Get, read).status().code(), absl::StatusCode::kNotFound);
  read.mutable_access()->clear_reason();
  EXPECT_EQ(Wait(&HandoverService::Get, read).status().code(), absl::StatusCode::kInvalidArgument);
  const auto trail = *store_->AuditTrail("");
  ASSERT_EQ(trail.size(), 3u);  // the create and two reads; the invalid call read nothing
  EXPECT_EQ(trail[0].action, "create");
  EXPECT_EQ(trail[1].action, "read");
  EXPECT_EQ(trail[1].actor, "prof-fatima-el-amrani");
  EXPECT_EQ(trail[1].reason, "invullen met de mentor");
  EXPECT_EQ(trail[1].child_ref, f.child().child_ref());
  EXPECT_EQ(trail[1].outcome, "OK");
  EXPECT_NE(trail[2].outcome.find("NOT_FOUND"), std::string::npos);
}

TEST_F(HandoverServiceTest, EveryChangeIsAuditedWithWhoMadeIt) {
  const std::string child = NewUuid();
  Consent(child);
  const v1::HandoverForm f = *Finalise(Reviewed(examples::VeChild(child)));
  const std::vector<AuditEntry> trail = *store_->AuditTrail(f.id());
  std::vector<std::string> lines;
  for (const AuditEntry& a : trail) {
    EXPECT_EQ(a.child_ref, child);
    EXPECT_EQ(a.outcome, "OK");
    lines.push_back(a.action + " by " + a.actor);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "create by prof-sanne-bakker", "submit-for-review by prof-sanne-bakker",
                       "parent-view by prof-fatima-el-amrani", "finalise by prof-sanne-bakker"}));
}

TEST_F(HandoverServiceTest, NoEventNamesTheChild) {
  const std::string child = NewUuid();
  const std::string consent = Consent(child);
  v1::HandoverForm f = *Finalise(Reviewed(examples::VeChild(child)));
  f = *Acknowledge(f);
  v1::HandoverForm content = f;
  content.set_particulars("Draagt een bril.");
  ASSERT_TRUE(Amend(f, content).ok());
  WithdrawConsent(consent, child);
  const std::vector<olifantenpad::common::v1::EventEnvelope> events = Events();
  ASSERT_GE(events.size(), 8u);
  for (const auto& e : events) {
    const std::string bytes = e.SerializeAsString();
    for (const char* secret : {"Eliëlle", "Çelik", "123456782", "2023-04-18", "bril", "Łucja"}) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << e.topic() << " carries " << secret;
    }
  }
}

TEST_F(HandoverServiceTest, ListsShowNoIdentity) {
  const v1::HandoverForm f = *Create(examples::VeChild(NewUuid()));
  v1::ListHandoversRequest call;
  call.mutable_school()->set_brin("12AB");
  call.mutable_school()->set_vestiging("00");
  const v1::ListHandoversResponse r = *service_->List(call);
  ASSERT_EQ(r.handovers_size(), 1);
  EXPECT_EQ(r.handovers(0).handover_id(), f.id());
  EXPECT_TRUE(r.handovers(0).warm());
  EXPECT_EQ(r.SerializeAsString().find("Eliëlle"), std::string::npos);
  call.set_location_id("loc-boomgaard-noord");
  EXPECT_EQ(service_->List(call).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace olif::handover
