#pragma once

// Test helpers shared by the referrals tests: a fresh database path, and the
// example requests of example_requests.h.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "olifantenpad/referrals/v1/referrals.pb.h"
#include "services/common/directory/directory.h"
#include "services/common/ids/ids.h"
#include "services/common/testing/dev_directory.h"
#include "services/common/testing/testing.h"
#include "services/referrals/example_requests.h"

namespace olif::referrals::testing_util {

namespace v1 = olifantenpad::referrals::v1;

using olif::testing_util::DevDirectory;

// A database path in an empty directory of its own.
inline std::string FreshDbPath() {
  return (olif::testing_util::FreshTestDir("referrals") / "referrals.db").string();
}

}  // namespace olif::referrals::testing_util
