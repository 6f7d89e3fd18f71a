#pragma once

// Runs a set of processes and keeps them running: each child's output is
// read line by line and printed with its name in front; a child counts as
// healthy once it logged where it listens and answers the gRPC health check;
// a child that exits is started again after a backoff that doubles up to a
// limit (and is reset once it has been healthy for a minute); SIGTERM or
// SIGINT stops every child (SIGTERM, then SIGKILL after the grace) and
// returns. A child marked `once` (a task) starts when every other child is
// healthy and is not restarted. Children run in their own process group (a terminal's Ctrl-C
// reaches the supervisor only, which stops them in order) and get SIGTERM if
// the supervisor dies.
//
// Single-threaded: Run() owns the loop; construct and run it on one thread
// with SIGTERM, SIGINT and SIGCHLD blocked (BlockSignals()).

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace olif::launcher {

struct ChildSpec {
  std::string name;
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::string serves;             // said when it is healthy, e.g. "grpc 127.0.0.1:7401, ..."
  // A task rather than a service (the demo's scenario): started once every
  // service is healthy, run once (not restarted), no health check; its exit
  // is said.
  bool once = false;
};

struct SupervisorOptions {
  absl::Duration backoff_initial = absl::Seconds(1);
  absl::Duration backoff_max = absl::Seconds(30);
  absl::Duration stop_grace = absl::Seconds(15);
  absl::Duration health_timeout = absl::Seconds(2);
};

// Blocks the signals Run() waits for; call before any thread starts.
void BlockSignals();

class Supervisor {
 public:
  Supervisor(std::vector<ChildSpec> children, SupervisorOptions options, std::FILE* out);

  // Starts every child and supervises until SIGTERM or SIGINT; returns the
  // exit code (0 after a clean stop).
  int Run();

 private:
  struct Child {
    ChildSpec spec;
    pid_t pid = -1;
    int fd = -1;          // read end of the child's stdout+stderr
    std::string partial;  // output not yet ended by a newline
    bool healthy = false;
    std::string grpc_address;
    int restarts = 0;
    absl::Duration backoff;
    absl::Time started;
    absl::Time restart_at = absl::InfiniteFuture();
  };

  void Start(Child& c);
  void ReadOutput(Child& c);
  void Line(Child& c, const std::string& line);
  void CheckHealth(Child& c);
  void Reap();
  void StopAll();
  void Say(const std::string& text);

  std::vector<Child> children_;
  SupervisorOptions options_;
  std::FILE* out_;
  size_t name_width_ = 0;
  bool all_healthy_said_ = false;
  absl::Time started_at_;  // when Run() started the services
  bool stopping_ = false;
};

}  // namespace olif::launcher
