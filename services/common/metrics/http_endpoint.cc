#include "services/common/metrics/http_endpoint.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "services/common/strings/host_port.h"

namespace olif::metrics {

HttpEndpoint::HttpEndpoint(Registry& registry, std::function<bool()> healthy)
    : registry_(registry), healthy_(std::move(healthy)) {}

HttpEndpoint::~HttpEndpoint() { Stop(); }

absl::StatusOr<int> HttpEndpoint::Start(const std::string& address) {
  absl::StatusOr<HostPort> hp = ParseHostPort(address);
  if (!hp.ok()) return hp.status();
  server_ = std::make_unique<httplib::Server>();
  // httplib's default also sets SO_REUSEPORT, which would let a second process
  // share the port silently; SO_REUSEADDR alone allows quick restarts only.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Scrapers reconnect cheaply; a short keep-alive lets Stop() finish quickly.
  server_->set_keep_alive_timeout(1);
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    const bool ok = healthy_();
    res.status = ok ? 200 : 503;
    res.set_content(ok ? "ok\n" : "not serving\n", "text/plain");
  });
  int port = hp->port;
  if (port == 0) {
    port = server_->bind_to_any_port(hp->host);
    if (port < 0) {
      return absl::UnavailableError(absl::StrCat("metrics: cannot bind ", address));
    }
  } else if (!server_->bind_to_port(hp->host, port)) {
    return absl::UnavailableError(absl::StrCat("metrics: cannot bind ", address));
  }
  listener_done_ = false;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listener_done_ = true;
  });
  return port;
}

void HttpEndpoint::Stop() {
  if (!thread_.joinable()) return;
  // httplib's stop() only acts once the listener runs; a Stop() right after
  // Start() waits for that so the listener cannot block forever.
  while (!server_->is_running() && !listener_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_->stop();
  thread_.join();
}

}  // namespace olif::metrics
