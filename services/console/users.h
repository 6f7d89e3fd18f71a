#pragma once

// The console's operators: local users, each with a role and a password
// hashed with argon2id (libsodium's crypto_pwhash_str, its "interactive"
// limits: 64 MiB and about a tenth of a second per check). They live in one
// text file, a line per user:
//
//   <name> <role> <hash>        e.g.  j.devries operator $argon2id$v=19$m=65536,...
//
// written by `olifantctl user add|remove` (atomically, mode 0600) and read by
// the console, which reads it again when it changed, so a user added while
// the console runs can sign in at once. No password is ever stored or logged.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace olif::console {

enum class Role { kReadOnly, kOperator };

// "read-only" / "operator", and back (INVALID_ARGUMENT names both).
std::string RoleName(Role role);
absl::StatusOr<Role> ParseRole(absl::string_view name);

struct User {
  std::string name;
  Role role = Role::kReadOnly;
  std::string hash;  // $argon2id$...
};

// A name is 2 to 64 of [a-z0-9._-], starting with a letter or digit.
absl::Status CheckUserName(absl::string_view name);
// At least 12 characters and at most 1024; not the name itself.
absl::Status CheckPassword(absl::string_view name, absl::string_view password);

// The argon2id hash of `password` (INTERNAL when libsodium cannot get the memory).
absl::StatusOr<std::string> HashPassword(absl::string_view password);
// Whether `password` matches `hash`.
bool PasswordMatches(const std::string& hash, absl::string_view password);

// The users of a file. A missing file has none; a line that cannot be read is
// refused with its line number.
absl::StatusOr<std::vector<User>> ReadUsers(const std::string& path);
// Writes `users` to `path` (a temporary file renamed over it, 0600; a missing
// directory is made, 0700).
absl::Status WriteUsers(const std::string& path, const std::vector<User>& users);

// Adds `name` with `role` and `password` to the file, or replaces its role and
// password when `replace` (ALREADY_EXISTS otherwise). Checks name and password.
absl::Status AddUser(const std::string& path, absl::string_view name, Role role,
                     absl::string_view password, bool replace);
// Removes `name` (NOT_FOUND when it is not there).
absl::Status RemoveUser(const std::string& path, absl::string_view name);

}  // namespace olif::console
