#pragma once

// Who is signed in to the console: sessions kept in memory (a restart signs
// everyone out), each known by a random token that only the session cookie
// carries, with a CSRF token of its own that every action must echo. A session
// ends after `idle` without a request, after `lifetime` in any case, and at
// sign-out. Sign-in attempts are throttled per user name: after
// `max_failures` failures in a row, further attempts are refused for
// `lockout`, whatever the password.
//
// Thread-safe.

#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "services/common/clock/clock.h"
#include "services/common/sync/mutex.h"
#include "services/console/users.h"

namespace olif::console {

struct Session {
  std::string user;
  Role role = Role::kReadOnly;
  std::string csrf;  // the token an action must send in X-CSRF-Token
  absl::Time started;
  absl::Time last_seen;
};

struct SessionLimits {
  absl::Duration idle = absl::Minutes(30);
  absl::Duration lifetime = absl::Hours(12);
  int max_failures = 5;
  absl::Duration lockout = absl::Minutes(1);
};

// 32 random bytes as 64 hex digits (libsodium's randombytes).
std::string RandomToken();

// Constant-time comparison of two tokens.
bool SameToken(const std::string& a, const std::string& b);

class Sessions {
 public:
  Sessions(const Clock& clock, SessionLimits limits) : clock_(clock), limits_(limits) {}

  // A new session for `user`; returns its token.
  std::string Start(const std::string& user, Role role) ABSL_LOCKS_EXCLUDED(mu_);
  // The session of `token` (and marks it seen), or nothing when there is none
  // or it ended.
  std::optional<Session> Find(const std::string& token) ABSL_LOCKS_EXCLUDED(mu_);
  void End(const std::string& token) ABSL_LOCKS_EXCLUDED(mu_);
  // Ends every session of `user` (removed, or given another role).
  void EndAllOf(const std::string& user) ABSL_LOCKS_EXCLUDED(mu_);
  int active() ABSL_LOCKS_EXCLUDED(mu_);

  // Whether `user` may try to sign in now; when not, how long to wait.
  std::optional<absl::Duration> LockedOut(const std::string& user) ABSL_LOCKS_EXCLUDED(mu_);
  void SignInFailed(const std::string& user) ABSL_LOCKS_EXCLUDED(mu_);
  void SignInSucceeded(const std::string& user) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Failures {
    int count = 0;
    absl::Time until;  // locked out until then
  };
  void Expire(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const SessionLimits limits_;
  olif::Mutex mu_;
  std::map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Failures> failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace olif::console
