#pragma once

// What a process of the hub serves, read from its config file as the process
// reads it (${NAME:-default} expanded): every `*listen_address` and the bus
// producer's `bus.endpoint`. The launcher prints them, so the ports are said
// in one place: the config files.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/config/config_loader.h"

namespace olif::launcher {

struct Endpoint {
  std::string what;   // "grpc", "metrics", "bus", "webhook", "fhir", ...
  std::string where;  // an address, or a URL where one is known
};

// INVALID_ARGUMENT when the file is not YAML or names an unset variable.
absl::StatusOr<std::vector<Endpoint>> EndpointsOf(const std::string& config_path,
                                                  const config::EnvLookup& env);

// "grpc 127.0.0.1:7401, metrics http://127.0.0.1:9401/metrics, ..."
std::string Describe(const std::vector<Endpoint>& endpoints);

}  // namespace olif::launcher
