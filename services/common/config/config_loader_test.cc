#include "services/common/config/config_loader.h"
#include "services/common/testing/testing.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "absl/strings/match.h"
#include "olifantenpad/config/v1/referrals.pb.h"

namespace olif::config {
namespace {

namespace cfg = olifantenpad::config::v1;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](absl::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kValid[] = R"(
runtime:
  grpc:
    listen_address: 127.0.0.1:7401
  data_dir: var/referrals
  metrics:
    listen_address: 127.0.0.1:9401
  logging:
    format: json
    level: LOG_LEVEL_DEBUG
  dev_mode: true
  shutdown_grace: 2.5s
referrals:
  default_page_size: 20
  max_page_size: 200
  directory_path: config/dev/directory.yaml
consent_bus:
  endpoint: tcp://127.0.0.1:7412
  name: referrals
bus:
  endpoint: tcp://127.0.0.1:7402
  consumers:
    - name: youthcare-fhir
    - name: bus-tail
  retention: 72h
)";

TEST(ConfigLoaderTest, LoadsEveryKindOfField) {
  cfg::ReferralsConfig c;
  ASSERT_TRUE(LoadYaml(kValid, "referrals.yaml", &c, FakeEnv({})).ok());
  EXPECT_EQ(c.runtime().grpc().listen_address(), "127.0.0.1:7401");
  EXPECT_EQ(c.runtime().data_dir(), "var/referrals");
  EXPECT_EQ(c.runtime().logging().format(), cfg::LOG_FORMAT_JSON);
  EXPECT_EQ(c.runtime().logging().level(), cfg::LOG_LEVEL_DEBUG);
  EXPECT_TRUE(c.runtime().dev_mode());
  EXPECT_EQ(c.runtime().shutdown_grace().seconds(), 2);
  EXPECT_EQ(c.runtime().shutdown_grace().nanos(), 500'000'000);
  EXPECT_EQ(c.referrals().max_page_size(), 200);
  ASSERT_EQ(c.bus().consumers_size(), 2);
  EXPECT_EQ(c.bus().consumers(1).name(), "bus-tail");
  EXPECT_EQ(c.bus().retention().seconds(), 72 * 3600);
}

TEST(ConfigLoaderTest, UnknownKeyIsNamedWithFileLineAndPath) {
  cfg::ReferralsConfig c;
  absl::Status s =
      LoadYaml("runtime:\n  grpc:\n    listen_address: 127.0.0.1:1\n    listen_adress: x\n",
               "r.yaml", &c, FakeEnv({}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "r.yaml:4: runtime.grpc.listen_adress: unknown key (allowed here: listen_address)");
}

TEST(ConfigLoaderTest, MissingRequiredFieldsAreNamed) {
  cfg::ReferralsConfig c;
  absl::Status s =
      LoadYaml("runtime:\n  grpc:\n    listen_address: 127.0.0.1:1\n", "r.yaml", &c, FakeEnv({}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "r.yaml: missing required keys runtime.data_dir, runtime.metrics, bus, consent_bus");
  EXPECT_EQ(
      LoadYaml("referrals: {}\nbus:\n  endpoint: tcp://127.0.0.1:1\n", "r.yaml", &c, FakeEnv({}))
          .message(),
      "r.yaml: missing required keys runtime, referrals.directory_path, consent_bus");
  EXPECT_EQ(LoadYaml("", "r.yaml", &c, FakeEnv({})).message(),
            "r.yaml: missing required keys runtime, bus, consent_bus");
  std::string no_name = kValid;
  no_name.replace(no_name.find("    - name: bus-tail"), 20, "    - {}");
  EXPECT_EQ(LoadYaml(no_name, "r.yaml", &c, FakeEnv({})).message(),
            "r.yaml: missing required key bus.consumers[1].name");
}

TEST(ConfigLoaderTest, EnvironmentSubstitution) {
  cfg::ReferralsConfig c;
  std::string yaml = kValid;
  yaml.replace(yaml.find("var/referrals"), 13, "${DATA_ROOT}/referrals");
  yaml.replace(yaml.find("127.0.0.1:9401"), 14, "${METRICS_ADDR:-127.0.0.1:0}");
  ASSERT_TRUE(LoadYaml(yaml, "r.yaml", &c, FakeEnv({{"DATA_ROOT", "/srv/olif"}})).ok());
  EXPECT_EQ(c.runtime().data_dir(), "/srv/olif/referrals");
  EXPECT_EQ(c.runtime().metrics().listen_address(), "127.0.0.1:0");

  absl::Status s = LoadYaml(yaml, "r.yaml", &c, FakeEnv({}));
  EXPECT_EQ(s.message(), "r.yaml:5: runtime.data_dir: environment variable DATA_ROOT is not set");
  EXPECT_EQ(c.ByteSizeLong(), 0u) << "nothing half-loaded";
}

TEST(ConfigLoaderTest, WrongTypesAreRefused) {
  cfg::ReferralsConfig c;
  auto load = [&](std::string from, std::string to) {
    std::string yaml = kValid;
    yaml.replace(yaml.find(from), from.size(), to);
    return std::string(LoadYaml(yaml, "r.yaml", &c, FakeEnv({})).message());
  };
  EXPECT_EQ(load("dev_mode: true", "dev_mode: yes please"),
            "r.yaml:11: runtime.dev_mode: must be true or false");
  EXPECT_EQ(load("max_page_size: 200", "max_page_size: lots"),
            "r.yaml:15: referrals.max_page_size: must be an integer, not 'lots'");
  EXPECT_EQ(load("max_page_size: 200", "max_page_size: 99999999999"),
            "r.yaml:15: referrals.max_page_size: must be an integer, not '99999999999'");
  EXPECT_EQ(load("format: json", "format: xml"),
            "r.yaml:9: runtime.logging.format: unknown value 'xml' (allowed: text, json)");
  EXPECT_EQ(load("data_dir: var/referrals", "data_dir: [a, b]"),
            "r.yaml:5: runtime.data_dir: must be a single value");
  EXPECT_EQ(load("  logging:\n    format: json\n    level: LOG_LEVEL_DEBUG\n", "  logging: loud\n"),
            "r.yaml:8: runtime.logging: must be a mapping of keys to values");
  EXPECT_EQ(load("shutdown_grace: 2.5s", "shutdown_grace: soon"),
            "r.yaml:12: runtime.shutdown_grace: must be a duration such as 30s, 5m, 1.5h or "
            "300ms, not 'soon'");
  EXPECT_EQ(load("shutdown_grace: 2.5s", "shutdown_grace: -1s"),
            "r.yaml:12: runtime.shutdown_grace: must be a duration such as 30s, 5m, 1.5h or "
            "300ms, not '-1s'");
}

TEST(ConfigLoaderTest, InvalidYamlNamesTheLine) {
  cfg::ReferralsConfig c;
  absl::Status s = LoadYaml("runtime:\n  grpc: [unclosed\n", "r.yaml", &c, FakeEnv({}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), "r.yaml:")) << s.message();
  EXPECT_NE(s.message().find("not valid YAML"), std::string::npos) << s.message();
}

TEST(ConfigLoaderTest, KeyThatIsNotANameIsRefused) {
  cfg::ReferralsConfig c;
  absl::Status s = LoadYaml("runtime:\n  ? [a, b]\n  : 1\n", "r.yaml", &c, FakeEnv({}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), "r.yaml:2: not a config value")) << s.message();
}

TEST(ConfigLoaderTest, LoadFileReadsFromDiskAndNamesMissingFile) {
  const std::string path = (testing_util::FreshTestDir("config") / "referrals.yaml").string();
  {
    std::ofstream out(path);
    out << kValid;
  }
  cfg::ReferralsConfig c;
  ASSERT_TRUE(LoadFile(path, &c, FakeEnv({})).ok());
  EXPECT_EQ(c.referrals().default_page_size(), 20);
  std::remove(path.c_str());
  absl::Status s = LoadFile(path, &c, FakeEnv({}));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find(path), std::string::npos);
}

TEST(ConfigLoaderTest, DevConfigInTheRepositoryLoads) {
  cfg::ReferralsConfig c;
  absl::Status s = LoadFile(std::string(OLIF_SOURCE_DIR) + "/config/dev/referrals.yaml", &c);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_TRUE(c.runtime().dev_mode());
}

}  // namespace
}  // namespace olif::config

namespace olif::config {
namespace {

TEST(ToDurationTest, KeepsSecondsAndNanos) {
  google::protobuf::Duration d;
  d.set_seconds(2);
  d.set_nanos(500'000'000);
  EXPECT_EQ(ToDuration(d), absl::Milliseconds(2500));
  EXPECT_EQ(ToDuration(google::protobuf::Duration()), absl::ZeroDuration());
}

}  // namespace
}  // namespace olif::config
