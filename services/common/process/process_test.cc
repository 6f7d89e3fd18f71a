#include "services/common/process/process.h"

#include <gtest/gtest.h>

namespace olif {
namespace {

namespace cfg = olifantenpad::config::v1;

TEST(CommandLineTest, ParsesFlags) {
  const char* argv[] = {"referrals", "--config", "c.yaml", "--check-config"};
  auto cl = ParseCommandLine(4, argv);
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->config_path, "c.yaml");
  EXPECT_TRUE(cl->check_config);
  const char* eq[] = {"referrals", "--config=d.yaml"};
  EXPECT_EQ(ParseCommandLine(2, eq)->config_path, "d.yaml");
  const char* version[] = {"referrals", "--version"};
  EXPECT_TRUE(ParseCommandLine(2, version)->version);
  const char* keys[] = {"referrals", "--gen-curve-keypair"};
  EXPECT_TRUE(ParseCommandLine(2, keys)->gen_curve_keypair) << "needs no --config";
}

TEST(CommandLineTest, RefusesMissingConfigAndUnknownFlags) {
  const char* none[] = {"referrals"};
  EXPECT_EQ(ParseCommandLine(1, none).status().message(), "--config FILE is required");
  const char* dangling[] = {"referrals", "--config"};
  EXPECT_EQ(ParseCommandLine(2, dangling).status().message(), "--config needs a file");
  const char* unknown[] = {"referrals", "--config", "c", "--verbose"};
  EXPECT_EQ(ParseCommandLine(4, unknown).status().message(), "unknown argument '--verbose'");
}

cfg::RuntimeConfig Runtime(std::string grpc, std::string metrics, bool dev) {
  cfg::RuntimeConfig r;
  r.mutable_grpc()->set_listen_address(std::move(grpc));
  r.mutable_metrics()->set_listen_address(std::move(metrics));
  r.set_dev_mode(dev);
  return r;
}

TEST(RuntimeConfigTest, ValidatesAddressesAndDevMode) {
  EXPECT_TRUE(ValidateRuntimeConfig(Runtime("127.0.0.1:0", "127.0.0.1:0", true)).ok());
  EXPECT_EQ(ValidateRuntimeConfig(Runtime("127.0.0.1", "127.0.0.1:0", true)).message(),
            "runtime.grpc.listen_address: address '127.0.0.1' must look like host:port, e.g. "
            "127.0.0.1:7401");
  EXPECT_EQ(ValidateRuntimeConfig(Runtime("127.0.0.1:0", "0.0.0.0:9401", true)).message(),
            "runtime.metrics.listen_address: dev_mode binds loopback only, not 0.0.0.0:9401");
  EXPECT_EQ(ValidateRuntimeConfig(Runtime("127.0.0.1:0", "127.0.0.1:0", false)).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace olif
