#include "services/common/bus/producer_config.h"

#include <gtest/gtest.h>

#include "services/common/bus/curve.h"

namespace olif::bus {
namespace {

namespace cfg = olifantenpad::config::v1;

cfg::BusProducerConfig Config(std::string endpoint) {
  cfg::BusProducerConfig c;
  c.set_endpoint(std::move(endpoint));
  c.add_consumers()->set_name("youthcare-fhir");
  return c;
}

TEST(ProducerConfigTest, PlaintextOnlyOnLoopbackInDevMode) {
  EXPECT_TRUE(ValidateProducerConfig(Config("tcp://127.0.0.1:7402"), true).ok());
  EXPECT_TRUE(ValidateProducerConfig(Config("tcp://127.0.0.1:*"), true).ok());
  EXPECT_EQ(ValidateProducerConfig(Config("tcp://0.0.0.0:7402"), true).message(),
            "bus.endpoint: without curve_secret_key the bus is plaintext, allowed in dev_mode on "
            "loopback only, not tcp://0.0.0.0:7402");
  EXPECT_FALSE(ValidateProducerConfig(Config("tcp://127.0.0.1:7402"), false).ok());
}

TEST(ProducerConfigTest, CurveNeedsValidKeysForEveryConsumer) {
  const CurveKeyPair server = *GenerateCurveKeyPair();
  const CurveKeyPair client = *GenerateCurveKeyPair();
  cfg::BusProducerConfig c = Config("tcp://0.0.0.0:7402");
  c.set_curve_secret_key(server.secret_key);
  EXPECT_EQ(ValidateProducerConfig(c, false).message(),
            "bus.consumers[0].public_key: must be a 40-character Z85 CURVE key (make one with "
            "--gen-curve-keypair)");
  c.mutable_consumers(0)->set_public_key(client.public_key);
  EXPECT_TRUE(ValidateProducerConfig(c, false).ok());
  const ProducerOptions options = ToProducerOptions(c, "referrals", "r.db");
  EXPECT_EQ(options.curve_secret_key, server.secret_key);
  EXPECT_EQ(options.curve_client_keys, std::set<std::string>{client.public_key});
  EXPECT_EQ(options.consumers, std::vector<std::string>{"youthcare-fhir"});
}

TEST(ProducerConfigTest, RefusesBadEndpointsAndNames) {
  EXPECT_EQ(ValidateProducerConfig(Config("ipc:///tmp/bus"), true).message(),
            "bus.endpoint: must be tcp://host:port, not 'ipc:///tmp/bus'");
  EXPECT_FALSE(ValidateProducerConfig(Config("tcp://127.0.0.1"), true).ok());
  cfg::BusProducerConfig twice = Config("tcp://127.0.0.1:7402");
  twice.add_consumers()->set_name("youthcare-fhir");
  EXPECT_EQ(ValidateProducerConfig(twice, true).message(),
            "bus.consumers[1].name: 'youthcare-fhir' is listed twice");
  cfg::BusProducerConfig bad = Config("tcp://127.0.0.1:7402");
  bad.mutable_consumers(0)->set_name("Youth Care");
  EXPECT_FALSE(ValidateProducerConfig(bad, true).ok());
}

}  // namespace
}  // namespace olif::bus
