#pragma once

// Runs a gRPC server the way every Olifantenpad process does: on the
// configured address (port 0 picks a free one), with grpc.health.v1, server
// reflection and the call observer (trace ids, metrics, one log line per
// call) installed, and a graceful drain on Shutdown(): health turns
// NOT_SERVING, new calls are refused, calls in flight get the grace period to
// finish and are cancelled after it.
//
// Plaintext is only allowed in dev mode, and dev mode only on loopback.
// Thread-safe: Shutdown() may be called from any thread, more than once.
// Services added must outlive the runner.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "services/common/metrics/metrics.h"
#include "services/common/sync/mutex.h"

namespace olif::grpcx {

struct ServerSettings {
  std::string process;
  std::string listen_address;
  bool dev_mode = false;
  std::chrono::milliseconds shutdown_grace{10000};
};

class ServerRunner {
 public:
  ServerRunner(ServerSettings settings, metrics::Registry& registry);
  ~ServerRunner();

  // Registers a service before Start(); not owned.
  void AddService(grpc::Service* service);

  // Binds and starts serving; every registered service reports SERVING.
  absl::Status Start();

  // The bound port; valid after Start().
  int port() const { return port_; }
  bool serving() const;

  void Shutdown();

 private:
  ServerSettings settings_;
  metrics::Registry& registry_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  mutable olif::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace olif::grpcx
