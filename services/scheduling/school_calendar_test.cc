#include "services/scheduling/school_calendar.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "services/scheduling/testing_util.h"

namespace olif::scheduling {
namespace {

const std::string kShipped = std::string(OLIF_SOURCE_DIR) + "/config/school_holidays.yaml";

SchoolCalendar Shipped(const std::string& start = "08-01") {
  auto c = SchoolCalendar::Load(kShipped, "Europe/Amsterdam", start);
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

absl::Time Local(int y, int m, int d) { return testing_util::At(y, m, d, 12); }

TEST(SchoolCalendarTest, TheShippedTableCoversThisAndNextSchoolYearAndSaysWhereItCameFrom) {
  const SchoolCalendar c = Shipped();
  EXPECT_TRUE(c.Covers("2026-2027"));
  EXPECT_TRUE(c.Covers("2027-2028"));
  EXPECT_FALSE(c.Covers("2028-2029"));
  EXPECT_NE(c.source().find("rijksoverheid.nl"), std::string::npos) << c.source();
  // Each region has its own summer: on 2027-07-12 only the north is off.
  EXPECT_TRUE(c.IsHoliday(absl::CivilDay(2027, 7, 12), cfg::SCHOOL_REGION_NORTH));
  EXPECT_FALSE(c.IsHoliday(absl::CivilDay(2027, 7, 12), cfg::SCHOOL_REGION_MIDDLE));
  EXPECT_FALSE(c.IsHoliday(absl::CivilDay(2027, 7, 12), cfg::SCHOOL_REGION_SOUTH));
  // Christmas is national.
  for (auto r : {cfg::SCHOOL_REGION_NORTH, cfg::SCHOOL_REGION_MIDDLE, cfg::SCHOOL_REGION_SOUTH}) {
    EXPECT_TRUE(c.IsHoliday(absl::CivilDay(2026, 12, 28), r));
  }
  EXPECT_FALSE(c.IsHoliday(absl::CivilDay(2026, 12, 28), cfg::SCHOOL_REGION_UNSPECIFIED));
}

TEST(SchoolCalendarTest, TheSchoolYearTurnsOnItsFirstDayInTheLocalZone) {
  const SchoolCalendar c = Shipped();
  absl::TimeZone ams = c.zone();
  const absl::Time last_second = absl::FromCivil(absl::CivilSecond(2027, 7, 31, 23, 59, 59), ams);
  EXPECT_EQ(c.SchoolYearOf(last_second), "2026-2027");
  EXPECT_EQ(c.SchoolYearOf(last_second + absl::Seconds(1)), "2027-2028");
  // 2027-07-31 22:30 UTC is already 1 August in Amsterdam.
  EXPECT_EQ(c.SchoolYearOf(
                absl::FromCivil(absl::CivilSecond(2027, 7, 31, 22, 30, 0), absl::UTCTimeZone())),
            "2027-2028");
  EXPECT_EQ(c.FirstDay("2026-2027"), absl::CivilDay(2026, 8, 1));
  EXPECT_EQ(c.EndDay("2026-2027"), absl::CivilDay(2027, 8, 1));
  // Configurable: a school year from 1 September.
  const SchoolCalendar sept = Shipped("09-01");
  EXPECT_EQ(sept.SchoolYearOf(Local(2027, 8, 20)), "2026-2027");
  EXPECT_EQ(sept.SchoolYearOf(Local(2027, 9, 1)), "2027-2028");
}

TEST(SchoolCalendarTest, PlannableDaysAreWeekdaysOutsideTheRegionsHolidays) {
  const SchoolCalendar c = Shipped();
  // 12-25 October 2026: two weeks, ten weekdays. The middle region's autumn
  // holiday (17-25 October) takes the second week; the north's (10-18
  // October) the first.
  const absl::CivilDay from(2026, 10, 12);
  const absl::CivilDay to(2026, 10, 26);
  EXPECT_EQ(c.PlannableDays(from, to, cfg::SCHOOL_REGION_UNSPECIFIED), 10);
  EXPECT_EQ(c.PlannableDays(from, to, cfg::SCHOOL_REGION_MIDDLE), 5);
  EXPECT_EQ(c.PlannableDays(from, to, cfg::SCHOOL_REGION_NORTH), 5);
  EXPECT_EQ(c.PlannableDays(to, from, cfg::SCHOOL_REGION_MIDDLE), 0);
}

struct Broken {
  const char* name;
  std::function<void(cfg::SchoolHolidays&)> mutate;
  const char* error;
};

TEST(SchoolCalendarTest, ABrokenTableIsRefusedNamingTheEntry) {
  const std::vector<Broken> cases = {
      {"school year", [](auto& h) { h.mutable_school_years(0)->set_school_year("2026/27"); },
       "school_years[0]: school_year '2026/27' must be two years as YYYY-YYYY"},
      {"year twice", [](auto& h) { h.mutable_school_years(1)->set_school_year("2026-2027"); },
       "school_years[1]: school year 2026-2027 is listed twice"},
      {"bad date",
       [](auto& h) { h.mutable_school_years(0)->mutable_holidays(0)->set_first_day("10-10-2026"); },
       "school_years[0].holidays[0] (herfstvakantie): first_day and last_day must be dates as "
       "YYYY-MM-DD"},
      {"reversed",
       [](auto& h) { h.mutable_school_years(0)->mutable_holidays(0)->set_last_day("2026-10-01"); },
       "school_years[0].holidays[0] (herfstvakantie): last_day is before first_day"},
      {"other year",
       [](auto& h) {
         auto* x = h.mutable_school_years(0)->mutable_holidays(0);
         x->set_first_day("2025-10-10");
       },
       "school_years[0].holidays[0] (herfstvakantie): lies outside school year 2026-2027"},
      {"no region",
       [](auto& h) { h.mutable_school_years(0)->mutable_holidays(2)->clear_regions(); },
       "school_years[0].holidays[2] (kerstvakantie): names no region"},
  };
  for (const Broken& b : cases) {
    SCOPED_TRACE(b.name);
    cfg::SchoolHolidays h;
    h.set_source("test");
    auto* y = h.add_school_years();
    y->set_school_year("2026-2027");
    for (auto [name, first, last] : {std::tuple{"herfstvakantie", "2026-10-10", "2026-10-18"},
                                     std::tuple{"voorjaarsvakantie", "2027-02-20", "2027-02-28"},
                                     std::tuple{"kerstvakantie", "2026-12-19", "2027-01-03"}}) {
      auto* x = y->add_holidays();
      x->set_name(name);
      x->set_first_day(first);
      x->set_last_day(last);
      x->add_regions(cfg::SCHOOL_REGION_NORTH);
    }
    h.add_school_years()->set_school_year("2027-2028");
    b.mutate(h);
    auto c = SchoolCalendar::Create(h, "Europe/Amsterdam", "08-01");
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(c.status().message(), b.error);
  }
  EXPECT_FALSE(SchoolCalendar::Create({}, "Mars/Olympus", "08-01").ok());
  EXPECT_FALSE(SchoolCalendar::Create({}, "Europe/Amsterdam", "13-01").ok());
}

}  // namespace
}  // namespace olif::scheduling
