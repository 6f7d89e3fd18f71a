#pragma once

// Runs a job every `interval` on a thread of its own until stopped (expiry
// checks, overdue checks). The first run is one interval after Start(); a run
// that takes longer than the interval delays the next, runs never overlap.
// Stop() wakes the thread and waits for a running job to finish.
//
// Thread-safe.

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "services/common/sync/mutex.h"

namespace olif {

class Periodic {
 public:
  Periodic(absl::Duration interval, std::function<void()> job)
      : interval_(interval), job_(std::move(job)) {}
  ~Periodic() { Stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  void Start() {
    thread_ = std::thread([this] {
      for (;;) {
        {
          olif::MutexLock lock(&mu_);
          if (mu_.AwaitWithTimeout(&stopping_, interval_)) return;
        }
        job_();
      }
    });
  }

  void Stop() {
    {
      olif::MutexLock lock(&mu_);
      stopping_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  const absl::Duration interval_;
  const std::function<void()> job_;
  olif::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace olif
