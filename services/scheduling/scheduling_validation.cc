#include "services/scheduling/scheduling_validation.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/common/clock/day_time.h"
#include "services/common/clock/timestamp.h"
#include "services/common/status/field_checks.h"
#include "services/common/status/status.h"
#include "services/scheduling/school_calendar.h"

namespace olif::scheduling {
namespace {

namespace cfg = olifantenpad::config::v1;

bool Blank(const std::string& s) { return absl::StripAsciiWhitespace(s).empty(); }

void CheckIdAndVersion(Violations& v, const std::string& id, int64_t version) {
  RequireUuid(v, "id", id);
  if (version < 1) v.Add("version", "is required: the version read (1 or more)");
}

void CheckDay(Violations& v, const std::string& field, const std::string& day, bool required) {
  absl::CivilDay parsed;
  if (day.empty()) {
    if (required) v.Add(field, "is required");
  } else if (day.size() != 10 || !absl::ParseCivilTime(day, &parsed)) {
    v.Add(field, "must be a date as YYYY-MM-DD");
  }
}

void CheckSlot(Violations& v, const std::string& prefix, bool has_start,
               const google::protobuf::Timestamp& start, bool has_end,
               const google::protobuf::Timestamp& end) {
  if (!has_start) v.Add(prefix + "start", "is required");
  if (!has_end) v.Add(prefix + "end", "is required");
  if (!has_start || !has_end) return;
  const absl::Duration length = FromTimestamp(end) - FromTimestamp(start);
  if (length <= absl::ZeroDuration()) {
    v.Add(prefix + "end", "must be after start");
  } else if (length > absl::Hours(kMaxVisitHours)) {
    v.Add(prefix + "end", absl::StrCat("must be at most ", kMaxVisitHours, " hours after start"));
  }
}

// A youth-care expert in the directory.
void CheckExpert(Violations& v, const std::string& field, const std::string& id,
                 const directory::Directory& dir, bool required) {
  if (id.empty()) {
    if (required) v.Add(field, "is required");
    return;
  }
  const cfg::Professional* p = dir.FindProfessional(id);
  if (p == nullptr) {
    v.Add(field, absl::StrCat("'", id, "' is not a professional in the directory"));
  } else if (std::find(p->roles().begin(), p->roles().end(), cfg::ROLE_YOUTH_CARE_EXPERT) ==
             p->roles().end()) {
    v.Add(field, absl::StrCat("'", id, "' is not a youth-care expert"));
  }
}

void CheckLocation(Violations& v, const std::string& field, const std::string& id,
                   const directory::Directory& dir) {
  if (id.empty()) {
    v.Add(field, "is required");
  } else if (dir.FindLocation(id) == nullptr) {
    v.Add(field, absl::StrCat("'", id, "' is not a location in the directory"));
  }
}

void CheckParticipants(Violations& v, const std::string& prefix,
                       const google::protobuf::RepeatedPtrField<v1::Participant>& participants,
                       const directory::Directory& dir, bool meeting) {
  std::set<std::string> seen;
  for (int i = 0; i < participants.size(); ++i) {
    const v1::Participant& p = participants[i];
    const std::string at = absl::StrCat(prefix, "participants[", i, "].");
    const bool by_name_allowed = meeting && (p.role() == v1::PARTICIPANT_ROLE_PARENT ||
                                             p.role() == v1::PARTICIPANT_ROLE_TEACHER);
    if (p.role() == v1::PARTICIPANT_ROLE_UNSPECIFIED) {
      v.Add(at + "role", "is required");
      continue;
    }
    if (p.role() == v1::PARTICIPANT_ROLE_PARENT && !meeting) {
      v.Add(at + "role", "a parent takes part in warm-handover meetings only");
      continue;
    }
    if (p.role() == v1::PARTICIPANT_ROLE_PARENT) {
      if (!p.professional_id().empty()) v.Add(at + "professional_id", "is not for a parent");
      if (Blank(p.name())) v.Add(at + "name", "is required for a parent");
    } else if (p.professional_id().empty()) {
      if (!by_name_allowed) {
        v.Add(at + "professional_id", "is required: a professional from the directory");
      } else if (Blank(p.name())) {
        v.Add(at + "name", "is required when no professional_id is given");
      }
    } else if (dir.FindProfessional(p.professional_id()) == nullptr) {
      v.Add(at + "professional_id",
            absl::StrCat("'", p.professional_id(), "' is not a professional in the directory"));
    } else if (!seen.insert(p.professional_id()).second) {
      v.Add(at + "professional_id", "is listed twice");
    }
    CheckMaxChars(v, at + "name", p.name(), kMaxNameChars);
  }
}

void CheckSchoolYear(Violations& v, const std::string& year) {
  if (!year.empty() && !SchoolCalendar::IsSchoolYear(year)) {
    v.Add("school_year", "must be a school year as YYYY-YYYY, e.g. 2026-2027");
  }
}

}  // namespace

absl::Status ValidateSetAvailability(const v1::SetAvailabilityRequest& call,
                                     const directory::Directory& dir) {
  Violations v;
  CheckExpert(v, "expert_id", call.expert_id(), dir, true);
  if (call.version() < 0) v.Add("version", "must not be negative");
  std::map<int, std::vector<std::pair<int, int>>> per_day;
  for (int i = 0; i < call.weekly_size(); ++i) {
    const v1::WeeklySlot& w = call.weekly(i);
    const std::string at = absl::StrCat("weekly[", i, "].");
    if (w.weekday() < 1 || w.weekday() > 7)
      v.Add(at + "weekday", "must be 1 (Monday) to 7 (Sunday)");
    const std::optional<int> from = MinutesOfDay(w.start());
    const std::optional<int> to = MinutesOfDay(w.end());
    if (!from.has_value()) v.Add(at + "start", "must be a time as HH:MM");
    if (!to.has_value()) v.Add(at + "end", "must be a time as HH:MM");
    if (!from.has_value() || !to.has_value()) continue;
    if (*to <= *from) {
      v.Add(at + "end", "must be after start");
      continue;
    }
    for (const auto& [a, b] : per_day[w.weekday()]) {
      if (*from < b && a < *to) {
        v.Add(at + "start", "overlaps another slot of the same weekday");
        break;
      }
    }
    per_day[w.weekday()].emplace_back(*from, *to);
  }
  return v.ToStatus();
}

absl::Status ValidateAddException(const v1::AddExceptionRequest& call,
                                  const directory::Directory& dir) {
  Violations v;
  CheckExpert(v, "expert_id", call.expert_id(), dir, true);
  if (call.version() < 0) v.Add("version", "must not be negative");
  const v1::AvailabilityException& e = call.exception();
  if (e.kind() == v1::EXCEPTION_KIND_UNSPECIFIED) {
    v.Add("exception.kind", "is required: EXCEPTION_KIND_LEAVE, _SICKNESS or _OTHER");
  }
  CheckDay(v, "exception.first_day", e.first_day(), true);
  CheckDay(v, "exception.last_day", e.last_day(), true);
  absl::CivilDay first;
  absl::CivilDay last;
  if (absl::ParseCivilTime(e.first_day(), &first) && absl::ParseCivilTime(e.last_day(), &last) &&
      last < first) {
    v.Add("exception.last_day", "must not be before first_day");
  }
  CheckMaxChars(v, "exception.note", e.note(), kMaxReasonChars);
  return v.ToStatus();
}

absl::Status ValidateGetAvailability(const v1::GetAvailabilityRequest& call) {
  Violations v;
  RequireDirectoryId(v, "expert_id", call.expert_id());
  return v.ToStatus();
}

absl::Status ValidatePlan(const v1::PlanVisitRequest& call, const directory::Directory& dir) {
  Violations v;
  RequireRequestId(v, call.request_id());
  const v1::Visit& visit = call.visit();
  switch (visit.kind()) {
    case v1::VISIT_KIND_PREVENTIVE_GROUP_VISIT:
    case v1::VISIT_KIND_COACHING:
      if (visit.group_id().empty()) v.Add("visit.group_id", "is required for this kind of visit");
      break;
    case v1::VISIT_KIND_EVALUATION:
      break;
    case v1::VISIT_KIND_WARM_HANDOVER_MEETING:
      v.Add("visit.kind",
            "warm-handover meetings come from the handover service and are confirmed with "
            "ConfirmMeeting");
      break;
    default:
      v.Add("visit.kind",
            "is required: VISIT_KIND_PREVENTIVE_GROUP_VISIT, _COACHING or _EVALUATION");
  }
  CheckLocation(v, "visit.location_id", visit.location_id(), dir);
  CheckDirectoryId(v, "visit.group_id", visit.group_id());
  CheckExpert(v, "visit.expert_id", visit.expert_id(), dir, false);
  CheckSlot(v, "visit.", visit.has_start(), visit.start(), visit.has_end(), visit.end());
  CheckParticipants(v, "visit.", visit.participants(), dir, false);
  for (int i = 0; i < visit.linked_request_ids_size(); ++i) {
    RequireUuid(v, absl::StrCat("visit.linked_request_ids[", i, "]"), visit.linked_request_ids(i));
  }
  return v.ToStatus();
}

absl::Status ValidateReschedule(const v1::RescheduleVisitRequest& call) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  CheckSlot(v, "", call.has_start(), call.start(), call.has_end(), call.end());
  return v.ToStatus();
}

absl::Status ValidateCancel(const v1::CancelVisitRequest& call) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (Blank(call.reason())) v.Add("reason", "is required: say why the visit is cancelled");
  CheckMaxChars(v, "reason", call.reason(), kMaxReasonChars);
  return v.ToStatus();
}

absl::Status ValidateHeld(const v1::RecordVisitHeldRequest& call, const directory::Directory& dir) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  const v1::VisitReport& r = call.report();
  CheckMaxChars(v, "report.group_observations", r.group_observations(), kMaxTextChars);
  std::set<int> competencies;
  for (int i = 0; i < r.competencies_coached_size(); ++i) {
    const std::string at = absl::StrCat("report.competencies_coached[", i, "]");
    if (r.competencies_coached(i) == v1::COMPETENCY_UNSPECIFIED) {
      v.Add(at, "must be one of the four competencies");
    } else if (!competencies.insert(r.competencies_coached(i)).second) {
      v.Add(at, "is listed twice");
    }
  }
  for (int i = 0; i < r.agreed_actions_size(); ++i) {
    const std::string at = absl::StrCat("report.agreed_actions[", i, "]");
    if (Blank(r.agreed_actions(i))) v.Add(at, "must not be empty");
    CheckMaxChars(v, at, r.agreed_actions(i), kMaxReasonChars);
  }
  CheckDay(v, "report.follow_up_date", r.follow_up_date(), false);
  for (int i = 0; i < r.children_size(); ++i) {
    const std::string at = absl::StrCat("report.children[", i, "].");
    RequireUuid(v, at + "child.child_ref", r.children(i).child().child_ref());
    if (Blank(r.children(i).name())) v.Add(at + "name", "is required");
    CheckMaxChars(v, at + "name", r.children(i).name(), kMaxNameChars);
    CheckMaxChars(v, at + "note", r.children(i).note(), kMaxTextChars);
  }
  for (int i = 0; i < r.staff_reached_size(); ++i) {
    if (dir.FindProfessional(r.staff_reached(i)) == nullptr) {
      v.Add(absl::StrCat("report.staff_reached[", i, "]"),
            absl::StrCat("'", r.staff_reached(i), "' is not a professional in the directory"));
    }
  }
  return v.ToStatus();
}

absl::Status ValidateNoShow(const v1::RecordNoShowRequest& call) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  return v.ToStatus();
}

absl::Status ValidateConfirm(const v1::ConfirmMeetingRequest& call,
                             const directory::Directory& dir) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  CheckSlot(v, "", call.has_start(), call.start(), call.has_end(), call.end());
  CheckParticipants(v, "", call.participants(), dir, true);
  std::set<int> roles;
  for (const v1::Participant& p : call.participants()) roles.insert(p.role());
  for (auto [role, name] :
       {std::pair{v1::PARTICIPANT_ROLE_PEDAGOGICAL_WORKER, "a pedagogical worker"},
        std::pair{v1::PARTICIPANT_ROLE_PARENT, "a parent"},
        std::pair{v1::PARTICIPANT_ROLE_TEACHER, "a teacher"}}) {
    if (roles.count(role) == 0) {
      v.Add("participants",
            absl::StrCat("must include ", name, " (", v1::ParticipantRole_Name(role), ")"));
    }
  }
  return v.ToStatus();
}

absl::Status ValidateGet(const v1::GetVisitRequest& call) {
  Violations v;
  RequireUuid(v, "id", call.id());
  return v.ToStatus();
}

absl::Status ValidateList(const v1::ListVisitsRequest& call) {
  Violations v;
  if (call.expert_id().empty() == call.location_id().empty()) {
    v.Add("expert_id", "give exactly one of expert_id and location_id");
  }
  CheckDirectoryId(v, "expert_id", call.expert_id());
  CheckDirectoryId(v, "location_id", call.location_id());
  if (call.has_from() && call.has_to() && FromTimestamp(call.to()) <= FromTimestamp(call.from())) {
    v.Add("to", "must be after from");
  }
  return v.ToStatus();
}

absl::Status ValidateCompliance(const v1::GetComplianceRequest& call,
                                const directory::Directory& dir) {
  Violations v;
  if (call.organisation_id().empty() == call.location_id().empty()) {
    v.Add("organisation_id", "give exactly one of organisation_id and location_id");
  }
  if (!call.organisation_id().empty() && dir.FindOrganisation(call.organisation_id()) == nullptr) {
    v.Add("organisation_id",
          absl::StrCat("'", call.organisation_id(), "' is not an organisation in the directory"));
  }
  if (!call.location_id().empty()) CheckLocation(v, "location_id", call.location_id(), dir);
  if (!call.group_id().empty()) {
    if (call.location_id().empty()) {
      v.Add("group_id", "needs location_id");
    } else if (dir.FindGroup(call.location_id(), call.group_id()) == nullptr) {
      v.Add("group_id",
            absl::StrCat("'", call.group_id(), "' is not a group of ", call.location_id()));
    }
  }
  CheckSchoolYear(v, call.school_year());
  return v.ToStatus();
}

absl::Status ValidateCoaching(const v1::GetCoachingSummaryRequest& call,
                              const directory::Directory& dir) {
  Violations v;
  CheckLocation(v, "location_id", call.location_id(), dir);
  CheckSchoolYear(v, call.school_year());
  return v.ToStatus();
}

absl::Status ValidateIssueFeed(const v1::IssueFeedTokenRequest& call,
                               const directory::Directory& dir) {
  Violations v;
  if (call.expert_id().empty() == call.location_id().empty()) {
    v.Add("expert_id", "give exactly one of expert_id and location_id");
  } else if (!call.expert_id().empty()) {
    CheckExpert(v, "expert_id", call.expert_id(), dir, true);
  } else {
    CheckLocation(v, "location_id", call.location_id(), dir);
  }
  return v.ToStatus();
}

}  // namespace olif::scheduling
