#pragma once

// The console's settings read from its config (console.proto), each default
// here once, and the checks a config must pass before the console starts.

#include <chrono>

#include "absl/status/statusor.h"
#include "olifantenpad/config/v1/console.pb.h"
#include "services/console/console_server.h"
#include "services/console/sessions.h"

namespace olif::console {

struct Settings {
  ServerOptions server;
  SessionLimits sessions;
  std::chrono::milliseconds call_timeout{3000};
};

// INVALID_ARGUMENT naming the key: an address that does not parse, a
// certificate without its key, plain HTTP outside dev mode or beyond loopback.
absl::StatusOr<Settings> SettingsFromConfig(const olifantenpad::config::v1::ConsoleConfig& config);

}  // namespace olif::console
