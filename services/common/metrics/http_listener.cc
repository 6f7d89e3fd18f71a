#include "services/common/metrics/http_listener.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "services/common/strings/host_port.h"

namespace olif::metrics {

HttpListener::HttpListener() : server_(std::make_unique<httplib::Server>()) {
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server_->set_keep_alive_timeout(1);
  server_->set_tcp_nodelay(true);  // no 40 ms wait for a delayed ACK on small answers
}

HttpListener::~HttpListener() { Stop(); }

absl::StatusOr<int> HttpListener::Start(const std::string& address, absl::string_view what) {
  absl::StatusOr<HostPort> hp = ParseHostPort(address);
  if (!hp.ok()) return hp.status();
  int port = hp->port;
  if (port == 0) {
    port = server_->bind_to_any_port(hp->host);
    if (port < 0) return absl::UnavailableError(absl::StrCat(what, ": cannot bind ", address));
  } else if (!server_->bind_to_port(hp->host, port)) {
    return absl::UnavailableError(absl::StrCat(what, ": cannot bind ", address));
  }
  listener_done_ = false;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listener_done_ = true;
  });
  return port;
}

void HttpListener::Stop() {
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
