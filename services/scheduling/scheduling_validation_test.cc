#include "services/scheduling/scheduling_validation.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "services/common/clock/timestamp.h"
#include "services/common/status/status.h"
#include "services/common/testing/dev_directory.h"
#include "services/scheduling/testing_util.h"

namespace olif::scheduling {
namespace {

// The fields a refusal names, from its BadRequest.
std::set<std::string> Fields(const absl::Status& s) {
  google::rpc::BadRequest bad;
  std::set<std::string> fields;
  if (!GetBadRequest(s, &bad)) return fields;
  for (const auto& f : bad.field_violations()) fields.insert(f.field());
  return fields;
}

v1::PlanVisitRequest ValidPlan() {
  v1::PlanVisitRequest call;
  call.set_request_id("5b0c7e1a-2f3d-4c5e-8a9b-0c1d2e3f4a5b");
  v1::Visit* v = call.mutable_visit();
  v->set_kind(v1::VISIT_KIND_PREVENTIVE_GROUP_VISIT);
  v->set_location_id("loc-boomgaard-noord");
  v->set_group_id("grp-egeltjes");
  *v->mutable_start() = ToTimestamp(testing_util::At(2026, 12, 8, 10));
  *v->mutable_end() = ToTimestamp(testing_util::At(2026, 12, 8, 11, 30));
  auto* p = v->add_participants();
  p->set_role(v1::PARTICIPANT_ROLE_PEDAGOGICAL_WORKER);
  p->set_professional_id("prof-sanne-bakker");
  return call;
}

struct BadPlan {
  const char* name;
  std::function<void(v1::PlanVisitRequest&)> change;
  std::set<std::string> fields;
};

TEST(SchedulingValidationTest, APlanNamesEveryInvalidFieldByItsPath) {
  const auto dir = olif::testing_util::DevDirectory()->Get();
  ASSERT_TRUE(ValidatePlan(ValidPlan(), *dir).ok()) << ValidatePlan(ValidPlan(), *dir);
  const std::vector<BadPlan> cases = {
      {"no request id", [](auto& c) { c.clear_request_id(); }, {"request_id"}},
      {"no kind", [](auto& c) { c.mutable_visit()->clear_kind(); }, {"visit.kind"}},
      {"a meeting is confirmed, not planned",
       [](auto& c) { c.mutable_visit()->set_kind(v1::VISIT_KIND_WARM_HANDOVER_MEETING); },
       {"visit.kind"}},
      {"a group visit without its group",
       [](auto& c) { c.mutable_visit()->clear_group_id(); },
       {"visit.group_id"}},
      {"an unknown location",
       [](auto& c) { c.mutable_visit()->set_location_id("loc-nergens"); },
       {"visit.location_id"}},
      {"a teacher is no expert",
       [](auto& c) { c.mutable_visit()->set_expert_id("prof-joost-jansen"); },
       {"visit.expert_id"}},
      {"end before start",
       [](auto& c) { *c.mutable_visit()->mutable_end() = c.visit().start(); },
       {"visit.end"}},
      {"longer than a working day",
       [](auto& c) {
         *c.mutable_visit()->mutable_end() = ToTimestamp(testing_util::At(2026, 12, 8, 21));
       },
       {"visit.end"}},
      {"no times",
       [](auto& c) {
         c.mutable_visit()->clear_start();
         c.mutable_visit()->clear_end();
       },
       {"visit.start", "visit.end"}},
      {"a parent outside a meeting",
       [](auto& c) {
         auto* p = c.mutable_visit()->add_participants();
         p->set_role(v1::PARTICIPANT_ROLE_PARENT);
         p->set_name("Marieke Dekker");
       },
       {"visit.participants[1].role"}},
      {"a professional not in the directory",
       [](auto& c) { c.mutable_visit()->mutable_participants(0)->set_professional_id("prof-x-y"); },
       {"visit.participants[0].professional_id"}},
      {"a participant without a role",
       [](auto& c) { c.mutable_visit()->mutable_participants(0)->clear_role(); },
       {"visit.participants[0].role"}},
      {"a linked request that is no UUID",
       [](auto& c) { c.mutable_visit()->add_linked_request_ids("request-1"); },
       {"visit.linked_request_ids[0]"}},
      {"everything at once",
       [](auto& c) {
         c.clear_request_id();
         c.mutable_visit()->clear_group_id();
         c.mutable_visit()->clear_end();
       },
       {"request_id", "visit.group_id", "visit.end"}},
  };
  for (const BadPlan& c : cases) {
    SCOPED_TRACE(c.name);
    v1::PlanVisitRequest call = ValidPlan();
    c.change(call);
    const absl::Status s = ValidatePlan(call, *dir);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Fields(s), c.fields) << s;
  }
}

TEST(SchedulingValidationTest, AvailabilitySlotsAreTimesOfOneWeekdayThatDoNotOverlap) {
  const auto dir = olif::testing_util::DevDirectory()->Get();
  v1::SetAvailabilityRequest call;
  call.set_expert_id("prof-anna-de-vries");
  auto add = [&call](int day, const char* start, const char* end) {
    auto* w = call.add_weekly();
    w->set_weekday(day);
    w->set_start(start);
    w->set_end(end);
  };
  add(1, "08:30", "12:00");
  add(1, "13:00", "17:00");
  ASSERT_TRUE(ValidateSetAvailability(call, *dir).ok());
  add(1, "11:00", "14:00");  // overlaps both
  add(8, "09:00", "10:00");
  add(2, "9:00", "10:00");
  add(3, "12:00", "11:00");
  add(4, "00:00", "24:00");  // a whole day is fine
  const absl::Status s = ValidateSetAvailability(call, *dir);
  EXPECT_EQ(Fields(s), (std::set<std::string>{"weekly[2].start", "weekly[3].weekday",
                                              "weekly[4].start", "weekly[5].end"}))
      << s;
  call.set_expert_id("prof-sanne-bakker");
  EXPECT_TRUE(Fields(ValidateSetAvailability(call, *dir)).count("expert_id"));
}

TEST(SchedulingValidationTest, ATextLimitCountsCharactersNotBytes) {
  const auto dir = olif::testing_util::DevDirectory()->Get();
  v1::CancelVisitRequest cancel;
  cancel.set_id("5b0c7e1a-2f3d-4c5e-8a9b-0c1d2e3f4a5b");
  cancel.set_version(1);
  cancel.set_reason(std::string(kMaxReasonChars, 'e'));
  EXPECT_TRUE(ValidateCancel(cancel).ok());
  std::string accented;
  for (int i = 0; i < kMaxReasonChars; ++i) accented += "é";  // two bytes each
  cancel.set_reason(accented);
  EXPECT_TRUE(ValidateCancel(cancel).ok()) << "1000 characters, 2000 bytes";
  cancel.set_reason(accented + "é");
  EXPECT_EQ(ValidateCancel(cancel).message(), "reason: must be at most 1000 characters, not 1001");
  cancel.set_reason("  ");
  EXPECT_EQ(Fields(ValidateCancel(cancel)), std::set<std::string>{"reason"});
  cancel.set_version(0);
  EXPECT_TRUE(Fields(ValidateCancel(cancel)).count("version"));
}

TEST(SchedulingValidationTest, AMeetingNeedsAWorkerAParentAndATeacher) {
  const auto dir = olif::testing_util::DevDirectory()->Get();
  v1::ConfirmMeetingRequest call;
  call.set_id("5b0c7e1a-2f3d-4c5e-8a9b-0c1d2e3f4a5b");
  call.set_version(1);
  *call.mutable_start() = ToTimestamp(testing_util::At(2026, 12, 8, 15));
  *call.mutable_end() = ToTimestamp(testing_util::At(2026, 12, 8, 16));
  auto* worker = call.add_participants();
  worker->set_role(v1::PARTICIPANT_ROLE_PEDAGOGICAL_WORKER);
  worker->set_professional_id("prof-sanne-bakker");
  auto* teacher = call.add_participants();
  teacher->set_role(v1::PARTICIPANT_ROLE_TEACHER);
  teacher->set_name("Meester Bram");  // a teacher not in the directory, by name
  auto* parent = call.add_participants();
  parent->set_role(v1::PARTICIPANT_ROLE_PARENT);
  parent->set_name("Marieke Dekker");
  EXPECT_TRUE(ValidateConfirm(call, *dir).ok()) << ValidateConfirm(call, *dir);
  call.mutable_participants(2)->clear_name();
  EXPECT_EQ(Fields(ValidateConfirm(call, *dir)), std::set<std::string>{"participants[2].name"});
  call.mutable_participants()->RemoveLast();
  EXPECT_EQ(ValidateConfirm(call, *dir).message(),
            "participants: must include a parent (PARTICIPANT_ROLE_PARENT)");
}

TEST(SchedulingValidationTest, ScopesAreExactlyOne) {
  const auto dir = olif::testing_util::DevDirectory()->Get();
  v1::GetComplianceRequest compliance;
  EXPECT_TRUE(Fields(ValidateCompliance(compliance, *dir)).count("organisation_id"));
  compliance.set_organisation_id("org-kdv-de-boomgaard");
  EXPECT_TRUE(ValidateCompliance(compliance, *dir).ok());
  compliance.set_school_year("2026/27");
  EXPECT_EQ(Fields(ValidateCompliance(compliance, *dir)), std::set<std::string>{"school_year"});
  v1::IssueFeedTokenRequest feed;
  feed.set_expert_id("prof-anna-de-vries");
  feed.set_location_id("loc-boomgaard-noord");
  EXPECT_EQ(Fields(ValidateIssueFeed(feed, *dir)), std::set<std::string>{"expert_id"});
  v1::ListVisitsRequest list;
  EXPECT_EQ(Fields(ValidateList(list)), std::set<std::string>{"expert_id"});
}

}  // namespace
}  // namespace olif::scheduling
