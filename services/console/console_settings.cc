#include "services/console/console_settings.h"

#include "absl/strings/str_cat.h"
#include "services/common/config/config_loader.h"
#include "services/common/strings/host_port.h"

namespace olif::console {

absl::StatusOr<Settings> SettingsFromConfig(const olifantenpad::config::v1::ConsoleConfig& config) {
  const auto& c = config.console();
  Settings s;
  absl::StatusOr<HostPort> address = ParseHostPort(c.listen_address());
  if (!address.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("console.listen_address: ", address.status().message()));
  }
  if (c.cert_file().empty() != c.key_file().empty()) {
    return absl::InvalidArgumentError(
        "console: cert_file and key_file go together (both or neither)");
  }
  if (c.cert_file().empty()) {
    if (!config.runtime().dev_mode()) {
      return absl::InvalidArgumentError(
          "console.cert_file: required outside dev mode (the console serves HTTPS only)");
    }
    if (!IsLoopbackHost(address->host)) {
      return absl::InvalidArgumentError(
          absl::StrCat("console.listen_address: plain HTTP only on loopback, not on ",
                       address->host, "; give cert_file and key_file"));
    }
  }
  s.server = {.host = address->host,
              .port = address->port,
              .cert_file = c.cert_file(),
              .key_file = c.key_file(),
              .users_file = c.users_file()};
  if (c.has_session_idle()) s.sessions.idle = config::ToDuration(c.session_idle());
  if (c.has_session_lifetime()) s.sessions.lifetime = config::ToDuration(c.session_lifetime());
  if (c.has_call_timeout()) {
    s.call_timeout =
        std::chrono::milliseconds(absl::ToInt64Milliseconds(config::ToDuration(c.call_timeout())));
  }
  for (auto [name, d] : {std::pair{"session_idle", s.sessions.idle},
                         std::pair{"session_lifetime", s.sessions.lifetime}}) {
    if (d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("console.", name, ": must be positive"));
    }
  }
  if (s.call_timeout <= std::chrono::milliseconds(0)) {
    return absl::InvalidArgumentError("console.call_timeout: must be positive");
  }
  return s;
}

}  // namespace olif::console
