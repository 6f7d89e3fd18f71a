#pragma once

// The dev region's directory (config/dev/directory.yaml), held as a process
// holds it, for the tests of every service that reads the directory.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "services/common/directory/directory.h"

namespace olif::testing_util {

inline std::unique_ptr<olif::directory::DirectoryHolder> DevDirectory() {
  auto dir =
      olif::directory::Directory::Load(std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml");
  EXPECT_TRUE(dir.ok()) << dir.status();
  return std::make_unique<olif::directory::DirectoryHolder>(*dir);
}

}  // namespace olif::testing_util
