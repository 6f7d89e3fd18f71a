#include "services/consent/consent_fhir.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/consent/decision.h"

namespace olif::consent {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;
using google::protobuf::util::TimeUtil;

Value Str(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}

// An object from key/value pairs.
Value Obj(std::initializer_list<std::pair<const char*, Value>> fields) {
  Value v;
  for (const auto& [key, value] : fields)
    (*v.mutable_struct_value()->mutable_fields())[key] = value;
  return v;
}

Value List(std::vector<Value> items) {
  Value v;
  for (auto& item : items) *v.mutable_list_value()->add_values() = std::move(item);
  return v;
}

Value Coding(const std::string& system, const std::string& code, const std::string& display = "") {
  Value c = Obj({{"system", Str(system)}, {"code", Str(code)}});
  if (!display.empty()) (*c.mutable_struct_value()->mutable_fields())["display"] = Str(display);
  return c;
}

Value Concept(Value coding) { return Obj({{"coding", List({std::move(coding)})}}); }

Value Identifier(const std::string& system, const std::string& value) {
  return Obj({{"system", Str(system)}, {"value", Str(value)}});
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
  Value resource = Obj({
      {"resourceType", Str("Consent")},
      {"identifier", List({Identifier(kConsentIdSystem, c.id())})},
      // A withdrawn or expired consent is no longer in force.
      {"status", Str(c.status() == v1::CONSENT_STATUS_ACTIVE ? "active" : "inactive")},
      {"scope", Concept(Coding("http://terminology.hl7.org/CodeSystem/consentscope",
                               "patient-privacy", "Privacy Consent"))},
      {"category", List({Concept(Coding("http://loinc.org", "59284-0", "Patient Consent"))})},
      {"patient", patient_reference.empty()
                      ? Obj({{"identifier", Identifier(kChildRefSystem, c.child().child_ref())}})
                      : Obj({{"reference", Str(patient_reference)}})},
      {"dateTime", Str(Instant(c.create_time()))},
      {"policy", List({Obj({{"authority", Str("https://wetten.overheid.nl")},
                            {"uri", Str("https://wetten.overheid.nl/BWBR0039296")}})})},
  });
  auto& fields = *resource.mutable_struct_value()->mutable_fields();
  if (!c.evidence_ref().empty()) {
    fields["sourceReference"] =
        Obj({{"identifier", Identifier(kDocumentSystem, c.evidence_ref())}});
  }
  std::vector<Value> actors;
  for (const std::string& org : c.recipient_organisation_ids()) {
    Value reference = Obj({{"identifier", Identifier(kOrganisationSystem, org)}});
    const auto* known = directory != nullptr ? directory->FindOrganisation(org) : nullptr;
    if (known != nullptr) {
      (*reference.mutable_struct_value()->mutable_fields())["display"] = Str(known->name());
    }
    actors.push_back(
        Obj({{"role", Concept(Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                     "IRCP", "information recipient"))},
             {"reference", std::move(reference)}}));
  }
  std::vector<Value> purposes;
  for (int p : c.purposes()) {
    purposes.push_back(Coding(kPurposeSystem, PurposeCode(static_cast<v1::Purpose>(p))));
  }
  std::vector<Value> categories;
  for (int d : c.data_categories()) {
    categories.push_back(Concept(Coding(kDataCategorySystem, DataCategoryCode(d))));
  }
  Value provision = Obj({
      {"type", Str("permit")},
      {"period",
       Obj({{"start", Str(Instant(c.valid_from()))}, {"end", Str(Instant(c.valid_until()))}})},
      {"actor", List(std::move(actors))},
      {"purpose", List(std::move(purposes))},
  });
  if (!categories.empty()) {
    (*provision.mutable_struct_value()->mutable_fields())["code"] = List(std::move(categories));
  }
  fields["provision"] = std::move(provision);

  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  auto status =
      google::protobuf::util::MessageToJsonString(resource.struct_value(), &json, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return json;
}

}  // namespace olif::consent
