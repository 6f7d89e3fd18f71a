#pragma once

// The HTTP endpoint every process serves beside gRPC: GET /metrics (Prometheus
// text) and GET /healthz (200 "ok" while healthy, 503 otherwise).
//
// Start() binds before it returns, so a failure to bind is reported to the
// caller; requests are served on the endpoint's own threads until Stop().
// The registry must outlive the endpoint.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/metrics/http_listener.h"
#include "services/common/metrics/metrics.h"

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
  HttpListener listener_;
};

}  // namespace olif::metrics
