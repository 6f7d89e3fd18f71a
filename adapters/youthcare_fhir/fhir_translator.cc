#include "adapters/youthcare_fhir/fhir_translator.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "services/common/consent/decision.h"
#include "services/common/ids/ids.h"

namespace olif::youthcare_fhir {
namespace {

namespace rv1 = olifantenpad::referrals::v1;
namespace cv1 = olifantenpad::consent::v1;
using google::protobuf::util::TimeUtil;

std::string Instant(const google::protobuf::Timestamp& t) {
  return TimeUtil::ToString(TimeUtil::SecondsToTimestamp(t.seconds()));
}

FhirJson Identifier(const std::string& system, const std::string& value) {
  return FhirJson{{"system", system}, {"value", value}};
}

// A logical reference: by business identifier, no server id needed.
FhirJson ByIdentifier(const std::string& type, const std::string& system,
                      const std::string& value) {
  return FhirJson{{"type", type}, {"identifier", Identifier(system, value)}};
}

FhirJson Concept(const std::string& system, const std::string& code, const std::string& display) {
  return FhirJson{{"coding", FhirJson::array({FhirJson{
                                 {"system", system}, {"code", code}, {"display", display}}})}};
}

std::string EnumWord(const std::string& name, absl::string_view prefix) {
  absl::string_view word = name;
  absl::ConsumePrefix(&word, prefix);
  std::string out = absl::AsciiStrToLower(word);
  for (char& c : out) {
    if (c == '_') c = ' ';
  }
  return out;
}

FhirJson Entry(const std::string& full_url, FhirJson resource, FhirJson request) {
  FhirJson e = FhirJson::object();
  if (!full_url.empty()) e["fullUrl"] = full_url;
  e["resource"] = std::move(resource);
  e["request"] = std::move(request);
  return e;
}

FhirJson CreateOnce(const std::string& type, const std::string& system, const std::string& value) {
  return FhirJson{{"method", "POST"},
                  {"url", type},
                  {"ifNoneExist", absl::StrCat("identifier=", system, "|", value)}};
}

FhirJson UpdateOnce(const std::string& type, const std::string& system, const std::string& value) {
  return FhirJson{{"method", "PUT"},
                  {"url", absl::StrCat(type, "?identifier=", system, "|", value)}};
}

FhirJson Transaction(FhirJson entries) {
  return FhirJson{
      {"resourceType", "Bundle"}, {"type", "transaction"}, {"entry", std::move(entries)}};
}

FhirJson ChildReference(const std::string& child_ref) {
  return ByIdentifier("Patient", fhir::kChildRefSystem, child_ref);
}

FhirJson ConsentResource(const std::string& consent_id, const std::string& child_ref, bool active,
                         const std::string& date_time) {
  return FhirJson{
      {"resourceType", "Consent"},
      {"identifier", FhirJson::array({Identifier(fhir::kConsentIdSystem, consent_id)})},
      {"status", active ? "active" : "inactive"},
      {"scope", Concept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy",
                        "Privacy Consent")},
      {"category", FhirJson::array({Concept("http://loinc.org", "59284-0", "Patient Consent")})},
      {"patient", ChildReference(child_ref)},
      {"dateTime", date_time},
      {"policy", FhirJson::array({FhirJson{{"authority", "https://wetten.overheid.nl"},
                                           {"uri", fhir::kYouthActPolicy}}})},
  };
}

FhirJson Provision(const std::string& type, FhirJson period,
                   const google::protobuf::RepeatedPtrField<std::string>& recipients,
                   const google::protobuf::RepeatedField<int>& purposes) {
  FhirJson provision{{"type", type}};
  if (!period.empty()) provision["period"] = std::move(period);
  FhirJson actors = FhirJson::array();
  for (const std::string& org : recipients) {
    actors.push_back(
        FhirJson{{"role", Concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                  "IRCP", "information recipient")},
                 {"reference", ByIdentifier("Organization", fhir::kOrganisationSystem, org)}});
  }
  if (!actors.empty()) provision["actor"] = std::move(actors);
  FhirJson codes = FhirJson::array();
  for (int p : purposes) {
    codes.push_back(FhirJson{{"system", fhir::kPurposeSystem},
                             {"code", consent::PurposeCode(static_cast<cv1::Purpose>(p))}});
  }
  if (!codes.empty()) provision["purpose"] = std::move(codes);
  return provision;
}

FhirJson ConsentUpdate(const std::string& consent_id, FhirJson resource) {
  return Transaction(FhirJson::array(
      {Entry("", std::move(resource), UpdateOnce("Consent", fhir::kConsentIdSystem, consent_id))}));
}

}  // namespace

absl::StatusOr<FhirJson> SubmittedBundle(const rv1::RequestSubmitted& e,
                                         const rv1::ChildIdentity* identity) {
  const std::string& id = e.request_id();
  const std::string request_url = absl::StrCat("urn:uuid:", id);
  FhirJson entries = FhirJson::array();
  FhirJson subject;
  switch (e.kind()) {
    case rv1::REQUEST_KIND_CHILD: {
      if (identity == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "request ", id, " names a child: it is sent with the child's identity or not at all"));
      }
      const std::string patient_url = absl::StrCat("urn:uuid:", NewUuid());
      FhirJson identifiers =
          FhirJson::array({Identifier(fhir::kChildRefSystem, e.child().child_ref())});
      if (!identity->bsn().empty()) {
        identifiers.push_back(Identifier(fhir::kBsnSystem, identity->bsn()));
      }
      FhirJson name{{"family", identity->family_name()},
                    {"given", FhirJson::array({identity->given_name()})}};
      FhirJson patient{{"resourceType", "Patient"},
                       {"identifier", std::move(identifiers)},
                       {"name", FhirJson::array({std::move(name)})}};
      if (!identity->birth_date().empty()) patient["birthDate"] = identity->birth_date();
      entries.push_back(Entry(patient_url, std::move(patient),
                              CreateOnce("Patient", fhir::kChildRefSystem, e.child().child_ref())));
      subject = FhirJson{{"reference", patient_url}};
      break;
    }
    case rv1::REQUEST_KIND_GROUP: {
      const std::string group_url = absl::StrCat("urn:uuid:", NewUuid());
      const std::string group_id = absl::StrCat(e.group().location_id(), "/", e.group().group_id());
      entries.push_back(Entry(
          group_url,
          FhirJson{{"resourceType", "Group"},
                   {"identifier", FhirJson::array({Identifier(fhir::kGroupSystem, group_id)})},
                   {"type", "person"},
                   {"actual", true},
                   {"name",
                    absl::StrCat("group ", e.group().group_id(), " at ", e.group().location_id())}},
          CreateOnce("Group", fhir::kGroupSystem, group_id)));
      subject = FhirJson{{"reference", group_url}};
      break;
    }
    default:
      // An anonymous consultation: about no one, asked at a location.
      subject = ByIdentifier("Location", fhir::kLocationSystem, e.requester().location_id());
      subject["display"] = "anonymous consultation";
      break;
  }
  std::vector<std::string> domains;
  for (int d : e.question_domains()) {
    domains.push_back(EnumWord(rv1::QuestionDomain_Name(d), "QUESTION_DOMAIN_"));
  }
  const FhirJson requester =
      ByIdentifier("Practitioner", fhir::kProfessionalSystem, e.requester().professional_id());
  const FhirJson expert =
      ByIdentifier("Practitioner", fhir::kProfessionalSystem, e.expert().professional_id());
  const std::string priority = e.priority() == rv1::PRIORITY_HIGH ? "urgent" : "routine";
  FhirJson notes = FhirJson::array();
  if (!e.question().empty()) notes.push_back(FhirJson{{"text", e.question()}});
  if (!e.observations().empty()) {
    notes.push_back(FhirJson{{"text", absl::StrCat("Observations: ", e.observations())}});
  }
  FhirJson service_request{
      {"resourceType", "ServiceRequest"},
      {"identifier", FhirJson::array({Identifier(fhir::kRequestSystem, id)})},
      {"status", "active"},
      {"intent", "order"},
      {"category",
       FhirJson::array({FhirJson{
           {"text",
            absl::StrCat("direct-line question (",
                         EnumWord(rv1::RequestKind_Name(e.kind()), "REQUEST_KIND_"), ")")}}})},
      {"priority", priority},
      {"subject", subject},
      {"authoredOn", Instant(e.submitted_at())},
      {"requester", requester},
      {"performer", FhirJson::array({expert})},
  };
  if (!domains.empty()) service_request["code"] = FhirJson{{"text", absl::StrJoin(domains, ", ")}};
  if (!notes.empty()) service_request["note"] = std::move(notes);
  entries.push_back(Entry(request_url, std::move(service_request),
                          CreateOnce("ServiceRequest", fhir::kRequestSystem, id)));
  FhirJson task{
      {"resourceType", "Task"},
      {"identifier", FhirJson::array({Identifier(fhir::kRequestSystem, id)})},
      {"basedOn", FhirJson::array({FhirJson{{"reference", request_url}}})},
      {"status", "requested"},
      {"intent", "order"},
      {"priority", priority},
      {"focus", FhirJson{{"reference", request_url}}},
      {"for", subject},
      {"authoredOn", Instant(e.submitted_at())},
      {"requester", requester},
      {"owner", expert},
  };
  if (e.has_first_response_due()) {
    task["restriction"] = FhirJson{{"period", FhirJson{{"end", Instant(e.first_response_due())}}}};
  }
  entries.push_back(Entry("", std::move(task), CreateOnce("Task", fhir::kRequestSystem, id)));
  return Transaction(std::move(entries));
}

FhirJson RestrictedBundle(const rv1::RequestRestricted& e) {
  const std::string& id = e.request_id();
  const FhirJson subject = ChildReference(e.child().child_ref());
  const FhirJson reason{{"text", absl::StrCat("the parents withdrew consent ", e.consent_id(),
                                              ": stop processing this request's data")}};
  FhirJson service_request{
      {"resourceType", "ServiceRequest"},
      {"identifier", FhirJson::array({Identifier(fhir::kRequestSystem, id)})},
      {"status", "revoked"},
      {"intent", "order"},
      {"subject", subject},
      {"note", FhirJson::array({reason})},
  };
  FhirJson task{
      {"resourceType", "Task"},
      {"identifier", FhirJson::array({Identifier(fhir::kRequestSystem, id)})},
      {"status", "cancelled"},
      {"statusReason", reason},
      {"intent", "order"},
      {"for", subject},
  };
  return Transaction(
      FhirJson::array({Entry("", std::move(service_request),
                             UpdateOnce("ServiceRequest", fhir::kRequestSystem, id)),
                       Entry("", std::move(task), UpdateOnce("Task", fhir::kRequestSystem, id))}));
}

FhirJson ConsentBundle(const cv1::ConsentGranted& e) {
  FhirJson resource =
      ConsentResource(e.consent_id(), e.child().child_ref(), true, Instant(e.valid_from()));
  resource["provision"] = Provision(
      "permit", FhirJson{{"start", Instant(e.valid_from())}, {"end", Instant(e.valid_until())}},
      e.recipient_organisation_ids(), e.purposes());
  return ConsentUpdate(e.consent_id(), std::move(resource));
}

FhirJson ConsentBundle(const cv1::ConsentWithdrawn& e) {
  FhirJson resource =
      ConsentResource(e.consent_id(), e.child().child_ref(), false, Instant(e.withdrawn_at()));
  resource["provision"] = Provision("deny", FhirJson{{"start", Instant(e.withdrawn_at())}},
                                    e.recipient_organisation_ids(), e.purposes());
  return ConsentUpdate(e.consent_id(), std::move(resource));
}

FhirJson ConsentBundle(const cv1::ConsentExpired& e) {
  return ConsentUpdate(e.consent_id(), ConsentResource(e.consent_id(), e.child().child_ref(), false,
                                                       Instant(e.expired_at())));
}

absl::StatusOr<TaskChange> ParseTask(const nlohmann::json& task) {
  auto bad = [](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat("Task ", what));
  };
  if (!task.is_object() || task.value("resourceType", "") != "Task") {
    return absl::InvalidArgumentError("not a Task resource");
  }
  TaskChange c;
  if (!task.contains("id") || !task["id"].is_string()) return bad("has no id");
  c.task_id = task["id"];
  const nlohmann::json meta = task.value("meta", nlohmann::json::object());
  if (meta.is_object()) {
    c.version = meta.value("versionId", "");
    c.last_updated = meta.value("lastUpdated", "");
  }
  if (c.last_updated.empty()) return bad(c.task_id + " has no meta.lastUpdated");
  if (task.contains("identifier") && task["identifier"].is_array()) {
    for (const auto& i : task["identifier"]) {
      if (i.is_object() && i.value("system", "") == fhir::kRequestSystem) {
        c.request_id = i.value("value", "");
      }
    }
  }
  if (c.request_id.empty()) {
    return bad(absl::StrCat(c.task_id, " has no identifier in ", fhir::kRequestSystem));
  }
  if (!task.contains("status") || !task["status"].is_string()) {
    return bad(c.task_id + " has no status");
  }
  c.status = task["status"];
  if (task.contains("statusReason") && task["statusReason"].is_object()) {
    c.reason = task["statusReason"].value("text", "");
  }
  if (task.contains("note") && task["note"].is_array() && !task["note"].empty()) {
    const auto& last = task["note"].back();
    if (last.is_object()) c.note = last.value("text", "");
  }
  return c;
}

}  // namespace olif::youthcare_fhir
