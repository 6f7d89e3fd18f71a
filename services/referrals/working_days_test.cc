#include "services/referrals/working_days.h"

#include <gtest/gtest.h>

namespace olif::referrals {
namespace {

absl::Time Amsterdam(int y, int m, int d, int h, int min = 0) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &tz));
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, min, 0), tz);
}

TEST(WorkingDaysTest, SkipsWeekendsAndHolidays) {
  // Christmas 2026: Friday 25 and Saturday 26 December.
  auto wd = WorkingDays::Create({"2026-12-25", "2026-12-28"}, "Europe/Amsterdam");
  ASSERT_TRUE(wd.ok()) << wd.status();
  // Tuesday + 2 working days = Thursday.
  EXPECT_EQ(wd->Add(Amsterdam(2026, 12, 1, 14, 30), 2), Amsterdam(2026, 12, 3, 14, 30));
  // Thursday 24 Dec + 2: Fri 25 holiday, weekend, Mon 28 holiday → Tue 29, Wed 30.
  EXPECT_EQ(wd->Add(Amsterdam(2026, 12, 24, 9), 2), Amsterdam(2026, 12, 30, 9));
  // From a Saturday, one working day is Monday at the same time.
  EXPECT_EQ(wd->Add(Amsterdam(2026, 11, 21, 10), 1), Amsterdam(2026, 11, 23, 10));
  EXPECT_FALSE(wd->IsWorkingDay(absl::CivilDay(2026, 12, 25)));
  EXPECT_TRUE(wd->IsWorkingDay(absl::CivilDay(2026, 12, 29)));
}

TEST(WorkingDaysTest, KeepsLocalTimeAcrossDaylightSavingTime) {
  auto wd = WorkingDays::Create({}, "Europe/Amsterdam");
  ASSERT_TRUE(wd.ok());
  // Friday 23 October 2026 10:00 CEST + 2 working days = Tuesday 27 October 10:00 CET.
  EXPECT_EQ(wd->Add(Amsterdam(2026, 10, 23, 10), 2), Amsterdam(2026, 10, 27, 10));
}

TEST(WorkingDaysTest, RefusesBadHolidaysAndZones) {
  EXPECT_EQ(
      WorkingDays::Create({"2026-12-25", "25-12-2026"}, "Europe/Amsterdam").status().message(),
      "referrals.holidays[1]: '25-12-2026' is not a date as YYYY-MM-DD");
  EXPECT_EQ(WorkingDays::Create({}, "Europe/Nergenshuizen").status().message(),
            "referrals.time_zone: unknown time zone 'Europe/Nergenshuizen'");
}

}  // namespace
}  // namespace olif::referrals
