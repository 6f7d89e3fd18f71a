#include "adapters/youthcare_fhir/fhir_translator.h"

#include <gtest/gtest.h>

#include "adapters/youthcare_fhir/testing/examples.h"

namespace olif::youthcare_fhir {
namespace {

namespace ex = examples;
constexpr char kId[] = "0d6c1a2e-8b8f-4f57-9a51-3e2f7f0c9b11";

// The entry of `bundle` whose resource is of `type`; fails the test when none.
const FhirJson& EntryOf(const FhirJson& bundle, const std::string& type) {
  for (const auto& e : bundle["entry"]) {
    if (e["resource"]["resourceType"] == type) return e;
  }
  ADD_FAILURE() << "no " << type << " in " << bundle.dump();
  static const FhirJson none = FhirJson::object();
  return none;
}

TEST(SubmittedBundleTest, NamedChildGoesWithItsPatientAndIsCreatedOnce) {
  const auto identity = ex::Identity();
  auto bundle = SubmittedBundle(ex::Submitted(ex::rv1::REQUEST_KIND_CHILD, kId), &identity);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ((*bundle)["type"], "transaction");
  ASSERT_EQ((*bundle)["entry"].size(), 3u);
  const FhirJson& patient = EntryOf(*bundle, "Patient");
  EXPECT_EQ(patient["resource"]["name"][0]["family"], "Verbeek");
  EXPECT_EQ(patient["resource"]["birthDate"], "2023-04-17");
  EXPECT_EQ(patient["resource"]["identifier"][1]["system"], fhir::kBsnSystem);
  EXPECT_EQ(patient["request"]["ifNoneExist"],
            std::string("identifier=") + fhir::kChildRefSystem + "|" + ex::kChildRef);
  const FhirJson& request = EntryOf(*bundle, "ServiceRequest");
  EXPECT_EQ(request["resource"]["subject"]["reference"], patient["fullUrl"]);
  EXPECT_EQ(request["request"]["ifNoneExist"],
            std::string("identifier=") + fhir::kRequestSystem + "|" + kId);
  EXPECT_EQ(request["resource"]["note"][0]["text"], "How can we help him join group play?");
  const FhirJson& task = EntryOf(*bundle, "Task");
  EXPECT_EQ(task["resource"]["focus"]["reference"], request["fullUrl"]);
  EXPECT_EQ(task["resource"]["owner"]["identifier"]["value"], "prof-anna-de-vries");
  EXPECT_EQ(task["resource"]["status"], "requested");
  EXPECT_EQ(task["request"]["ifNoneExist"], request["request"]["ifNoneExist"]);
  EXPECT_EQ(task["resource"]["restriction"]["period"]["end"], "2026-11-20T11:06:40Z");
}

TEST(SubmittedBundleTest, NamedChildIsNeverSentWithoutItsIdentity) {
  auto bundle = SubmittedBundle(ex::Submitted(ex::rv1::REQUEST_KIND_CHILD, kId), nullptr);
  EXPECT_EQ(bundle.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bundle.status().message().find("names a child"), std::string::npos);
}

TEST(SubmittedBundleTest, GroupAndAnonymousQuestionsCarryNoPatient) {
  auto group = SubmittedBundle(ex::Submitted(ex::rv1::REQUEST_KIND_GROUP, kId), nullptr);
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(EntryOf(*group, "Group")["resource"]["identifier"][0]["value"],
            "loc-boomgaard-noord/grp-rupsjes");
  EXPECT_EQ(EntryOf(*group, "ServiceRequest")["resource"]["subject"]["reference"],
            EntryOf(*group, "Group")["fullUrl"]);
  auto anonymous = SubmittedBundle(ex::Submitted(ex::rv1::REQUEST_KIND_ANONYMOUS, kId), nullptr);
  ASSERT_TRUE(anonymous.ok());
  ASSERT_EQ((*anonymous)["entry"].size(), 2u);
  const FhirJson& subject = EntryOf(*anonymous, "ServiceRequest")["resource"]["subject"];
  EXPECT_EQ(subject["type"], "Location");
  EXPECT_EQ(subject["identifier"]["value"], "loc-boomgaard-noord");
  for (const auto& e : (*anonymous)["entry"]) {
    EXPECT_NE(e["resource"]["resourceType"], "Patient");
  }
}

TEST(RestrictedBundleTest, RevokesTheRequestAndCancelsTheTask) {
  const FhirJson bundle = RestrictedBundle(ex::Restricted(kId));
  const FhirJson& request = EntryOf(bundle, "ServiceRequest");
  EXPECT_EQ(request["resource"]["status"], "revoked");
  EXPECT_EQ(request["request"]["method"], "PUT");
  EXPECT_EQ(request["request"]["url"],
            std::string("ServiceRequest?identifier=") + fhir::kRequestSystem + "|" + kId);
  // The question's text is not repeated: the provider must stop using it.
  EXPECT_FALSE(request["resource"].contains("code"));
  const FhirJson& task = EntryOf(bundle, "Task");
  EXPECT_EQ(task["resource"]["status"], "cancelled");
  EXPECT_NE(task["resource"]["statusReason"]["text"].get<std::string>().find("withdrew consent"),
            std::string::npos);
}

TEST(WithdrawnBundleTest, PatchesTheStatusesAndKeepsTheRest) {
  auto bundle = WithdrawnBundle(ex::Withdrawal(kId));
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  ASSERT_EQ((*bundle)["entry"].size(), 2u);
  const FhirJson& sr = (*bundle)["entry"][0];
  EXPECT_EQ(sr["request"]["method"], "PATCH");
  EXPECT_EQ(sr["request"]["url"],
            std::string("ServiceRequest?identifier=") + fhir::kRequestSystem + "|" + kId);
  EXPECT_EQ(sr["resource"]["resourceType"], "Parameters");
  EXPECT_EQ(sr["resource"]["parameter"][0]["part"][2]["valueCode"], "revoked");
  const FhirJson& task = (*bundle)["entry"][1];
  EXPECT_EQ(task["resource"]["parameter"][0]["part"][2]["valueCode"], "cancelled");
  EXPECT_EQ(task["resource"]["parameter"][1]["part"][2]["name"], "name");
  auto accepted = ex::Withdrawal(kId);
  accepted.set_transition(ex::rv1::TRANSITION_ACCEPTED);
  auto refused = WithdrawnBundle(accepted);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("TRANSITION_ACCEPTED"), std::string::npos);
}

TEST(ReassignedBundleTest, BetweenColleaguesOnlyTheExpertAndTheStatusArePatched) {
  auto bundle = ReassignedBundle(
      ex::Reassignment(kId, "prof-anna-de-vries", ex::kProvider, "prof-ruud-van-dijk",
                       ex::kProvider, ex::rv1::REQUEST_STATUS_IN_PROGRESS),
      nullptr);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  ASSERT_EQ((*bundle)["entry"].size(), 2u);
  const FhirJson& sr = (*bundle)["entry"][0];
  EXPECT_EQ(sr["request"]["url"],
            std::string("ServiceRequest?identifier=") + fhir::kRequestSystem + "|" + kId);
  EXPECT_EQ(sr["resource"]["parameter"][0]["part"][2]["valueCode"], "active");
  EXPECT_EQ(sr["resource"]["parameter"][1]["part"][1]["valueString"], "ServiceRequest.performer");
  EXPECT_EQ(sr["resource"]["parameter"][1]["part"][2]["valueReference"]["identifier"]["value"],
            "prof-ruud-van-dijk");
  const FhirJson& task = (*bundle)["entry"][1];
  EXPECT_EQ(task["request"]["method"], "PATCH");
  EXPECT_EQ(task["resource"]["parameter"][0]["part"][2]["valueCode"], "in-progress");
  EXPECT_EQ(task["resource"]["parameter"][1]["part"][1]["valueString"], "Task.owner");
  EXPECT_EQ(task["resource"]["parameter"][1]["part"][2]["valueReference"]["identifier"]["value"],
            "prof-ruud-van-dijk");
}

TEST(ReassignedBundleTest, FromAnotherOrganisationTheRequestIsPutWhole) {
  auto moved_in = SubmittedBundle(ex::Submitted(ex::rv1::REQUEST_KIND_ANONYMOUS, kId), nullptr);
  ASSERT_TRUE(moved_in.ok());
  auto bundle = ReassignedBundle(
      ex::Reassignment(kId, "prof-mehmet-yilmaz", ex::kOtherProvider, "prof-anna-de-vries",
                       ex::kProvider, ex::rv1::REQUEST_STATUS_SUBMITTED),
      &*moved_in);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  ASSERT_EQ((*bundle)["entry"].size(), (*moved_in)["entry"].size());
  const FhirJson& sr = EntryOf(*bundle, "ServiceRequest");
  EXPECT_EQ(sr["request"]["method"], "PUT");
  EXPECT_EQ(sr["request"]["url"],
            std::string("ServiceRequest?identifier=") + fhir::kRequestSystem + "|" + kId);
  EXPECT_EQ(sr["resource"]["status"], "active");
  const FhirJson& task = EntryOf(*bundle, "Task");
  EXPECT_EQ(task["request"]["method"], "PUT");
  EXPECT_EQ(task["resource"]["status"], "requested");
  EXPECT_EQ(task["resource"]["owner"]["identifier"]["value"], "prof-anna-de-vries");
  EXPECT_EQ(task["resource"]["focus"]["reference"], sr["fullUrl"]);
}

TEST(ReassignedBundleTest, AwayTheProviderStopsAndOtherUpdatesAreRefused) {
  auto away = ReassignedAwayBundle(ex::Reassignment(kId, "prof-anna-de-vries", ex::kProvider,
                                                    "prof-mehmet-yilmaz", ex::kOtherProvider));
  ASSERT_TRUE(away.ok()) << away.status();
  EXPECT_EQ((*away)["entry"][0]["resource"]["parameter"][0]["part"][2]["valueCode"], "revoked");
  EXPECT_EQ(
      (*away)["entry"][1]["resource"]["parameter"][1]["part"][3]["valueCodeableConcept"]["text"],
      "reassigned to an expert of another organisation");
  EXPECT_EQ(ReassignedAwayBundle(ex::Withdrawal(kId)).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto resolved = ReassignedBundle(
      ex::Reassignment(kId, "prof-anna-de-vries", ex::kProvider, "prof-ruud-van-dijk",
                       ex::kProvider, ex::rv1::REQUEST_STATUS_RESOLVED),
      nullptr);
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(resolved.status().message().find("REQUEST_STATUS_RESOLVED"), std::string::npos);
}

TEST(ConsentBundleTest, GrantWithdrawalAndExpiry) {
  const FhirJson granted = ConsentBundle(ex::Granted());
  const FhirJson& g = EntryOf(granted, "Consent")["resource"];
  EXPECT_EQ(g["status"], "active");
  EXPECT_EQ(g["provision"]["type"], "permit");
  EXPECT_EQ(g["provision"]["actor"][0]["reference"]["identifier"]["value"], ex::kProvider);
  EXPECT_EQ(g["provision"]["purpose"][0]["code"], "direct_line");
  EXPECT_EQ(EntryOf(granted, "Consent")["request"]["method"], "PUT");
  const FhirJson withdrawn = ConsentBundle(ex::Withdrawn());
  const FhirJson& w = EntryOf(withdrawn, "Consent")["resource"];
  EXPECT_EQ(w["status"], "inactive");
  EXPECT_EQ(w["provision"]["type"], "deny");
  const FhirJson expired = ConsentBundle(ex::Expired());
  const FhirJson& x = EntryOf(expired, "Consent")["resource"];
  EXPECT_EQ(x["status"], "inactive");
  EXPECT_FALSE(x.contains("provision"));
}

TEST(VisitBundleTest, APlannedVisitIsAnAppointmentCreatedOnceWithExpertLocationAndGroup) {
  const FhirJson b = VisitBundle(ex::Planned("visit-1"));
  ASSERT_EQ(b["entry"].size(), 1u);
  const FhirJson& e = b["entry"][0];
  EXPECT_EQ(e["request"]["method"], "POST");
  EXPECT_EQ(e["request"]["ifNoneExist"], "identifier=urn:olifantenpad:visit|visit-1");
  const FhirJson& a = e["resource"];
  EXPECT_EQ(a["resourceType"], "Appointment");
  EXPECT_EQ(a["status"], "booked");
  EXPECT_EQ(a["start"], "2026-11-21T08:33:20Z");
  ASSERT_EQ(a["participant"].size(), 2u);
  EXPECT_EQ(a["participant"][0]["actor"]["type"], "Practitioner");
  EXPECT_EQ(a["participant"][0]["actor"]["identifier"]["value"], "prof-anna-de-vries");
  EXPECT_EQ(a["participant"][1]["actor"]["type"], "Location");
  for (const auto& p : a["participant"]) EXPECT_NE(p["actor"]["type"], "Group");
  EXPECT_EQ(a["supportingInformation"][0]["type"], "Group");
  EXPECT_EQ(a["supportingInformation"][0]["identifier"]["value"],
            "loc-boomgaard-noord/grp-egeltjes");
}

TEST(VisitBundleTest, ChangesPutTheAppointmentByItsIdentifier) {
  const FhirJson moved = VisitBundle(ex::Rescheduled("visit-1", 1'795'340'000));
  EXPECT_EQ(moved["entry"][0]["request"]["method"], "PUT");
  EXPECT_EQ(moved["entry"][0]["request"]["url"],
            "Appointment?identifier=urn:olifantenpad:visit|visit-1");
  EXPECT_EQ(moved["entry"][0]["resource"]["start"], "2026-11-22T09:33:20Z");
  const FhirJson cancelled = VisitBundle(ex::Cancelled("visit-1"));
  EXPECT_EQ(cancelled["entry"][0]["resource"]["status"], "cancelled");
  EXPECT_EQ(cancelled["entry"][0]["resource"]["cancelationReason"]["text"],
            "The group is on an outing that day.");
  olifantenpad::scheduling::v1::VisitNoShow missed;
  *missed.mutable_visit() = ex::Visit("visit-1");
  EXPECT_EQ(VisitBundle(missed)["entry"][0]["resource"]["status"], "noshow");
}

TEST(VisitBundleTest, AHeldVisitIsFulfilledWithAnEncounterAboutTheGroup) {
  const FhirJson b = VisitBundle(ex::Held("visit-1"));
  ASSERT_EQ(b["entry"].size(), 3u);
  EXPECT_EQ(b["entry"][0]["resource"]["status"], "fulfilled");
  const FhirJson& group = b["entry"][1];
  EXPECT_EQ(group["resource"]["resourceType"], "Group");
  EXPECT_EQ(group["request"]["ifNoneExist"],
            "identifier=urn:olifantenpad:group|loc-boomgaard-noord/grp-egeltjes");
  const FhirJson& enc = b["entry"][2];
  EXPECT_EQ(enc["request"]["ifNoneExist"], "identifier=urn:olifantenpad:visit|visit-1");
  EXPECT_EQ(enc["resource"]["resourceType"], "Encounter");
  EXPECT_EQ(enc["resource"]["status"], "finished");
  EXPECT_EQ(enc["resource"]["class"]["code"], "FLD");
  EXPECT_EQ(enc["resource"]["subject"]["reference"], group["fullUrl"]);
  EXPECT_EQ(enc["resource"]["appointment"][0]["identifier"]["value"], "visit-1");
  EXPECT_EQ(enc["resource"]["reasonCode"][0]["text"], "coached: notable behaviour");
}

TEST(ParseTaskTest, ReadsWhatTheProviderChanged) {
  auto task = nlohmann::json::parse(R"({"resourceType":"Task","id":"f7",
    "meta":{"versionId":"3","lastUpdated":"2026-11-23T10:00:00.123Z"},
    "identifier":[{"system":"urn:other","value":"x"},
                  {"system":"urn:olifantenpad:request","value":"req-1"}],
    "status":"rejected","statusReason":{"text":"outside our region"},
    "note":[{"text":"first"},{"text":"call me"}]})");
  auto c = ParseTask(task);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->task_id, "f7");
  EXPECT_EQ(c->version, "3");
  EXPECT_EQ(c->last_updated, "2026-11-23T10:00:00.123Z");
  EXPECT_EQ(c->request_id, "req-1");
  EXPECT_EQ(c->status, "rejected");
  EXPECT_EQ(c->reason, "outside our region");
  EXPECT_EQ(c->note, "call me");
}

nlohmann::json CycleOutput(const std::string& code, const std::string& key, nlohmann::json value) {
  return nlohmann::json{
      {"type",
       {{"coding", nlohmann::json::array({{{"system", fhir::kCycleSystem}, {"code", code}}})}}},
      {key, value}};
}

nlohmann::json TaskWithOutputs(nlohmann::json outputs) {
  return nlohmann::json{
      {"resourceType", "Task"},
      {"id", "f7"},
      {"meta", {{"versionId", "2"}, {"lastUpdated", "2026-11-23T10:00:00Z"}}},
      {"identifier",
       nlohmann::json::array({{{"system", fhir::kRequestSystem}, {"value", "req-1"}}})},
      {"status", "in-progress"},
      {"output", std::move(outputs)}};
}

TEST(ParseTaskTest, ReadsCyclesFromTheOutputs) {
  const nlohmann::json period{{"start", "2026-11-23T09:00:00Z"}, {"end", "2026-12-07T09:00:00Z"}};
  auto c = ParseTask(TaskWithOutputs(nlohmann::json::array(
      {CycleOutput("2/plan", "valueString", "Rustmoment na de lunch"),
       CycleOutput("1/plan", "valueString", "Prentenboek bij het afscheid"),
       CycleOutput("1/period", "valuePeriod", period),
       CycleOutput("1/evaluation", "valueString", "Gaat beter"),
       CycleOutput("1/outcome", "valueCode", "continue"),
       CycleOutput("2/period", "valuePeriod", period),
       CycleOutput("2/outcome", "valueCode", "resolved"),
       nlohmann::json{{"type", {{"text", "something else"}}}, {"valueString", "ignored"}}})));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->cycles.size(), 2u);
  EXPECT_EQ(c->cycles[0].number(), 1);
  EXPECT_EQ(c->cycles[0].plan(), "Prentenboek bij het afscheid");
  EXPECT_EQ(c->cycles[0].evaluation(), "Gaat beter");
  EXPECT_EQ(c->cycles[0].outcome(), ex::rv1::OUTCOME_CONTINUE);
  EXPECT_EQ(c->cycles[0].period_end().seconds(), 1'796'634'000);
  EXPECT_EQ(c->cycles[1].outcome(), ex::rv1::OUTCOME_RESOLVED);
}

TEST(ParseTaskTest, NamesWhatIsWrongInACycle) {
  const nlohmann::json period{{"start", "2026-11-23T09:00:00Z"}, {"end", "2026-12-07T09:00:00Z"}};
  struct Case {
    nlohmann::json outputs;
    const char* says;
  };
  for (const Case& k : {
           Case{{CycleOutput("1/plan", "valueString", "p")}, "cycle 1 has no period, outcome"},
           Case{{CycleOutput("x/plan", "valueString", "p")}, "<cycle number>/<part>"},
           Case{{CycleOutput("1/mood", "valueString", "p")}, "unknown part 'mood'"},
           Case{{CycleOutput("1/outcome", "valueCode", "maybe")}, "resolved, continue or escalate"},
           Case{{CycleOutput("1/period", "valuePeriod", {{"start", "yesterday"}, {"end", "now"}})},
                "is not a FHIR instant"},
           Case{{CycleOutput("2/plan", "valueString", "p"),
                 CycleOutput("2/period", "valuePeriod", period),
                 CycleOutput("2/outcome", "valueCode", "continue")},
                "cycle 2 without cycle 1"},
       }) {
    auto parsed = ParseTask(TaskWithOutputs(k.outputs));
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << k.says;
    EXPECT_NE(parsed.status().message().find(k.says), std::string::npos) << parsed.status();
  }
}

TEST(ParseCommunicationTest, ReadsAMessageAboutARequest) {
  auto m = ParseCommunication(nlohmann::json::parse(R"({"resourceType":"Communication","id":"c1",
    "meta":{"versionId":"1","lastUpdated":"2026-11-23T10:00:00Z"},"status":"completed",
    "basedOn":[{"identifier":{"system":"urn:olifantenpad:request","value":"req-1"}}],
    "payload":[{"contentString":"Ik kom dinsdag kijken."},{"contentString":"Groet, Anna"}]})"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->request_id, "req-1");
  EXPECT_EQ(m->text, "Ik kom dinsdag kijken.\nGroet, Anna");
  auto bare = ParseCommunication(nlohmann::json::parse(R"({"resourceType":"Communication",
    "id":"c2","meta":{"lastUpdated":"2026-11-23T10:00:00Z"},"status":"completed",
    "payload":[{"contentString":"x"}]})"));
  EXPECT_NE(bare.status().message().find("is not basedOn a request"), std::string::npos);
  auto empty = ParseCommunication(nlohmann::json::parse(R"({"resourceType":"Communication",
    "id":"c3","meta":{"lastUpdated":"2026-11-23T10:00:00Z"},"status":"completed",
    "basedOn":[{"identifier":{"system":"urn:olifantenpad:request","value":"req-1"}}]})"));
  EXPECT_NE(empty.status().message().find("no payload with a contentString"), std::string::npos);
}

TEST(ParseTaskTest, NamesWhatIsWrong) {
  struct Case {
    const char* json;
    const char* says;
  };
  for (const Case& c : {
           Case{R"({"resourceType":"Patient","id":"1"})", "not a Task"},
           Case{R"([1,2])", "not a Task"},
           Case{R"({"resourceType":"Task"})", "has no id"},
           Case{R"({"resourceType":"Task","id":"t1","status":"accepted"})", "meta.lastUpdated"},
           Case{R"({"resourceType":"Task","id":"t1","meta":{"lastUpdated":"2026-01-01T00:00:00Z"},
                "status":"accepted"})",
                "no identifier in urn:olifantenpad:request"},
           Case{R"({"resourceType":"Task","id":"t1","meta":{"lastUpdated":"2026-01-01T00:00:00Z"},
                "identifier":[{"system":"urn:olifantenpad:request","value":"r"}]})",
                "has no status"},
       }) {
    auto parsed = ParseTask(nlohmann::json::parse(c.json));
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(parsed.status().message().find(c.says), std::string::npos)
        << parsed.status() << " should say " << c.says;
  }
}

}  // namespace
}  // namespace olif::youthcare_fhir
