#pragma once

// Test helpers shared by the referrals tests: a fresh database path, and the
// example requests of example_requests.h.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "olifantenpad/referrals/v1/referrals.pb.h"
#include "services/common/ids/ids.h"
#include "services/referrals/example_requests.h"

namespace olif::referrals::testing_util {

namespace v1 = olifantenpad::referrals::v1;

// A database path in an empty directory of its own, named after the test.
inline std::string FreshDbPath() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::path(::testing::TempDir()) /
             (std::string("referrals_") + info->test_suite_name() + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "referrals.db").string();
}

}  // namespace olif::referrals::testing_util
