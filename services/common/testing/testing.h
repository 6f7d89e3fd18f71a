#pragma once

// Helpers for the project's GoogleTest tests: a fresh directory per test (so
// tests run in parallel never share a database) and bounded waiting.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace olif::testing_util {

// An empty directory named after `prefix` and the running test.
inline std::filesystem::path FreshTestDir(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::path(::testing::TempDir()) /
             (prefix + "_" + info->test_suite_name() + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Polls `done` until it holds or `limit` passes; returns its last answer.
inline bool WaitFor(const std::function<bool()>& done, absl::Duration limit = absl::Seconds(20)) {
  const absl::Time until = absl::Now() + limit;
  while (absl::Now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace olif::testing_util
