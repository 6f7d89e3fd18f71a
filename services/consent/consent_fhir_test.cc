#include "services/consent/consent_fhir.h"

#include <gtest/gtest.h>

#include "services/consent/example_consents.h"

namespace olif::consent {
namespace {

namespace ex = examples;
namespace v1 = olifantenpad::consent::v1;

v1::Consent Stored(v1::ConsentStatus status) {
  v1::Consent c = ex::ToddlerDirectLine();
  c.set_id("9b2f4c1e-8d3a-4e5f-a6b7-c8d9e0f1a2b3");
  c.set_status(status);
  *c.mutable_create_time() = ex::At(2026, 11, 20);
  return c;
}

// The whole resource, so that any change to the mapping shows here; the npm
// validators (tests/fhir) check the same output against FHIR R4.
TEST(ConsentFhirTest, ActiveConsentMapsToAPermit) {
  auto dir =
      directory::Directory::Load(std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml");
  ASSERT_TRUE(dir.ok());
  auto json = ToFhirConsent(Stored(v1::CONSENT_STATUS_ACTIVE), dir->get());
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(
      *json,
      R"({"resourceType":"Consent",)"
      R"("identifier":[{"system":"urn:olifantenpad:consent","value":"9b2f4c1e-8d3a-4e5f-a6b7-c8d9e0f1a2b3"}],)"
      R"("status":"active",)"
      R"("scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy","display":"Privacy Consent"}]},)"
      R"("category":[{"coding":[{"system":"http://loinc.org","code":"59284-0","display":"Patient Consent"}]}],)"
      R"("patient":{"identifier":{"system":"urn:olifantenpad:child-ref","value":"5d1e8a43-2b6f-4c7d-9e10-a2b3c4d5e6f7"}},)"
      R"("dateTime":"2026-11-20T00:00:00Z",)"
      R"("sourceReference":{"identifier":{"system":"urn:olifantenpad:document","value":"DOC-2026-11-000123"}},)"
      R"("policy":[{"authority":"https://wetten.overheid.nl","uri":"https://wetten.overheid.nl/BWBR0039296"}],)"
      R"("provision":{"type":"permit",)"
      R"("period":{"start":"2026-11-20T00:00:00Z","end":"2027-08-01T00:00:00Z"},)"
      R"("actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP","display":"information recipient"}]},)"
      R"("reference":{"identifier":{"system":"urn:olifantenpad:organisation","value":"org-jz-het-kompas"},"display":"Jeugdhulp Het Kompas"}}],)"
      R"("purpose":[{"system":"urn:olifantenpad:consent-purpose","code":"direct_line"},{"system":"urn:olifantenpad:consent-purpose","code":"group_discussion"}],)"
      R"("code":[{"coding":[{"system":"urn:olifantenpad:data-category","code":"identity"}]},{"coding":[{"system":"urn:olifantenpad:data-category","code":"observations"}]}]}})");
  EXPECT_EQ(json->find("Janssen"), std::string::npos) << "grantors' names stay out";
}

TEST(ConsentFhirTest, WithdrawnOrExpiredIsInactive) {
  for (auto status : {v1::CONSENT_STATUS_WITHDRAWN, v1::CONSENT_STATUS_EXPIRED}) {
    auto json =
        ToFhirConsent(Stored(status), nullptr, "urn:uuid:7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b");
    ASSERT_TRUE(json.ok());
    EXPECT_NE(json->find(R"("status":"inactive")"), std::string::npos) << *json;
    EXPECT_NE(
        json->find(R"("patient":{"reference":"urn:uuid:7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b"})"),
        std::string::npos)
        << *json;
    EXPECT_EQ(json->find("display\":\"Jeugdhulp"), std::string::npos) << "no directory, no names";
  }
}

TEST(ConsentFhirTest, AConsentNotYetStoredIsRefused) {
  EXPECT_EQ(ToFhirConsent(ex::ToddlerDirectLine(), nullptr).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace olif::consent
