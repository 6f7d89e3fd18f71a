#pragma once

// Runs a job every `interval` on a thread of its own until stopped (expiry
// checks, overdue checks). The first run is one interval after Start(); a run
// that takes longer than the interval delays the next, runs never overlap.
// Stop() wakes the thread and waits for a running job to finish.
//
// Thread-safe.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/time.h"

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
      std::unique_lock<std::mutex> lock(mu_);
      while (!stopping_) {
        if (wake_.wait_for(lock, absl::ToChronoNanoseconds(interval_),
                           [this] { return stopping_; })) {
          break;
        }
        lock.unlock();
        job_();
        lock.lock();
      }
    });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  const absl::Duration interval_;
  const std::function<void()> job_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace olif
