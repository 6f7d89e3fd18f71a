#pragma once

// The project's mutex: std::mutex with clang's thread-safety annotations, so
// a member guarded by it says so in code (ABSL_GUARDED_BY(mu_)) and
// `make thread-safety` checks every access, as leveldb's port::Mutex does.
//
// Why not absl::Mutex: Debian's abseil is not built with ThreadSanitizer,
// which then cannot see absl::Mutex hand data between threads and reports
// races that are not there; std::mutex it sees.
//
// Waiting: Await* block until a condition holds, releasing the lock while
// they wait; every Unlock wakes the waiters to look again, so whoever changes
// what they wait for needs only to hold the lock while changing it.

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace olif {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    mu_.unlock();
    changed_.notify_all();
  }

  // Waits until `*flag` is true or `timeout` passed; returns `*flag`.
  bool AwaitWithTimeout(const bool* flag, absl::Duration timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> held(mu_, std::adopt_lock);
    const bool ready =
        changed_.wait_for(held, absl::ToChronoNanoseconds(timeout), [flag] { return *flag; });
    held.release();  // still locked: the caller's MutexLock unlocks it
    return ready;
  }

  // Waits until `(object->*condition)()` holds.
  template <typename T>
  void Await(const T* object, bool (T::*condition)() const) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> held(mu_, std::adopt_lock);
    changed_.wait(held, [object, condition] { return (object->*condition)(); });
    held.release();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
};

// Holds `*mu` for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace olif
