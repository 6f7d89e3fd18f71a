#pragma once

// Visits as an iCalendar (RFC 5545) feed: one VEVENT per visit, its UID the
// visit's id (stable across every change), SEQUENCE the visit's, DTSTAMP its
// last change (so an unchanged feed renders to the same bytes), a cancelled
// or missed visit kept with STATUS:CANCELLED, times in the hub's zone with a
// VTIMEZONE built from the zone's own transitions, REFRESH-INTERVAL (RFC
// 7986) and X-PUBLISHED-TTL. Names of places, groups and professionals come
// from the directory; no child and no parent is ever named.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "olifantenpad/scheduling/v1/scheduling.pb.h"
#include "services/common/directory/directory.h"
#include "services/common/ical/ical_text.h"

namespace olif::scheduling {

namespace v1 = olifantenpad::scheduling::v1;

struct CalendarInfo {
  std::string title;  // X-WR-CALNAME
  std::string product = "Olifantenpad";
  std::string zone_name;  // TZID, e.g. "Europe/Amsterdam"
  absl::TimeZone zone;
  absl::Duration refresh = absl::Hours(1);
};

// The calendar of `visits` (proposed meetings without a time are left out).
std::string RenderCalendar(const CalendarInfo& info, const std::vector<v1::Visit>& visits,
                           const directory::Directory& dir);

// The iCalendar text rules, shared with every calendar the hub writes.
using ical::EscapeText;
using ical::Fold;
using ical::RenderTimeZone;

// The entity tag of a rendered feed: a quoted digest of its bytes.
std::string EntityTag(const std::string& body);

}  // namespace olif::scheduling
