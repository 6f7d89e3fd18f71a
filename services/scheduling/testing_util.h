#pragma once

// Test helpers shared by the scheduling tests: the hub's zone and local times
// in it.

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace olif::scheduling::testing_util {

inline absl::TimeZone Amsterdam() {
  absl::TimeZone z;
  absl::LoadTimeZone("Europe/Amsterdam", &z);
  return z;
}

// hh:mm on y-m-d in Amsterdam.
inline absl::Time At(int y, int m, int d, int hh, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), Amsterdam());
}

}  // namespace olif::scheduling::testing_util
