#include "services/handover/handover_validation.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/common/ids/ids.h"
#include "services/common/status/field_checks.h"

namespace olif::handover {
namespace {

namespace cfg = olifantenpad::config::v1;

constexpr int kMaxName = 200;
constexpr int kMaxGuardians = 6;
constexpr int kMaxAreas = 16;
constexpr int kMaxProfessionals = 12;

bool Blank(const std::string& s) { return absl::StripAsciiWhitespace(s).empty(); }

void RequireText(Violations& v, const std::string& field, const std::string& text, int max) {
  if (Blank(text)) {
    v.Add(field, "is required");
  } else {
    CheckMaxChars(v, field, text, max);
  }
}

// A date as YYYY-MM-DD; `required` or empty.
std::optional<absl::CivilDay> CheckDate(Violations& v, const std::string& field,
                                        const std::string& text, bool required) {
  if (text.empty()) {
    if (required) v.Add(field, "is required: a date as YYYY-MM-DD");
    return std::nullopt;
  }
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day)) {
    v.Add(field, absl::StrCat("must be a date as YYYY-MM-DD, not \"", text, "\""));
    return std::nullopt;
  }
  return day;
}

bool IsBrin(const std::string& s) {
  return s.size() == 4 &&
         absl::c_all_of(s, [](char c) { return absl::ascii_isdigit(c) || absl::ascii_isupper(c); });
}

bool IsVestiging(const std::string& s) {
  return s.size() == 2 && absl::ascii_isdigit(s[0]) && absl::ascii_isdigit(s[1]);
}

std::optional<absl::CivilDay> CheckChild(Violations& v, const std::string& p, const v1::Child& c) {
  if (c.child_ref().empty()) {
    v.Add(p + ".child_ref", "is required: the reference the parents' consent is recorded under");
  } else {
    RequireUuid(v, p + ".child_ref", c.child_ref());
  }
  RequireText(v, p + ".given_name", c.given_name(), kMaxName);
  RequireText(v, p + ".family_name", c.family_name(), kMaxName);
  std::optional<absl::CivilDay> born = CheckDate(v, p + ".birth_date", c.birth_date(), true);
  if (!c.bsn().empty()) {
    if (absl::Status s = ValidateBsn(c.bsn()); !s.ok()) v.Add(p + ".bsn", std::string(s.message()));
  }
  return born;
}

void CheckGuardians(Violations& v, const std::string& p,
                    const google::protobuf::RepeatedPtrField<v1::Guardian>& guardians) {
  if (guardians.empty()) v.Add(p, "needs at least one parent or carer");
  if (guardians.size() > kMaxGuardians) v.Add(p, absl::StrCat("must be at most ", kMaxGuardians));
  for (int i = 0; i < guardians.size(); ++i) {
    const v1::Guardian& g = guardians[i];
    const std::string gp = absl::StrCat(p, "[", i, "]");
    RequireText(v, gp + ".name", g.name(), kMaxName);
    if (g.relation() == v1::GUARDIAN_RELATION_UNSPECIFIED) v.Add(gp + ".relation", "is required");
    CheckMaxChars(v, gp + ".phone", g.phone(), 30);
    if (!g.email().empty() && (!absl::StrContains(g.email(), "@") || g.email().size() > 254)) {
      v.Add(gp + ".email", "must be an e-mail address");
    }
  }
}

void CheckSender(Violations& v, const std::string& p, const v1::Sender& s,
                 const directory::Directory& dir) {
  RequireDirectoryId(v, p + ".location_id", s.location_id());
  const cfg::Location* location = dir.FindLocation(s.location_id());
  if (!s.location_id().empty() && location == nullptr) {
    v.Add(p + ".location_id", absl::StrCat("unknown location ", s.location_id()));
  }
  if (s.lrk_number().empty()) {
    v.Add(p + ".lrk_number", "is required");
  } else if (location != nullptr && location->lrk_number() != s.lrk_number()) {
    v.Add(p + ".lrk_number", absl::StrCat("is not the LRK number of ", s.location_id(), " (",
                                          location->lrk_number(), ")"));
  }
  RequireDirectoryId(v, p + ".author_id", s.author_id());
  const cfg::Professional* author = dir.FindProfessional(s.author_id());
  if (!s.author_id().empty() && author == nullptr) {
    v.Add(p + ".author_id", absl::StrCat("unknown professional ", s.author_id()));
  } else if (author != nullptr && location != nullptr &&
             author->organisation_id() != location->organisation_id()) {
    v.Add(p + ".author_id",
          absl::StrCat(s.author_id(), " does not work for ", location->organisation_id()));
  }
}

void CheckReceiver(Violations& v, const std::string& p, const v1::Receiver& r,
                   const directory::Directory& dir, std::optional<absl::CivilDay> born) {
  const bool brin_ok = IsBrin(r.brin());
  const bool vestiging_ok = IsVestiging(r.vestiging());
  if (!brin_ok) v.Add(p + ".brin", "must be a BRIN: four digits or capital letters");
  if (!vestiging_ok) v.Add(p + ".vestiging", "must be a vestiging: two digits");
  if (brin_ok && vestiging_ok && dir.FindSchool(r.brin(), r.vestiging()) == nullptr) {
    v.Add(p + ".brin",
          absl::StrCat("no school ", r.brin(), " vestiging ", r.vestiging(), " in the directory"));
  }
  std::optional<absl::CivilDay> start =
      CheckDate(v, p + ".expected_start_date", r.expected_start_date(), true);
  if (start.has_value() && born.has_value() && *start <= *born) {
    v.Add(p + ".expected_start_date", "must be after the child's birth date");
  }
}

void CheckAttendance(Violations& v, const std::string& p, const v1::Attendance& a,
                     const std::string& location_id, const directory::Directory& dir) {
  CheckDirectoryId(v, p + ".group_id", a.group_id());
  if (!a.group_id().empty() && IsDirectoryId(a.group_id()) &&
      dir.FindLocation(location_id) != nullptr &&
      dir.FindGroup(location_id, a.group_id()) == nullptr) {
    v.Add(p + ".group_id", absl::StrCat("no group ", a.group_id(), " at ", location_id));
  }
  CheckDate(v, p + ".since", a.since(), false);
  if (a.half_days_per_week() < 0 || a.half_days_per_week() > 10) {
    v.Add(p + ".half_days_per_week", "must be 1-10 (or 0: not given)");
  }
  CheckMaxChars(v, p + ".remarks", a.remarks(), kMaxText);
}

void CheckCode(Violations& v, const std::string& field, const std::string& code, int list,
               const CodeLists& lists) {
  if (code.empty()) return;
  if (std::optional<std::string> why = lists.Check(list, code)) v.Add(field, *why);
}

void CheckEarlyEducation(Violations& v, const std::string& p, const v1::EarlyEducation& ve,
                         const CodeLists& lists) {
  if (ve.indicated() && ve.programme_code().empty()) {
    v.Add(p + ".programme_code", "is required when the child has a VE-indicatie (OSO list 9)");
  }
  CheckCode(v, p + ".programme_code", ve.programme_code(), kProgrammeList, lists);
  CheckCode(v, p + ".history_code", ve.history_code(), kHistoryList, lists);
  CheckCode(v, p + ".referrer_code", ve.referrer_code(), kReferrerList, lists);
  CheckCode(v, p + ".participation_code", ve.participation_code(), kParticipationList, lists);
  if (ve.months() < 0 || ve.months() > 24) v.Add(p + ".months", "must be 1-24 (or 0: not given)");
}

void CheckDevelopment(Violations& v, const std::string& p,
                      const google::protobuf::RepeatedPtrField<v1::DevelopmentObservation>& areas) {
  if (areas.empty()) v.Add(p, "needs at least one area of development");
  if (areas.size() > kMaxAreas) v.Add(p, absl::StrCat("must be at most ", kMaxAreas));
  for (int i = 0; i < areas.size(); ++i) {
    const v1::DevelopmentObservation& d = areas[i];
    const std::string dp = absl::StrCat(p, "[", i, "]");
    if (d.area() == v1::DEVELOPMENT_AREA_UNSPECIFIED) v.Add(dp + ".area", "is required");
    if (d.area() == v1::DEVELOPMENT_AREA_OTHER) {
      RequireText(v, dp + ".area_other", d.area_other(), kMaxName);
    } else if (!d.area_other().empty()) {
      v.Add(dp + ".area_other", "is only for DEVELOPMENT_AREA_OTHER");
    }
    if (d.instrument() == v1::INSTRUMENT_UNSPECIFIED) v.Add(dp + ".instrument", "is required");
    if (d.instrument() == v1::INSTRUMENT_OTHER) {
      RequireText(v, dp + ".instrument_other", d.instrument_other(), kMaxName);
    } else if (!d.instrument_other().empty()) {
      v.Add(dp + ".instrument_other", "is only for INSTRUMENT_OTHER");
    }
    CheckMaxChars(v, dp + ".level", d.level(), kMaxName);
    CheckMaxChars(v, dp + ".strengths", d.strengths(), kMaxText);
    CheckMaxChars(v, dp + ".attention_points", d.attention_points(), kMaxText);
    if (Blank(d.strengths()) && Blank(d.attention_points()) && Blank(d.level())) {
      v.Add(dp, "must say something: a level, strengths or points of attention");
    }
    CheckDate(v, dp + ".observed_at", d.observed_at(), true);
  }
}

void CheckProfessionals(
    Violations& v, const std::string& p,
    const google::protobuf::RepeatedPtrField<v1::ProfessionalInvolved>& professionals) {
  if (professionals.size() > kMaxProfessionals) {
    v.Add(p, absl::StrCat("must be at most ", kMaxProfessionals));
  }
  for (int i = 0; i < professionals.size(); ++i) {
    const std::string pp = absl::StrCat(p, "[", i, "]");
    RequireText(v, pp + ".name", professionals[i].name(), kMaxName);
    RequireText(v, pp + ".role", professionals[i].role(), kMaxName);
    CheckMaxChars(v, pp + ".organisation", professionals[i].organisation(), kMaxName);
    CheckMaxChars(v, pp + ".contact", professionals[i].contact(), kMaxName);
  }
}

void CheckVersion(Violations& v, const std::string& handover_id, int64_t version) {
  RequireUuid(v, "handover_id", handover_id);
  if (version <= 0) v.Add("version", "is required: the version read (1 or more)");
}

}  // namespace

void CheckForm(Violations& v, const std::string& p, const v1::HandoverForm& f,
               const FormContext& context) {
  const directory::Directory& dir = context.directory;
  std::optional<absl::CivilDay> born = CheckChild(v, p + ".child", f.child());
  CheckGuardians(v, p + ".guardians", f.guardians());
  CheckSender(v, p + ".sender", f.sender(), dir);
  CheckReceiver(v, p + ".receiver", f.receiver(), dir, born);
  CheckAttendance(v, p + ".attendance", f.attendance(), f.sender().location_id(), dir);
  CheckEarlyEducation(v, p + ".ve", f.ve(), context.code_lists);
  CheckDevelopment(v, p + ".development", f.development());
  CheckMaxChars(v, p + ".particulars", f.particulars(), kMaxText);
  CheckMaxChars(v, p + ".approach_that_works", f.approach_that_works(), kMaxText);
  CheckProfessionals(v, p + ".professionals", f.professionals());
}

absl::Status ValidateCreateDraft(const v1::CreateDraftRequest& call, const FormContext& context) {
  Violations v;
  RequireRequestId(v, call.request_id());
  CheckForm(v, "form", call.form(), context);
  return v.ToStatus();
}

absl::Status ValidateImportForm(const v1::ImportFormsRequest& call, const FormContext& context) {
  Violations v;
  RequireRequestId(v, call.request_id());
  CheckForm(v, "form", call.form(), context);
  return v.ToStatus();
}

absl::Status ValidateUpdateDraft(const v1::UpdateDraftRequest& call, const FormContext& context) {
  Violations v;
  CheckVersion(v, call.handover_id(), call.version());
  CheckForm(v, "form", call.form(), context);
  return v.ToStatus();
}

absl::Status ValidateAmend(const v1::AmendRequest& call, const FormContext& context) {
  Violations v;
  CheckVersion(v, call.handover_id(), call.version());
  CheckForm(v, "form", call.form(), context);
  RequireText(v, "reason", call.reason(), 1000);
  return v.ToStatus();
}

absl::Status ValidateRecordParentView(const v1::RecordParentViewRequest& call) {
  Violations v;
  CheckVersion(v, call.handover_id(), call.version());
  RequireText(v, "view.given_by", call.view().given_by(), kMaxName);
  if (call.view().relation() == v1::GUARDIAN_RELATION_UNSPECIFIED) {
    v.Add("view.relation", "is required");
  }
  CheckMaxChars(v, "view.text", call.view().text(), kMaxText);
  CheckDirectoryId(v, "by", call.by());
  return v.ToStatus();
}

absl::Status ValidateAcknowledgeReceipt(const v1::AcknowledgeReceiptRequest& call) {
  Violations v;
  RequireUuid(v, "handover_id", call.handover_id());
  if (call.revision() <= 0) v.Add("revision", "is required: the revision received (1 or more)");
  if (!IsBrin(call.school().brin())) v.Add("school.brin", "must be a BRIN");
  if (!IsVestiging(call.school().vestiging())) v.Add("school.vestiging", "must be two digits");
  RequireText(v, "received_by", call.received_by(), kMaxName);
  return v.ToStatus();
}

absl::Status ValidateWithdraw(const v1::WithdrawHandoverRequest& call) {
  Violations v;
  CheckVersion(v, call.handover_id(), call.version());
  RequireDirectoryId(v, "by", call.by());
  RequireText(v, "note", call.note(), 1000);
  return v.ToStatus();
}

absl::Status ValidateIdAndVersion(const std::string& handover_id, int64_t version,
                                  const std::string& by) {
  Violations v;
  CheckVersion(v, handover_id, version);
  CheckDirectoryId(v, "by", by);
  return v.ToStatus();
}

absl::Status ValidateRead(const std::string& handover_id, const v1::AccessContext& access) {
  Violations v;
  RequireUuid(v, "handover_id", handover_id);
  RequireText(v, "access.actor_id", access.actor_id(), kMaxName);
  RequireText(v, "access.reason", access.reason(), 1000);
  return v.ToStatus();
}

absl::Status ValidateList(const v1::ListHandoversRequest& call) {
  Violations v;
  const bool by_school = call.has_school();
  if (call.location_id().empty() == !by_school) {
    v.Add("location_id", "give exactly one of location_id and school");
  }
  CheckDirectoryId(v, "location_id", call.location_id());
  if (by_school) {
    if (!IsBrin(call.school().brin())) v.Add("school.brin", "must be a BRIN");
    if (!IsVestiging(call.school().vestiging())) v.Add("school.vestiging", "must be two digits");
  }
  return v.ToStatus();
}

}  // namespace olif::handover
