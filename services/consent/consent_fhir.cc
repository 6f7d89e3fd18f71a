#include "services/consent/consent_fhir.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/consent/decision.h"
#include "services/common/strings/json.h"

namespace olif::consent {
namespace {

using google::protobuf::util::TimeUtil;

Json Coding(const std::string& system, const std::string& code, const std::string& display = "") {
  Json c = Json::Object({{"system", system}, {"code", code}});
  if (!display.empty()) c.Set("display", display);
  return c;
}

Json Concept(Json coding) { return Json::Object({{"coding", Json::Array({std::move(coding)})}}); }

Json Identifier(const std::string& system, const std::string& value) {
  return Json::Object({{"system", system}, {"value", value}});
}

// FHIR instant: seconds precision, UTC.
std::string Instant(const google::protobuf::Timestamp& t) {
  return TimeUtil::ToString(TimeUtil::SecondsToTimestamp(t.seconds()));
}

std::string DataCategoryCode(int category) {
  std::string name = olifantenpad::consent::v1::DataCategory_Name(category);
  absl::string_view code = name;
  absl::ConsumePrefix(&code, "DATA_CATEGORY_");
  return absl::AsciiStrToLower(code);
}

}  // namespace

absl::StatusOr<std::string> ToFhirConsent(const olifantenpad::consent::v1::Consent& c,
                                          const directory::Directory* directory,
                                          const std::string& patient_reference) {
  namespace v1 = olifantenpad::consent::v1;
  if (c.id().empty() || c.child().child_ref().empty() || !c.has_valid_from() ||
      !c.has_valid_until()) {
    return absl::FailedPreconditionError(
        "only a stored consent (id, child, period) can be mapped to FHIR");
  }
  Json resource = Json::Object({
      {"resourceType", "Consent"},
      {"identifier", Json::Array({Identifier(kConsentIdSystem, c.id())})},
      // A withdrawn or expired consent is no longer in force.
      {"status", c.status() == v1::CONSENT_STATUS_ACTIVE ? "active" : "inactive"},
      {"scope", Concept(Coding("http://terminology.hl7.org/CodeSystem/consentscope",
                               "patient-privacy", "Privacy Consent"))},
      {"category",
       Json::Array({Concept(Coding("http://loinc.org", "59284-0", "Patient Consent"))})},
      {"patient",
       patient_reference.empty()
           ? Json::Object({{"identifier", Identifier(kChildRefSystem, c.child().child_ref())}})
           : Json::Object({{"reference", patient_reference}})},
      {"dateTime", Instant(c.create_time())},
  });
  if (!c.evidence_ref().empty()) {
    resource.Set("sourceReference",
                 Json::Object({{"identifier", Identifier(kDocumentSystem, c.evidence_ref())}}));
  }
  resource.Set("policy", Json::Array({Json::Object({{"authority", "https://wetten.overheid.nl"},
                                                    {"uri", fhir::kYouthActPolicy}})}));
  Json actors = Json::Array();
  for (const std::string& org : c.recipient_organisation_ids()) {
    Json reference = Json::Object({{"identifier", Identifier(kOrganisationSystem, org)}});
    const auto* known = directory != nullptr ? directory->FindOrganisation(org) : nullptr;
    if (known != nullptr) reference.Set("display", known->name());
    actors.Push(Json::Object(
        {{"role", Concept(Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                 "IRCP", "information recipient"))},
         {"reference", std::move(reference)}}));
  }
  Json purposes = Json::Array();
  for (int p : c.purposes()) {
    purposes.Push(Coding(kPurposeSystem, PurposeCode(static_cast<v1::Purpose>(p))));
  }
  Json provision = Json::Object({
      {"type", "permit"},
      {"period",
       Json::Object({{"start", Instant(c.valid_from())}, {"end", Instant(c.valid_until())}})},
      {"actor", std::move(actors)},
      {"purpose", std::move(purposes)},
  });
  if (!c.data_categories().empty()) {
    Json categories = Json::Array();
    for (int d : c.data_categories()) {
      categories.Push(Concept(Coding(kDataCategorySystem, DataCategoryCode(d))));
    }
    provision.Set("code", std::move(categories));
  }
  resource.Set("provision", std::move(provision));
  return resource.Dump();
}

}  // namespace olif::consent
