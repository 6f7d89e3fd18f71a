#include "tools/launcher/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace olif::launcher {
namespace {

sigset_t Signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGCHLD);
  return set;
}

std::string Describe(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exited with status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("was killed by signal ", WTERMSIG(status));
  return "stopped";
}

}  // namespace

void BlockSignals() {
  sigset_t set = Signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Supervisor::Supervisor(std::vector<ChildSpec> children, SupervisorOptions options, std::FILE* out)
    : options_(options), out_(out) {
  for (auto& spec : children) {
    name_width_ = std::max(name_width_, spec.name.size());
    Child c;
    c.spec = std::move(spec);
    c.backoff = options_.backoff_initial;
    children_.push_back(std::move(c));
  }
}

void Supervisor::Say(const std::string& text) {
  std::fprintf(out_, "%-*s | %s\n", static_cast<int>(name_width_), "olifantenpad", text.c_str());
  std::fflush(out_);
}

void Supervisor::Start(Child& c) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    Say(absl::StrCat("cannot start ", c.spec.name, ": pipe: ", std::strerror(errno)));
    c.restart_at = absl::Now() + c.backoff;
    return;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    Say(absl::StrCat("cannot start ", c.spec.name, ": fork: ", std::strerror(errno)));
    close(fds[0]);
    close(fds[1]);
    c.restart_at = absl::Now() + c.backoff;
    return;
  }
  if (pid == 0) {
    // The child: its own process group, stopped if the supervisor dies,
    // signals unblocked, output into the pipe.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);  // the supervisor died before prctl
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : c.spec.argv) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  c.pid = pid;
  c.fd = fds[0];
  c.healthy = false;
  c.partial.clear();
  c.started = absl::Now();
  c.restart_at = absl::InfiniteFuture();
  Say(absl::StrCat("started ", c.spec.name, " pid=", pid));
}

void Supervisor::ReadOutput(Child& c) {
  char buf[4096];
  const ssize_t n = read(c.fd, buf, sizeof buf);
  if (n <= 0) {
    if (!c.partial.empty()) Line(c, c.partial);
    c.partial.clear();
    close(c.fd);
    c.fd = -1;
    return;
  }
  c.partial.append(buf, static_cast<size_t>(n));
  size_t start = 0;
  for (size_t nl; (nl = c.partial.find('\n', start)) != std::string::npos; start = nl + 1) {
    Line(c, c.partial.substr(start, nl - start));
  }
  c.partial.erase(0, start);
}

void Supervisor::Line(Child& c, const std::string& line) {
  std::fprintf(out_, "%-*s | %s\n", static_cast<int>(name_width_), c.spec.name.c_str(),
               line.c_str());
  std::fflush(out_);
  static const std::regex listening(R"(listening grpc=(\S+))");
  std::smatch m;
  if (!c.healthy && std::regex_search(line, m, listening)) {
    c.grpc_address = m[1];
    CheckHealth(c);
  }
}

void Supervisor::CheckHealth(Child& c) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(c.grpc_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   absl::ToChronoMilliseconds(options_.health_timeout));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse res;
  const grpc::Status s = stub->Check(&ctx, req, &res);
  if (!s.ok() || res.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    Say(absl::StrCat(c.spec.name, " listens at ", c.grpc_address,
                     " but is not healthy yet: ", s.ok() ? "NOT_SERVING" : s.error_message()));
    return;
  }
  c.healthy = true;
  Say(absl::StrCat(c.spec.name, " is healthy (grpc ", c.grpc_address, ")",
                   c.spec.serves.empty() ? "" : absl::StrCat(": ", c.spec.serves)));
  bool all = true;
  for (const Child& other : children_) all = all && (other.healthy || other.spec.once);
  if (all && !all_healthy_said_) {
    all_healthy_said_ = true;
    Say(absl::StrCat("all services are healthy in ",
                     absl::ToInt64Milliseconds(absl::Now() - started_at_),
                     " ms; Ctrl-C stops them"));
    for (Child& task : children_) {
      if (task.spec.once && task.pid < 0) Start(task);
    }
  }
}

void Supervisor::Reap() {
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (Child& c : children_) {
      if (c.pid != pid) continue;
      c.pid = -1;
      c.healthy = false;
      if (stopping_) {
        Say(absl::StrCat(c.spec.name, " stopped (", Describe(status), ")"));
        break;
      }
      if (c.spec.once) {
        Say(absl::StrCat(c.spec.name, " finished (", Describe(status), ")"));
        c.restart_at = absl::InfiniteFuture();
        break;
      }
      // A child that ran healthy for a while starts again from the first backoff.
      if (absl::Now() - c.started > absl::Minutes(1)) c.backoff = options_.backoff_initial;
      ++c.restarts;
      c.restart_at = absl::Now() + c.backoff;
      Say(absl::StrCat(c.spec.name, " ", Describe(status), "; restarting in ",
                       absl::FormatDuration(c.backoff), " (restart ", c.restarts, ")"));
      c.backoff = std::min(c.backoff * 2, options_.backoff_max);
      break;
    }
  }
}

void Supervisor::StopAll() {
  stopping_ = true;
  Say("stopping every service");
  for (Child& c : children_) {
    if (c.pid > 0) kill(c.pid, SIGTERM);
  }
  const absl::Time deadline = absl::Now() + options_.stop_grace;
  sigset_t set = Signals();
  const int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  auto running = [this] {
    for (const Child& c : children_) {
      if (c.pid > 0) return true;
    }
    return false;
  };
  while (running() && absl::Now() < deadline) {
    std::vector<pollfd> fds = {{sfd, POLLIN, 0}};
    for (Child& c : children_) {
      if (c.fd >= 0) fds.push_back({c.fd, POLLIN, 0});
    }
    poll(fds.data(), fds.size(), 100);
    signalfd_siginfo info;
    while (read(sfd, &info, sizeof info) == sizeof info) {
    }
    for (Child& c : children_) {
      if (c.fd >= 0) {
        pollfd p{c.fd, POLLIN, 0};
        if (poll(&p, 1, 0) > 0) ReadOutput(c);
      }
    }
    Reap();
  }
  for (Child& c : children_) {
    if (c.pid > 0) {
      Say(absl::StrCat(c.spec.name, " did not stop within ",
                       absl::FormatDuration(options_.stop_grace), "; killing it"));
      kill(c.pid, SIGKILL);
      int status = 0;
      waitpid(c.pid, &status, 0);
      c.pid = -1;
    }
    if (c.fd >= 0) close(c.fd);
  }
  close(sfd);
}

int Supervisor::Run() {
  sigset_t set = Signals();
  const int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    Say(absl::StrCat("signalfd: ", std::strerror(errno)));
    return 1;
  }
  started_at_ = absl::Now();
  for (Child& c : children_) {
    if (!c.spec.once) Start(c);
  }
  for (;;) {
    std::vector<pollfd> fds = {{sfd, POLLIN, 0}};
    for (Child& c : children_) {
      if (c.fd >= 0) fds.push_back({c.fd, POLLIN, 0});
    }
    absl::Time next = absl::InfiniteFuture();
    for (const Child& c : children_) next = std::min(next, c.restart_at);
    int timeout_ms = 1000;
    if (next != absl::InfiniteFuture()) {
      timeout_ms = static_cast<int>(
          std::clamp<int64_t>(absl::ToInt64Milliseconds(next - absl::Now()), 0, 1000));
    }
    poll(fds.data(), fds.size(), timeout_ms);
    signalfd_siginfo info;
    bool stop = false;
    while (read(sfd, &info, sizeof info) == sizeof info) {
      if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) stop = true;
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      for (Child& c : children_) {
        if (c.fd == fds[i].fd) ReadOutput(c);
      }
    }
    Reap();
    if (stop) {
      close(sfd);
      StopAll();
      Say("stopped");
      return 0;
    }
    const absl::Time now = absl::Now();
    for (Child& c : children_) {
      if (c.pid < 0 && c.restart_at <= now) Start(c);
    }
  }
}

}  // namespace olif::launcher
