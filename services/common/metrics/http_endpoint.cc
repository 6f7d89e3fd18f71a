#include "services/common/metrics/http_endpoint.h"

#include <httplib.h>

namespace olif::metrics {

HttpEndpoint::HttpEndpoint(Registry& registry, std::function<bool()> healthy)
    : registry_(registry), healthy_(std::move(healthy)) {}

HttpEndpoint::~HttpEndpoint() { Stop(); }

absl::StatusOr<int> HttpEndpoint::Start(const std::string& address) {
  httplib::Server& server = listener_.server();
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    const bool ok = healthy_();
    res.status = ok ? 200 : 503;
    res.set_content(ok ? "ok\n" : "not serving\n", "text/plain");
  });
  return listener_.Start(address, "metrics");
}

void HttpEndpoint::Stop() { listener_.Stop(); }

}  // namespace olif::metrics
