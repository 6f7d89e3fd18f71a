#include "services/referrals/working_days.h"

#include "absl/strings/str_cat.h"

namespace olif::referrals {

absl::StatusOr<WorkingDays> WorkingDays::Create(const std::vector<std::string>& holidays,
                                                const std::string& time_zone) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(time_zone, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("referrals.time_zone: unknown time zone '", time_zone, "'"));
  }
  std::set<absl::CivilDay> days;
  for (size_t i = 0; i < holidays.size(); ++i) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(holidays[i], &day)) {
      return absl::InvalidArgumentError(absl::StrCat("referrals.holidays[", i, "]: '", holidays[i],
                                                     "' is not a date as YYYY-MM-DD"));
    }
    days.insert(day);
  }
  return WorkingDays(std::move(days), zone);
}

bool WorkingDays::IsWorkingDay(absl::CivilDay day) const {
  const absl::Weekday w = absl::GetWeekday(day);
  return w != absl::Weekday::saturday && w != absl::Weekday::sunday && !holidays_.contains(day);
}

absl::Time WorkingDays::Add(absl::Time from, int n) const {
  const absl::CivilSecond local = absl::ToCivilSecond(from, zone_);
  absl::CivilDay day = absl::CivilDay(local);
  for (int counted = 0; counted < n;) {
    ++day;
    if (IsWorkingDay(day)) ++counted;
  }
  const absl::CivilSecond due(day.year(), day.month(), day.day(), local.hour(), local.minute(),
                              local.second());
  return absl::FromCivil(due, zone_) + (from - absl::FromCivil(local, zone_));
}

}  // namespace olif::referrals
