#include "adapters/builtin.h"

#include <gtest/gtest.h>

#include "olifantenpad/config/v1/youthcare_fhir.pb.h"

namespace olif::adapters {
namespace {

namespace cfg = olifantenpad::config::v1;

TEST(BuiltinAdaptersTest, AreRegisteredOnceByName) {
  AdapterRegistry registry;
  ASSERT_TRUE(RegisterBuiltinAdapters(registry).ok());
  EXPECT_EQ(registry.Names(),
            (std::vector<std::string>{"alerts", "childcare", "school", "youthcare_fhir"}));
  const AdapterFactory* f = registry.Find("youthcare_fhir");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->EmptyConfig()->GetDescriptor()->full_name(),
            "olifantenpad.config.v1.YouthcareFhirConfig");
  ASSERT_NE(registry.Find("childcare"), nullptr);
  EXPECT_EQ(registry.Find("childcare")->EmptyConfig()->GetDescriptor()->full_name(),
            "olifantenpad.config.v1.ChildcareConfig");
  ASSERT_NE(registry.Find("school"), nullptr);
  EXPECT_EQ(registry.Find("school")->EmptyConfig()->GetDescriptor()->full_name(),
            "olifantenpad.config.v1.SchoolConfig");
  ASSERT_NE(registry.Find("alerts"), nullptr);
  EXPECT_EQ(registry.Find("alerts")->EmptyConfig()->GetDescriptor()->full_name(),
            "olifantenpad.config.v1.AlertsConfig");
  EXPECT_EQ(registry.Find("kindvolgsysteem"), nullptr);
  const absl::Status again = RegisterBuiltinAdapters(registry);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find("youthcare_fhir"), std::string::npos);
}

TEST(BuiltinAdaptersTest, YouthcareConfigIsCheckedBeyondTheLoader) {
  AdapterRegistry registry;
  ASSERT_TRUE(RegisterBuiltinAdapters(registry).ok());
  const AdapterFactory* f = registry.Find("youthcare_fhir");
  cfg::YouthcareFhirConfig c;
  c.mutable_runtime()->set_dev_mode(true);
  for (auto* bus : {c.mutable_referrals_bus(), c.mutable_consent_bus()}) {
    bus->set_endpoint("tcp://127.0.0.1:7402");
    bus->set_name("youthcare-fhir");
  }
  c.mutable_youthcare_fhir()->set_fhir_base_url("http://127.0.0.1:7480");
  EXPECT_TRUE(f->Validate(c).ok()) << f->Validate(c);

  struct Case {
    std::function<void(cfg::YouthcareFhirConfig&)> change;
    const char* says;
  };
  for (const Case& k : {
           Case{[](auto& x) {
                  x.mutable_youthcare_fhir()->set_fhir_base_url("ftp://fhir.example.nl");
                },
                "must be an https:// URL"},
           Case{[](auto& x) {
                  x.mutable_youthcare_fhir()->set_fhir_base_url("https://fhir.example.nl/r4/");
                },
                "must not end in '/'"},
           Case{[](auto& x) { x.mutable_youthcare_fhir()->mutable_tls()->set_cert_file("c.pem"); },
                "go together"},
           Case{[](auto& x) { x.mutable_youthcare_fhir()->mutable_retry()->set_max_attempts(-1); },
                "must not be negative"},
           Case{[](auto& x) { x.mutable_youthcare_fhir()->set_max_in_flight(65); },
                "youthcare_fhir.max_in_flight: 65 is not within 1..64"},
           Case{[](auto& x) { x.mutable_youthcare_fhir()->set_max_in_flight(-2); },
                "youthcare_fhir.max_in_flight: -2 is not within 1..64"},
           Case{[](auto& x) {
                  x.mutable_youthcare_fhir()->mutable_webhook()->set_listen_address("0.0.0.0:8443");
                },
                "without TLS only a loopback address"},
           Case{[](auto& x) {
                  x.mutable_youthcare_fhir()->mutable_webhook()->set_listen_address("nowhere");
                },
                "webhook.listen_address"},
           Case{[](auto& x) {
                  auto* w = x.mutable_youthcare_fhir()->mutable_webhook();
                  w->set_listen_address("127.0.0.1:0");
                  w->set_client_ca_file("ca.pem");
                },
                "mutual TLS needs cert_file"},
       }) {
    cfg::YouthcareFhirConfig changed = c;
    k.change(changed);
    const absl::Status s = f->Validate(changed);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << k.says;
    EXPECT_NE(s.message().find(k.says), std::string::npos) << s;
  }
}

// A translator whose answer the test chooses.
class Choosing : public Translator {
 public:
  absl::StatusOr<std::string> ToExternal(const Delivery&) override { return answer; }
  absl::StatusOr<std::string> answer;
};

TEST(TranslatingHttpConnectorTest, HoldsWhatCannotGoNowAndRefusesWhatCannotGoEver) {
  Choosing translator;
  // Nothing listens here; only the translator's refusals are under test.
  TranslatingHttpConnector connector(translator, {.url = "http://127.0.0.1:9"});
  translator.answer = absl::FailedPreconditionError("held: no consent");
  SendResult held = connector.Send({});
  EXPECT_FALSE(held.ok);
  EXPECT_TRUE(held.retryable);
  EXPECT_EQ(held.detail, "held: no consent");
  translator.answer = absl::UnavailableError("held: cannot read the projection");
  EXPECT_TRUE(connector.Send({}).retryable);
  translator.answer = absl::InvalidArgumentError("not a readable RequestSubmitted");
  SendResult dead = connector.Send({});
  EXPECT_FALSE(dead.ok);
  EXPECT_FALSE(dead.retryable);
  translator.answer = std::string("{}");
  SendResult refused = connector.Send({});  // nothing listens: a network error, retried
  EXPECT_FALSE(refused.ok);
  EXPECT_TRUE(refused.retryable);
  EXPECT_EQ(refused.sent, "{}");
}

}  // namespace
}  // namespace olif::adapters
