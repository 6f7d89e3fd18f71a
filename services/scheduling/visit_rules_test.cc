#include "services/scheduling/visit_rules.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "services/common/clock/timestamp.h"
#include "services/common/status/status.h"
#include "services/common/testing/dev_directory.h"
#include "services/scheduling/testing_util.h"

namespace olif::scheduling {
namespace {

using testing_util::Amsterdam;

// Tuesday 8 December 2026 at hh:mm in Amsterdam, for `minutes`.
Slot Tuesday(int hh, int mm, int minutes) {
  const absl::Time start = testing_util::At(2026, 12, 8, hh, mm);
  return {start, start + absl::Minutes(minutes)};
}

v1::Availability AnnaWorks() {
  v1::Availability a;
  a.set_expert_id("prof-anna-de-vries");
  for (int day : {1, 2, 4}) {
    auto* w = a.add_weekly();
    w->set_weekday(day);
    w->set_start("09:00");
    w->set_end("17:00");
  }
  return a;
}

v1::Visit Booked(const std::string& id, const Slot& slot) {
  v1::Visit v;
  v.set_id(id);
  v.set_status(v1::VISIT_STATUS_BOOKED);
  *v.mutable_start() = ToTimestamp(slot.start);
  *v.mutable_end() = ToTimestamp(slot.end);
  return v;
}

struct Case {
  const char* name;
  std::function<absl::Status()> check;
  const char* type;     // "" when it passes
  const char* subject;  // checked when a type is given
};

TEST(VisitRulesTest, EachRuleAsATable) {
  const auto dir = olif::testing_util::DevDirectory()->Get();
  const auto* noord = dir->FindLocation("loc-boomgaard-noord");
  const auto* zonnestraal = dir->FindLocation("loc-zonnestraal-centrum");
  const absl::TimeZone ams = Amsterdam();
  const absl::Time now = Tuesday(8, 0, 0).start;
  v1::Availability away = AnnaWorks();
  auto* e = away.add_exceptions();
  e->set_id("exc-1");
  e->set_kind(v1::EXCEPTION_KIND_LEAVE);
  e->set_first_day("2026-12-07");
  e->set_last_day("2026-12-11");
  const std::vector<Case> cases = {
      {"in the future", [&] { return CheckNotPast(Tuesday(10, 0, 60), now); }, "", ""},
      {"in the past", [&] { return CheckNotPast(Tuesday(7, 0, 60), now); }, "PAST", ""},
      {"starting now", [&] { return CheckNotPast(Tuesday(8, 0, 60), now); }, "PAST", ""},
      {"group at its location",
       [&] { return CheckGroupAtLocation(*dir, "loc-boomgaard-noord", "grp-egeltjes"); }, "", ""},
      {"group of another location",
       [&] { return CheckGroupAtLocation(*dir, "loc-boomgaard-noord", "grp-kikkers"); },
       "GROUP_NOT_AT_LOCATION", "locations/loc-boomgaard-noord"},
      {"within opening hours", [&] { return CheckLocationOpen(*noord, Tuesday(10, 0, 90), ams); },
       "", ""},
      {"before opening", [&] { return CheckLocationOpen(*noord, Tuesday(7, 0, 60), ams); },
       "LOCATION_CLOSED", "locations/loc-boomgaard-noord"},
      {"past closing", [&] { return CheckLocationOpen(*noord, Tuesday(18, 0, 60), ams); },
       "LOCATION_CLOSED", "locations/loc-boomgaard-noord"},
      {"on a Saturday",
       [&] {
         const Slot sat{Tuesday(10, 0, 0).start + absl::Hours(96),
                        Tuesday(11, 0, 0).start + absl::Hours(96)};
         return CheckLocationOpen(*noord, sat, ams);
       },
       "LOCATION_CLOSED", "locations/loc-boomgaard-noord"},
      {"Friday afternoon at a location closing at 13:00",
       [&] {
         const Slot fri{Tuesday(14, 0, 0).start + absl::Hours(72),
                        Tuesday(15, 0, 0).start + absl::Hours(72)};
         return CheckLocationOpen(*zonnestraal, fri, ams);
       },
       "LOCATION_CLOSED", "locations/loc-zonnestraal-centrum"},
      {"within the weekly pattern",
       [&] { return CheckAvailable(AnnaWorks(), Tuesday(9, 0, 480), ams); }, "", ""},
      {"beyond the weekly pattern",
       [&] { return CheckAvailable(AnnaWorks(), Tuesday(16, 30, 60), ams); },
       "OUTSIDE_AVAILABILITY", "experts/prof-anna-de-vries"},
      {"on a day not in the pattern",
       [&] {
         const Slot wed{Tuesday(10, 0, 0).start + absl::Hours(24),
                        Tuesday(11, 0, 0).start + absl::Hours(24)};
         return CheckAvailable(AnnaWorks(), wed, ams);
       },
       "OUTSIDE_AVAILABILITY", "experts/prof-anna-de-vries"},
      {"on leave", [&] { return CheckAvailable(away, Tuesday(10, 0, 60), ams); },
       "OUTSIDE_AVAILABILITY", "experts/prof-anna-de-vries/exceptions/exc-1"},
      {"no pattern set",
       [&] {
         v1::Availability none;
         none.set_expert_id("prof-anna-de-vries");
         return CheckAvailable(none, Tuesday(10, 0, 60), ams);
       },
       "OUTSIDE_AVAILABILITY", "experts/prof-anna-de-vries"},
      {"a free diary", [&] { return CheckNotDoubleBooked("prof-anna-de-vries", {}, ams); }, "", ""},
      {"a cancelled visit frees its slot",
       [&] {
         v1::Visit cancelled = Booked("v-cancelled", Tuesday(10, 0, 60));
         cancelled.set_status(v1::VISIT_STATUS_CANCELLED);
         return CheckNotDoubleBooked("prof-anna-de-vries", {cancelled}, ams);
       },
       "", ""},
      {"already booked",
       [&] {
         return CheckNotDoubleBooked("prof-anna-de-vries", {Booked("v-other", Tuesday(10, 0, 60))},
                                     ams);
       },
       "EXPERT_BOOKED", "visits/v-other"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status s = c.check();
    if (std::string(c.type).empty()) {
      EXPECT_TRUE(s.ok()) << s;
      continue;
    }
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    google::rpc::PreconditionFailure failure;
    ASSERT_TRUE(GetPreconditionFailure(s, &failure)) << s;
    EXPECT_EQ(failure.violations(0).type(), c.type);
    EXPECT_EQ(failure.violations(0).subject(), c.subject);
    EXPECT_FALSE(failure.violations(0).description().empty());
  }
}

TEST(VisitRulesTest, MessagesSayWhatConflictsInLocalTime) {
  const absl::TimeZone ams = Amsterdam();
  const absl::Status booked =
      CheckNotDoubleBooked("prof-anna-de-vries", {Booked("v-9", Tuesday(10, 0, 90))}, ams);
  EXPECT_EQ(booked.message(),
            "EXPERT_BOOKED: expert prof-anna-de-vries is already booked Tue 2026-12-08 "
            "10:00-11:30 for visit v-9 (visits/v-9)");
  const auto dir = olif::testing_util::DevDirectory()->Get();
  const absl::Status closed =
      CheckLocationOpen(*dir->FindLocation("loc-boomgaard-noord"), Tuesday(18, 0, 60), ams);
  EXPECT_EQ(closed.message(),
            "LOCATION_CLOSED: De Boomgaard Noord is open 07:30-18:30 on 2026-12-08; the visit is "
            "Tue 2026-12-08 18:00-19:00 (locations/loc-boomgaard-noord)");
}

}  // namespace
}  // namespace olif::scheduling
