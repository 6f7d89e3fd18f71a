#include "services/console/console_server.h"

#include <httplib.h>
#include <sys/stat.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "adapters/runtime/http_server.h"
#include "services/common/logging/logging.h"
#include "services/console/web_files.h"

namespace olif::console {
namespace {

using nlohmann::json;

constexpr char kCookie[] = "olif_session";
// The pages: each path is the same shell; its script draws the page.
constexpr const char* kPages[] = {"/",        "/dead-letters", "/history",
                                  "/message", "/audit",        "/consents",
                                  "/overdue", "/compliance",   "/handovers"};

const WebFile* FindFile(std::string_view name) {
  for (const WebFile& f : WebFiles()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string ContentType(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "text/html; charset=utf-8";
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void SendError(httplib::Response& res, const absl::Status& status) {
  SendJson(res, HttpStatusFor(status),
           {{"error", std::string(status.message())},
            {"code", absl::StatusCodeToString(status.code())}});
}

void SendError(httplib::Response& res, int http, const std::string& message) {
  SendJson(res, http, {{"error", message}});
}

// The value of cookie `name` in the request ('' when absent).
std::string CookieOf(const httplib::Request& req, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(req.get_header_value("Cookie"), ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

// `text` as a query parameter's value: all but [A-Za-z0-9-._~] percent-encoded.
std::string QueryValue(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += absl::StrFormat("%%%02X", c);
    }
  }
  return out;
}

// Where to go after signing in: a path of this console, nothing else.
std::string SafeNext(const std::string& next) {
  if (next.empty() || next[0] != '/' || absl::StartsWith(next, "//") ||
      absl::StrContains(next, "\\") || absl::StartsWith(next, "/login")) {
    return "/";
  }
  return next;
}

// Whether the request's Origin (when the browser sends one) is this server.
bool SameOrigin(const httplib::Request& req) {
  if (!req.has_header("Origin")) return true;
  const std::string origin = req.get_header_value("Origin");
  const std::string host = req.get_header_value("Host");
  return origin == absl::StrCat("http://", host) || origin == absl::StrCat("https://", host);
}

// A reason given for an action or a reveal: required, at least 5 characters.
absl::StatusOr<std::string> Reason(const json& body) {
  std::string why = body.value("why", "");
  absl::StripAsciiWhitespace(&why);
  if (why.size() < 5) {
    return absl::InvalidArgumentError("why: give a reason of at least 5 characters");
  }
  if (why.size() > 500) return absl::InvalidArgumentError("why: at most 500 characters");
  return why;
}

absl::StatusOr<json> JsonBody(const httplib::Request& req) {
  if (!absl::StartsWith(req.get_header_value("Content-Type"), "application/json")) {
    return absl::InvalidArgumentError("the body must be application/json");
  }
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return absl::InvalidArgumentError("the body must be a JSON object");
  }
  return body;
}

// The JSON body of an action and the reason it gives.
struct Reasoned {
  json body;
  std::string why;
};
absl::StatusOr<Reasoned> ReasonedBody(const httplib::Request& req) {
  absl::StatusOr<json> body = JsonBody(req);
  if (!body.ok()) return body.status();
  absl::StatusOr<std::string> why = Reason(*body);
  if (!why.ok()) return why.status();
  return Reasoned{std::move(*body), std::move(*why)};
}

absl::StatusOr<int64_t> IdOf(const json& body) {
  if (body.contains("id") && body["id"].is_number_integer() && body["id"].get<int64_t>() > 0) {
    return body["id"].get<int64_t>();
  }
  if (body.contains("id") && body["id"].is_string()) {
    int64_t id = 0;
    if (absl::SimpleAtoi(body["id"].get<std::string>(), &id) && id > 0) return id;
  }
  return absl::InvalidArgumentError("id: must be a positive number");
}

std::string FileStamp(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return "missing";
  return absl::StrCat(st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec, "/", st.st_size);
}

}  // namespace

std::optional<User> UserBook::Find(const std::string& name) {
  olif::MutexLock lock(&mu_);
  const std::string stamp = FileStamp(path_);
  if (stamp != stamp_) {
    absl::StatusOr<std::vector<User>> users = ReadUsers(path_);
    if (users.ok()) {
      users_ = std::move(*users);
    } else {
      log::Error("the users file cannot be read; nobody can sign in",
                 {{"file", path_}, {"error", users.status().ToString()}});
      users_.clear();
    }
    stamp_ = stamp;
  }
  for (const User& u : users_) {
    if (u.name == name) return u;
  }
  return std::nullopt;
}

ConsoleServer::ConsoleServer(ServerOptions options, const ConsoleData& data, ConsoleAudit& audit,
                             Sessions& sessions, metrics::Registry& metrics)
    : options_(std::move(options)),
      data_(data),
      audit_(audit),
      sessions_(sessions),
      metrics_(metrics),
      users_(options_.users_file) {}

ConsoleServer::~ConsoleServer() { Stop(); }

absl::StatusOr<int> ConsoleServer::Start() {
  absl::StatusOr<std::unique_ptr<httplib::Server>> server = adapters::MakeHttpServer(
      {.name = "console", .cert_file = options_.cert_file, .key_file = options_.key_file});
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  server_->set_payload_max_length(1 << 20);
  Route();
  return adapters::ListenInBackground(*server_, options_.host, options_.port, thread_, "console");
}

void ConsoleServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::optional<ConsoleServer::Caller> ConsoleServer::CallerOf(const httplib::Request& req) {
  const std::string token = CookieOf(req, kCookie);
  if (token.empty()) return std::nullopt;
  std::optional<Session> session = sessions_.Find(token);
  if (!session.has_value()) return std::nullopt;
  std::optional<User> user = users_.Find(session->user);
  if (!user.has_value() || user->role != session->role) {
    // Removed, or given another role, since signing in: sign in again.
    sessions_.End(token);
    return std::nullopt;
  }
  return Caller{token, *session};
}

std::optional<ConsoleServer::Caller> ConsoleServer::Allow(const httplib::Request& req,
                                                          httplib::Response& res, bool action) {
  std::optional<Caller> caller = CallerOf(req);
  if (!caller.has_value()) {
    SendError(res, 401, "not signed in, or the session ended");
    return std::nullopt;
  }
  if (req.method == "POST") {
    if (!SameToken(req.get_header_value("X-CSRF-Token"), caller->session.csrf) ||
        !SameOrigin(req)) {
      metrics_.GetCounter("olif_console_refused_total", "Console calls refused", {{"why", "csrf"}})
          .Inc();
      SendError(res, 403, "the request lacks this session's CSRF token");
      return std::nullopt;
    }
  }
  if (action && caller->session.role != Role::kOperator) {
    metrics_.GetCounter("olif_console_refused_total", "Console calls refused", {{"why", "role"}})
        .Inc();
    SendError(res, 403, "only an operator may do this; you are signed in as read-only");
    return std::nullopt;
  }
  return caller;
}

void ConsoleServer::AuditedAnswer(audit::Entry entry, const absl::StatusOr<json>& result,
                                  httplib::Response& res) {
  if (entry.outcome.empty()) entry.outcome = audit::Outcome(result.status());
  if (!Audit(std::move(entry), res)) return;
  if (!result.ok()) return SendError(res, result.status());
  SendJson(res, 200, *result);
}

bool ConsoleServer::Audit(audit::Entry entry, httplib::Response& res) {
  absl::Status s = audit_.Record(std::move(entry));
  if (s.ok()) return true;
  log::Error("the audit trail cannot be written", {{"error", s.ToString()}});
  SendError(res, 500, "the audit trail cannot be written; nothing is shown or done");
  return false;
}

void ConsoleServer::Route() {
  httplib::Server& s = *server_;
  s.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                   "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                   "base-uri 'none'; object-src 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null"
    // on a form POST, and the sign-in could not tell its own page from a forged one.
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("Cache-Control", "no-store");
  });

  for (const char* page : kPages) {
    s.Get(page, [this](const httplib::Request& req, httplib::Response& res) {
      if (!CallerOf(req).has_value()) {
        res.set_redirect(absl::StrCat("/login?next=", QueryValue(req.target)), 303);
        return;
      }
      res.set_content(std::string(FindFile("app.html")->body), ContentType("app.html"));
    });
  }
  s.Get("/login", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(FindFile("login.html")->body), ContentType("login.html"));
  });
  s.Get(R"(/static/([a-z0-9_.-]+))", [](const httplib::Request& req, httplib::Response& res) {
    const WebFile* f = FindFile(req.matches[1].str());
    if (f == nullptr || f->name.ends_with(".html")) {
      res.status = 404;
      return;
    }
    res.set_content(std::string(f->body), ContentType(f->name));
  });
  s.Post("/login",
         [this](const httplib::Request& req, httplib::Response& res) { SignIn(req, res); });
  s.Post("/api/logout",
         [this](const httplib::Request& req, httplib::Response& res) { SignOut(req, res); });

  // Reading: any signed-in user.
  s.Get("/api/session", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto c = Allow(req, res, false)) {
      SendJson(res, 200,
               {{"user", c->session.user},
                {"role", RoleName(c->session.role)},
                {"csrf", c->session.csrf}});
    }
  });
  s.Get("/api/overview", [this](const httplib::Request& req, httplib::Response& res) {
    if (Allow(req, res, false)) SendJson(res, 200, data_.Overview());
  });
  const auto read = [this](auto call) {
    return [this, call](const httplib::Request& req, httplib::Response& res) {
      if (!Allow(req, res, false)) return;
      absl::StatusOr<json> out = call(req);
      if (out.ok()) {
        SendJson(res, 200, *out);
      } else {
        SendError(res, out.status());
      }
    };
  };
  s.Get("/api/dead-letters",
        read([this](const httplib::Request& req) { return data_.DeadLetters(req.params); }));
  s.Get("/api/history",
        read([this](const httplib::Request& req) { return data_.History(req.params); }));
  s.Get("/api/audit",
        read([this](const httplib::Request& req) { return data_.Audit(req.params); }));
  s.Get("/api/message", read([this](const httplib::Request& req) -> absl::StatusOr<json> {
          int64_t id = 0;
          if (!absl::SimpleAtoi(Param(req.params, "id"), &id)) {
            return absl::InvalidArgumentError("id: must be a positive number");
          }
          return data_.Message(Param(req.params, "process"), Param(req.params, "kind"), id,
                               /*reveal=*/false);
        }));

  // Acting and revealing: operators only, with the CSRF token.
  s.Post("/api/dead-letters/action", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto c = Allow(req, res, true)) ActOnDeadLetter(*c, req, res);
  });
  s.Post("/api/dead-letters/retry-all",
         [this](const httplib::Request& req, httplib::Response& res) {
           if (auto c = Allow(req, res, true)) RetryAll(*c, req, res);
         });
  s.Get("/api/overdue", read([this](const httplib::Request&) { return data_.Overdue(); }));
  s.Get("/api/compliance",
        read([this](const httplib::Request& req) { return data_.Compliance(req.params); }));
  s.Get("/api/handovers", read([this](const httplib::Request&) { return data_.Handovers(); }));
  // A consent lookup reads a child's consents: any signed-in user, with a
  // reason and the CSRF token, audited here and by the consent service.
  s.Post("/api/consents/lookup", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto c = Allow(req, res, false)) LookUpConsents(*c, req, res);
  });
  s.Post("/api/message/reveal", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto c = Allow(req, res, true)) Reveal(*c, req, res);
  });
}

void ConsoleServer::SignIn(const httplib::Request& req, httplib::Response& res) {
  if (!SameOrigin(req)) {
    SendError(res, 403, "sign-in from another site refused");
    return;
  }
  const std::string name = absl::AsciiStrToLower(req.get_param_value("user"));
  const std::string password = req.get_param_value("password");
  const std::string next = SafeNext(req.get_param_value("next"));
  const std::string back = absl::StrCat("/login?next=", QueryValue(next));
  auto count = [this](const char* result) {
    metrics_
        .GetCounter("olif_console_sign_ins_total", "Console sign-ins by result",
                    {{"result", result}})
        .Inc();
  };
  if (std::optional<absl::Duration> wait = sessions_.LockedOut(name)) {
    count("locked_out");
    if (!Audit({.actor = name,
                .action = "sign_in",
                .outcome = absl::StrCat("RESOURCE_EXHAUSTED: too many failed attempts; locked for ",
                                        absl::FormatDuration(absl::Ceil(*wait, absl::Seconds(1))))},
               res)) {
      return;
    }
    res.set_redirect(absl::StrCat(back, "&error=locked"), 303);
    return;
  }
  std::optional<User> user = users_.Find(name);
  // An unknown name costs what a wrong password costs: a hash is checked.
  static const std::string kDummy = *HashPassword("not anyone's password at all");
  const bool match = PasswordMatches(user.has_value() ? user->hash : kDummy, password);
  if (!user.has_value() || !match) {
    count("failed");
    sessions_.SignInFailed(name);
    if (!Audit({.actor = name,
                .action = "sign_in",
                .outcome = "UNAUTHENTICATED: unknown user or wrong password"},
               res)) {
      return;
    }
    res.set_redirect(absl::StrCat(back, "&error=failed"), 303);
    return;
  }
  sessions_.SignInSucceeded(name);
  if (!Audit({.actor = name, .action = "sign_in", .outcome = "OK"}, res)) return;
  count("ok");
  const std::string token = sessions_.Start(user->name, user->role);
  res.set_header("Set-Cookie",
                 absl::StrCat(kCookie, "=", token, "; Path=/; HttpOnly; Secure; SameSite=Strict"));
  res.set_redirect(next, 303);
}

void ConsoleServer::SignOut(const httplib::Request& req, httplib::Response& res) {
  std::optional<Caller> c = Allow(req, res, false);
  if (!c.has_value()) return;
  sessions_.End(c->token);
  if (!Audit({.actor = c->session.user, .action = "sign_out", .outcome = "OK"}, res)) return;
  res.set_header("Set-Cookie",
                 absl::StrCat(kCookie, "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0"));
  SendJson(res, 200, {{"signed_out", true}});
}

void ConsoleServer::ActOnDeadLetter(const Caller& c, const httplib::Request& req,
                                    httplib::Response& res) {
  absl::StatusOr<Reasoned> asked = ReasonedBody(req);
  if (!asked.ok()) return SendError(res, asked.status());
  const json* body = &asked->body;
  const std::string* why = &asked->why;
  absl::StatusOr<int64_t> id = IdOf(*body);
  if (!id.ok()) return SendError(res, id.status());
  const std::string verb = body->value("verb", "");
  if (verb != "retry" && verb != "skip" && verb != "edit") {
    return SendError(res, absl::InvalidArgumentError(absl::StrCat(
                              "verb: must be retry, skip or edit, got \"", verb, "\"")));
  }
  if (verb == "edit" && !body->contains("payload")) {
    return SendError(res, absl::InvalidArgumentError("payload: required to edit and resend"));
  }
  const std::string process = body->value("process", "");
  absl::StatusOr<json> done =
      data_.Act(process, {.verb = verb,
                          .id = *id,
                          .who = c.session.user,
                          .why = *why,
                          .payload = verb == "edit" ? body->value("payload", "") : ""});
  metrics_
      .GetCounter("olif_console_actions_total", "Console actions on dead letters",
                  {{"action", verb}, {"result", done.ok() ? "ok" : "refused"}})
      .Inc();
  AuditedAnswer({.actor = c.session.user,
                 .action = verb,
                 .object_id = absl::StrCat(process, "/delivery/", *id),
                 .reason = *why},
                done, res);
}

void ConsoleServer::RetryAll(const Caller& c, const httplib::Request& req, httplib::Response& res) {
  absl::StatusOr<Reasoned> asked = ReasonedBody(req);
  if (!asked.ok()) return SendError(res, asked.status());
  const json* body = &asked->body;
  const std::string* why = &asked->why;
  const std::string process = body->value("process", "");
  const std::string destination = body->value("destination", "");
  absl::StatusOr<json> done = data_.RetryAll(process, destination, c.session.user, *why);
  AuditedAnswer(
      {.actor = c.session.user,
       .action = "retry_all",
       .object_id = absl::StrCat(process.empty() ? "*" : process, "/",
                                 destination.empty() ? "*" : destination),
       .outcome = done.ok() ? absl::StrCat("OK: ", (*done)["results"].size(), " retried") : "",
       .reason = *why},
      done, res);
}

void ConsoleServer::LookUpConsents(const Caller& c, const httplib::Request& req,
                                   httplib::Response& res) {
  absl::StatusOr<Reasoned> asked = ReasonedBody(req);
  if (!asked.ok()) return SendError(res, asked.status());
  const json* body = &asked->body;
  const std::string* why = &asked->why;
  const std::string child = body->value("child", "");
  absl::StatusOr<json> found = data_.Consents(child, c.session.user, *why);
  AuditedAnswer(
      {.actor = c.session.user, .action = "consent_lookup", .child_ref = child, .reason = *why},
      found, res);
}

void ConsoleServer::Reveal(const Caller& c, const httplib::Request& req, httplib::Response& res) {
  absl::StatusOr<Reasoned> asked = ReasonedBody(req);
  if (!asked.ok()) return SendError(res, asked.status());
  const json* body = &asked->body;
  const std::string* why = &asked->why;
  absl::StatusOr<int64_t> id = IdOf(*body);
  if (!id.ok()) return SendError(res, id.status());
  const std::string process = body->value("process", "");
  const std::string kind = body->value("kind", "");
  // Asked first without revealing, so a message that is not there is not
  // audited as seen; then the reveal is audited before anything is shown.
  absl::StatusOr<json> shown = data_.Message(process, kind, *id, /*reveal=*/false);
  if (!shown.ok()) return SendError(res, shown.status());
  if (!Audit({.actor = c.session.user,
              .action = "reveal",
              .object_id = absl::StrCat(process, "/", kind, "/", *id),
              .outcome = "OK",
              .reason = *why},
             res)) {
    return;
  }
  metrics_.GetCounter("olif_console_reveals_total", "Masked messages revealed").Inc();
  absl::StatusOr<json> revealed = data_.Message(process, kind, *id, /*reveal=*/true);
  if (!revealed.ok()) return SendError(res, revealed.status());
  SendJson(res, 200, *revealed);
}

}  // namespace olif::console
