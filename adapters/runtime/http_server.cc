#include "adapters/runtime/http_server.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/logging/logging.h"
#include "services/common/strings/host_port.h"
#include "services/common/strings/json.h"

namespace olif::adapters {
namespace {

bool SameSecret(const std::string& given, const std::string& expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

void Answer(httplib::Response& res, int status, const std::string& result,
            const std::string& detail) {
  res.status = status;
  res.set_content(Json::Object({{"result", result}, {"detail", detail}}).Dump(),
                  "application/json");
}

// The file name of a body sent as an attachment (Content-Disposition:
// attachment; filename="export.csv"), without any folder part; empty when
// none is given.
std::string AttachmentName(const std::string& disposition) {
  const size_t at = disposition.find("filename=");
  if (at == std::string::npos) return "";
  std::string name = disposition.substr(at + 9);
  name = name.substr(0, name.find(';'));
  name = std::string(absl::StripAsciiWhitespace(name));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  const size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  if (name == "." || name == "..") return "";
  return name;
}

// Who is calling: the peer address, and the client certificate's subject
// when there is one.
std::string Peer(const httplib::Request& req) {
  std::string peer = absl::StrCat(req.remote_addr, ":", req.remote_port);
  if (req.ssl != nullptr) {
    X509* cert = SSL_get_peer_certificate(req.ssl);
    if (cert != nullptr) {
      char subject[256] = {0};
      X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject) - 1);
      absl::StrAppend(&peer, " ", subject);
      X509_free(cert);
    }
  }
  return peer;
}

}  // namespace

HttpServerConnector::HttpServerConnector(HttpServerOptions options, InboundHandler& handler,
                                         metrics::Registry& metrics)
    : options_(std::move(options)), handler_(handler), metrics_(metrics) {}

HttpServerConnector::~HttpServerConnector() { Stop(); }

namespace {

// Answers go out at once (TCP_NODELAY): httplib writes a response's headers
// and body apart, and with Nagle's algorithm the body waited for the peer's
// delayed ACK, 40 ms on every small answer.
std::unique_ptr<httplib::Server> WithoutDelay(std::unique_ptr<httplib::Server> server) {
  server->set_tcp_nodelay(true);
  return server;
}

}  // namespace

absl::StatusOr<std::unique_ptr<httplib::Server>> MakeHttpServer(const HttpServerOptions& options) {
  const bool tls = !options.cert_file.empty() || !options.key_file.empty();
  if (!tls) {
    if (!options.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.name, ": mutual TLS (client_ca_file) needs cert_file and key_file"));
    }
    return WithoutDelay(std::make_unique<httplib::Server>());
  }
  for (const std::string* f : {&options.cert_file, &options.key_file}) {
    if (f->empty() || !std::filesystem::exists(*f)) {
      return absl::InvalidArgumentError(absl::StrCat(
          options.name, ": TLS needs a certificate and its key; '", *f, "' is not there"));
    }
  }
  auto server = std::make_unique<httplib::SSLServer>(
      options.cert_file.c_str(), options.key_file.c_str(),
      options.client_ca_file.empty() ? nullptr : options.client_ca_file.c_str());
  if (!server->is_valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.name, ": cannot use the TLS certificate ", options.cert_file, ", key ",
        options.key_file,
        options.client_ca_file.empty() ? ""
                                       : absl::StrCat(" or client CA ", options.client_ca_file)));
  }
  return WithoutDelay(std::move(server));
}

void HttpServerConnector::Route() {
  auto counter = [this](const char* result) -> metrics::Counter& {
    return metrics_.GetCounter("olif_adapter_inbound_total",
                               "Inbound messages by source and what became of them",
                               {{"source", options_.name}, {"result", result}});
  };
  Counters counters{.accepted = counter("accepted"),
                    .rejected = counter("rejected"),
                    .unauthorized = counter("unauthorized"),
                    .unavailable = counter("unavailable")};
  server_->Post(options_.path,
                [this, counters](const httplib::Request& req, httplib::Response& res) {
                  Receive(req, res, counters);
                });
  server_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 413) return Answer(res, 413, "rejected", "the body is too large");
    if (res.status == 404 || res.status == 405) {
      return Answer(res, res.status, "rejected",
                    absl::StrCat(req.method, " ", req.path, " is not served here"));
    }
  });
}

void HttpServerConnector::Receive(const httplib::Request& req, httplib::Response& res,
                                  const Counters& counters) {
  if (!options_.bearer_token.empty()) {
    const std::string auth = req.get_header_value("Authorization");
    if (!absl::StartsWith(auth, "Bearer ") || !SameSecret(auth.substr(7), options_.bearer_token)) {
      counters.unauthorized.Inc();
      log::Warn("inbound call refused: no valid token",
                {{"source", options_.name}, {"peer", Peer(req)}});
      res.set_header("WWW-Authenticate", "Bearer");
      return Answer(res, 401, "unauthorized", "a valid bearer token is required");
    }
  }
  InboundMessage m{.source = options_.name,
                   .name = req.path,
                   .content_type = req.get_header_value("Content-Type"),
                   .body = req.body,
                   .file_name = AttachmentName(req.get_header_value("Content-Disposition")),
                   .peer = Peer(req)};
  const absl::Status s = handler_.Handle(m);
  if (s.ok()) {
    counters.accepted.Inc();
    return Answer(res, 202, "accepted", "");
  }
  if (absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s)) {
    counters.rejected.Inc();
    return Answer(res, 400, "rejected", std::string(s.message()));
  }
  counters.unavailable.Inc();
  res.set_header("Retry-After", "5");
  return Answer(res, 503, "unavailable", std::string(s.message()));
}

absl::StatusOr<int> HttpServerConnector::Start() {
  absl::StatusOr<std::unique_ptr<httplib::Server>> server = MakeHttpServer(options_);
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  server_->set_payload_max_length(options_.max_body);
  // An answer goes out in two writes (head, body); without TCP_NODELAY the
  // second waits for the client's delayed ACK, 40 ms on a kept connection.
  server_->set_tcp_nodelay(true);
  Route();
  return ListenInBackground(*server_, options_.host, options_.port, thread_, options_.name);
}

absl::StatusOr<int> ListenInBackground(httplib::Server& server, const std::string& host, int port,
                                       std::thread& thread, const std::string& what) {
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return absl::UnavailableError(absl::StrCat(what, ": cannot listen on ", host, ":", port));
  }
  thread = std::thread([&server] { server.listen_after_bind(); });
  // httplib's stop() does nothing until the loop runs: wait for it.
  for (int i = 0; i < 500 && !server.is_running(); ++i) absl::SleepFor(absl::Milliseconds(2));
  return bound;
}

void HttpServerConnector::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<HttpServerOptions> WebhookOptionsFromConfig(
    const olifantenpad::config::v1::WebhookConfig& w, const std::string& field, bool dev_mode,
    const std::string& default_path) {
  absl::StatusOr<HostPort> address = ParseHostPort(w.listen_address());
  if (!address.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".listen_address: ", address.status().message()));
  }
  if (w.cert_file().empty() != w.key_file().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cert_file and key_file go together (both or neither)"));
  }
  if (!w.client_ca_file().empty() && w.cert_file().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".client_ca_file: mutual TLS needs cert_file and key_file"));
  }
  if (!dev_mode &&
      (w.cert_file().empty() || (w.bearer_token().empty() && w.client_ca_file().empty()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(field,
                     ": outside dev mode it needs TLS (cert_file, key_file) and a "
                     "bearer_token or client_ca_file"));
  }
  if (w.cert_file().empty() && !IsLoopbackHost(address->host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".listen_address: without TLS only a loopback address, not ", w.listen_address()));
  }
  return HttpServerOptions{.name = "webhook",
                           .host = address->host,
                           .port = address->port,
                           .path = w.path().empty() ? default_path : w.path(),
                           .bearer_token = w.bearer_token(),
                           .cert_file = w.cert_file(),
                           .key_file = w.key_file(),
                           .client_ca_file = w.client_ca_file()};
}

}  // namespace olif::adapters
