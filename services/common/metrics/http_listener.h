#pragma once

// An HTTP server on a thread of its own, for the endpoints a process serves
// beside gRPC (metrics and health, calendar feeds): routes are added to
// server() before Start(), which binds before it returns so a failure to bind
// reaches the caller. SO_REUSEADDR only (not httplib's SO_REUSEPORT, which
// would let a second process share the port silently); a short keep-alive so
// Stop() finishes quickly.

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace httplib {
class Server;
}

namespace olif::metrics {

class HttpListener {
 public:
  HttpListener();
  ~HttpListener();

  httplib::Server& server() { return *server_; }

  // Binds `address` (host:port, port 0 picks one) and starts serving; returns
  // the bound port. `what` names the endpoint in errors.
  absl::StatusOr<int> Start(const std::string& address, absl::string_view what);
  void Stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listener_done_{false};
};

}  // namespace olif::metrics
