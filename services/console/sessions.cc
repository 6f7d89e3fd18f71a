#include "services/console/sessions.h"

#include <sodium.h>

#include "absl/strings/escaping.h"

namespace olif::console {

std::string RandomToken() {
  unsigned char bytes[32];
  if (sodium_init() < 0) std::abort();  // no safe token without it
  randombytes_buf(bytes, sizeof bytes);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), 32));
}

bool SameToken(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Sessions::Start(const std::string& user, Role role) {
  const absl::Time now = clock_.Now();
  std::string token = RandomToken();
  olif::MutexLock lock(&mu_);
  Expire(now);
  sessions_[token] = {
      .user = user, .role = role, .csrf = RandomToken(), .started = now, .last_seen = now};
  return token;
}

std::optional<Session> Sessions::Find(const std::string& token) {
  const absl::Time now = clock_.Now();
  olif::MutexLock lock(&mu_);
  Expire(now);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  it->second.last_seen = now;
  return it->second;
}

void Sessions::End(const std::string& token) {
  olif::MutexLock lock(&mu_);
  sessions_.erase(token);
}

void Sessions::EndAllOf(const std::string& user) {
  olif::MutexLock lock(&mu_);
  std::erase_if(sessions_, [&](const auto& s) { return s.second.user == user; });
}

int Sessions::active() {
  olif::MutexLock lock(&mu_);
  Expire(clock_.Now());
  return static_cast<int>(sessions_.size());
}

void Sessions::Expire(absl::Time now) {
  std::erase_if(sessions_, [&](const auto& s) {
    return now - s.second.last_seen >= limits_.idle || now - s.second.started >= limits_.lifetime;
  });
}

std::optional<absl::Duration> Sessions::LockedOut(const std::string& user) {
  const absl::Time now = clock_.Now();
  olif::MutexLock lock(&mu_);
  auto it = failures_.find(user);
  if (it == failures_.end() || it->second.until <= now) return std::nullopt;
  return it->second.until - now;
}

void Sessions::SignInFailed(const std::string& user) {
  const absl::Time now = clock_.Now();
  olif::MutexLock lock(&mu_);
  if (failures_.size() >= 10000) {
    // Guessing at many names must not grow this without end: forget what
    // locks nobody out now.
    std::erase_if(failures_, [&](const auto& f) { return f.second.until <= now; });
  }
  Failures& f = failures_[user];
  if (f.until != absl::Time() && f.until <= now) f = {};  // a lockout served: start over
  if (++f.count >= limits_.max_failures) f.until = now + limits_.lockout;
}

void Sessions::SignInSucceeded(const std::string& user) {
  olif::MutexLock lock(&mu_);
  failures_.erase(user);
}

}  // namespace olif::console
