#include "services/common/clock/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>

#include "services/common/clock/periodic.h"
#include "services/common/clock/timestamp.h"
#include "services/common/testing/testing.h"

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

namespace olif {
namespace {

TEST(ClockTest, StoredMicrosKeepTheMicrosecondAndBoundUnboundedSearches) {
  const absl::Time t = absl::FromUnixMicros(1'764'000'000'123'456);
  EXPECT_EQ(StoredMicros(t), 1'764'000'000'123'456);
  EXPECT_EQ(StoredMicros(absl::InfinitePast()), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(StoredMicros(absl::InfiniteFuture()), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(FromTimestamp(ToTimestamp(t)), t);
}

TEST(PeriodicTest, RunsRepeatedlyAndStopsPromptly) {
  std::atomic<int> runs{0};
  Periodic job(absl::Milliseconds(2), [&] { ++runs; });
  job.Start();
  ASSERT_TRUE(testing_util::WaitFor([&] { return runs.load() >= 3; }));
  job.Stop();
  const int after_stop = runs.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(runs.load(), after_stop) << "no run after Stop()";
}

TEST(PeriodicTest, StopDoesNotWaitForTheInterval) {
  std::atomic<int> runs{0};
  Periodic job(absl::Hours(1), [&] { ++runs; });
  job.Start();
  job.Stop();  // returns at once; waiting for the hour would hit the test's timeout
  EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace olif
