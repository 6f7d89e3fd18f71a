#include "services/common/clock/clock.h"

#include <gtest/gtest.h>

namespace olif {
namespace {

TEST(ClockTest, FakeClockMovesOnlyWhenAdvanced) {
  FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1'700'000'000));
  clock.Advance(absl::Hours(49));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1'700'000'000) + absl::Hours(49));
}

TEST(ClockTest, RealClockFollowsSystemTime) {
  const absl::Time before = absl::Now();
  const absl::Time now = Clock::Real().Now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, absl::Now());
}

}  // namespace
}  // namespace olif
