#pragma once

// The console's web server (cpp-httplib; HTTPS when given a certificate).
//
// Pages (/, /dead-letters, /history, /message, /consents, /overdue,
// /compliance, /handovers, /audit) are one HTML shell
// whose script draws the page from the JSON API (/api/...); both need a
// session, signed in at /login with a user of the users file. Sessions are
// cookies (HttpOnly, Secure, SameSite=Strict); every POST of the API needs
// the session's CSRF token in X-CSRF-Token, and actions and reveals need the
// operator role: the server refuses them (403) whatever the page shows. Every
// sign-in, sign-out, action and reveal is audited with who, what, which
// object, why and the outcome; a reveal that cannot be audited shows nothing.
// Every answer carries a strict Content-Security-Policy (scripts and styles of
// this origin only), no framing, no referrer to other sites, no caching.
//
// Thread-safe; Start() serves on threads of its own.

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/metrics/metrics.h"
#include "services/common/sync/mutex.h"
#include "services/console/console_audit.h"
#include "services/console/console_data.h"
#include "services/console/sessions.h"
#include "services/console/users.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace olif::console {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port
  std::string cert_file;
  std::string key_file;
  std::string users_file;
};

// The console's users, read from the users file again whenever it changed.
class UserBook {
 public:
  explicit UserBook(std::string path) : path_(std::move(path)) {}
  // The user `name`, or nothing (also when the file cannot be read: logged).
  std::optional<User> Find(const std::string& name) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const std::string path_;
  olif::Mutex mu_;
  std::string stamp_ ABSL_GUARDED_BY(mu_);  // the file's mtime and size when read
  std::vector<User> users_ ABSL_GUARDED_BY(mu_);
};

class ConsoleServer {
 public:
  // `data`, `audit`, `sessions` and `metrics` must outlive the server.
  ConsoleServer(ServerOptions options, const ConsoleData& data, ConsoleAudit& audit,
                Sessions& sessions, metrics::Registry& metrics);
  ~ConsoleServer();

  // Listens; returns the port. INVALID_ARGUMENT for TLS files that cannot be
  // used, UNAVAILABLE when the address cannot be bound.
  absl::StatusOr<int> Start();
  void Stop();

 private:
  // The signed-in caller of a request.
  struct Caller {
    std::string token;
    Session session;
  };

  void Route();
  // The caller, when the request carries a live session of a user who is
  // still in the users file with the same role.
  std::optional<Caller> CallerOf(const httplib::Request& req);
  // The caller of an API call, or nothing when it has been answered (401 no
  // session, 403 wrong CSRF token or role).
  std::optional<Caller> Allow(const httplib::Request& req, httplib::Response& res, bool action);
  void SignIn(const httplib::Request& req, httplib::Response& res);
  void SignOut(const httplib::Request& req, httplib::Response& res);
  void ActOnDeadLetter(const Caller& caller, const httplib::Request& req, httplib::Response& res);
  void RetryAll(const Caller& caller, const httplib::Request& req, httplib::Response& res);
  void Reveal(const Caller& caller, const httplib::Request& req, httplib::Response& res);
  void LookUpConsents(const Caller& caller, const httplib::Request& req, httplib::Response& res);
  // Audits `entry` (its outcome `result`'s, unless given), then answers with
  // `result`; nothing but a 500 when the line cannot be written.
  void AuditedAnswer(audit::Entry entry, const absl::StatusOr<nlohmann::json>& result,
                     httplib::Response& res);
  // Records an audit line; false (and answers 500) when it cannot be written.
  bool Audit(audit::Entry entry, httplib::Response& res);

  ServerOptions options_;
  const ConsoleData& data_;
  ConsoleAudit& audit_;
  Sessions& sessions_;
  metrics::Registry& metrics_;
  UserBook users_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace olif::console
