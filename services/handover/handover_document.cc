#include "services/handover/handover_document.h"

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "services/common/clock/timestamp.h"
#include "services/common/fhir/identifiers.h"
#include "services/common/ids/ids.h"

namespace olif::handover {
namespace {

using nlohmann::json;
namespace cfg = olifantenpad::config::v1;

std::string Instant(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string Xhtml(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\n", "<br/>"}});
}

json Narrative(const Section& s) {
  std::string div = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";
  for (const Row& r : s.rows) {
    absl::StrAppend(&div, "<p><b>", Xhtml(r.label), "</b>: ", Xhtml(r.value), "</p>");
  }
  absl::StrAppend(&div, "</div>");
  return {{"status", "generated"}, {"div", div}};
}

json Reference(const std::string& full_url) { return {{"reference", full_url}}; }

class Bundle {
 public:
  // Adds `resource` and returns its fullUrl.
  std::string Add(json resource) {
    const std::string url = absl::StrCat("urn:uuid:", NewUuid());
    entries_.push_back({{"fullUrl", url}, {"resource", std::move(resource)}});
    return url;
  }
  void Put(size_t index, json resource) { entries_[index]["resource"] = std::move(resource); }
  json& entries() { return entries_; }

 private:
  json entries_ = json::array();
};

json Organisation(const std::string& name, const char* system, const std::string& value,
                  const std::string& org_id) {
  json o = {{"resourceType", "Organization"},
            {"identifier", json::array({{{"system", system}, {"value", value}}})},
            {"name", name}};
  if (!org_id.empty()) {
    o["identifier"].push_back({{"system", fhir::kOrganisationSystem}, {"value", org_id}});
  }
  return o;
}

const char* RelationCode(v1::GuardianRelation r) {
  // HL7 v3 RoleCode (the value set RelatedPerson.relationship binds to).
  switch (r) {
    case v1::GUARDIAN_RELATION_PARENT:
      return "PRN";
    case v1::GUARDIAN_RELATION_FOSTER_PARENT:
      return "FTHFOST";
    case v1::GUARDIAN_RELATION_GUARDIAN:
      return "GUARD";
    default:
      return "FAMMEMB";
  }
}

}  // namespace

std::string DocumentJson(const v1::HandoverForm& f, const std::vector<Section>& sections,
                         const std::string& pdf, const SectionContext& c, absl::Time now) {
  const absl::Time stamp = f.has_send_time() ? FromTimestamp(f.send_time()) : now;
  Bundle b;
  b.Add(json::object());  // the Composition, filled in last

  json patient = {
      {"resourceType", "Patient"},
      {"identifier",
       json::array({{{"system", fhir::kChildRefSystem}, {"value", f.child().child_ref()}}})},
      {"name", json::array({{{"family", f.child().family_name()},
                             {"given", json::array({f.child().given_name()})},
                             {"text", ChildName(f.child())}}})},
      {"birthDate", f.child().birth_date()}};
  if (!f.child().bsn().empty()) {
    patient["identifier"].push_back({{"system", fhir::kBsnSystem}, {"value", f.child().bsn()}});
  }
  const std::string patient_url = b.Add(std::move(patient));

  const cfg::Location* location = c.directory.FindLocation(f.sender().location_id());
  const cfg::Organisation* org = c.directory.FindOrganisation(f.sender().organisation_id());
  json childcare = Organisation(location != nullptr ? location->name() : f.sender().location_id(),
                                fhir::kLrkSystem, f.sender().lrk_number(), "");
  childcare["identifier"].push_back(
      {{"system", fhir::kLocationSystem}, {"value", f.sender().location_id()}});
  if (org != nullptr) {
    childcare["partOf"] =
        Reference(b.Add(Organisation(org->name(), fhir::kOrganisationSystem, org->id(), "")));
  }
  const std::string childcare_url = b.Add(std::move(childcare));
  const cfg::Organisation* school =
      c.directory.FindSchool(f.receiver().brin(), f.receiver().vestiging());
  const std::string school_url =
      b.Add(Organisation(school != nullptr ? school->name() : "", fhir::kBrinVestigingSystem,
                         absl::StrCat(f.receiver().brin(), f.receiver().vestiging()),
                         f.receiver().school_organisation_id()));

  json guardian_refs = json::array();
  for (const v1::Guardian& g : f.guardians()) {
    json rp = {
        {"resourceType", "RelatedPerson"},
        {"patient", Reference(patient_url)},
        {"relationship",
         json::array(
             {{{"coding",
                json::array({{{"system", "http://terminology.hl7.org/CodeSystem/v3-RoleCode"},
                              {"code", RelationCode(g.relation())}}})}}})},
        {"name", json::array({{{"text", g.name()}}})}};
    json telecom = json::array();
    if (!g.phone().empty()) telecom.push_back({{"system", "phone"}, {"value", g.phone()}});
    if (!g.email().empty()) telecom.push_back({{"system", "email"}, {"value", g.email()}});
    if (!telecom.empty()) rp["telecom"] = telecom;
    guardian_refs.push_back(Reference(b.Add(std::move(rp))));
  }

  // The VE codes as Observations, each coded in its OSO list.
  json ve_refs = json::array();
  auto ve_code = [&](int list, const std::string& code) {
    if (code.empty()) return;
    const Coding coding = c.code_lists.Resolve(list, code);
    json cc = {{"system", coding.system}, {"code", coding.code}};
    if (!coding.label.empty()) cc["display"] = coding.label;
    json value = {{"coding", json::array({cc})}, {"text", CodeShown(coding)}};
    ve_refs.push_back(Reference(b.Add({{"resourceType", "Observation"},
                                       {"status", "final"},
                                       {"code", {{"text", coding.list_name}}},
                                       {"subject", Reference(patient_url)},
                                       {"valueCodeableConcept", value}})));
  };
  ve_code(kProgrammeList, f.ve().programme_code());
  ve_code(kHistoryList, f.ve().history_code());
  ve_code(kReferrerList, f.ve().referrer_code());
  ve_code(kParticipationList, f.ve().participation_code());

  const std::string pdf_url = b.Add(
      {{"resourceType", "DocumentReference"},
       {"status", "current"},
       {"subject", Reference(patient_url)},
       {"description", "Overdrachtsformulier als PDF"},
       {"content", json::array({{{"attachment",
                                  {{"contentType", "application/pdf"},
                                   {"language", "nl"},
                                   {"data", absl::Base64Escape(pdf)},
                                   {"title", absl::StrCat("Overdrachtsformulier ",
                                                          ChildName(f.child()), ".pdf")}}}}})}});

  json comp_sections = json::array();
  for (const Section& s : sections) {
    json section = {{"title", s.title}, {"text", Narrative(s)}};
    if (s.key == "child") section["entry"] = json::array({Reference(patient_url)});
    if (s.key == "guardians" && !guardian_refs.empty()) section["entry"] = guardian_refs;
    if (s.key == "sender") section["entry"] = json::array({Reference(childcare_url)});
    if (s.key == "receiver") section["entry"] = json::array({Reference(school_url)});
    if (s.key == "ve" && !ve_refs.empty()) section["entry"] = ve_refs;
    comp_sections.push_back(std::move(section));
  }
  comp_sections.push_back(
      {{"title", "Formulier als PDF"},
       {"text",
        Narrative({"pdf", "Formulier als PDF", {{"Bijlage", "het formulier zoals afgedrukt"}}})},
       {"entry", json::array({Reference(pdf_url)})}});

  b.Put(0, {{"resourceType", "Composition"},
            {"status", f.revision() > 1 ? "amended" : "final"},
            {"type", {{"text", "Overdrachtsformulier kinderopvang - basisschool"}}},
            {"subject", Reference(patient_url)},
            {"date", Instant(stamp)},
            {"author", json::array({Reference(childcare_url)})},
            {"title", absl::StrCat("Overdrachtsformulier ", ChildName(f.child()))},
            {"confidentiality", "R"},
            {"custodian", Reference(childcare_url)},
            {"section", comp_sections}});

  json bundle = {{"resourceType", "Bundle"},
                 {"identifier",
                  {{"system", fhir::kHandoverSystem},
                   {"value", absl::StrCat(f.id(), "/", std::max(f.revision(), 1))}}},
                 {"type", "document"},
                 {"timestamp", Instant(stamp)},
                 {"entry", std::move(b.entries())}};
  return bundle.dump();
}

}  // namespace olif::handover
