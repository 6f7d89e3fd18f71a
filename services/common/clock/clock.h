#pragma once

// Time as a seam: services take a Clock so tests can set the time.

#include "absl/base/thread_annotations.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/common/sync/mutex.h"

namespace olif {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The system clock. Thread-safe; lives for the whole process.
  static const Clock& Real();
};

// A clock that moves only when told. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    olif::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    olif::MutexLock lock(&mu_);
    now_ += d;
  }
  void SetTime(absl::Time t) {
    olif::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable olif::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace olif
