#include "tools/launcher/endpoints.h"

#include <gtest/gtest.h>

#include <map>

#include "tools/launcher/hub_processes.h"

namespace olif::launcher {
namespace {

config::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](absl::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Dev(const std::string& file) {
  return std::string(OLIF_SOURCE_DIR) + "/config/dev/" + file;
}

TEST(EndpointsTest, AServiceServesGrpcMetricsAndItsBus) {
  auto e = EndpointsOf(Dev("referrals.yaml"), Env({}));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(Describe(*e),
            "grpc 127.0.0.1:7401, metrics http://127.0.0.1:9401/metrics, bus tcp://127.0.0.1:7402");
}

TEST(EndpointsTest, WhatTheEnvironmentSetsIsWhatIsSaid) {
  auto e = EndpointsOf(Dev("referrals.yaml"), Env({{"OLIF_REFERRALS_GRPC", "127.0.0.1:17401"}}));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->front().what, "grpc");
  EXPECT_EQ(e->front().where, "127.0.0.1:17401");
}

TEST(EndpointsTest, AnAdapterSaysItsWebhookButNotTheBusesItFollows) {
  auto e = EndpointsOf(Dev("youthcare_fhir.yaml"), Env({}));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(Describe(*e),
            "grpc 127.0.0.1:7421, metrics http://127.0.0.1:9421/metrics, "
            "webhook http://127.0.0.1:7422/fhir/notify");
  auto fake = EndpointsOf(Dev("fake_fhir.yaml"), Env({}));
  ASSERT_TRUE(fake.ok()) << fake.status();
  EXPECT_EQ(fake->back().what, "fhir");
  EXPECT_EQ(fake->back().where, "http://127.0.0.1:7480");
}

TEST(EndpointsTest, AnUnreadableFileIsNamed) {
  auto e = EndpointsOf(Dev("no-such.yaml"), Env({}));
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(e.status().message().find("no-such.yaml"), absl::string_view::npos);
}

TEST(EndpointsTest, EveryProcessOfTheHubHasADevConfig) {
  for (const char* name : kHubProcesses) {
    auto e = EndpointsOf(Dev(std::string(name) + ".yaml"), Env({}));
    EXPECT_TRUE(e.ok()) << name << ": " << e.status();
  }
  EXPECT_STREQ(kHubProcesses[0], "consent") << "consent starts first: the others follow it";
}

}  // namespace
}  // namespace olif::launcher
