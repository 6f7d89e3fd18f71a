#pragma once

// A wake-up signal one thread can raise and another can wait on inside
// zmq::poll (an eventfd): used to tell a bus thread "new events committed" or
// "stop" without sharing a ZeroMQ socket between threads. Thread-safe.

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace olif::bus {

class Signal {
 public:
  Signal() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) {
      std::perror("eventfd");
      std::abort();  // without it no bus thread can be woken
    }
  }
  ~Signal() { close(fd_); }
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  void Raise() {
    const uint64_t one = 1;
    // A full counter (2^64-2 raises unread) still wakes the reader.
    (void)!write(fd_, &one, sizeof one);
  }
  // Clears raised signals; returns whether there were any.
  bool Drain() {
    uint64_t n = 0;
    return read(fd_, &n, sizeof n) == static_cast<ssize_t>(sizeof n) && n > 0;
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace olif::bus
