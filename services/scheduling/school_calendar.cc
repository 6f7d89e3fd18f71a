#include "services/scheduling/school_calendar.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/config/config_loader.h"

namespace olif::scheduling {
namespace {

bool ParseDay(const std::string& text, absl::CivilDay* day) {
  return text.size() == 10 && absl::ParseCivilTime(text, day);
}

// The calendar year a school year starts in ("2026-2027" -> 2026).
int StartYear(const std::string& year) {
  int y = 0;
  (void)absl::SimpleAtoi(year.substr(0, 4), &y);
  return y;
}

}  // namespace

bool SchoolCalendar::IsSchoolYear(const std::string& year) {
  int a = 0;
  int b = 0;
  return year.size() == 9 && year[4] == '-' && absl::SimpleAtoi(year.substr(0, 4), &a) &&
         absl::SimpleAtoi(year.substr(5, 4), &b) && b == a + 1 && a >= 2000 && a < 3000;
}

absl::StatusOr<SchoolCalendar> SchoolCalendar::Create(const cfg::SchoolHolidays& holidays,
                                                      const std::string& time_zone,
                                                      const std::string& year_start) {
  SchoolCalendar c;
  if (!absl::LoadTimeZone(time_zone, &c.zone_)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown time zone '", time_zone, "'"));
  }
  absl::CivilDay start;
  if (year_start.size() != 5 || !absl::ParseCivilTime(absl::StrCat("2001-", year_start), &start)) {
    return absl::InvalidArgumentError(
        absl::StrCat("school_year_start '", year_start, "' must be a day as MM-DD, e.g. 08-01"));
  }
  c.start_month_ = start.month();
  c.start_day_ = start.day();
  c.source_ = holidays.source();
  for (int y = 0; y < holidays.school_years_size(); ++y) {
    const cfg::SchoolYearHolidays& year = holidays.school_years(y);
    const std::string at = absl::StrCat("school_years[", y, "]");
    if (!IsSchoolYear(year.school_year())) {
      return absl::InvalidArgumentError(absl::StrCat(at, ": school_year '", year.school_year(),
                                                     "' must be two years as YYYY-YYYY"));
    }
    if (!c.covered_.insert(year.school_year()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ": school year ", year.school_year(), " is listed twice"));
    }
    const absl::CivilDay first_of_year = c.FirstDay(year.school_year());
    const absl::CivilDay end_of_year = c.EndDay(year.school_year());
    for (int h = 0; h < year.holidays_size(); ++h) {
      const cfg::Holiday& holiday = year.holidays(h);
      const std::string where = absl::StrCat(at, ".holidays[", h, "] (", holiday.name(), ")");
      absl::CivilDay first;
      absl::CivilDay last;
      if (!ParseDay(holiday.first_day(), &first) || !ParseDay(holiday.last_day(), &last)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": first_day and last_day must be dates as YYYY-MM-DD"));
      }
      if (last < first) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": last_day is before first_day"));
      }
      if (first < first_of_year || last >= end_of_year + 45) {
        // A summer holiday runs into the first weeks after 1 August.
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": lies outside school year ", year.school_year()));
      }
      if (holiday.regions().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": names no region"));
      }
      for (int r : holiday.regions()) {
        if (r == cfg::SCHOOL_REGION_UNSPECIFIED) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": a region is unspecified"));
        }
        for (absl::CivilDay d = first; d <= last; ++d) {
          c.holidays_[static_cast<cfg::SchoolRegion>(r)].insert(d);
        }
      }
    }
  }
  return c;
}

absl::StatusOr<SchoolCalendar> SchoolCalendar::Load(const std::string& path,
                                                    const std::string& time_zone,
                                                    const std::string& year_start) {
  cfg::SchoolHolidays holidays;
  if (absl::Status s = config::LoadFile(path, &holidays); !s.ok()) return s;
  absl::StatusOr<SchoolCalendar> c = Create(holidays, time_zone, year_start);
  if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", c.status().message()));
  return c;
}

std::string SchoolCalendar::SchoolYearOf(absl::Time t) const {
  const absl::CivilDay day = absl::ToCivilDay(t, zone_);
  const absl::CivilDay start_this_year(day.year(), start_month_, start_day_);
  const int64_t first = day >= start_this_year ? day.year() : day.year() - 1;
  return absl::StrCat(first, "-", first + 1);
}

absl::CivilDay SchoolCalendar::FirstDay(const std::string& year) const {
  return absl::CivilDay(StartYear(year), start_month_, start_day_);
}

absl::CivilDay SchoolCalendar::EndDay(const std::string& year) const {
  return absl::CivilDay(StartYear(year) + 1, start_month_, start_day_);
}

bool SchoolCalendar::IsHoliday(absl::CivilDay day, cfg::SchoolRegion region) const {
  auto it = holidays_.find(region);
  return it != holidays_.end() && it->second.count(day) > 0;
}

int SchoolCalendar::PlannableDays(absl::CivilDay from, absl::CivilDay to,
                                  cfg::SchoolRegion region) const {
  int n = 0;
  for (absl::CivilDay d = from; d < to; ++d) {
    const absl::Weekday w = absl::GetWeekday(d);
    if (w == absl::Weekday::saturday || w == absl::Weekday::sunday) continue;
    if (!IsHoliday(d, region)) ++n;
  }
  return n;
}

}  // namespace olif::scheduling
