// A gRPC load generator for `make bench`, independent of the server it
// measures: a callback client that keeps N calls in flight (closed loop) or
// offers calls at a fixed rate (open loop), and reports the rate answered and
// the latency percentiles.
//
//   grpc_load --target 127.0.0.1:7401 --rpc create|health --in-flight 64 --seconds 5
//   grpc_load --target ... --rpc create --rate 2000 --seconds 10 --ids FILE
//   grpc_load --target ... --wait-healthy 30
//
// With --ids, every created request's id and the microsecond it was sent are
// written to FILE (one "id<TAB>sent_us" per line), so a later step can join
// them with where the request arrived (the end-to-end benchmark).
// Prints one line of key=value pairs. --wait-healthy asks grpc.health.v1
// until the server answers SERVING and prints how long that took from when
// the tool started (ms), for start-to-healthy figures.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "olifantenpad/referrals/v1/referrals.grpc.pb.h"
#include "services/common/sync/mutex.h"
#include "services/referrals/example_requests.h"

namespace {

namespace v1 = olifantenpad::referrals::v1;
namespace health = grpc::health::v1;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string target;
  std::string rpc = "create";
  int in_flight = 1;
  double rate = 0;  // open loop when > 0
  double seconds = 5;
  std::string ids_file;
  double wait_healthy = 0;
};

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The calls of one run: each call's latency and, for creates, what was made.
class Run {
 public:
  Run(const Args& args, std::shared_ptr<grpc::Channel> channel)
      : args_(args),
        referrals_(v1::ReferralsService::NewStub(channel)),
        health_(health::Health::NewStub(channel)),
        sample_(olif::referrals::testing_util::ValidAnonymous()) {
    sample_.mutable_request()->set_observations(std::string(400, 'o'));
  }

  // Starts one call; `then` runs on gRPC's thread when it is answered.
  void Call(std::function<void()> then) {
    auto* ctx = new grpc::ClientContext;
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    const Clock::time_point start = Clock::now();
    const int64_t sent_us = NowMicros();
    if (args_.rpc == "health") {
      auto* req = new health::HealthCheckRequest;
      auto* res = new health::HealthCheckResponse;
      health_->async()->Check(ctx, req, res, [=, this](grpc::Status s) {
        Answered(s, start, "", 0);
        delete ctx;
        delete req;
        delete res;
        then();
      });
      return;
    }
    auto* req = new v1::CreateRequestRequest(sample_);
    req->set_request_id(olif::NewUuid());
    auto* res = new v1::CreateRequestResponse;
    referrals_->async()->CreateRequest(ctx, req, res, [=, this](grpc::Status s) {
      Answered(s, start, s.ok() ? res->request().id() : "", sent_us);
      delete ctx;
      delete req;
      delete res;
      then();
    });
  }

  void Answered(const grpc::Status& s, Clock::time_point start, const std::string& id,
                int64_t sent_us) {
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    olif::MutexLock lock(&mu_);
    if (s.ok()) {
      latencies_ms_.push_back(ms);
      if (!id.empty()) ids_.emplace_back(id, sent_us);
    } else {
      ++failed_;
      if (first_error_.empty()) first_error_ = s.error_message();
    }
    --outstanding_;  // the unlock wakes Drain's waiter
  }

  void Started() {
    olif::MutexLock lock(&mu_);
    ++outstanding_;
  }

  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return outstanding_ == 0; }
  void Drain() {
    olif::MutexLock lock(&mu_);
    mu_.Await(this, &Run::Idle);
  }

  void Report(double elapsed_s) {
    olif::MutexLock lock(&mu_);
    std::vector<double> l = latencies_ms_;
    std::sort(l.begin(), l.end());
    auto pct = [&](double p) {
      if (l.empty()) return 0.0;
      return l[std::min(l.size() - 1, static_cast<size_t>(p * static_cast<double>(l.size())))];
    };
    std::printf(
        "rpc=%s in_flight=%d offered_per_s=%.0f calls=%zu failed=%lld per_s=%.0f "
        "p50_ms=%.2f p99_ms=%.2f\n",
        args_.rpc.c_str(), args_.in_flight, args_.rate, l.size(), static_cast<long long>(failed_),
        static_cast<double>(l.size()) / elapsed_s, pct(0.50), pct(0.99));
    if (!first_error_.empty()) std::fprintf(stderr, "first error: %s\n", first_error_.c_str());
    if (!args_.ids_file.empty()) {
      std::ofstream out(args_.ids_file);
      for (const auto& [id, sent] : ids_) out << id << '\t' << sent << '\n';
    }
  }

  std::atomic<bool> stop{false};

 private:
  const Args& args_;
  std::unique_ptr<v1::ReferralsService::Stub> referrals_;
  std::unique_ptr<health::Health::Stub> health_;
  v1::CreateRequestRequest sample_;
  mutable olif::Mutex mu_;
  int64_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<double> latencies_ms_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, int64_t>> ids_ ABSL_GUARDED_BY(mu_);
  int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::string first_error_ ABSL_GUARDED_BY(mu_);
};

// Closed loop: each answer starts the next call until time is up.
void KeepInFlight(Run& run, int n) {
  struct Next {
    Run* run;
    void operator()() const {
      if (run->stop.load()) return;
      run->Started();
      run->Call(*this);
    }
  };
  for (int i = 0; i < n; ++i) Next{&run}();
}

// Open loop: calls leave at the offered rate whether or not earlier ones
// were answered (as requests from many users would).
void Offer(Run& run, double rate, double seconds) {
  const auto start = Clock::now();
  const auto interval = std::chrono::duration<double>(1.0 / rate);
  for (int64_t i = 0;; ++i) {
    const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * i);
    if (due - start > std::chrono::duration<double>(seconds)) break;
    std::this_thread::sleep_until(due);
    run.Started();
    run.Call([] {});
  }
}

bool Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--target")
      a->target = v;
    else if (k == "--rpc")
      a->rpc = v;
    else if (k == "--in-flight")
      a->in_flight = std::stoi(v);
    else if (k == "--rate")
      a->rate = std::stod(v);
    else if (k == "--seconds")
      a->seconds = std::stod(v);
    else if (k == "--ids")
      a->ids_file = v;
    else if (k == "--wait-healthy")
      a->wait_healthy = std::stod(v);
    else
      return false;
  }
  return !a->target.empty() && (a->rpc == "create" || a->rpc == "health") && a->in_flight > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc % 2 == 0 || !Parse(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: grpc_load --target HOST:PORT [--rpc create|health] "
                 "[--in-flight N | --rate PER_S] [--seconds S] [--ids FILE] [--wait-healthy S]\n");
    return 2;
  }
  const auto began = Clock::now();
  grpc::ChannelArguments channel_args;
  // Asked before the server listens: try again within milliseconds, not
  // after gRPC's default backoff of a second and more.
  channel_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 10);
  channel_args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10);
  channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 20);
  auto channel =
      grpc::CreateCustomChannel(args.target, grpc::InsecureChannelCredentials(), channel_args);
  if (args.wait_healthy > 0) {
    while (Clock::now() - began < std::chrono::duration<double>(args.wait_healthy)) {
      // A channel of its own each time (and no shared subchannel), so a
      // refused connection's backoff does not delay the next question.
      grpc::ChannelArguments fresh;
      fresh.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      auto stub = health::Health::NewStub(
          grpc::CreateCustomChannel(args.target, grpc::InsecureChannelCredentials(), fresh));
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
      health::HealthCheckResponse res;
      if (stub->Check(&ctx, {}, &res).ok() &&
          res.status() == health::HealthCheckResponse::SERVING) {
        std::printf("healthy_ms=%.0f\n",
                    std::chrono::duration<double, std::milli>(Clock::now() - began).count());
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::fprintf(stderr, "grpc_load: %s not healthy within %.0f s\n", args.target.c_str(),
                 args.wait_healthy);
    return 1;
  }
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    std::fprintf(stderr, "grpc_load: cannot connect to %s\n", args.target.c_str());
    return 1;
  }
  Run run(args, channel);
  const auto start = Clock::now();
  if (args.rate > 0) {
    Offer(run, args.rate, args.seconds);
  } else {
    KeepInFlight(run, args.in_flight);
    std::this_thread::sleep_for(std::chrono::duration<double>(args.seconds));
    run.stop.store(true);
  }
  run.Drain();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  run.Report(elapsed);
  return 0;
}
