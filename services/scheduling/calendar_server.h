#pragma once

// The calendar feed server: GET (and HEAD) /calendar/<token>.ics answers the
// feed the token opens, as text/calendar with an ETag; a request whose
// If-None-Match names the current ETag gets 304 and no body, so clients that
// poll cost one small answer. Any token that does not open a feed — wrong,
// rotated away, malformed — is answered alike: 404 "unknown feed", so a
// caller learns nothing from guessing. Answers are counted:
// olif_scheduling_feed_requests_total{result}.
//
// Thread-safe; Start() binds before it returns and serves on threads of its
// own until Stop().

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/metrics/http_listener.h"
#include "services/common/metrics/metrics.h"

namespace olif::scheduling {

class CalendarServer {
 public:
  // The feed's iCalendar text for a token; NOT_FOUND for a token that opens none.
  using Render = std::function<absl::StatusOr<std::string>(const std::string& token)>;

  CalendarServer(Render render, absl::Duration refresh, metrics::Registry& metrics);
  ~CalendarServer();

  // Binds `address` (host:port; port 0 picks one) and serves; returns the port.
  absl::StatusOr<int> Start(const std::string& address);
  void Stop();

 private:
  Render render_;
  const absl::Duration refresh_;
  metrics::Counter& ok_;
  metrics::Counter& not_modified_;
  metrics::Counter& unknown_;
  metrics::Counter& failed_;
  metrics::HttpListener listener_;
};

}  // namespace olif::scheduling
