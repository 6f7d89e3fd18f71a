#include "services/console/users.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace olif::console {

std::string RoleName(Role role) { return role == Role::kOperator ? "operator" : "read-only"; }

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  if (name == "operator") return Role::kOperator;
  if (name == "read-only") return Role::kReadOnly;
  return absl::InvalidArgumentError(
      absl::StrCat("role: must be \"read-only\" or \"operator\", got \"", name, "\""));
}

absl::Status CheckUserName(absl::string_view name) {
  if (name.size() < 2 || name.size() > 64) {
    return absl::InvalidArgumentError("user name: must be 2 to 64 characters");
  }
  if (!absl::ascii_islower(name[0]) && !absl::ascii_isdigit(name[0])) {
    return absl::InvalidArgumentError("user name: must start with a-z or 0-9");
  }
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '.' && c != '_' && c != '-') {
      return absl::InvalidArgumentError(absl::StrCat(
          "user name: only a-z, 0-9, '.', '_' and '-', not '", std::string(1, c), "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPassword(absl::string_view name, absl::string_view password) {
  if (password.size() < 12) {
    return absl::InvalidArgumentError("password: must be at least 12 characters");
  }
  if (password.size() > 1024) {
    return absl::InvalidArgumentError("password: must be at most 1024 characters");
  }
  if (password == name) return absl::InvalidArgumentError("password: must not be the user name");
  return absl::OkStatus();
}

namespace {

absl::Status InitSodium() {
  if (sodium_init() < 0) return absl::InternalError("libsodium cannot be initialised");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  if (absl::Status s = InitSodium(); !s.ok()) return s;
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return absl::InternalError("password hash: out of memory");
  }
  return std::string(out);
}

bool PasswordMatches(const std::string& hash, absl::string_view password) {
  if (!InitSodium().ok() || hash.rfind("$argon2id$", 0) != 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

absl::StatusOr<std::vector<User>> ReadUsers(const std::string& path) {
  std::ifstream in(path);
  std::vector<User> users;
  if (!in) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return users;  // no file: nobody yet
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot be read"));
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> parts = absl::StrSplit(text, ' ', absl::SkipEmpty());
    const auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": ", why));
    };
    if (parts.size() != 3) return bad("must be \"<name> <role> <hash>\"");
    if (absl::Status s = CheckUserName(parts[0]); !s.ok()) return bad(s.message());
    absl::StatusOr<Role> role = ParseRole(parts[1]);
    if (!role.ok()) return bad(role.status().message());
    if (parts[2].rfind("$argon2id$", 0) != 0) return bad("hash: must be an argon2id hash");
    for (const User& u : users) {
      if (u.name == parts[0]) return bad(absl::StrCat("user \"", u.name, "\" is listed twice"));
    }
    users.push_back({parts[0], *role, parts[2]});
  }
  return users;
}

absl::Status WriteUsers(const std::string& path, const std::vector<User>& users) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::exists(dir)) {
    std::filesystem::create_directories(dir, ec);
    if (!ec) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace, ec);
    }
    if (ec) {
      return absl::PermissionDeniedError(
          absl::StrCat(dir.string(), ": cannot be created: ", ec.message()));
    }
  }
  const std::string tmp = path + ".tmp";
  std::ostringstream text;
  text << "# The console's users (olifantctl user add|remove): name role argon2id-hash\n";
  for (const User& u : users) text << u.name << ' ' << RoleName(u.role) << ' ' << u.hash << '\n';
  const mode_t old_mask = umask(077);
  FILE* f = std::fopen(tmp.c_str(), "w");
  umask(old_mask);
  if (f == nullptr) return absl::PermissionDeniedError(absl::StrCat(tmp, ": cannot be written"));
  const std::string body = text.str();
  const bool written = std::fwrite(body.data(), 1, body.size(), f) == body.size() &&
                       std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  std::fclose(f);
  if (!written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::InternalError(absl::StrCat(path, ": cannot be written"));
  }
  return absl::OkStatus();
}

absl::Status AddUser(const std::string& path, absl::string_view name, Role role,
                     absl::string_view password, bool replace) {
  if (absl::Status s = CheckUserName(name); !s.ok()) return s;
  if (absl::Status s = CheckPassword(name, password); !s.ok()) return s;
  absl::StatusOr<std::vector<User>> users = ReadUsers(path);
  if (!users.ok()) return users.status();
  absl::StatusOr<std::string> hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  for (User& u : *users) {
    if (u.name != name) continue;
    if (!replace) {
      return absl::AlreadyExistsError(
          absl::StrCat("user \"", name, "\" exists; --replace sets a new role and password"));
    }
    u.role = role;
    u.hash = *hash;
    return WriteUsers(path, *users);
  }
  users->push_back({std::string(name), role, *hash});
  return WriteUsers(path, *users);
}

absl::Status RemoveUser(const std::string& path, absl::string_view name) {
  absl::StatusOr<std::vector<User>> users = ReadUsers(path);
  if (!users.ok()) return users.status();
  const size_t before = users->size();
  std::erase_if(*users, [&](const User& u) { return u.name == name; });
  if (users->size() == before) {
    return absl::NotFoundError(absl::StrCat("no user \"", name, "\" in ", path));
  }
  return WriteUsers(path, *users);
}

}  // namespace olif::console
