#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace olif {

struct HostPort {
  std::string host;  // without brackets for IPv6
  int port = 0;
};

// Parses "host:port" or "[v6]:port"; port 0..65535. The error says what is wrong.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view address);

// True for "localhost", 127.0.0.0/8 and ::1.
bool IsLoopbackHost(absl::string_view host);

}  // namespace olif
