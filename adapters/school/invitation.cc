#include "adapters/school/invitation.h"

#include "absl/strings/str_cat.h"
#include "services/common/ical/ical_text.h"

namespace olif::school {

namespace {

// A parameter value (e.g. CN=...) quoted, as RFC 5545 wants one with ',', ';' or ':'.
std::string Quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c != '"' && c != '\r' && c != '\n') out += c;
  }
  return out + "\"";
}

}  // namespace

std::string RenderInvitation(const Invitation& in) {
  using ical::EscapeText;
  using ical::Line;
  const auto utc = [](absl::Time t) {
    return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone());
  };
  const auto local = [&in](absl::Time t) { return absl::FormatTime("%Y%m%dT%H%M%S", t, in.zone); };
  std::string out;
  Line(out, "BEGIN:VCALENDAR");
  Line(out, "VERSION:2.0");
  Line(out, "PRODID:-//Olifantenpad//Warme overdracht//NL");
  Line(out, in.cancelled ? "METHOD:CANCEL" : "METHOD:REQUEST");
  out += ical::RenderTimeZone(in.zone_name, in.zone, in.start - absl::Hours(24 * 366),
                              in.end + absl::Hours(24 * 366));
  Line(out, "BEGIN:VEVENT");
  Line(out, absl::StrCat("UID:", in.visit_id, "@olifantenpad"));
  Line(out, absl::StrCat("SEQUENCE:", in.sequence));
  Line(out, absl::StrCat("DTSTAMP:", utc(in.stamp)));
  Line(out, absl::StrCat("DTSTART;TZID=", in.zone_name, ":", local(in.start)));
  Line(out, absl::StrCat("DTEND;TZID=", in.zone_name, ":", local(in.end)));
  Line(out, absl::StrCat("SUMMARY:", EscapeText("Warme overdracht (overdrachtsgesprek)")));
  Line(out, absl::StrCat("LOCATION:", EscapeText(in.location)));
  Line(out, absl::StrCat("DESCRIPTION:",
                         EscapeText(absl::StrCat(
                             "Overdrachtsgesprek met de pedagogisch medewerker en de ouders over "
                             "een kind dat bij u op school begint. Het overdrachtsformulier: ",
                             in.handover_id, "."))));
  Line(out,
       absl::StrCat("ORGANIZER;CN=", Quoted(in.organizer_name), ":mailto:", in.organizer_address));
  Line(out, absl::StrCat("ATTENDEE;CN=", Quoted(in.attendee_name),
                         ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:",
                         in.attendee_address));
  Line(out, in.cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
  Line(out, "END:VEVENT");
  Line(out, "END:VCALENDAR");
  return out;
}

}  // namespace olif::school
