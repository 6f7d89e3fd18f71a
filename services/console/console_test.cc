#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "services/common/testing/testing.h"
#include "services/console/console_audit.h"
#include "services/console/console_data.h"
#include "services/console/console_server.h"
#include "services/console/console_settings.h"
#include "services/console/masking.h"
#include "services/console/sessions.h"
#include "services/console/users.h"

namespace olif::console {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);

std::string TempFile(const std::string& prefix, const std::string& name) {
  return (testing_util::FreshTestDir(prefix) / name).string();
}

// ------------------------------------------------------------------ users

TEST(UsersTest, AddedUsersAreHashedWithArgon2idAndKeptInAPrivateFile) {
  const std::string file = TempFile("console_users", "not-yet/users");
  ASSERT_TRUE(AddUser(file, "j.devries", Role::kOperator, "correct horse battery", false).ok());
  ASSERT_TRUE(AddUser(file, "m.jansen", Role::kReadOnly, "another long secret", false).ok());
  auto users = ReadUsers(file);
  ASSERT_TRUE(users.ok()) << users.status();
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].name, "j.devries");
  EXPECT_EQ((*users)[0].role, Role::kOperator);
  EXPECT_EQ((*users)[0].hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(PasswordMatches((*users)[0].hash, "correct horse battery"));
  EXPECT_FALSE(PasswordMatches((*users)[0].hash, "correct horse batterY"));
  EXPECT_EQ((*users)[1].role, Role::kReadOnly);
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find("correct horse"), std::string::npos);  // no password in the file
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(UsersTest, ReplacingAndRemovingChangeOnlyThatUser) {
  const std::string file = TempFile("console_users_replace", "users");
  ASSERT_TRUE(AddUser(file, "j.devries", Role::kReadOnly, "correct horse battery", false).ok());
  EXPECT_EQ(AddUser(file, "j.devries", Role::kOperator, "new long password", false).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadUsers(file)->front().role, Role::kReadOnly);  // unchanged
  ASSERT_TRUE(AddUser(file, "j.devries", Role::kOperator, "new long password", true).ok());
  EXPECT_EQ(ReadUsers(file)->front().role, Role::kOperator);
  EXPECT_TRUE(PasswordMatches(ReadUsers(file)->front().hash, "new long password"));
  EXPECT_EQ(RemoveUser(file, "nobody").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(RemoveUser(file, "j.devries").ok());
  EXPECT_TRUE(ReadUsers(file)->empty());
}

TEST(UsersTest, BadNamesPasswordsRolesAndLinesAreRefusedPrecisely) {
  const std::string file = TempFile("console_users_bad", "users");
  EXPECT_NE(AddUser(file, "J.Devries", Role::kOperator, "correct horse battery", false)
                .message()
                .find("user name"),
            std::string::npos);
  EXPECT_NE(AddUser(file, "j.devries", Role::kOperator, "short", false).message().find("12"),
            std::string::npos);
  EXPECT_NE(AddUser(file, "j.devries.long.name", Role::kOperator, "j.devries.long.name", false)
                .message()
                .find("user name"),
            std::string::npos);
  EXPECT_EQ(ParseRole("admin").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(file));  // nothing was written
  std::ofstream(file)
      << "# users\nj.devries operator $argon2id$v=19$x\nm.jansen boss $argon2id$y\n";
  auto users = ReadUsers(file);
  EXPECT_EQ(users.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(users.status().message().find(":3: role"), std::string::npos) << users.status();
  EXPECT_TRUE(ReadUsers(file + ".missing")->empty());
}

// --------------------------------------------------------------- sessions

TEST(SessionsTest, ASessionEndsWhenIdleWhenTooOldAndAtSignOut) {
  FakeClock clock(kT0);
  Sessions sessions(clock, {.idle = absl::Minutes(30), .lifetime = absl::Hours(2)});
  const std::string a = sessions.Start("j.devries", Role::kOperator);
  EXPECT_EQ(a.size(), 64u);
  auto found = sessions.Find(a);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->user, "j.devries");
  EXPECT_EQ(found->csrf.size(), 64u);
  EXPECT_NE(found->csrf, a);
  EXPECT_FALSE(sessions.Find("not-a-token").has_value());
  for (int i = 0; i < 4; ++i) {  // kept alive by use, until its lifetime ends
    clock.Advance(absl::Minutes(25));
    EXPECT_TRUE(sessions.Find(a).has_value()) << i;
  }
  clock.Advance(absl::Minutes(25));  // 125 minutes after start
  EXPECT_FALSE(sessions.Find(a).has_value());
  const std::string b = sessions.Start("m.jansen", Role::kReadOnly);
  clock.Advance(absl::Minutes(30));
  EXPECT_FALSE(sessions.Find(b).has_value());  // idle
  const std::string c = sessions.Start("m.jansen", Role::kReadOnly);
  sessions.End(c);
  EXPECT_FALSE(sessions.Find(c).has_value());
  EXPECT_EQ(sessions.active(), 0);
}

TEST(SessionsTest, RepeatedFailuresLockANameOutForAWhile) {
  FakeClock clock(kT0);
  Sessions sessions(clock, {.max_failures = 3, .lockout = absl::Minutes(1)});
  for (int i = 0; i < 2; ++i) sessions.SignInFailed("j.devries");
  EXPECT_FALSE(sessions.LockedOut("j.devries").has_value());
  sessions.SignInFailed("j.devries");
  ASSERT_TRUE(sessions.LockedOut("j.devries").has_value());
  EXPECT_EQ(*sessions.LockedOut("j.devries"), absl::Minutes(1));
  EXPECT_FALSE(sessions.LockedOut("m.jansen").has_value());
  clock.Advance(absl::Minutes(1));
  EXPECT_FALSE(sessions.LockedOut("j.devries").has_value());
  sessions.SignInFailed("j.devries");  // the count started over
  EXPECT_FALSE(sessions.LockedOut("j.devries").has_value());
  sessions.SignInSucceeded("j.devries");
}

TEST(SessionsTest, TokensAreComparedWhole) {
  EXPECT_TRUE(SameToken("abc", "abc"));
  EXPECT_FALSE(SameToken("abc", "abd"));
  EXPECT_FALSE(SameToken("abc", "abcd"));
  EXPECT_FALSE(SameToken("", ""));
  EXPECT_NE(RandomToken(), RandomToken());
}

// ---------------------------------------------------------------- masking

TEST(MaskingTest, ChildDataIsMaskedAndTheStructureStays) {
  const std::string patient = R"({"resourceType":"Patient","id":"p-1",
    "identifier":[{"system":"http://fhir.nl/fhir/NamingSystem/bsn","value":"999990019"}],
    "name":[{"family":"Visser","given":["Noor"]}],"birthDate":"2021-03-04",
    "address":[{"city":"Zwolle"}],"active":true,"meta":{"lastUpdated":"2026-12-06T10:00:00Z"}})";
  Masked m = MaskPayload(patient);
  EXPECT_TRUE(m.json);
  EXPECT_EQ(m.masked, 6);
  for (const char* hidden : {"999990019", "Visser", "Noor", "2021-03-04", "Zwolle"}) {
    EXPECT_EQ(m.text.find(hidden), std::string::npos) << hidden;
  }
  for (const char* shown : {"Patient", "p-1", "http://fhir.nl/fhir/NamingSystem/bsn", "birthDate",
                            "family", "2026-12-06T10:00:00Z"}) {
    EXPECT_NE(m.text.find(shown), std::string::npos) << shown;
  }
  EXPECT_NE(m.text.find(kMasked), std::string::npos);
}

TEST(MaskingTest, WhatIsNotJsonIsMaskedWhole) {
  Masked m = MaskPayload("child_number;name\n12;Noor Visser\n");
  EXPECT_FALSE(m.json);
  EXPECT_EQ(m.masked, 1);
  EXPECT_EQ(m.text.find("Noor"), std::string::npos);
  EXPECT_NE(m.text.find("33 bytes"), std::string::npos) << m.text;
  EXPECT_EQ(MaskPayload("").masked, 0);
  EXPECT_EQ(MaskPayload(R"("Noor")").text.find("Noor"), std::string::npos);
}

// ---------------------------------------------------------------- settings

TEST(ConsoleSettingsTest, PlainHttpOnlyInDevModeOnLoopback) {
  olifantenpad::config::v1::ConsoleConfig c;
  c.mutable_runtime()->set_dev_mode(true);
  c.mutable_console()->set_listen_address("127.0.0.1:0");
  c.mutable_console()->set_users_file("users");
  auto s = SettingsFromConfig(c);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->sessions.idle, absl::Minutes(30));
  c.mutable_console()->set_listen_address("0.0.0.0:8443");
  EXPECT_NE(SettingsFromConfig(c).status().message().find("only on loopback"), std::string::npos);
  c.mutable_runtime()->set_dev_mode(false);
  c.mutable_console()->set_listen_address("127.0.0.1:0");
  EXPECT_NE(SettingsFromConfig(c).status().message().find("cert_file"), std::string::npos);
  c.mutable_console()->set_cert_file("console.pem");
  EXPECT_NE(SettingsFromConfig(c).status().message().find("go together"), std::string::npos);
  c.mutable_console()->set_listen_address("nowhere");
  EXPECT_NE(SettingsFromConfig(c).status().message().find("listen_address"), std::string::npos);
}

// ------------------------------------------------------------------ server

// The console's server over the dev config's hub, none of whose processes
// runs here: what is checked is what the server decides before it asks one.
class ConsoleServerTest : public testing::Test {
 protected:
  void SetUp() override {
    const auto dir = testing_util::FreshTestDir("console_server");
    users_file_ = (dir / "users").string();
    ASSERT_TRUE(AddUser(users_file_, "j.devries", Role::kOperator, kPassword, false).ok());
    ASSERT_TRUE(AddUser(users_file_, "m.jansen", Role::kReadOnly, kPassword, false).ok());
    audit_ = std::move(*ConsoleAudit::Open((dir / "console.db").string(), clock_));
    // Every process of the hub at a port where nothing listens.
    auto hub = ctl::Hub::Load(std::string(OLIF_SOURCE_DIR) + "/config/dev",
                              [](absl::string_view name) -> std::optional<std::string> {
                                if (name.size() > 5 && name.substr(name.size() - 5) == "_GRPC")
                                  return "127.0.0.1:1";
                                return std::nullopt;
                              });
    ASSERT_TRUE(hub.ok()) << hub.status();
    hub_.emplace(std::move(*hub));
    data_.emplace(
        *hub_,
        *directory::Directory::Load(std::string(OLIF_SOURCE_DIR) + "/config/dev/directory.yaml"),
        std::chrono::milliseconds(300), clock_);
    server_.emplace(ServerOptions{.users_file = users_file_}, *data_, *audit_, sessions_, metrics_);
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    client_.emplace("127.0.0.1", *port);
  }

  // Signs in; returns the session cookie ("olif_session=...").
  std::string SignIn(const std::string& user, const std::string& password = kPassword) {
    auto res = client_->Post("/login", httplib::Params{{"user", user}, {"password", password}});
    if (!res || res->status != 303) return "";
    const std::string cookie = res->get_header_value("Set-Cookie");
    return cookie.substr(0, cookie.find(';'));
  }
  std::string Csrf(const std::string& cookie) {
    auto res = client_->Get("/api/session", {{"Cookie", cookie}});
    if (!res || res->status != 200) return "";
    return nlohmann::json::parse(res->body)["csrf"];
  }
  httplib::Result Post(const std::string& path, const std::string& cookie, const std::string& csrf,
                       const nlohmann::json& body) {
    httplib::Headers headers{{"Cookie", cookie}};
    if (!csrf.empty()) headers.emplace("X-CSRF-Token", csrf);
    return client_->Post(path, headers, body.dump(), "application/json");
  }
  std::vector<audit::Entry> Audited(const std::string& action) {
    return *audit_->Search({.action = action});
  }

  static constexpr char kPassword[] = "correct horse battery";
  FakeClock clock_{kT0};
  Sessions sessions_{clock_, {}};
  metrics::Registry metrics_;
  std::string users_file_;
  std::unique_ptr<ConsoleAudit> audit_;
  std::optional<ctl::Hub> hub_;
  std::optional<ConsoleData> data_;
  std::optional<ConsoleServer> server_;
  std::optional<httplib::Client> client_;
};

TEST_F(ConsoleServerTest, PagesAndTheApiNeedASignedInUser) {
  auto page = client_->Get("/dead-letters?process=school");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);
  // (httplib's client decodes header values: sent as next=%2Fdead-letters%3Fprocess%3Dschool)
  EXPECT_EQ(page->get_header_value("Location"), "/login?next=/dead-letters?process=school");
  auto api = client_->Get("/api/overview");
  EXPECT_EQ(api->status, 401);
  auto login = client_->Get("/login");
  EXPECT_EQ(login->status, 200);
  EXPECT_NE(login->body.find("name=\"password\""), std::string::npos);
  for (const httplib::Result* res : {&page, &api, &login}) {
    const httplib::Response& r = res->value();
    EXPECT_NE(r.get_header_value("Content-Security-Policy").find("script-src 'self'"),
              std::string::npos);
    EXPECT_EQ(r.get_header_value("X-Frame-Options"), "DENY");
    EXPECT_EQ(r.get_header_value("Cache-Control"), "no-store");
  }
  EXPECT_EQ(client_->Get("/static/console.js")->get_header_value("Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(client_->Get("/static/app.html")->status, 404);  // pages only behind sign-in
  EXPECT_EQ(client_->Get("/static/../users")->status, 404);
}

TEST_F(ConsoleServerTest, SigningInSetsAStrictCookieAndIsAudited) {
  auto res = client_->Post("/login", httplib::Params{{"user", "j.devries"},
                                                     {"password", kPassword},
                                                     {"next", "/history?key=req-1"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/history?key=req-1");
  const std::string cookie = res->get_header_value("Set-Cookie");
  for (const char* attribute : {"; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << cookie;
  }
  const std::string session = cookie.substr(0, cookie.find(';'));
  auto me = client_->Get("/api/session", {{"Cookie", session}});
  ASSERT_EQ(me->status, 200);
  EXPECT_EQ(nlohmann::json::parse(me->body)["role"], "operator");
  EXPECT_EQ(client_->Get("/", {{"Cookie", session}})->status, 200);
  // Only a path of the console as where to go next.
  auto away = client_->Post(
      "/login",
      httplib::Params{{"user", "j.devries"}, {"password", kPassword}, {"next", "//evil.example/"}});
  EXPECT_EQ(away->get_header_value("Location"), "/");
  auto signed_in = Audited("sign_in");
  ASSERT_EQ(signed_in.size(), 2u);
  EXPECT_EQ(signed_in[0].actor, "j.devries");
  EXPECT_EQ(signed_in[0].outcome, "OK");
  // Sign-out needs the CSRF token too, and ends the session.
  EXPECT_EQ(Post("/api/logout", session, "", {})->status, 403);
  EXPECT_EQ(Post("/api/logout", session, Csrf(session), {})->status, 200);
  EXPECT_EQ(client_->Get("/api/session", {{"Cookie", session}})->status, 401);
  EXPECT_EQ(Audited("sign_out").size(), 1u);
}

TEST_F(ConsoleServerTest, WrongPasswordsAreRefusedAuditedAndLockTheNameOut) {
  EXPECT_EQ(SignIn("j.devries", "wrong password!!"), "");
  auto res =
      client_->Post("/login", httplib::Params{{"user", "nobody"}, {"password", "whatever it is"}});
  EXPECT_EQ(res->get_header_value("Location"), "/login?next=/&error=failed");
  for (int i = 0; i < 4; ++i) SignIn("j.devries", "wrong password!!");
  auto locked =
      client_->Post("/login", httplib::Params{{"user", "j.devries"}, {"password", kPassword}});
  EXPECT_EQ(locked->get_header_value("Location"), "/login?next=/&error=locked");
  EXPECT_EQ(locked->get_header_value("Set-Cookie"), "");
  auto lines = Audited("sign_in");
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0].outcome.rfind("RESOURCE_EXHAUSTED", 0), 0u) << lines[0].outcome;
  EXPECT_EQ(lines[1].outcome.rfind("UNAUTHENTICATED", 0), 0u);
  clock_.Advance(absl::Minutes(1));
  EXPECT_NE(SignIn("j.devries"), "");
  // A sign-in posted by another site's page is refused.
  auto forged = client_->Post("/login", {{"Origin", "https://evil.example"}},
                              "user=j.devries&password=correct+horse+battery",
                              "application/x-www-form-urlencoded");
  EXPECT_EQ(forged->status, 403);
}

TEST_F(ConsoleServerTest, ActionsNeedTheCsrfTokenTheOperatorRoleAndAReason) {
  const std::string op = SignIn("j.devries");
  const std::string ro = SignIn("m.jansen");
  ASSERT_NE(op, "");
  ASSERT_NE(ro, "");
  const nlohmann::json retry = {
      {"process", "youthcare_fhir"}, {"id", 7}, {"verb", "retry"}, {"why", "provider is back"}};
  auto no_token = Post("/api/dead-letters/action", op, "", retry);
  EXPECT_EQ(no_token->status, 403);
  EXPECT_NE(no_token->body.find("CSRF"), std::string::npos);
  EXPECT_EQ(Post("/api/dead-letters/action", op, Csrf(ro), retry)->status, 403);  // another's
  auto read_only = Post("/api/dead-letters/action", ro, Csrf(ro), retry);
  EXPECT_EQ(read_only->status, 403);
  EXPECT_NE(read_only->body.find("operator"), std::string::npos);
  EXPECT_EQ(Post("/api/message/reveal", ro, Csrf(ro),
                 {{"process", "youthcare_fhir"},
                  {"kind", "delivery"},
                  {"id", 7},
                  {"why", "checking the payload"}})
                ->status,
            403);
  EXPECT_EQ(
      Post("/api/dead-letters/retry-all", ro, Csrf(ro), {{"why", "provider is back"}})->status,
      403);
  EXPECT_TRUE(Audited("retry").empty());  // nothing refused got as far as an action

  const std::string csrf = Csrf(op);
  auto no_reason = Post("/api/dead-letters/action", op, csrf,
                        {{"process", "youthcare_fhir"}, {"id", 7}, {"verb", "retry"}});
  EXPECT_EQ(no_reason->status, 400);
  EXPECT_NE(no_reason->body.find("why"), std::string::npos);
  auto bad_verb = Post(
      "/api/dead-letters/action", op, csrf,
      {{"process", "youthcare_fhir"}, {"id", 7}, {"verb", "delete"}, {"why", "provider is back"}});
  EXPECT_EQ(bad_verb->status, 400);
  EXPECT_NE(bad_verb->body.find("verb"), std::string::npos);
  auto not_adapter =
      Post("/api/dead-letters/action", op, csrf,
           {{"process", "consent"}, {"id", 7}, {"verb", "retry"}, {"why", "provider is back"}});
  EXPECT_EQ(not_adapter->status, 400);
  // An attempt the hub refuses is audited with why it was refused.
  ASSERT_EQ(Audited("retry").size(), 1u);
  EXPECT_EQ(Audited("retry")[0].outcome.rfind("INVALID_ARGUMENT", 0), 0u);

  // Allowed: the adapter does not answer here, and the attempt is audited.
  auto unreachable = Post("/api/dead-letters/action", op, csrf, retry);
  EXPECT_EQ(unreachable->status, 503) << unreachable->body;
  auto lines = Audited("retry");
  ASSERT_EQ(lines.size(), 2u);  // newest first
  EXPECT_EQ(lines[0].actor, "j.devries");
  EXPECT_EQ(lines[0].object_id, "youthcare_fhir/delivery/7");
  EXPECT_EQ(lines[0].reason, "provider is back");
  EXPECT_EQ(lines[0].outcome.rfind("UNAVAILABLE", 0), 0u) << lines[0].outcome;
}

TEST_F(ConsoleServerTest, AConsentLookupNeedsAReasonAndIsAuditedWithTheChild) {
  const std::string ro = SignIn("m.jansen");  // reading consents is not an operator's action
  const nlohmann::json ask = {{"child", "7b0c2f6e-0000-4000-8000-000000000001"},
                              {"why", "parent asked what was shared"}};
  EXPECT_EQ(Post("/api/consents/lookup", ro, "", ask)->status, 403);
  auto no_reason = Post("/api/consents/lookup", ro, Csrf(ro), {{"child", "x"}});
  EXPECT_EQ(no_reason->status, 400);
  EXPECT_TRUE(Audited("consent_lookup").empty());
  auto unreachable = Post("/api/consents/lookup", ro, Csrf(ro), ask);
  EXPECT_EQ(unreachable->status, 503) << unreachable->body;
  auto lines = Audited("consent_lookup");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].actor, "m.jansen");
  EXPECT_EQ(lines[0].child_ref, "7b0c2f6e-0000-4000-8000-000000000001");
  EXPECT_EQ(lines[0].reason, "parent asked what was shared");
  // The domain pages ask services that do not answer here: 503, said so.
  for (const char* path : {"/api/overdue", "/api/compliance", "/api/handovers"}) {
    auto res = client_->Get(path, {{"Cookie", ro}});
    EXPECT_EQ(res->status, 503) << path << " " << res->body;
    EXPECT_NE(res->body.find("UNAVAILABLE"), std::string::npos) << path;
  }
}

TEST_F(ConsoleServerTest, AUserRemovedOrGivenAnotherRoleIsSignedOut) {
  const std::string op = SignIn("j.devries");
  const std::string ro = SignIn("m.jansen");
  ASSERT_EQ(client_->Get("/api/session", {{"Cookie", op}})->status, 200);
  ASSERT_TRUE(RemoveUser(users_file_, "j.devries").ok());
  EXPECT_EQ(client_->Get("/api/session", {{"Cookie", op}})->status, 401);
  ASSERT_TRUE(AddUser(users_file_, "m.jansen", Role::kOperator, kPassword, true).ok());
  EXPECT_EQ(client_->Get("/api/session", {{"Cookie", ro}})->status, 401);
  const std::string again = SignIn("m.jansen");
  auto me = client_->Get("/api/session", {{"Cookie", again}});
  EXPECT_EQ(nlohmann::json::parse(me->body)["role"], "operator");
}

TEST_F(ConsoleServerTest, BadQueriesAreNamed) {
  const std::string ro = SignIn("m.jansen");
  auto since = client_->Get("/api/history?since=yesterday", {{"Cookie", ro}});
  EXPECT_EQ(since->status, 400);
  EXPECT_NE(since->body.find("since"), std::string::npos);
  auto limit = client_->Get("/api/audit?limit=5000", {{"Cookie", ro}});
  EXPECT_EQ(limit->status, 400);
  EXPECT_NE(limit->body.find("limit"), std::string::npos);
  auto kind = client_->Get("/api/message?process=school&kind=mail&id=3", {{"Cookie", ro}});
  EXPECT_EQ(kind->status, 400);
  EXPECT_NE(kind->body.find("kind"), std::string::npos);
  auto process = client_->Get("/api/dead-letters?process=nope", {{"Cookie", ro}});
  EXPECT_EQ(process->status, 404);
  EXPECT_NE(process->body.find("no process 'nope'"), std::string::npos);
}

}  // namespace
}  // namespace olif::console
