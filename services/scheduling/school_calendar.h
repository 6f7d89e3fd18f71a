#pragma once

// The school year and its holidays: which school year an instant falls in
// ("2026-2027", from a configurable first day, 1 August by default), where a
// school year starts and ends, and which days of it can still take a visit
// (weekdays outside the region's school holidays, from the holidays file in
// config/). Immutable once built; safe to share between threads.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "olifantenpad/config/v1/scheduling.pb.h"

namespace olif::scheduling {

namespace cfg = olifantenpad::config::v1;

class SchoolCalendar {
 public:
  // `holidays` is checked: dates as YYYY-MM-DD, first day not after the last,
  // each holiday inside its school year, regions given. `year_start` is
  // "MM-DD". The error names the entry and the problem.
  static absl::StatusOr<SchoolCalendar> Create(const cfg::SchoolHolidays& holidays,
                                               const std::string& time_zone,
                                               const std::string& year_start);
  // Reads the holidays file at `path`, then Create().
  static absl::StatusOr<SchoolCalendar> Load(const std::string& path, const std::string& time_zone,
                                             const std::string& year_start);

  const absl::TimeZone& zone() const { return zone_; }
  // The school year `t` falls in, e.g. "2026-2027".
  std::string SchoolYearOf(absl::Time t) const;
  // Whether `year` is written as a school year ("2026-2027").
  static bool IsSchoolYear(const std::string& year);
  // The first day of school year `year` and the first day of the next.
  absl::CivilDay FirstDay(const std::string& year) const;
  absl::CivilDay EndDay(const std::string& year) const;  // exclusive
  // Whether the holidays file covers `year` (the plannable days of a year it
  // does not cover count every weekday).
  bool Covers(const std::string& year) const { return covered_.count(year) > 0; }
  // Whether `day` is a school holiday in `region`.
  bool IsHoliday(absl::CivilDay day, cfg::SchoolRegion region) const;
  // Weekdays in [from, to) that are not school holidays in `region`.
  int PlannableDays(absl::CivilDay from, absl::CivilDay to, cfg::SchoolRegion region) const;
  // Where the holidays came from, as the file says.
  const std::string& source() const { return source_; }

 private:
  SchoolCalendar() = default;

  absl::TimeZone zone_;
  int start_month_ = 8;
  int start_day_ = 1;
  std::string source_;
  std::set<std::string> covered_;
  std::map<cfg::SchoolRegion, std::set<absl::CivilDay>> holidays_;
};

}  // namespace olif::scheduling
