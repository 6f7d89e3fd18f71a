#pragma once

// A warm-handover meeting as an iCalendar invitation (RFC 5545, iTIP RFC
// 5546) for the school's contact: METHOD:REQUEST when planned or moved,
// METHOD:CANCEL when cancelled; one UID per meeting and a SEQUENCE that rises
// with every change (clients ignore an update that does not raise it);
// times in the hub's zone with its VTIMEZONE. It names the childcare
// location and the handover's reference, never the child.

#include <string>

#include "absl/time/time.h"

namespace olif::school {

struct Invitation {
  bool cancelled = false;
  std::string visit_id;
  int sequence = 0;
  absl::Time start;
  absl::Time end;
  absl::Time stamp;      // when this version was made
  std::string location;  // the childcare location, as people name it
  std::string handover_id;
  std::string organizer_name;
  std::string organizer_address;
  std::string attendee_name;
  std::string attendee_address;
  std::string zone_name;  // e.g. "Europe/Amsterdam"
  absl::TimeZone zone;
};

std::string RenderInvitation(const Invitation& invitation);

}  // namespace olif::school
