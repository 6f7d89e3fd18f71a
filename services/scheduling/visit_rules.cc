#include "services/scheduling/visit_rules.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "services/common/clock/day_time.h"
#include "services/common/clock/timestamp.h"
#include "services/common/status/status.h"

namespace olif::scheduling {
namespace {

namespace cfg = olifantenpad::config::v1;

// ISO weekday, 1 Monday ... 7 Sunday.
int IsoWeekday(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 0;
}

// The slot as a day and minutes of that day; nothing when it spans midnight.
struct LocalSlot {
  absl::CivilDay day;
  int from = 0;  // minutes since midnight
  int to = 0;
  bool one_day = true;
};

LocalSlot Local(const Slot& slot, const absl::TimeZone& zone) {
  const absl::CivilSecond a = absl::ToCivilSecond(slot.start, zone);
  const absl::CivilSecond b = absl::ToCivilSecond(slot.end, zone);
  LocalSlot l;
  l.day = absl::CivilDay(a);
  l.from = a.hour() * 60 + a.minute();
  if (absl::CivilDay(b) == l.day) {
    l.to = b.hour() * 60 + b.minute() + (b.second() > 0 ? 1 : 0);
  } else if (absl::CivilDay(b) == l.day + 1 && b.hour() == 0 && b.minute() == 0 &&
             b.second() == 0) {
    l.to = 24 * 60;
  } else {
    l.one_day = false;
  }
  return l;
}

}  // namespace

std::string DescribeSlot(const Slot& slot, const absl::TimeZone& zone) {
  return absl::StrCat(absl::FormatTime("%a %Y-%m-%d %H:%M", slot.start, zone), "-",
                      absl::FormatTime("%H:%M", slot.end, zone));
}

bool HoldsSlot(v1::VisitStatus status) {
  return status == v1::VISIT_STATUS_BOOKED || status == v1::VISIT_STATUS_HELD;
}

absl::Status CheckNotPast(const Slot& slot, absl::Time now) {
  if (slot.start > now) return absl::OkStatus();
  return Conflict("PAST", "",
                  absl::StrCat("the visit would start at ", absl::FormatTime(slot.start),
                               ", which is not in the future"));
}

absl::Status CheckGroupAtLocation(const directory::Directory& dir, const std::string& location_id,
                                  const std::string& group_id) {
  if (group_id.empty() || dir.FindGroup(location_id, group_id) != nullptr) return absl::OkStatus();
  return Conflict("GROUP_NOT_AT_LOCATION", absl::StrCat("locations/", location_id),
                  absl::StrCat("group ", group_id, " is not a group of location ", location_id,
                               " in the directory"));
}

absl::Status CheckLocationOpen(const cfg::Location& location, const Slot& slot,
                               const absl::TimeZone& zone) {
  if (location.opening_hours().empty()) return absl::OkStatus();  // not recorded: not checked
  const LocalSlot l = Local(slot, zone);
  const std::string subject = absl::StrCat("locations/", location.id());
  if (!l.one_day) {
    return Conflict("LOCATION_CLOSED", subject,
                    absl::StrCat(location.name(), " is not open through the night"));
  }
  for (const cfg::OpeningHours& h : location.opening_hours()) {
    if (h.weekday() != IsoWeekday(l.day)) continue;
    const int open = MinutesOfDay(h.open()).value_or(0);
    const int close = MinutesOfDay(h.close()).value_or(0);
    if (l.from >= open && l.to <= close) return absl::OkStatus();
    return Conflict(
        "LOCATION_CLOSED", subject,
        absl::StrCat(location.name(), " is open ", h.open(), "-", h.close(), " on ",
                     absl::FormatCivilTime(l.day), "; the visit is ", DescribeSlot(slot, zone)));
  }
  return Conflict("LOCATION_CLOSED", subject,
                  absl::StrCat(location.name(), " is closed on ",
                               absl::FormatTime("%A %Y-%m-%d", slot.start, zone)));
}

absl::Status CheckAvailable(const v1::Availability& availability, const Slot& slot,
                            const absl::TimeZone& zone) {
  const std::string subject = absl::StrCat("experts/", availability.expert_id());
  if (availability.weekly().empty()) {
    return Conflict("OUTSIDE_AVAILABILITY", subject,
                    absl::StrCat("expert ", availability.expert_id(),
                                 " has no weekly availability set (SetAvailability)"));
  }
  const LocalSlot l = Local(slot, zone);
  const absl::CivilDay last_day(absl::ToCivilSecond(slot.end - absl::Microseconds(1), zone));
  for (const v1::AvailabilityException& e : availability.exceptions()) {
    absl::CivilDay first;
    absl::CivilDay last;
    if (!absl::ParseCivilTime(e.first_day(), &first) || !absl::ParseCivilTime(e.last_day(), &last))
      continue;
    if (l.day <= last && last_day >= first) {
      return Conflict(
          "OUTSIDE_AVAILABILITY", absl::StrCat(subject, "/exceptions/", e.id()),
          absl::StrCat("expert ", availability.expert_id(), " is away ", e.first_day(), " to ",
                       e.last_day(), " (", v1::ExceptionKind_Name(e.kind()), ")"));
    }
  }
  if (l.one_day) {
    for (const v1::WeeklySlot& w : availability.weekly()) {
      if (w.weekday() != IsoWeekday(l.day)) continue;
      const int from = MinutesOfDay(w.start()).value_or(0);
      const int to = MinutesOfDay(w.end()).value_or(0);
      if (l.from >= from && l.to <= to) return absl::OkStatus();
    }
  }
  return Conflict("OUTSIDE_AVAILABILITY", subject,
                  absl::StrCat("expert ", availability.expert_id(), " is not available ",
                               DescribeSlot(slot, zone)));
}

absl::Status CheckNotDoubleBooked(const std::string& expert_id,
                                  const std::vector<v1::Visit>& others,
                                  const absl::TimeZone& zone) {
  for (const v1::Visit& o : others) {
    if (!HoldsSlot(o.status())) continue;
    const Slot taken{FromTimestamp(o.start()), FromTimestamp(o.end())};
    return Conflict("EXPERT_BOOKED", absl::StrCat("visits/", o.id()),
                    absl::StrCat("expert ", expert_id, " is already booked ",
                                 DescribeSlot(taken, zone), " for visit ", o.id()));
  }
  return absl::OkStatus();
}

}  // namespace olif::scheduling
