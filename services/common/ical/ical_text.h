#pragma once

// The text rules of iCalendar (RFC 5545) every calendar the hub writes
// follows — the scheduling service's feeds, the school adapter's meeting
// invitations: TEXT values escaped, content lines folded at 75 octets (never
// inside a UTF-8 character) with CRLF ends, and the VTIMEZONE a TZID needs,
// built from the zone's own transitions.

#include <string>

#include "absl/time/time.h"

namespace olif::ical {

// `text` escaped as an iCalendar TEXT value (backslash, ';', ',', newlines).
std::string EscapeText(const std::string& text);

// A content line folded at 75 octets (never inside a UTF-8 character), CRLF.
std::string Fold(const std::string& line);

// Appends `line`, folded, to `out`.
inline void Line(std::string& out, const std::string& line) { out += Fold(line); }

// The VTIMEZONE of `zone` covering [from, to), with CRLF line ends.
std::string RenderTimeZone(const std::string& zone_name, const absl::TimeZone& zone,
                           absl::Time from, absl::Time to);

}  // namespace olif::ical
