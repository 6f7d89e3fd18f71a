#pragma once

// The HTTP client connector (libcurl): sends each message's payload to one
// URL, with the event id in an idempotency header so the destination can
// recognise a redelivery, over TLS with an optional client certificate.
//
// What comes back decides what the queue does: 2xx delivered; a network
// error, a timeout, 408, 429 or 5xx is retried; any other 4xx is refused by
// the destination for good and dead-lettered with the response body.
//
// Thread-safe: each Send uses its own curl handle.

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "adapters/runtime/deliverer.h"
#include "olifantenpad/config/v1/connectors.pb.h"

namespace olif::adapters {

struct HttpClientOptions {
  std::string url;
  std::string method = "POST";
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  // The event id goes in this header.
  std::string idempotency_header = "Idempotency-Key";
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration timeout = absl::Seconds(15);
  // TLS: CA bundle to trust (empty: the system's), and a client certificate
  // with its key for mutual TLS (both or neither).
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // The most of a response body kept in the error of a refused message.
  size_t max_error_body = 2000;
};

// One HTTP exchange (for connectors that speak HTTP beyond a plain POST,
// e.g. a poller's GET).
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};
struct HttpResponse {
  long status = 0;  // 0: no answer (see transport_error)
  std::string body;
  std::string transport_error;
};
// Sends `request` with `options`' TLS settings, timeouts, content type and
// extra headers (its url, method and idempotency header are not used).
HttpResponse Exchange(const HttpClientOptions& options, const HttpRequest& request);

// What an HTTP answer means for the queue (status 0: no answer at all).
SendResult Classify(long status, const std::string& body, const std::string& transport_error,
                    size_t max_error_body);

// Sends `body` to options.url with options.method and `event_id` in the
// idempotency header, and classifies the answer; the result keeps what was
// sent and the response body for the history.
SendResult SendBody(const HttpClientOptions& options, std::string body,
                    const std::string& event_id);

class HttpClientConnector final : public Connector {
 public:
  explicit HttpClientConnector(HttpClientOptions options);
  SendResult Send(const Delivery& delivery) override;

 private:
  HttpClientOptions options_;
};

// Checks a peer's base URL as configured: https:// (plain http:// only in dev
// mode), no trailing '/'. INVALID_ARGUMENT naming `field`.
absl::Status ValidateBaseUrl(const std::string& url, const std::string& field, bool dev_mode);

// Checks `tls` (`field` names it in errors: a client certificate comes with
// its key) and sets it on `options`.
absl::Status ApplyTlsConfig(const olifantenpad::config::v1::HttpClientTlsConfig& tls,
                            const std::string& field, HttpClientOptions& options);

}  // namespace olif::adapters
