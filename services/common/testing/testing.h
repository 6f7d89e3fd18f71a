#pragma once

// Helpers for the project's GoogleTest tests: a fresh directory per test (so
// tests run in parallel never share a database) and bounded waiting.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "olifantenpad/common/v1/event.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/clock/timestamp.h"
#include "services/common/ids/ids.h"
#include "services/common/sqlite/writer.h"
#include "services/common/status/status.h"

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

// Calls `(logic.*method)(call, "trace-test", done)`, a write that answers
// through `done` on another thread, and waits for the answer.
template <typename T, typename Logic, typename Method, typename Call>
absl::StatusOr<T> CallAndWait(Logic& logic, Method method, const Call& call) {
  std::promise<absl::StatusOr<T>> p;
  (logic.*method)(call, "trace-test", [&p](absl::StatusOr<T> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

// Applies an event of `topic` carrying `payload` through `handler` in one
// transaction of `writer`, as a bus consumer would.
inline absl::Status ApplyEvent(sqlite::Writer& writer, bus::EventHandler& handler,
                               const std::string& topic, const google::protobuf::Message& payload,
                               absl::Time at = absl::Now()) {
  olifantenpad::common::v1::EventEnvelope e;
  e.set_event_id(NewUuid());
  e.set_topic(topic);
  e.set_trace_id("trace-event");
  *e.mutable_occurred_at() = ToTimestamp(at);
  e.mutable_payload()->PackFrom(payload);
  return writer.Run([&](sqlite::Database& db) { return handler.Apply(db, e); });
}

// The type of the google.rpc.PreconditionFailure `s` carries ("" when none):
// the rule a conflict names.
inline std::string ConflictType(const absl::Status& s) {
  google::rpc::PreconditionFailure f;
  if (!GetPreconditionFailure(s, &f) || f.violations().empty()) return "";
  return f.violations(0).type();
}

}  // namespace olif::testing_util
