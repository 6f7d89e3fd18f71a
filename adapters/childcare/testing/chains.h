#pragma once

// The chains the childcare adapter's tests use: the dev directory's De
// Boomgaard, configured as in config/dev/childcare.yaml (Dutch headers,
// semicolons, day-month-year), built from that file so the tests and the
// dev config cannot drift apart.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "adapters/childcare/chain.h"
#include "olifantenpad/config/v1/childcare.pb.h"
#include "services/common/config/config_loader.h"
#include "services/common/directory/directory.h"

namespace olif::childcare::testing {

inline std::string SourcePath(const std::string& relative) {
  return std::string(OLIF_SOURCE_DIR) + "/" + relative;
}

inline std::shared_ptr<const directory::Directory> DevDirectory() {
  auto d = directory::Directory::Load(SourcePath("config/dev/directory.yaml"));
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : nullptr;
}

// config/dev/childcare.yaml, loaded as the adapter loads it.
inline olifantenpad::config::v1::ChildcareConfig DevConfig() {
  olifantenpad::config::v1::ChildcareConfig config;
  absl::Status s = config::LoadFile(SourcePath("config/dev/childcare.yaml"), &config);
  EXPECT_TRUE(s.ok()) << s;
  return config;
}

inline absl::TimeZone Amsterdam() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &zone));
  return zone;
}

// The dev config's chain `index` (0: boomgaard, 1: zonnestraal), with
// `change` applied to its config first.
template <typename Change>
std::shared_ptr<const Chain> DevChain(int index, Change change) {
  olifantenpad::config::v1::ChildcareChain c = DevConfig().childcare().chains(index);
  change(c);
  auto chain = Chain::Build(c, *DevDirectory(), Amsterdam(), "chain");
  EXPECT_TRUE(chain.ok()) << chain.status();
  return chain.ok() ? *chain : nullptr;
}
inline std::shared_ptr<const Chain> DevChain(int index) {
  return DevChain(index, [](olifantenpad::config::v1::ChildcareChain&) {});
}

}  // namespace olif::childcare::testing
