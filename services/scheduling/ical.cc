#include "services/scheduling/ical.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "services/common/clock/timestamp.h"
#include "services/common/records/records.h"

namespace olif::scheduling {
namespace {

using ical::Line;

namespace cfg = olifantenpad::config::v1;

std::string Utc(absl::Time t) { return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone()); }

std::string Local(absl::Time t, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y%m%dT%H%M%S", t, zone);
}

// Dutch labels: the people who read these calendars work in Dutch.
const char* KindLabel(v1::VisitKind kind) {
  switch (kind) {
    case v1::VISIT_KIND_PREVENTIVE_GROUP_VISIT:
      return "Preventief groepsbezoek";
    case v1::VISIT_KIND_COACHING:
      return "Training on the job";
    case v1::VISIT_KIND_WARM_HANDOVER_MEETING:
      return "Warme overdracht";
    case v1::VISIT_KIND_EVALUATION:
      return "Evaluatie";
    default:
      return "Afspraak";
  }
}

const char* RoleLabel(v1::ParticipantRole role) {
  switch (role) {
    case v1::PARTICIPANT_ROLE_PEDAGOGICAL_WORKER:
      return "pedagogisch medewerker";
    case v1::PARTICIPANT_ROLE_PEDAGOGICAL_SPECIALIST:
      return "pedagogisch specialist";
    case v1::PARTICIPANT_ROLE_PARENT:
      return "ouder/verzorger";
    case v1::PARTICIPANT_ROLE_TEACHER:
      return "leerkracht";
    default:
      return "professional";
  }
}

std::string NameOf(const directory::Directory& dir, const std::string& professional_id) {
  const cfg::Professional* p = dir.FindProfessional(professional_id);
  return p == nullptr ? professional_id : p->name();
}

void AppendEvent(std::string& out, const v1::Visit& v, const directory::Directory& dir,
                 const CalendarInfo& info) {
  const cfg::Location* location = dir.FindLocation(v.location_id());
  const cfg::Group* group = dir.FindGroup(v.location_id(), v.group_id());
  const std::string place = location == nullptr ? v.location_id() : location->name();
  std::string summary = KindLabel(v.kind());
  if (group != nullptr) absl::StrAppend(&summary, " – ", group->name());
  absl::StrAppend(&summary, " (", place, ")");
  if (v.status() == v1::VISIT_STATUS_NO_SHOW) summary = "Niet doorgegaan: " + summary;

  std::string description = absl::StrCat(KindLabel(v.kind()), " bij ", place);
  if (group != nullptr) absl::StrAppend(&description, ", groep ", group->name());
  if (!v.expert_id().empty()) {
    absl::StrAppend(&description, "\nJeugdhulpexpert: ", NameOf(dir, v.expert_id()));
  }
  for (const v1::Participant& p : v.participants()) {
    // Professionals by name; a parent or a teacher named at a meeting only by role.
    absl::StrAppend(&description, "\n", RoleLabel(p.role()),
                    p.professional_id().empty() ? "" : ": " + NameOf(dir, p.professional_id()));
  }
  if (v.status() == v1::VISIT_STATUS_CANCELLED) {
    absl::StrAppend(&description, "\nGeannuleerd");
  }

  Line(out, "BEGIN:VEVENT");
  Line(out, absl::StrCat("UID:", v.id(), "@olifantenpad"));
  Line(out, absl::StrCat("DTSTAMP:", Utc(FromTimestamp(v.update_time()))));
  Line(out, absl::StrCat("CREATED:", Utc(FromTimestamp(v.create_time()))));
  Line(out, absl::StrCat("LAST-MODIFIED:", Utc(FromTimestamp(v.update_time()))));
  Line(out, absl::StrCat("SEQUENCE:", v.sequence()));
  Line(out, absl::StrCat("DTSTART;TZID=", info.zone_name, ":",
                         Local(FromTimestamp(v.start()), info.zone)));
  Line(out,
       absl::StrCat("DTEND;TZID=", info.zone_name, ":", Local(FromTimestamp(v.end()), info.zone)));
  Line(out, absl::StrCat("SUMMARY:", EscapeText(summary)));
  Line(out, absl::StrCat("LOCATION:", EscapeText(place)));
  Line(out, absl::StrCat("DESCRIPTION:", EscapeText(description)));
  const bool off =
      v.status() == v1::VISIT_STATUS_CANCELLED || v.status() == v1::VISIT_STATUS_NO_SHOW;
  Line(out, absl::StrCat("STATUS:", off ? "CANCELLED" : "CONFIRMED"));
  Line(out, absl::StrCat("TRANSP:", off ? "TRANSPARENT" : "OPAQUE"));
  Line(out, "END:VEVENT");
}

}  // namespace

std::string EntityTag(const std::string& body) {
  const std::string fingerprint = records::ContentFingerprint(body);  // "sha256:" + 32 bytes
  return absl::StrCat("\"", absl::BytesToHexString(fingerprint.substr(7, 16)), "\"");
}

std::string RenderCalendar(const CalendarInfo& info, const std::vector<v1::Visit>& visits,
                           const directory::Directory& dir) {
  std::string out;
  out.reserve(512 + visits.size() * 640);
  Line(out, "BEGIN:VCALENDAR");
  Line(out, "VERSION:2.0");
  Line(out, absl::StrCat("PRODID:-//", info.product, "//Scheduling//NL"));
  Line(out, "CALSCALE:GREGORIAN");
  Line(out, "METHOD:PUBLISH");
  Line(out, absl::StrCat("X-WR-CALNAME:", EscapeText(info.title)));
  Line(out, absl::StrCat("X-WR-TIMEZONE:", info.zone_name));
  const int64_t minutes = std::max<int64_t>(1, absl::ToInt64Minutes(info.refresh));
  Line(out, absl::StrCat("REFRESH-INTERVAL;VALUE=DURATION:PT", minutes, "M"));
  Line(out, absl::StrCat("X-PUBLISHED-TTL:PT", minutes, "M"));
  absl::Time first = absl::InfiniteFuture();
  absl::Time last = absl::InfinitePast();
  for (const v1::Visit& v : visits) {
    if (!v.has_start()) continue;
    first = std::min(first, FromTimestamp(v.start()));
    last = std::max(last, FromTimestamp(v.end()));
  }
  // The zone is always described, also for an empty feed (clients then
  // still know the calendar's zone).
  if (first == absl::InfiniteFuture()) {
    first = absl::UnixEpoch();
    last = absl::UnixEpoch() + absl::Hours(1);
  }
  out += RenderTimeZone(info.zone_name, info.zone, first - absl::Hours(24 * 366),
                        last + absl::Hours(24 * 366));
  for (const v1::Visit& v : visits) {
    if (v.has_start()) AppendEvent(out, v, dir, info);
  }
  Line(out, "END:VCALENDAR");
  return out;
}

}  // namespace olif::scheduling
