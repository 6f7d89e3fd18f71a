// The scheduling service with its SQLite store in a temporary directory, the
// dev region's directory, the shipped school holidays and a fake clock.

#include "services/scheduling/scheduling_service.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/message_differencer.h>

#include <future>
#include <map>
#include <string>
#include <vector>

#include "olifantenpad/consent/v1/events.pb.h"
#include "olifantenpad/handover/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/bus/producer.h"
#include "services/common/clock/timestamp.h"
#include "services/common/consent/projection.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/ids/ids.h"
#include "services/common/outbox/outbox.h"
#include "services/common/status/status.h"
#include "services/common/testing/dev_directory.h"
#include "services/common/testing/grpc_server.h"
#include "services/common/testing/testing.h"
#include "services/scheduling/scheduling_grpc.h"
#include "services/scheduling/sqlite_scheduling_store.h"
#include "services/scheduling/testing_util.h"

namespace olif::scheduling {
namespace {

namespace cv1 = olifantenpad::consent::v1;
namespace hv1 = olifantenpad::handover::v1;

constexpr char kAnna[] = "prof-anna-de-vries";
constexpr char kNoord[] = "loc-boomgaard-noord";
constexpr char kEgeltjes[] = "grp-egeltjes";
constexpr char kChild[] = "3b9e2c1d-5f4a-4e8b-9c7d-1a2b3c4d5e6f";

using testing_util::At;

// Waits for a write of the service.
template <typename T, typename Call, typename Method>
absl::StatusOr<T> Wait(SchedulingService& s, Method method, const Call& call) {
  return olif::testing_util::CallAndWait<T>(s, method, call);
}

using olif::testing_util::ConflictType;

class SchedulingServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = (olif::testing_util::FreshTestDir("scheduling") / "scheduling.db").string();
    Open();
  }

  void Open() {
    service_.reset();
    store_.reset();
    store_ = *SqliteSchedulingStore::Open(path_);
    directory_ = olif::testing_util::DevDirectory();
    auto calendar = SchoolCalendar::Load(
        std::string(OLIF_SOURCE_DIR) + "/config/school_holidays.yaml", "Europe/Amsterdam", "08-01");
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    service_ =
        std::make_unique<SchedulingService>(*store_, clock_, *directory_, *calendar, Settings{});
    handler_ = store_->ConsumerHandler([this](SchedulingTransaction& txn, const auto& e) {
      return e.topic().rfind("consent.", 0) == 0 ? service_->ApplyConsentEvent(txn, e)
                                                 : service_->ApplyHandoverEvent(txn, e);
    });
  }

  // Anna works Monday to Friday, 08:00-17:00.
  void AnnaWorksWeekdays() {
    v1::SetAvailabilityRequest call;
    call.set_expert_id(kAnna);
    for (int day = 1; day <= 5; ++day) {
      auto* w = call.add_weekly();
      w->set_weekday(day);
      w->set_start("08:00");
      w->set_end("17:00");
    }
    call.set_version(store_->GetAvailability(kAnna)->version());
    ASSERT_TRUE(
        (Wait<v1::Availability>(*service_, &SchedulingService::SetAvailability, call)).ok());
  }

  static v1::PlanVisitRequest Preventive(absl::Time start, int minutes = 90,
                                         const std::string& group = kEgeltjes) {
    v1::PlanVisitRequest call;
    call.set_request_id(NewUuid());
    v1::Visit* v = call.mutable_visit();
    v->set_kind(v1::VISIT_KIND_PREVENTIVE_GROUP_VISIT);
    v->set_location_id(kNoord);
    v->set_group_id(group);
    *v->mutable_start() = ToTimestamp(start);
    *v->mutable_end() = ToTimestamp(start + absl::Minutes(minutes));
    auto* p = v->add_participants();
    p->set_role(v1::PARTICIPANT_ROLE_PEDAGOGICAL_WORKER);
    p->set_professional_id("prof-sanne-bakker");
    return call;
  }

  absl::StatusOr<v1::Visit> Plan(const v1::PlanVisitRequest& call) {
    return Wait<v1::Visit>(*service_, &SchedulingService::Plan, call);
  }
  absl::StatusOr<v1::Visit> Cancel(const v1::Visit& v, const std::string& reason = "ziek") {
    v1::CancelVisitRequest call;
    call.set_id(v.id());
    call.set_version(v.version());
    call.set_reason(reason);
    return Wait<v1::Visit>(*service_, &SchedulingService::Cancel, call);
  }
  absl::StatusOr<v1::Visit> Held(const v1::Visit& v, v1::VisitReport report = {}) {
    v1::RecordVisitHeldRequest call;
    call.set_id(v.id());
    call.set_version(v.version());
    if (report.group_observations().empty()) report.set_group_observations("Rustige groep.");
    *call.mutable_report() = report;
    return Wait<v1::Visit>(*service_, &SchedulingService::RecordHeld, call);
  }
  absl::StatusOr<v1::Visit> Reschedule(const v1::Visit& v, absl::Time start, int minutes = 90) {
    v1::RescheduleVisitRequest call;
    call.set_id(v.id());
    call.set_version(v.version());
    *call.mutable_start() = ToTimestamp(start);
    *call.mutable_end() = ToTimestamp(start + absl::Minutes(minutes));
    return Wait<v1::Visit>(*service_, &SchedulingService::Reschedule, call);
  }
  v1::GroupCompliance Compliance(const std::string& group = kEgeltjes,
                                 const std::string& year = "") {
    v1::GetComplianceRequest call;
    call.set_location_id(kNoord);
    call.set_group_id(group);
    call.set_school_year(year);
    auto r = service_->Compliance(call);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->groups_size() == 1 ? r->groups(0) : v1::GroupCompliance{};
  }
  std::vector<olifantenpad::common::v1::EventEnvelope> Events() {
    auto e = store_->EventsAfter(0, 10000);
    EXPECT_TRUE(e.ok());
    return e.ok() ? *e : std::vector<olifantenpad::common::v1::EventEnvelope>{};
  }
  int Count(const std::string& topic) {
    int n = 0;
    for (const auto& e : Events()) n += e.topic() == topic;
    return n;
  }
  void Apply(const std::string& topic, const google::protobuf::Message& payload) {
    ASSERT_TRUE(
        olif::testing_util::ApplyEvent(store_->writer(), *handler_, topic, payload, clock_.Now())
            .ok());
  }

  FakeClock clock_{At(2026, 12, 1, 9)};  // Tuesday 1 December 2026
  std::string path_;
  std::unique_ptr<SqliteSchedulingStore> store_;
  std::unique_ptr<directory::DirectoryHolder> directory_;
  std::unique_ptr<SchedulingService> service_;
  std::unique_ptr<bus::EventHandler> handler_;
};

TEST_F(SchedulingServiceTest, PlansAVisitWithThePairedExpertAndAnnouncesIt) {
  AnnaWorksWeekdays();
  auto v = Plan(Preventive(At(2026, 12, 8, 10)));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(IsUuid(v->id()));
  EXPECT_EQ(v->status(), v1::VISIT_STATUS_BOOKED);
  EXPECT_EQ(v->expert_id(), kAnna);
  EXPECT_EQ(v->expert_organisation_id(), "org-jz-het-kompas");
  EXPECT_EQ(v->school_year(), "2026-2027");
  EXPECT_EQ(v->version(), 1);
  EXPECT_EQ(v->sequence(), 0);
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].topic(), kTopicVisitPlanned);
  v1::VisitPlanned planned;
  ASSERT_TRUE(events[0].payload().UnpackTo(&planned));
  EXPECT_EQ(planned.visit().visit_id(), v->id());
  EXPECT_EQ(planned.visit().version(), 1);
  EXPECT_EQ(planned.visit().professional_ids(0), "prof-sanne-bakker");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*store_->Get(v->id()), *v));
}

TEST_F(SchedulingServiceTest, PlanningIsIdempotentOnTheRequestId) {
  AnnaWorksWeekdays();
  const v1::PlanVisitRequest call = Preventive(At(2026, 12, 8, 10));
  auto first = Plan(call);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = Plan(call);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->id(), first->id());
  EXPECT_EQ(Count(kTopicVisitPlanned), 1);
  v1::PlanVisitRequest other = call;
  other.mutable_visit()->set_group_id("grp-vlinders");
  EXPECT_EQ(Plan(other).status().code(), absl::StatusCode::kAlreadyExists);
}

struct ConflictCase {
  const char* name;
  std::function<void(v1::PlanVisitRequest&)> change;
  const char* type;
};

TEST_F(SchedulingServiceTest, ConflictsAreRefusedNamingTheRuleAndStoreNothing) {
  AnnaWorksWeekdays();
  auto taken = Plan(Preventive(At(2026, 12, 8, 10)));
  ASSERT_TRUE(taken.ok()) << taken.status();
  v1::AddExceptionRequest leave;
  leave.set_expert_id(kAnna);
  leave.set_version(store_->GetAvailability(kAnna)->version());
  leave.mutable_exception()->set_kind(v1::EXCEPTION_KIND_LEAVE);
  leave.mutable_exception()->set_first_day("2026-12-14");
  leave.mutable_exception()->set_last_day("2026-12-18");
  ASSERT_TRUE((Wait<v1::Availability>(*service_, &SchedulingService::AddException, leave)).ok());
  auto slot = [](absl::Time start, int minutes) {
    return [start, minutes](v1::PlanVisitRequest& c) {
      *c.mutable_visit()->mutable_start() = ToTimestamp(start);
      *c.mutable_visit()->mutable_end() = ToTimestamp(start + absl::Minutes(minutes));
    };
  };
  const std::vector<ConflictCase> cases = {
      {"the expert is already booked", slot(At(2026, 12, 8, 11), 60), "EXPERT_BOOKED"},
      {"outside availability (evening)", slot(At(2026, 12, 9, 16, 30), 60), "OUTSIDE_AVAILABILITY"},
      {"outside availability (leave)", slot(At(2026, 12, 15, 10), 60), "OUTSIDE_AVAILABILITY"},
      {"the location is closed", slot(At(2026, 12, 12, 10), 60), "LOCATION_CLOSED"},
      {"the group is not at that location",
       [](v1::PlanVisitRequest& c) { c.mutable_visit()->set_group_id("grp-kikkers"); },
       "GROUP_NOT_AT_LOCATION"},
      {"the time is past", slot(At(2026, 11, 30, 10), 60), "PAST"},
  };
  const size_t events_before = Events().size();
  for (const ConflictCase& c : cases) {
    SCOPED_TRACE(c.name);
    v1::PlanVisitRequest call = Preventive(At(2026, 12, 10, 10));
    c.change(call);
    absl::Status s = Plan(call).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_EQ(ConflictType(s), c.type) << s;
  }
  EXPECT_EQ(Events().size(), events_before);
  // The booked visit is named.
  v1::PlanVisitRequest clash = Preventive(At(2026, 12, 8, 11));
  EXPECT_NE(Plan(clash).status().message().find(taken->id()), std::string::npos);
  // Another expert is free then.
  clash.mutable_visit()->set_expert_id("prof-mehmet-yilmaz");
  EXPECT_EQ(ConflictType(Plan(clash).status()), "OUTSIDE_AVAILABILITY")
      << "Mehmet has no availability set";
}

TEST_F(SchedulingServiceTest, RescheduleKeepsTheIdRaisesTheSequenceAndChecksTheRules) {
  AnnaWorksWeekdays();
  auto v = Plan(Preventive(At(2026, 12, 8, 10)));
  ASSERT_TRUE(v.ok());
  auto moved = Reschedule(*v, At(2026, 12, 10, 13));
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->id(), v->id());
  EXPECT_EQ(moved->sequence(), 1);
  EXPECT_EQ(moved->version(), 2);
  EXPECT_EQ(Reschedule(*v, At(2026, 12, 11, 13)).status().code(), absl::StatusCode::kAborted)
      << "a stale version";
  EXPECT_EQ(ConflictType(Reschedule(*moved, At(2026, 12, 12, 13)).status()), "LOCATION_CLOSED");
  // Moving onto its own old slot is no conflict with itself.
  auto back = Reschedule(*moved, At(2026, 12, 10, 13, 30));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->sequence(), 2);
  EXPECT_EQ(Count(kTopicVisitRescheduled), 2);
  // Each event says the visit as the change left it.
  std::vector<int64_t> versions;
  std::vector<int32_t> sequences;
  for (const auto& e : Events()) {
    v1::VisitRescheduled r;
    if (e.topic() != kTopicVisitRescheduled || !e.payload().UnpackTo(&r)) continue;
    versions.push_back(r.visit().version());
    sequences.push_back(r.visit().sequence());
  }
  EXPECT_EQ(versions, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(sequences, (std::vector<int32_t>{1, 2}));
}

TEST_F(SchedulingServiceTest, CancellationNeedsAReasonAndKeepsTheVisit) {
  AnnaWorksWeekdays();
  auto v = Plan(Preventive(At(2026, 12, 8, 10)));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Cancel(*v, " ").status().code(), absl::StatusCode::kInvalidArgument);
  auto cancelled = Cancel(*v, "De groep is op uitje");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->status(), v1::VISIT_STATUS_CANCELLED);
  EXPECT_EQ(cancelled->sequence(), 1);
  EXPECT_EQ(store_->Get(v->id())->cancel_reason(), "De groep is op uitje");
  EXPECT_EQ(ConflictType(Cancel(*cancelled).status()), "VISIT_STATE");
  // The slot is free again.
  EXPECT_TRUE(Plan(Preventive(At(2026, 12, 8, 10))).ok());
}

TEST_F(SchedulingServiceTest, AReportNamesAChildOnlyUnderGroupDiscussionConsent) {
  AnnaWorksWeekdays();
  auto v = Plan(Preventive(At(2026, 12, 8, 10)));
  ASSERT_TRUE(v.ok());
  v1::VisitReport report;
  report.add_competencies_coached(v1::COMPETENCY_NOTABLE_BEHAVIOUR);
  report.add_agreed_actions("Vaste plek aan tafel");
  auto* child = report.add_children();
  child->mutable_child()->set_child_ref(kChild);
  child->set_name("Daan");
  child->set_note("Rustiger met een vaste plek.");
  EXPECT_EQ(ConflictType(Held(*v, report).status()), "NOT_YET_STARTED");
  clock_.SetTime(At(2026, 12, 8, 12));
  EXPECT_EQ(ConflictType(Held(*v, report).status()), "NO_CONSENT");
  cv1::ConsentGranted direct_line_only;
  direct_line_only.set_consent_id(NewUuid());
  direct_line_only.mutable_child()->set_child_ref(kChild);
  direct_line_only.add_purposes(cv1::PURPOSE_DIRECT_LINE);
  direct_line_only.add_recipient_organisation_ids("org-jz-het-kompas");
  *direct_line_only.mutable_valid_from() = ToTimestamp(clock_.Now() - absl::Hours(24));
  *direct_line_only.mutable_valid_until() = ToTimestamp(clock_.Now() + absl::Hours(24 * 300));
  Apply(consent::kTopicGranted, direct_line_only);
  EXPECT_EQ(ConflictType(Held(*v, report).status()), "NO_CONSENT") << "another purpose";
  cv1::ConsentGranted group = direct_line_only;
  group.set_consent_id(NewUuid());
  group.clear_purposes();
  group.add_purposes(cv1::PURPOSE_GROUP_DISCUSSION);
  Apply(consent::kTopicGranted, group);
  auto held = Held(*v, report);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->status(), v1::VISIT_STATUS_HELD);
  EXPECT_EQ(held->report().children(0).name(), "Daan");
  EXPECT_EQ(held->report().staff_reached(0), "prof-sanne-bakker") << "the participants by default";
  // The event names no child and carries no report text.
  for (const auto& e : Events()) {
    EXPECT_EQ(e.payload().value().find("Daan"), std::string::npos) << e.topic();
    EXPECT_EQ(e.payload().value().find(kChild), std::string::npos) << e.topic();
    EXPECT_EQ(e.payload().value().find("Rustiger"), std::string::npos) << e.topic();
  }
}

TEST_F(SchedulingServiceTest, ACoachingReportNamesWhatWasCoached) {
  AnnaWorksWeekdays();
  v1::PlanVisitRequest call = Preventive(At(2026, 12, 8, 10));
  call.mutable_visit()->set_kind(v1::VISIT_KIND_COACHING);
  auto v = Plan(call);
  ASSERT_TRUE(v.ok());
  clock_.SetTime(At(2026, 12, 8, 12));
  absl::Status s = Held(*v).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("report.competencies_coached"), std::string::npos) << s;
}

TEST_F(SchedulingServiceTest, PlanTwoHoldOneCancelTheOtherAndTheGroupIsAtRiskOnce) {
  AnnaWorksWeekdays();
  auto first = Plan(Preventive(At(2026, 12, 8, 10)));
  auto second = Plan(Preventive(At(2027, 3, 9, 10)));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(Compliance().at_risk());
  EXPECT_EQ(Compliance().planned(), 2);
  clock_.SetTime(At(2026, 12, 8, 12));
  ASSERT_TRUE(Held(*first).ok());
  ASSERT_TRUE(Cancel(*second, "Expert ziek").ok());
  const v1::GroupCompliance g = Compliance();
  EXPECT_EQ(g.held(), 1);
  EXPECT_EQ(g.cancelled(), 1);
  EXPECT_EQ(g.planned(), 0);
  EXPECT_EQ(g.minimum(), 2);
  EXPECT_TRUE(g.at_risk());
  EXPECT_EQ(Count(kTopicMinimumAtRisk), 1);
  // The job finds nothing new to say, however often it runs.
  EXPECT_TRUE(service_->AtRisk().empty()) << "known to the admin status once the job looked";
  EXPECT_EQ(*service_->RunDueJobs(), 0);
  clock_.SetTime(At(2026, 12, 8, 13));
  EXPECT_EQ(*service_->RunDueJobs(), 0);
  // The admin status names the group for the operator (and the alerts process),
  // since the run that first found it.
  std::vector<olifantenpad::admin::v1::Attention> risk = service_->AtRisk();
  ASSERT_EQ(risk.size(), 1u);
  EXPECT_EQ(risk[0].kind(), "visit_minimum_at_risk");
  EXPECT_EQ(risk[0].subject(), absl::StrCat("groups/", kNoord, "/", kEgeltjes, "/2026-2027"));
  EXPECT_EQ(risk[0].since().seconds(), absl::ToUnixSeconds(At(2026, 12, 8, 12)));
  // A new visit restores it, once.
  auto third = Plan(Preventive(At(2027, 3, 16, 10)));
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_FALSE(Compliance().at_risk());
  EXPECT_EQ(Count(kTopicMinimumRestored), 1);
  EXPECT_EQ(*service_->RunDueJobs(), 0);
  EXPECT_TRUE(service_->AtRisk().empty()) << "restored: no longer named";
  // Falling below again this school year is not announced a second time.
  ASSERT_TRUE(Cancel(*third).ok());
  EXPECT_TRUE(Compliance().at_risk());
  EXPECT_EQ(Count(kTopicMinimumAtRisk), 1);
  EXPECT_EQ(Count(kTopicMinimumRestored), 1);
  v1::VisitMinimumAtRisk at_risk;
  for (const auto& e : Events()) {
    if (e.topic() == kTopicMinimumAtRisk) {
      ASSERT_TRUE(e.payload().UnpackTo(&at_risk));
    }
  }
  EXPECT_EQ(at_risk.group().group_id(), kEgeltjes);
  EXPECT_EQ(at_risk.held(), 1);
  EXPECT_EQ(at_risk.school_year(), "2026-2027");
}

TEST_F(SchedulingServiceTest, TheLookAheadCountsPlannableDaysAcrossHolidaysAndTheYearBoundary) {
  // Early in the school year nothing is at risk yet: plenty of days are left.
  v1::GroupCompliance early = Compliance();
  EXPECT_FALSE(early.at_risk());
  const SchoolCalendar& cal = service_->calendar();
  // From tomorrow to 1 August, weekdays outside the middle region's holidays.
  EXPECT_EQ(early.plannable_days_left(),
            cal.PlannableDays(absl::CivilDay(2026, 12, 2), absl::CivilDay(2027, 8, 1),
                              olifantenpad::config::v1::SCHOOL_REGION_MIDDLE));
  EXPECT_LT(early.plannable_days_left(),
            cal.PlannableDays(absl::CivilDay(2026, 12, 2), absl::CivilDay(2027, 8, 1),
                              olifantenpad::config::v1::SCHOOL_REGION_UNSPECIFIED))
      << "the holidays count";
  EXPECT_EQ(*service_->RunDueJobs(), 0);
  // 1 June 2027: 33 plannable days are left before the middle region's
  // summer holiday (17 July), within the look-ahead of 40: every group of the
  // directory without two visits is announced at risk, once.
  clock_.SetTime(At(2027, 6, 1, 9));
  EXPECT_EQ(Compliance().plannable_days_left(), 33);
  EXPECT_TRUE(Compliance().at_risk());
  const int groups = 5;  // in config/dev/directory.yaml
  EXPECT_EQ(*service_->RunDueJobs(), groups);
  EXPECT_EQ(*service_->RunDueJobs(), 0);
  EXPECT_EQ(Count(kTopicMinimumAtRisk), groups);
  // The next school year starts afresh: nothing is at risk on 2 August.
  clock_.SetTime(At(2027, 8, 2, 9));
  EXPECT_FALSE(Compliance().at_risk());
  EXPECT_EQ(*service_->RunDueJobs(), 0);
  // The last school year's figures are still there to ask for.
  EXPECT_TRUE(Compliance(kEgeltjes, "2026-2027").at_risk());
  EXPECT_EQ(Compliance(kEgeltjes, "2026-2027").plannable_days_left(), 0);
}

TEST_F(SchedulingServiceTest, AWarmHandoverRequestBecomesAProposedMeetingToConfirm) {
  hv1::WarmHandoverRequested request;
  request.set_handover_id("7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f");
  request.mutable_child()->set_child_ref(kChild);
  request.set_location_id(kNoord);
  request.set_group_id(kEgeltjes);
  request.mutable_school()->set_brin("12AB");
  request.mutable_school()->set_vestiging("00");
  request.set_expected_start_date("2027-01-11");
  request.add_reasons(hv1::WARM_HANDOVER_REASON_VE_INDICATED);
  Apply(handover::kTopicWarmHandoverRequested, request);
  Apply(handover::kTopicWarmHandoverRequested, request);  // asked twice: one meeting
  EXPECT_EQ(Count(kTopicMeetingProposed), 1);
  v1::ListVisitsRequest list;
  list.set_location_id(kNoord);
  auto listed = service_->List(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->visits_size(), 1);
  const v1::Visit meeting = listed->visits(0);
  EXPECT_EQ(meeting.status(), v1::VISIT_STATUS_PROPOSED);
  EXPECT_EQ(meeting.kind(), v1::VISIT_KIND_WARM_HANDOVER_MEETING);
  EXPECT_EQ(FromTimestamp(meeting.window_end()), At(2027, 1, 11, 0));
  EXPECT_EQ(FromTimestamp(meeting.window_start()), clock_.Now())
      << "eight weeks reach back past now";

  v1::ConfirmMeetingRequest confirm;
  confirm.set_id(meeting.id());
  confirm.set_version(meeting.version());
  auto* worker = confirm.add_participants();
  worker->set_role(v1::PARTICIPANT_ROLE_PEDAGOGICAL_WORKER);
  worker->set_professional_id("prof-sanne-bakker");
  auto* teacher = confirm.add_participants();
  teacher->set_role(v1::PARTICIPANT_ROLE_TEACHER);
  teacher->set_professional_id("prof-joost-jansen");
  *confirm.mutable_start() = ToTimestamp(At(2026, 12, 17, 15));
  *confirm.mutable_end() = ToTimestamp(At(2026, 12, 17, 16));
  absl::Status no_parent =
      Wait<v1::Visit>(*service_, &SchedulingService::ConfirmMeeting, confirm).status();
  EXPECT_EQ(no_parent.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(no_parent.message().find("PARTICIPANT_ROLE_PARENT"), std::string::npos) << no_parent;
  auto* parent = confirm.add_participants();
  parent->set_role(v1::PARTICIPANT_ROLE_PARENT);
  parent->set_name("Marieke Dekker");
  *confirm.mutable_start() = ToTimestamp(At(2027, 1, 12, 15));
  *confirm.mutable_end() = ToTimestamp(At(2027, 1, 12, 16));
  EXPECT_EQ(ConflictType(
                Wait<v1::Visit>(*service_, &SchedulingService::ConfirmMeeting, confirm).status()),
            "OUTSIDE_WINDOW");
  *confirm.mutable_start() = ToTimestamp(At(2026, 12, 17, 15));
  *confirm.mutable_end() = ToTimestamp(At(2026, 12, 17, 16));
  auto booked = Wait<v1::Visit>(*service_, &SchedulingService::ConfirmMeeting, confirm);
  ASSERT_TRUE(booked.ok()) << booked.status();
  EXPECT_EQ(booked->status(), v1::VISIT_STATUS_BOOKED);
  EXPECT_EQ(Count(kTopicVisitPlanned), 1);
  for (const auto& e : Events()) {
    EXPECT_EQ(e.payload().value().find("Marieke"), std::string::npos) << e.topic();
  }
}

// A test producer stands in for the handover service (which its own smoke test
// runs with scheduling): a WarmHandoverRequested in its outbox travels over
// the bus (ZeroMQ on loopback) to scheduling's consumer, as the process wires it.
TEST_F(SchedulingServiceTest, AWarmHandoverRequestArrivesOverTheBusFromATestProducer) {
  const std::string dir = (olif::testing_util::FreshTestDir("handover_producer")).string();
  const std::vector<sqlite::Migration> schema = {{1, "0001_outbox.sql", outbox::kTableSql}};
  auto commits = std::make_shared<bus::Signal>();
  sqlite::Writer producer_writer(
      std::move(*sqlite::Database::Open(dir + "/handover.db", schema)),
      sqlite::WriterOptions{.on_commit = [commits](int) { commits->Raise(); }});
  metrics::Registry registry;
  bus::Producer producer(bus::ProducerOptions{.name = "handover",
                                              .endpoint = "tcp://127.0.0.1:*",
                                              .db_path = dir + "/handover.db",
                                              .consumers = {"scheduling"},
                                              .retention = absl::Hours(1),
                                              .commits = commits},
                         producer_writer, registry);
  ASSERT_TRUE(producer.Start().ok());
  bus::Consumer consumer(bus::ConsumerOptions{.name = "scheduling",
                                              .producer = "handover",
                                              .endpoint = producer.endpoint(),
                                              .topics = {handover::kTopicWarmHandoverRequested},
                                              .wait_ms = 200,
                                              .reply_grace_ms = 1000,
                                              .retry_pause_ms = 50},
                         store_->writer(), *handler_, registry);
  ASSERT_TRUE(consumer.Start().ok());
  hv1::WarmHandoverRequested request;
  request.set_handover_id("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a");
  request.mutable_child()->set_child_ref(kChild);
  request.set_location_id(kNoord);
  request.set_expected_start_date("2027-03-01");
  request.add_reasons(hv1::WARM_HANDOVER_REASON_CONCERNS);
  ASSERT_TRUE(producer_writer
                  .Run([&](sqlite::Database& db) {
                    return outbox::Append(db, "handover",
                                          {.topic = handover::kTopicWarmHandoverRequested,
                                           .payload = &request,
                                           .trace_id = "trace-handover",
                                           .occurred_at = clock_.Now()})
                        .status();
                  })
                  .ok());
  ASSERT_TRUE(olif::testing_util::WaitFor([&] { return Count(kTopicMeetingProposed) == 1; }));
  consumer.Stop();
  producer.Stop();
  v1::ListVisitsRequest list;
  list.set_location_id(kNoord);
  auto listed = service_->List(list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->visits_size(), 1);
  EXPECT_EQ(listed->visits(0).handover_id(), request.handover_id());
  EXPECT_EQ(listed->visits(0).status(), v1::VISIT_STATUS_PROPOSED);
  // Eight weeks before 1 March 2027.
  EXPECT_EQ(FromTimestamp(listed->visits(0).window_start()), At(2027, 1, 4, 0));
  EXPECT_EQ(listed->visits(0).trace_id(), "trace-handover");
}

TEST_F(SchedulingServiceTest, TheCoachingSummarySuppressesSmallCounts) {
  AnnaWorksWeekdays();
  std::vector<v1::Visit> visits;
  for (int week = 0; week < 6; ++week) {
    v1::PlanVisitRequest call = Preventive(At(2026, 12, 2, 9) + absl::Hours(24 * 7 * week), 60);
    call.mutable_visit()->set_kind(v1::VISIT_KIND_COACHING);
    auto v = Plan(call);
    ASSERT_TRUE(v.ok()) << v.status();
    visits.push_back(*v);
  }
  clock_.SetTime(At(2027, 1, 31, 9));
  for (size_t i = 0; i < visits.size(); ++i) {
    v1::VisitReport report;
    report.add_competencies_coached(v1::COMPETENCY_NOTABLE_BEHAVIOUR);
    if (i < 2) report.add_competencies_coached(v1::COMPETENCY_ASKING_FOR_HELP);
    ASSERT_TRUE(Held(visits[i], report).ok());
  }
  v1::GetCoachingSummaryRequest call;
  call.set_location_id(kNoord);
  auto summary = service_->CoachingSummary(call);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->school_year(), "2026-2027");
  EXPECT_EQ(summary->sessions(), "6");
  EXPECT_EQ(summary->staff_reached(), "<5");
  std::map<v1::Competency, v1::CompetencyCoaching> per;
  for (const auto& c : summary->competencies()) per[c.competency()] = c;
  EXPECT_EQ(per[v1::COMPETENCY_NOTABLE_BEHAVIOUR].sessions(), "6");
  EXPECT_EQ(per[v1::COMPETENCY_NOTABLE_BEHAVIOUR].minutes(), "360");
  EXPECT_EQ(per[v1::COMPETENCY_ASKING_FOR_HELP].sessions(), "<5");
  EXPECT_EQ(per[v1::COMPETENCY_ASKING_FOR_HELP].minutes(), "<5 sessions");
  EXPECT_EQ(per[v1::COMPETENCY_CHILD_DEVELOPMENT].sessions(), "0");
}

TEST_F(SchedulingServiceTest, AFeedOpensOnlyWithItsCurrentToken) {
  AnnaWorksWeekdays();
  ASSERT_TRUE(Plan(Preventive(At(2026, 12, 8, 10))).ok());
  v1::IssueFeedTokenRequest issue;
  issue.set_expert_id(kAnna);
  auto first =
      Wait<v1::IssueFeedTokenResponse>(*service_, &SchedulingService::IssueFeedToken, issue);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->path(), "/calendar/" + first->token() + ".ics");
  auto feed = service_->RenderFeed(first->token());
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_NE(feed->find("Preventief groepsbezoek – Egeltjes"), std::string::npos) << *feed;
  EXPECT_EQ(service_->RenderFeed("not-a-token").status().code(), absl::StatusCode::kNotFound);
  auto rotated =
      Wait<v1::IssueFeedTokenResponse>(*service_, &SchedulingService::IssueFeedToken, issue);
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(rotated->token(), first->token());
  EXPECT_EQ(service_->RenderFeed(first->token()).status().message(), "unknown feed");
  EXPECT_TRUE(service_->RenderFeed(rotated->token()).ok());
}

TEST_F(SchedulingServiceTest, AFeedReachesBackAsFarAsItsHistory) {
  AnnaWorksWeekdays();
  auto v = Plan(Preventive(At(2026, 12, 8, 10)));
  ASSERT_TRUE(v.ok());
  v1::IssueFeedTokenRequest issue;
  issue.set_location_id(kNoord);
  auto token =
      Wait<v1::IssueFeedTokenResponse>(*service_, &SchedulingService::IssueFeedToken, issue);
  ASSERT_TRUE(token.ok());
  clock_.SetTime(At(2027, 6, 1, 9));  // 175 days after the visit
  EXPECT_NE(service_->RenderFeed(token->token())->find(v->id()), std::string::npos);
  clock_.SetTime(At(2027, 6, 10, 9));  // 184 days after
  EXPECT_EQ(service_->RenderFeed(token->token())->find(v->id()), std::string::npos);
}

TEST(SchedulingSettingsTest, TheConfigOverridesWhatItSetsAndTheDefaultsStay) {
  olifantenpad::config::v1::SchedulingConfig config;
  EXPECT_EQ(SettingsFromConfig(config).visit_minimum, 2);
  EXPECT_EQ(SettingsFromConfig(config).feed_history, absl::Hours(24 * 180));
  config.mutable_scheduling()->set_visit_minimum(3);
  config.mutable_scheduling()->set_at_risk_look_ahead_days(20);
  config.mutable_scheduling()->set_school_year_start("09-01");
  config.mutable_feeds()->mutable_history()->set_seconds(3600 * 24 * 30);
  config.mutable_feeds()->mutable_refresh_interval()->set_seconds(900);
  const Settings s = SettingsFromConfig(config);
  EXPECT_EQ(s.visit_minimum, 3);
  EXPECT_EQ(s.at_risk_look_ahead_days, 20);
  EXPECT_EQ(s.school_year_start, "09-01");
  EXPECT_EQ(s.feed_history, absl::Hours(24 * 30));
  EXPECT_EQ(s.refresh_interval, absl::Minutes(15));
  EXPECT_EQ(s.time_zone, "Europe/Amsterdam");
  EXPECT_EQ(s.suppress_below, 5);
}

TEST_F(SchedulingServiceTest, EverythingSurvivesARestart) {
  AnnaWorksWeekdays();
  auto v = Plan(Preventive(At(2026, 12, 8, 10)));
  ASSERT_TRUE(v.ok());
  Open();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*store_->Get(v->id()), *v));
  EXPECT_EQ(store_->GetAvailability(kAnna)->weekly_size(), 5);
  EXPECT_EQ(ConflictType(Plan(Preventive(At(2026, 12, 8, 10))).status()), "EXPERT_BOOKED");
}

TEST_F(SchedulingServiceTest, PlanningThroughGrpcCarriesVisitsAndConflicts) {
  SchedulingGrpcService shell(*service_);
  olif::testing_util::TestGrpcServer server({&shell}, "scheduling");
  auto stub = server.Stub<v1::SchedulingService>();
  AnnaWorksWeekdays();
  auto call = [&](const v1::PlanVisitRequest& req, v1::PlanVisitResponse* res) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stub->PlanVisit(&ctx, req, res);
  };
  v1::PlanVisitResponse res;
  ASSERT_TRUE(call(Preventive(At(2026, 12, 8, 10)), &res).ok());
  EXPECT_EQ(res.visit().status(), v1::VISIT_STATUS_BOOKED);
  grpc::Status clash = call(Preventive(At(2026, 12, 8, 10)), &res);
  EXPECT_EQ(clash.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ConflictType(FromGrpcStatus(clash)), "EXPERT_BOOKED");
}

}  // namespace
}  // namespace olif::scheduling
