#include "services/handover/form_sections.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "services/common/clock/timestamp.h"

namespace olif::handover {
namespace {

namespace cfg = olifantenpad::config::v1;

const char* YesNo(bool b) { return b ? "ja" : "nee"; }

std::string RelationName(v1::GuardianRelation r) {
  switch (r) {
    case v1::GUARDIAN_RELATION_PARENT:
      return "ouder";
    case v1::GUARDIAN_RELATION_FOSTER_PARENT:
      return "pleegouder";
    case v1::GUARDIAN_RELATION_GUARDIAN:
      return "voogd";
    case v1::GUARDIAN_RELATION_OTHER:
      return "verzorger";
    default:
      return "onbekend";
  }
}

std::string ReasonName(v1::WarmHandoverReason r) {
  switch (r) {
    case v1::WARM_HANDOVER_REASON_VE_INDICATED:
      return "VE-indicatie";
    case v1::WARM_HANDOVER_REASON_CONCERNS:
      return "zorgen van de opvang";
    default:
      return "onbekend";
  }
}

// "12 maart 2027" for a YYYY-MM-DD date; the text itself when it is not one.
std::string DateShown(const std::string& ymd) {
  static const char* const kMonths[] = {"januari",   "februari", "maart",    "april",
                                        "mei",       "juni",     "juli",     "augustus",
                                        "september", "oktober",  "november", "december"};
  absl::CivilDay d;
  if (ymd.empty() || !absl::ParseCivilTime(ymd, &d)) return ymd;
  return absl::StrCat(d.day(), " ", kMonths[d.month() - 1], " ", d.year());
}

std::string TimeShown(const google::protobuf::Timestamp& t, absl::TimeZone zone) {
  const absl::CivilMinute m = absl::ToCivilMinute(FromTimestamp(t), zone);
  return absl::StrCat(DateShown(absl::FormatCivilTime(absl::CivilDay(m))), " ",
                      absl::FormatTime("%H:%M", FromTimestamp(t), zone));
}

std::string OrNotGiven(const std::string& s) { return s.empty() ? "niet ingevuld" : s; }

void Add(Section& s, std::string label, std::string value) {
  s.rows.push_back({std::move(label), OrNotGiven(value)});
}

Section ChildSection(const v1::HandoverForm& f) {
  Section s{"child", "Kind", {}};
  Add(s, "Naam", ChildName(f.child()));
  Add(s, "Geboortedatum", DateShown(f.child().birth_date()));
  Add(s, "BSN", f.child().bsn());
  return s;
}

Section GuardiansSection(const v1::HandoverForm& f) {
  Section s{"guardians", "Ouders en verzorgers", {}};
  for (const v1::Guardian& g : f.guardians()) {
    std::vector<std::string> parts = {RelationName(g.relation()),
                                      g.has_authority() ? "met gezag" : "zonder gezag"};
    if (!g.phone().empty()) parts.push_back(absl::StrCat("tel. ", g.phone()));
    if (!g.email().empty()) parts.push_back(g.email());
    Add(s, g.name(), absl::StrJoin(parts, ", "));
  }
  return s;
}

Section SenderSection(const v1::HandoverForm& f, const directory::Directory& dir) {
  Section s{"sender", "Afzender (kinderopvang)", {}};
  const cfg::Organisation* org = dir.FindOrganisation(f.sender().organisation_id());
  const cfg::Location* location = dir.FindLocation(f.sender().location_id());
  const cfg::Professional* author = dir.FindProfessional(f.sender().author_id());
  Add(s, "Organisatie", org != nullptr ? org->name() : f.sender().organisation_id());
  Add(s, "Locatie", location != nullptr ? location->name() : f.sender().location_id());
  Add(s, "LRK-nummer", f.sender().lrk_number());
  Add(s, "Opgesteld door", author != nullptr ? author->name() : f.sender().author_id());
  return s;
}

Section ReceiverSection(const v1::HandoverForm& f, const directory::Directory& dir) {
  Section s{"receiver", "Ontvanger (basisschool)", {}};
  const cfg::Organisation* school = dir.FindSchool(f.receiver().brin(), f.receiver().vestiging());
  Add(s, "School", school != nullptr ? school->name() : "");
  Add(s, "BRIN en vestiging", absl::StrCat(f.receiver().brin(), " ", f.receiver().vestiging()));
  Add(s, "Eerste schooldag", DateShown(f.receiver().expected_start_date()));
  return s;
}

Section AttendanceSection(const v1::HandoverForm& f, const directory::Directory& dir) {
  Section s{"attendance", "Aanwezigheid op de opvang", {}};
  const cfg::Group* group = dir.FindGroup(f.sender().location_id(), f.attendance().group_id());
  Add(s, "Groep", group != nullptr ? group->name() : f.attendance().group_id());
  Add(s, "Sinds", DateShown(f.attendance().since()));
  Add(s, "Dagdelen per week",
      f.attendance().half_days_per_week() > 0 ? absl::StrCat(f.attendance().half_days_per_week())
                                              : "");
  Add(s, "Opmerkingen", f.attendance().remarks());
  return s;
}

Section EarlyEducationSection(const v1::HandoverForm& f, const CodeLists& lists) {
  Section s{"ve", "Voorschoolse educatie (VE)", {}};
  const v1::EarlyEducation& ve = f.ve();
  Add(s, "VE-indicatie", YesNo(ve.indicated()));
  auto code = [&](const char* label, int list, const std::string& c) {
    Add(s, label, c.empty() ? "" : CodeShown(lists.Resolve(list, c)));
  };
  code("Programma", kProgrammeList, ve.programme_code());
  code("Voorschoolse historie", kHistoryList, ve.history_code());
  Add(s, "Aantal maanden VE", ve.months() > 0 ? absl::StrCat(ve.months()) : "");
  code("Verwijzer", kReferrerList, ve.referrer_code());
  code("Deelname", kParticipationList, ve.participation_code());
  return s;
}

Section DevelopmentSection(const v1::DevelopmentObservation& d, int i) {
  Section s{absl::StrCat("development-", i + 1), absl::StrCat("Ontwikkeling: ", AreaName(d)), {}};
  Add(s, "Instrument", InstrumentName(d));
  Add(s, "Niveau", d.level());
  Add(s, "Sterke punten", d.strengths());
  Add(s, "Aandachtspunten", d.attention_points());
  Add(s, "Geobserveerd op", DateShown(d.observed_at()));
  return s;
}

Section ProfessionalsSection(const v1::HandoverForm& f) {
  Section s{"professionals", "Betrokken professionals", {}};
  for (const v1::ProfessionalInvolved& p : f.professionals()) {
    std::vector<std::string> parts = {p.role()};
    if (!p.organisation().empty()) parts.push_back(p.organisation());
    if (!p.contact().empty()) parts.push_back(p.contact());
    Add(s, p.name(), absl::StrJoin(parts, ", "));
  }
  if (s.rows.empty()) Add(s, "Professionals", "geen");
  return s;
}

Section ParentViewSection(const v1::HandoverForm& f, absl::TimeZone zone) {
  Section s{"parent-view", "Zienswijze van de ouders", {}};
  const v1::ParentView& p = f.parent_view();
  if (!p.has_seen_at()) {
    Add(s, "Gelezen door de ouders", "nog niet");
    return s;
  }
  Add(s, "Gelezen door", absl::StrCat(p.given_by(), " (", RelationName(p.relation()), ")"));
  Add(s, "Gelezen op", TimeShown(p.seen_at(), zone));
  Add(s, "Reactie", p.text().empty() ? "geen aanvulling" : p.text());
  return s;
}

Section WarmHandoverSection(const v1::HandoverForm& f, absl::TimeZone zone) {
  Section s{"warm-handover", "Warme overdracht", {}};
  const v1::WarmHandover& w = f.warm_handover();
  Add(s, "Warme overdracht nodig", YesNo(w.required()));
  std::vector<std::string> reasons;
  for (int r : w.reasons()) reasons.push_back(ReasonName(static_cast<v1::WarmHandoverReason>(r)));
  if (!reasons.empty()) Add(s, "Reden", absl::StrJoin(reasons, ", "));
  Add(s, "Zorgen van de opvang", YesNo(f.concerns()));
  if (w.has_meeting()) {
    const v1::Meeting& m = w.meeting();
    Add(s, "Overdrachtsgesprek",
        m.has_start() ? absl::StrCat("gepland op ", TimeShown(m.start(), zone))
                      : "voorgesteld, nog geen tijd");
  } else if (w.required()) {
    Add(s, "Overdrachtsgesprek", "nog niet gepland");
  }
  return s;
}

}  // namespace

std::string ChildName(const v1::Child& child) {
  return absl::StrCat(child.given_name(), " ", child.family_name());
}

std::string AreaName(const v1::DevelopmentObservation& d) {
  switch (d.area()) {
    case v1::DEVELOPMENT_AREA_SOCIAL_EMOTIONAL:
      return "sociaal-emotionele ontwikkeling";
    case v1::DEVELOPMENT_AREA_LANGUAGE:
      return "taalontwikkeling";
    case v1::DEVELOPMENT_AREA_EARLY_NUMERACY:
      return "rekenvoorwaarden";
    case v1::DEVELOPMENT_AREA_MOTOR:
      return "motoriek";
    case v1::DEVELOPMENT_AREA_COGNITIVE:
      return "cognitieve ontwikkeling en spel";
    case v1::DEVELOPMENT_AREA_SELF_RELIANCE:
      return "zelfredzaamheid";
    case v1::DEVELOPMENT_AREA_OTHER:
      return d.area_other();
    default:
      return "onbekend";
  }
}

std::string InstrumentName(const v1::DevelopmentObservation& d) {
  switch (d.instrument()) {
    case v1::INSTRUMENT_KIJK:
      return "KIJK!";
    case v1::INSTRUMENT_PRAVOO:
      return "Pravoo";
    case v1::INSTRUMENT_BOSOS:
      return "BOSOS";
    case v1::INSTRUMENT_CITO:
      return "Cito";
    case v1::INSTRUMENT_LOOQIN:
      return "Looqin";
    case v1::INSTRUMENT_OTHER:
      return d.instrument_other();
    default:
      return "onbekend";
  }
}

std::string StatusName(v1::HandoverStatus status) {
  switch (status) {
    case v1::HANDOVER_STATUS_DRAFT:
      return "concept";
    case v1::HANDOVER_STATUS_PARENT_REVIEW:
      return "ter inzage bij de ouders";
    case v1::HANDOVER_STATUS_AWAITING_CONSENT:
      return "wacht op toestemming van de ouders";
    case v1::HANDOVER_STATUS_SENT:
      return "verstuurd";
    case v1::HANDOVER_STATUS_ACKNOWLEDGED:
      return "ontvangen door de school";
    case v1::HANDOVER_STATUS_AMENDED:
      return "gewijzigd en opnieuw verstuurd";
    case v1::HANDOVER_STATUS_WITHDRAWN:
      return "ingetrokken";
    case v1::HANDOVER_STATUS_LAPSED:
      return "vervallen (geen toestemming)";
    default:
      return "onbekend";
  }
}

std::string CodeShown(const Coding& c) {
  if (!c.label.empty()) return absl::StrCat(c.code, " — ", c.label);
  return absl::StrCat(c.code, " (omschrijving niet vastgelegd in OSO-codelijst ", c.list, ")");
}

std::vector<Section> SectionsOf(const v1::HandoverForm& f, const SectionContext& c) {
  std::vector<Section> out;
  out.push_back(ChildSection(f));
  out.push_back(GuardiansSection(f));
  out.push_back(SenderSection(f, c.directory));
  out.push_back(ReceiverSection(f, c.directory));
  out.push_back(AttendanceSection(f, c.directory));
  out.push_back(EarlyEducationSection(f, c.code_lists));
  for (int i = 0; i < f.development_size(); ++i) {
    out.push_back(DevelopmentSection(f.development(i), i));
  }
  out.push_back(
      {"particulars", "Bijzonderheden", {{"Bijzonderheden", OrNotGiven(f.particulars())}}});
  out.push_back(
      {"approach", "Wat werkt bij dit kind", {{"Aanpak", OrNotGiven(f.approach_that_works())}}});
  out.push_back(ProfessionalsSection(f));
  out.push_back(ParentViewSection(f, c.zone));
  out.push_back(WarmHandoverSection(f, c.zone));
  return out;
}

}  // namespace olif::handover
