#pragma once

// The conflict rules of booking a visit, each a pure function: OK, or
// FAILED_PRECONDITION carrying a google.rpc.PreconditionFailure whose type
// names the rule and whose subject names what the visit conflicts with (the
// other visit, the location, the expert). Weekdays, opening hours and
// availability are read in the service's time zone.
//
//   PAST               the visit starts at or before now
//   GROUP_NOT_AT_LOCATION  the group is not a group of that location
//   LOCATION_CLOSED    the visit is not within the location's opening hours
//   OUTSIDE_AVAILABILITY   not within the expert's weekly pattern, or on a
//                      day of an exception (leave, sickness)
//   EXPERT_BOOKED      the expert has another visit at that time

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "olifantenpad/config/v1/directory.pb.h"
#include "olifantenpad/scheduling/v1/scheduling.pb.h"
#include "services/common/directory/directory.h"

namespace olif::scheduling {

namespace v1 = olifantenpad::scheduling::v1;

struct Slot {
  absl::Time start;
  absl::Time end;
};

absl::Status CheckNotPast(const Slot& slot, absl::Time now);
absl::Status CheckGroupAtLocation(const directory::Directory& dir, const std::string& location_id,
                                  const std::string& group_id);
absl::Status CheckLocationOpen(const olifantenpad::config::v1::Location& location, const Slot& slot,
                               const absl::TimeZone& zone);
absl::Status CheckAvailable(const v1::Availability& availability, const Slot& slot,
                            const absl::TimeZone& zone);
// `others` are the expert's visits overlapping the slot (the visit itself
// left out).
absl::Status CheckNotDoubleBooked(const std::string& expert_id,
                                  const std::vector<v1::Visit>& others, const absl::TimeZone& zone);

// Whether a visit in this status holds its slot in the expert's diary.
bool HoldsSlot(v1::VisitStatus status);

// "Tue 2026-12-08 10:00-11:30" in `zone`, for messages and calendars.
std::string DescribeSlot(const Slot& slot, const absl::TimeZone& zone);

}  // namespace olif::scheduling
