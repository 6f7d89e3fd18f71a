#include "services/consent/consent_fhir.h"

#include <gtest/gtest.h>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "services/consent/example_consents.h"

namespace olif::consent {
namespace {

namespace ex = examples;
namespace v1 = olifantenpad::consent::v1;
using google::protobuf::Struct;

v1::Consent Stored(v1::ConsentStatus status) {
  v1::Consent c = ex::ToddlerDirectLine();
  c.set_id("9b2f4c1e-8d3a-4e5f-a6b7-c8d9e0f1a2b3");
  c.set_status(status);
  *c.mutable_create_time() = ex::At(2026, 11, 20);
  return c;
}

Struct Parse(const std::string& json) {
  Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &s).ok()) << json;
  return s;
}

TEST(ConsentFhirTest, ActiveConsentMapsToAPermit) {
  auto dir =
      directory::Directory::Load(std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml");
  ASSERT_TRUE(dir.ok());
  auto json = ToFhirConsent(Stored(v1::CONSENT_STATUS_ACTIVE), dir->get());
  ASSERT_TRUE(json.ok()) << json.status();
  Struct r = Parse(*json);
  const auto& f = r.fields();
  EXPECT_EQ(f.at("resourceType").string_value(), "Consent");
  EXPECT_EQ(f.at("status").string_value(), "active");
  EXPECT_EQ(f.at("scope")
                .struct_value()
                .fields()
                .at("coding")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("code")
                .string_value(),
            "patient-privacy");
  EXPECT_EQ(f.at("category")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("coding")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("code")
                .string_value(),
            "59284-0");
  const auto& provision = f.at("provision").struct_value().fields();
  EXPECT_EQ(provision.at("type").string_value(), "permit");
  EXPECT_EQ(provision.at("period").struct_value().fields().at("start").string_value(),
            "2026-11-20T00:00:00Z");
  EXPECT_EQ(provision.at("period").struct_value().fields().at("end").string_value(),
            "2027-08-01T00:00:00Z");
  const auto& actor = provision.at("actor").list_value().values(0).struct_value().fields();
  EXPECT_EQ(actor.at("reference").struct_value().fields().at("display").string_value(),
            "Jeugdhulp Het Kompas");
  EXPECT_EQ(provision.at("purpose").list_value().values_size(), 2);
  EXPECT_EQ(provision.at("purpose")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("code")
                .string_value(),
            "direct_line");
  EXPECT_EQ(f.at("patient")
                .struct_value()
                .fields()
                .at("identifier")
                .struct_value()
                .fields()
                .at("value")
                .string_value(),
            ex::kChildRef);
  EXPECT_EQ(json->find("Janssen"), std::string::npos) << "grantors' names stay out";
}

TEST(ConsentFhirTest, WithdrawnOrExpiredIsInactive) {
  for (auto status : {v1::CONSENT_STATUS_WITHDRAWN, v1::CONSENT_STATUS_EXPIRED}) {
    auto json =
        ToFhirConsent(Stored(status), nullptr, "urn:uuid:7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b");
    ASSERT_TRUE(json.ok());
    Struct r = Parse(*json);
    EXPECT_EQ(r.fields().at("status").string_value(), "inactive");
    EXPECT_EQ(r.fields().at("patient").struct_value().fields().at("reference").string_value(),
              "urn:uuid:7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b");
  }
}

TEST(ConsentFhirTest, AConsentNotYetStoredIsRefused) {
  EXPECT_EQ(ToFhirConsent(ex::ToddlerDirectLine(), nullptr).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace olif::consent
