#include "services/common/ical/ical_text.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace olif::ical {
namespace {

std::string Offset(int seconds) {
  const char sign = seconds < 0 ? '-' : '+';
  seconds = std::abs(seconds);
  return absl::StrFormat("%c%02d%02d", sign, seconds / 3600, (seconds % 3600) / 60);
}

}  // namespace

std::string EscapeText(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Fold(const std::string& line) {
  std::string out;
  size_t pos = 0;
  size_t limit = 75;  // octets on the first line; 74 after the leading space
  while (line.size() - pos > limit) {
    size_t cut = pos + limit;
    // Back up to the start of a UTF-8 character.
    while (cut > pos && (static_cast<unsigned char>(line[cut]) & 0xc0) == 0x80) --cut;
    out.append(line, pos, cut - pos);
    out += "\r\n ";
    pos = cut;
    limit = 74;
  }
  out.append(line, pos, std::string::npos);
  out += "\r\n";
  return out;
}

std::string RenderTimeZone(const std::string& zone_name, const absl::TimeZone& zone,
                           absl::Time from, absl::Time to) {
  std::string out;
  Line(out, "BEGIN:VTIMEZONE");
  Line(out, absl::StrCat("TZID:", zone_name));
  int components = 0;
  absl::TimeZone::CivilTransition transition;
  absl::Time t = from;
  while (t < to && zone.NextTransition(t, &transition)) {
    const absl::TimeZone::TimeInfo info = zone.At(transition.to);
    const absl::Time at = info.trans;
    if (at >= to) break;
    const absl::TimeZone::CivilInfo before = zone.At(at - absl::Seconds(1));
    const absl::TimeZone::CivilInfo after = zone.At(at);
    const char* kind = after.is_dst ? "DAYLIGHT" : "STANDARD";
    Line(out, absl::StrCat("BEGIN:", kind));
    const absl::CivilSecond f = transition.from;
    Line(out, absl::StrFormat("DTSTART:%04d%02d%02dT%02d%02d%02d", f.year(), f.month(), f.day(),
                              f.hour(), f.minute(), f.second()));
    Line(out, absl::StrCat("TZOFFSETFROM:", Offset(before.offset)));
    Line(out, absl::StrCat("TZOFFSETTO:", Offset(after.offset)));
    Line(out, absl::StrCat("TZNAME:", after.zone_abbr));
    Line(out, absl::StrCat("END:", kind));
    ++components;
    t = at;
  }
  if (components == 0) {
    // No transition in range: one standard time covers it.
    const absl::TimeZone::CivilInfo now = zone.At(from);
    Line(out, "BEGIN:STANDARD");
    Line(out, "DTSTART:19700101T000000");
    Line(out, absl::StrCat("TZOFFSETFROM:", Offset(now.offset)));
    Line(out, absl::StrCat("TZOFFSETTO:", Offset(now.offset)));
    Line(out, absl::StrCat("TZNAME:", now.zone_abbr));
    Line(out, "END:STANDARD");
  }
  Line(out, "END:VTIMEZONE");
  return out;
}

}  // namespace olif::ical
