#pragma once

// The HTTP server connector: receives webhooks (e.g. FHIR subscription
// notifications) on one path and hands each to an InboundHandler.
//
// Authentication: a bearer token (Authorization: Bearer <token>, compared in
// constant time), mutual TLS (a client certificate signed by `client_ca_file`
// is required in the handshake), or both. Answers: 202 accepted; 400 with the
// reason when the handler refuses the message; 401 without the right token;
// 404/405 for another path or method; 413 when the body is too large; 503
// (Retry-After) when the handler cannot take it now. Every answer is counted:
// olif_adapter_inbound_total{source,result}.
//
// Thread-safe; Start() serves on threads of its own.

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "adapters/runtime/inbound.h"
#include "olifantenpad/config/v1/connectors.pb.h"
#include "services/common/metrics/metrics.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace olif::adapters {

struct HttpServerOptions {
  std::string name = "webhook";  // the source name in metrics and messages
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port
  std::string path = "/";
  std::string bearer_token;  // empty: no token asked
  // TLS: the server's certificate and key (both or neither), and for mutual
  // TLS the CA that client certificates must be signed by.
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  size_t max_body = 4 << 20;
};

class HttpServerConnector {
 public:
  // `handler` and `metrics` must outlive the connector.
  HttpServerConnector(HttpServerOptions options, InboundHandler& handler,
                      metrics::Registry& metrics);
  ~HttpServerConnector();

  // Listens; returns the port. INVALID_ARGUMENT for TLS files that cannot be
  // used, UNAVAILABLE when the address cannot be bound.
  absl::StatusOr<int> Start();
  void Stop();

 private:
  struct Counters {
    metrics::Counter& accepted;
    metrics::Counter& rejected;
    metrics::Counter& unauthorized;
    metrics::Counter& unavailable;
  };
  // The path's handler and the precise answers to everything else.
  void Route();
  // One call: the token, the handler, the answer.
  void Receive(const httplib::Request& req, httplib::Response& res, const Counters& counters);

  HttpServerOptions options_;
  InboundHandler& handler_;
  metrics::Registry& metrics_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

// A plain HTTP server, or HTTPS when `options` give a certificate and key
// (with client certificates required when they give a client CA).
// INVALID_ARGUMENT naming `options.name` for TLS files that cannot be used.
absl::StatusOr<std::unique_ptr<httplib::Server>> MakeHttpServer(const HttpServerOptions& options);

// Binds `server` to host:port (port 0: a free one) and serves it on `thread`
// (joined by the caller after server.stop()); returns the port once the
// server accepts. UNAVAILABLE naming `what` when the address cannot be bound.
// For every HTTP server of the adapters (webhooks, the receipt page, fakes).
absl::StatusOr<int> ListenInBackground(httplib::Server& server, const std::string& host, int port,
                                       std::thread& thread, const std::string& what);

// The options of a webhook server configured as `config`; `field` names it in
// errors (e.g. "youthcare_fhir.webhook"), `default_path` is the adapter's
// path when the config gives none. INVALID_ARGUMENT naming the key when the
// address does not parse, a certificate comes without its key (or the other
// way round), mutual TLS lacks TLS, plain HTTP listens beyond loopback, or —
// outside dev mode — TLS or a check of callers (token or client CA) is
// missing.
absl::StatusOr<HttpServerOptions> WebhookOptionsFromConfig(
    const olifantenpad::config::v1::WebhookConfig& config, const std::string& field, bool dev_mode,
    const std::string& default_path);

}  // namespace olif::adapters
