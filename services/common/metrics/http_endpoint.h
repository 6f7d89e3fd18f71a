#pragma once

// The HTTP endpoint every process serves beside gRPC: GET /metrics (Prometheus
// text) and GET /healthz (200 "ok" while healthy, 503 otherwise).
//
// Start() binds before it returns, so a failure to bind is reported to the
// caller; requests are served on the endpoint's own threads until Stop().
// The registry must outlive the endpoint.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "services/common/metrics/metrics.h"

namespace httplib {
class Server;
}

namespace olif::metrics {

class HttpEndpoint {
 public:
  HttpEndpoint(Registry& registry, std::function<bool()> healthy);
  ~HttpEndpoint();

  // Binds `address` (host:port, port 0 picks one) and starts serving; returns
  // the bound port.
  absl::StatusOr<int> Start(const std::string& address);
  void Stop();

 private:
  Registry& registry_;
  std::function<bool()> healthy_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listener_done_{false};
};

}  // namespace olif::metrics
