#include "adapters/youthcare_fhir/fhir_translator.h"

#include <google/protobuf/util/time_util.h>

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
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

// The named child as a Patient entry, created once per child reference.
FhirJson PatientEntry(const std::string& patient_url, const rv1::RequestSubmitted& e,
                      const rv1::ChildIdentity& identity) {
  FhirJson identifiers =
      FhirJson::array({Identifier(fhir::kChildRefSystem, e.child().child_ref())});
  if (!identity.bsn().empty()) identifiers.push_back(Identifier(fhir::kBsnSystem, identity.bsn()));
  FhirJson name{{"family", identity.family_name()},
                {"given", FhirJson::array({identity.given_name()})}};
  FhirJson patient{{"resourceType", "Patient"},
                   {"identifier", std::move(identifiers)},
                   {"name", FhirJson::array({std::move(name)})}};
  if (!identity.birth_date().empty()) patient["birthDate"] = identity.birth_date();
  return Entry(patient_url, std::move(patient),
               CreateOnce("Patient", fhir::kChildRefSystem, e.child().child_ref()));
}

// The group a group question is about, created once per location and group.
FhirJson GroupEntry(const std::string& group_url, const std::string& location_id,
                    const std::string& group_id) {
  const std::string id = absl::StrCat(location_id, "/", group_id);
  return Entry(group_url,
               FhirJson{{"resourceType", "Group"},
                        {"identifier", FhirJson::array({Identifier(fhir::kGroupSystem, id)})},
                        {"type", "person"},
                        {"actual", true},
                        {"name", absl::StrCat("group ", group_id, " at ", location_id)}},
               CreateOnce("Group", fhir::kGroupSystem, id));
}

// What the request is about: the child's Patient or the Group (their entries
// added to `entries`), or the location of an anonymous consultation.
absl::StatusOr<FhirJson> Subject(const rv1::RequestSubmitted& e, const rv1::ChildIdentity* identity,
                                 FhirJson& entries) {
  switch (e.kind()) {
    case rv1::REQUEST_KIND_CHILD: {
      if (identity == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("request ", e.request_id(),
                         " names a child: it is sent with the child's identity or not at all"));
      }
      const std::string patient_url = absl::StrCat("urn:uuid:", NewUuid());
      entries.push_back(PatientEntry(patient_url, e, *identity));
      return FhirJson{{"reference", patient_url}};
    }
    case rv1::REQUEST_KIND_GROUP: {
      const std::string group_url = absl::StrCat("urn:uuid:", NewUuid());
      entries.push_back(GroupEntry(group_url, e.group().location_id(), e.group().group_id()));
      return FhirJson{{"reference", group_url}};
    }
    default: {
      // An anonymous consultation: about no one, asked at a location.
      FhirJson location =
          ByIdentifier("Location", fhir::kLocationSystem, e.requester().location_id());
      location["display"] = "anonymous consultation";
      return location;
    }
  }
}

std::string Priority(const rv1::RequestSubmitted& e) {
  return e.priority() == rv1::PRIORITY_HIGH ? "urgent" : "routine";
}

FhirJson Requester(const rv1::RequestSubmitted& e) {
  return ByIdentifier("Practitioner", fhir::kProfessionalSystem, e.requester().professional_id());
}

FhirJson Expert(const rv1::RequestSubmitted& e) {
  return ByIdentifier("Practitioner", fhir::kProfessionalSystem, e.expert().professional_id());
}

// The question itself: the ServiceRequest, created once per request.
FhirJson ServiceRequestEntry(const std::string& request_url, const rv1::RequestSubmitted& e,
                             const FhirJson& subject) {
  std::vector<std::string> domains;
  for (int d : e.question_domains()) {
    domains.push_back(EnumWord(rv1::QuestionDomain_Name(d), "QUESTION_DOMAIN_"));
  }
  FhirJson notes = FhirJson::array();
  if (!e.question().empty()) notes.push_back(FhirJson{{"text", e.question()}});
  if (!e.observations().empty()) {
    notes.push_back(FhirJson{{"text", absl::StrCat("Observations: ", e.observations())}});
  }
  FhirJson service_request{
      {"resourceType", "ServiceRequest"},
      {"identifier", FhirJson::array({Identifier(fhir::kRequestSystem, e.request_id())})},
      {"status", "active"},
      {"intent", "order"},
      {"category",
       FhirJson::array({FhirJson{
           {"text",
            absl::StrCat("direct-line question (",
                         EnumWord(rv1::RequestKind_Name(e.kind()), "REQUEST_KIND_"), ")")}}})},
      {"priority", Priority(e)},
      {"subject", subject},
      {"authoredOn", Instant(e.submitted_at())},
      {"requester", Requester(e)},
      {"performer", FhirJson::array({Expert(e)})},
  };
  if (!domains.empty()) service_request["code"] = FhirJson{{"text", absl::StrJoin(domains, ", ")}};
  if (!notes.empty()) service_request["note"] = std::move(notes);
  return Entry(request_url, std::move(service_request),
               CreateOnce("ServiceRequest", fhir::kRequestSystem, e.request_id()));
}

// The expert's work on it: the Task (notified pull), owned by the expert,
// with the first response's due time as its restriction.
FhirJson TaskEntry(const std::string& request_url, const rv1::RequestSubmitted& e,
                   const FhirJson& subject) {
  FhirJson task{
      {"resourceType", "Task"},
      {"identifier", FhirJson::array({Identifier(fhir::kRequestSystem, e.request_id())})},
      {"basedOn", FhirJson::array({FhirJson{{"reference", request_url}}})},
      {"status", "requested"},
      {"intent", "order"},
      {"priority", Priority(e)},
      {"focus", FhirJson{{"reference", request_url}}},
      {"for", subject},
      {"authoredOn", Instant(e.submitted_at())},
      {"requester", Requester(e)},
      {"owner", Expert(e)},
  };
  if (e.has_first_response_due()) {
    task["restriction"] = FhirJson{{"period", FhirJson{{"end", Instant(e.first_response_due())}}}};
  }
  return Entry("", std::move(task), CreateOnce("Task", fhir::kRequestSystem, e.request_id()));
}

}  // namespace

absl::StatusOr<FhirJson> SubmittedBundle(const rv1::RequestSubmitted& e,
                                         const rv1::ChildIdentity* identity) {
  const std::string request_url = absl::StrCat("urn:uuid:", e.request_id());
  FhirJson entries = FhirJson::array();
  absl::StatusOr<FhirJson> subject = Subject(e, identity, entries);
  if (!subject.ok()) return subject.status();
  entries.push_back(ServiceRequestEntry(request_url, e, *subject));
  entries.push_back(TaskEntry(request_url, e, *subject));
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

namespace {

// A FHIRPath Patch operation: replace `path` with `value` (a value[x]).
FhirJson Replace(const std::string& path, const std::string& value_type, FhirJson value) {
  return FhirJson{{"name", "operation"},
                  {"part", FhirJson::array({FhirJson{{"name", "type"}, {"valueCode", "replace"}},
                                            FhirJson{{"name", "path"}, {"valueString", path}},
                                            FhirJson{{"name", "value"}, {value_type, value}}})}};
}

// A FHIRPath Patch operation: add element `name` to `path`.
FhirJson Add(const std::string& path, const std::string& name, const std::string& value_type,
             FhirJson value) {
  return FhirJson{{"name", "operation"},
                  {"part", FhirJson::array({FhirJson{{"name", "type"}, {"valueCode", "add"}},
                                            FhirJson{{"name", "path"}, {"valueString", path}},
                                            FhirJson{{"name", "name"}, {"valueString", name}},
                                            FhirJson{{"name", "value"}, {value_type, value}}})}};
}

FhirJson Patch(const std::string& type, const std::string& request_id, FhirJson operations) {
  return Entry(
      "", FhirJson{{"resourceType", "Parameters"}, {"parameter", std::move(operations)}},
      FhirJson{{"method", "PATCH"},
               {"url", absl::StrCat(type, "?identifier=", fhir::kRequestSystem, "|", request_id)}});
}

absl::Status Expect(const rv1::RequestUpdated& e, rv1::Transition transition) {
  if (e.transition() == transition) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("request ", e.request_id(), ": a ",
                                                 rv1::Transition_Name(e.transition()),
                                                 " update is not sent to the provider here"));
}

// The provider is to stop: ServiceRequest revoked, Task cancelled for `reason`.
FhirJson StopBundle(const std::string& request_id, const std::string& reason) {
  return Transaction(FhirJson::array(
      {Patch("ServiceRequest", request_id,
             FhirJson::array({Replace("ServiceRequest.status", "valueCode", "revoked")})),
       Patch("Task", request_id,
             FhirJson::array({Replace("Task.status", "valueCode", "cancelled"),
                              Add("Task", "statusReason", "valueCodeableConcept",
                                  FhirJson{{"text", reason}})}))}));
}

}  // namespace

absl::StatusOr<FhirJson> WithdrawnBundle(const rv1::RequestUpdated& e) {
  if (absl::Status s = Expect(e, rv1::TRANSITION_WITHDRAWN); !s.ok()) return s;
  return StopBundle(e.request_id(), "withdrawn by the requester");
}

absl::StatusOr<FhirJson> ReassignedAwayBundle(const rv1::RequestUpdated& e) {
  if (absl::Status s = Expect(e, rv1::TRANSITION_REASSIGNED); !s.ok()) return s;
  return StopBundle(e.request_id(), "reassigned to an expert of another organisation");
}

absl::StatusOr<FhirJson> ReassignedBundle(const rv1::RequestUpdated& e, const FhirJson* moved_in) {
  if (absl::Status s = Expect(e, rv1::TRANSITION_REASSIGNED); !s.ok()) return s;
  std::string task_status;
  switch (e.status()) {
    case rv1::REQUEST_STATUS_SUBMITTED:
      task_status = "requested";
      break;
    case rv1::REQUEST_STATUS_ACCEPTED:
      task_status = "accepted";
      break;
    case rv1::REQUEST_STATUS_IN_PROGRESS:
      task_status = "in-progress";
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("request ", e.request_id(), " is ", rv1::RequestStatus_Name(e.status()),
                       ": a reassignment in that state is not sent to the provider"));
  }
  const FhirJson expert =
      ByIdentifier("Practitioner", fhir::kProfessionalSystem, e.expert().professional_id());
  if (moved_in != nullptr) {
    // Whether or not the provider has it (it may have had it before): the
    // ServiceRequest and the Task as they stand now, by conditional update.
    FhirJson entries = (*moved_in)["entry"];
    for (FhirJson& entry : entries) {
      const std::string type = entry["resource"].value("resourceType", "");
      if (type != "ServiceRequest" && type != "Task") continue;
      entry["request"] = UpdateOnce(type, fhir::kRequestSystem, e.request_id());
      if (type == "ServiceRequest") {
        entry["resource"]["status"] = "active";
        entry["resource"]["performer"] = FhirJson::array({expert});
      } else {
        entry["resource"]["status"] = task_status;
        entry["resource"]["owner"] = expert;
      }
    }
    return Transaction(std::move(entries));
  }
  return Transaction(FhirJson::array(
      {Patch("ServiceRequest", e.request_id(),
             FhirJson::array({Replace("ServiceRequest.status", "valueCode", "active"),
                              Replace("ServiceRequest.performer", "valueReference", expert)})),
       Patch("Task", e.request_id(),
             FhirJson::array({Replace("Task.status", "valueCode", task_status),
                              Replace("Task.owner", "valueReference", expert)}))}));
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

namespace {

using nlohmann::json;

// id, meta.versionId and meta.lastUpdated of a resource of `type`.
absl::Status ReadMeta(const json& r, const std::string& type, std::string* id, std::string* version,
                      std::string* last_updated) {
  if (!r.is_object() || r.value("resourceType", "") != type) {
    return absl::InvalidArgumentError(absl::StrCat("not a ", type, " resource"));
  }
  if (!r.contains("id") || !r["id"].is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(type, " has no id"));
  }
  *id = r["id"];
  const json meta = r.value("meta", json::object());
  if (meta.is_object()) {
    *version = meta.value("versionId", "");
    *last_updated = meta.value("lastUpdated", "");
  }
  if (last_updated->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(type, " ", *id, " has no meta.lastUpdated"));
  }
  return absl::OkStatus();
}

// The value of the first identifier in `system` among `identifiers`.
std::string IdentifierIn(const json& identifiers, const std::string& system) {
  if (!identifiers.is_array()) return "";
  for (const auto& i : identifiers) {
    if (i.is_object() && i.value("system", "") == system && i.contains("value") &&
        i["value"].is_string()) {
      return i["value"];
    }
  }
  return "";
}

absl::StatusOr<google::protobuf::Timestamp> ParseInstant(const json& v, const std::string& what) {
  google::protobuf::Timestamp t;
  if (!v.is_string() || !TimeUtil::FromString(v.get<std::string>(), &t)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not a FHIR instant"));
  }
  return t;
}

// The cycles in a Task's outputs (kCycleSystem), by number.
absl::StatusOr<std::vector<rv1::Cycle>> ReadCycles(const std::string& task_id,
                                                   const json& outputs) {
  std::map<int, rv1::Cycle> cycles;
  if (!outputs.is_array()) return std::vector<rv1::Cycle>{};
  for (const json& out : outputs) {
    std::string code;
    if (out.is_object() && out.contains("type") && out["type"].is_object()) {
      for (const auto& c : out["type"].value("coding", json::array())) {
        if (c.is_object() && c.value("system", "") == fhir::kCycleSystem)
          code = c.value("code", "");
      }
    }
    if (code.empty()) continue;  // another kind of output
    const std::string where = absl::StrCat("Task ", task_id, " output ", code);
    const auto slash = code.find('/');
    int n = 0;
    if (slash == std::string::npos || !absl::SimpleAtoi(code.substr(0, slash), &n) || n < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": the code must be <cycle number>/<part>"));
    }
    const std::string part = code.substr(slash + 1);
    rv1::Cycle& cycle = cycles[n];
    cycle.set_number(n);
    if (part == "plan" || part == "actions" || part == "evaluation") {
      if (!out.contains("valueString") || !out["valueString"].is_string()) {
        return absl::InvalidArgumentError(absl::StrCat(where, " needs a valueString"));
      }
      const std::string text = out["valueString"];
      if (part == "plan") cycle.set_plan(text);
      if (part == "actions") cycle.set_actions(text);
      if (part == "evaluation") cycle.set_evaluation(text);
    } else if (part == "period") {
      const json period = out.value("valuePeriod", json());
      if (!period.is_object() || !period.contains("start") || !period.contains("end")) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, " needs a valuePeriod with start and end"));
      }
      auto start = ParseInstant(period["start"], where + " start");
      if (!start.ok()) return start.status();
      auto end = ParseInstant(period["end"], where + " end");
      if (!end.ok()) return end.status();
      *cycle.mutable_period_start() = *start;
      *cycle.mutable_period_end() = *end;
    } else if (part == "outcome") {
      const std::string v = out.value("valueCode", "");
      if (v == "resolved") {
        cycle.set_outcome(rv1::OUTCOME_RESOLVED);
      } else if (v == "continue") {
        cycle.set_outcome(rv1::OUTCOME_CONTINUE);
      } else if (v == "escalate") {
        cycle.set_outcome(rv1::OUTCOME_ESCALATE);
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(where, " needs a valueCode resolved, continue or escalate"));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": unknown part '", part, "' (plan, actions, period, evaluation, outcome)"));
    }
  }
  std::vector<rv1::Cycle> list;
  int expected = 1;
  for (auto& [n, cycle] : cycles) {
    if (n != expected++) {
      return absl::InvalidArgumentError(
          absl::StrCat("Task ", task_id, ": cycle ", n, " without cycle ", n - 1));
    }
    std::vector<std::string> missing;
    if (cycle.plan().empty()) missing.push_back("plan");
    if (!cycle.has_period_start()) missing.push_back("period");
    if (cycle.outcome() == rv1::OUTCOME_UNSPECIFIED) missing.push_back("outcome");
    if (!missing.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Task ", task_id, ": cycle ", n, " has no ", absl::StrJoin(missing, ", ")));
    }
    list.push_back(std::move(cycle));
  }
  return list;
}

}  // namespace

absl::StatusOr<TaskChange> ParseTask(const json& task) {
  TaskChange c;
  if (absl::Status s = ReadMeta(task, "Task", &c.task_id, &c.version, &c.last_updated); !s.ok()) {
    return s;
  }
  c.request_id = IdentifierIn(task.value("identifier", json()), fhir::kRequestSystem);
  if (c.request_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Task ", c.task_id, " has no identifier in ", fhir::kRequestSystem));
  }
  if (!task.contains("status") || !task["status"].is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("Task ", c.task_id, " has no status"));
  }
  c.status = task["status"];
  if (task.contains("statusReason") && task["statusReason"].is_object()) {
    c.reason = task["statusReason"].value("text", "");
  }
  if (task.contains("note") && task["note"].is_array() && !task["note"].empty()) {
    const auto& last = task["note"].back();
    if (last.is_object()) c.note = last.value("text", "");
  }
  absl::StatusOr<std::vector<rv1::Cycle>> cycles =
      ReadCycles(c.task_id, task.value("output", json()));
  if (!cycles.ok()) return cycles.status();
  c.cycles = std::move(*cycles);
  return c;
}

absl::StatusOr<MessageChange> ParseCommunication(const json& r) {
  MessageChange m;
  if (absl::Status s = ReadMeta(r, "Communication", &m.id, &m.version, &m.last_updated); !s.ok()) {
    return s;
  }
  const std::string where = absl::StrCat("Communication ", m.id);
  for (const json& ref : r.value("basedOn", json::array())) {
    if (ref.is_object() && ref.contains("identifier") && ref["identifier"].is_object() &&
        ref["identifier"].value("system", "") == fhir::kRequestSystem) {
      m.request_id = ref["identifier"].value("value", "");
    }
  }
  if (m.request_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " is not basedOn a request (an identifier in ", fhir::kRequestSystem, ")"));
  }
  m.status = r.value("status", "");
  if (m.status.empty()) return absl::InvalidArgumentError(where + " has no status");
  for (const json& p : r.value("payload", json::array())) {
    if (p.is_object() && p.contains("contentString") && p["contentString"].is_string()) {
      absl::StrAppend(&m.text, m.text.empty() ? "" : "\n", p["contentString"].get<std::string>());
    }
  }
  if (m.text.empty()) {
    return absl::InvalidArgumentError(where + " has no payload with a contentString");
  }
  return m;
}

// --- visits -----------------------------------------------------------------

namespace {

namespace sv1 = olifantenpad::scheduling::v1;

std::string VisitKindText(sv1::VisitKind kind) {
  return EnumWord(sv1::VisitKind_Name(kind), "VISIT_KIND_");
}

FhirJson GroupOf(const sv1::VisitSummary& v) {
  FhirJson group =
      ByIdentifier("Group", fhir::kGroupSystem, absl::StrCat(v.location_id(), "/", v.group_id()));
  group["display"] = absl::StrCat("group ", v.group_id(), " at ", v.location_id());
  return group;
}

// The Appointment as the visit now stands, with `status` (FHIR's code).
FhirJson Appointment(const sv1::VisitSummary& v, const std::string& status) {
  FhirJson participants = FhirJson::array();
  if (!v.expert().professional_id().empty()) {
    participants.push_back(FhirJson{
        {"actor",
         ByIdentifier("Practitioner", fhir::kProfessionalSystem, v.expert().professional_id())},
        {"required", "required"},
        {"status", "accepted"}});
  }
  participants.push_back(
      FhirJson{{"actor", ByIdentifier("Location", fhir::kLocationSystem, v.location_id())},
               {"required", "required"},
               {"status", "accepted"}});
  FhirJson a{
      {"resourceType", "Appointment"},
      {"identifier", FhirJson::array({Identifier(fhir::kVisitSystem, v.visit_id())})},
      {"status", status},
      {"serviceType", FhirJson::array({FhirJson{{"text", VisitKindText(v.kind())}}})},
      {"description", absl::StrCat(VisitKindText(v.kind()), " at ", v.location_id(),
                                   v.group_id().empty() ? "" : ", group " + v.group_id())},
  };
  if (v.has_start()) a["start"] = Instant(v.start());
  if (v.has_end()) a["end"] = Instant(v.end());
  if (!v.group_id().empty()) a["supportingInformation"] = FhirJson::array({GroupOf(v)});
  a["participant"] = std::move(participants);
  return a;
}

FhirJson AppointmentUpdate(const sv1::VisitSummary& v, FhirJson appointment) {
  return Entry("", std::move(appointment),
               UpdateOnce("Appointment", fhir::kVisitSystem, v.visit_id()));
}

}  // namespace

FhirJson VisitBundle(const sv1::VisitPlanned& e) {
  return Transaction(FhirJson::array(
      {Entry("", Appointment(e.visit(), "booked"),
             CreateOnce("Appointment", fhir::kVisitSystem, e.visit().visit_id()))}));
}

FhirJson VisitBundle(const sv1::VisitRescheduled& e) {
  return Transaction(
      FhirJson::array({AppointmentUpdate(e.visit(), Appointment(e.visit(), "booked"))}));
}

FhirJson VisitBundle(const sv1::VisitCancelled& e) {
  FhirJson a = Appointment(e.visit(), "cancelled");
  a["cancelationReason"] = FhirJson{{"text", e.reason()}};
  return Transaction(FhirJson::array({AppointmentUpdate(e.visit(), std::move(a))}));
}

FhirJson VisitBundle(const sv1::VisitNoShow& e) {
  return Transaction(
      FhirJson::array({AppointmentUpdate(e.visit(), Appointment(e.visit(), "noshow"))}));
}

FhirJson VisitBundle(const sv1::VisitHeld& e) {
  const sv1::VisitSummary& v = e.visit();
  FhirJson entries = FhirJson::array({AppointmentUpdate(v, Appointment(v, "fulfilled"))});
  FhirJson encounter{
      {"resourceType", "Encounter"},
      {"identifier", FhirJson::array({Identifier(fhir::kVisitSystem, v.visit_id())})},
      {"status", "finished"},
      // A visit at the childcare location: a field encounter.
      {"class", FhirJson{{"system", "http://terminology.hl7.org/CodeSystem/v3-ActCode"},
                         {"code", "FLD"},
                         {"display", "field"}}},
      {"type", FhirJson::array({FhirJson{{"text", VisitKindText(v.kind())}}})},
  };
  if (!v.group_id().empty()) {
    const std::string group_url = absl::StrCat("urn:uuid:", NewUuid());
    entries.push_back(GroupEntry(group_url, v.location_id(), v.group_id()));
    encounter["subject"] = FhirJson{{"reference", group_url}};
  }
  if (!v.expert().professional_id().empty()) {
    encounter["participant"] = FhirJson::array(
        {FhirJson{{"individual", ByIdentifier("Practitioner", fhir::kProfessionalSystem,
                                              v.expert().professional_id())}}});
  }
  encounter["appointment"] =
      FhirJson::array({ByIdentifier("Appointment", fhir::kVisitSystem, v.visit_id())});
  encounter["period"] = FhirJson{{"start", Instant(v.start())}, {"end", Instant(v.end())}};
  encounter["location"] = FhirJson::array(
      {FhirJson{{"location", ByIdentifier("Location", fhir::kLocationSystem, v.location_id())}}});
  if (!e.competencies().empty()) {
    FhirJson reasons = FhirJson::array();
    for (int c : e.competencies()) {
      reasons.push_back(FhirJson{
          {"text", absl::StrCat("coached: ", EnumWord(sv1::Competency_Name(c), "COMPETENCY_"))}});
    }
    encounter["reasonCode"] = std::move(reasons);
  }
  entries.push_back(
      Entry("", std::move(encounter), CreateOnce("Encounter", fhir::kVisitSystem, v.visit_id())));
  return Transaction(std::move(entries));
}

}  // namespace olif::youthcare_fhir
