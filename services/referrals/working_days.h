#pragma once

// Working days for response times: weekends and configured holidays do not
// count, in the configured time zone.

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace olif::referrals {

class WorkingDays {
 public:
  // `holidays` as YYYY-MM-DD; `time_zone` an IANA name ("Europe/Amsterdam").
  // INVALID_ARGUMENT naming the holiday or zone that does not parse.
  static absl::StatusOr<WorkingDays> Create(const std::vector<std::string>& holidays,
                                            const std::string& time_zone);

  bool IsWorkingDay(absl::CivilDay day) const;
  // The moment `n` working days after `from`: the same local time of day on
  // the n-th working day after from's day (from a Saturday, 1 working day is
  // Monday at that time).
  absl::Time Add(absl::Time from, int n) const;

 private:
  WorkingDays(std::set<absl::CivilDay> holidays, absl::TimeZone zone)
      : holidays_(std::move(holidays)), zone_(zone) {}
  std::set<absl::CivilDay> holidays_;
  absl::TimeZone zone_;
};

}  // namespace olif::referrals
