#pragma once

// Loads a YAML config file into a config proto through protobuf's JSON mapping.
//
// The YAML is walked against the proto's descriptor first, so that every
// problem is reported with the file, the line and the key's full path:
// unknown keys (with the keys that are allowed), values of the wrong type,
// unknown enum values, and fields marked `(olifantenpad.config.v1.field).required`
// that are missing. `${NAME}` and `${NAME:-default}` in values are replaced
// from the environment; an unset NAME without a default is an error.
// Enum values may be written in full (LOG_FORMAT_JSON) or short (json).

#include <functional>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace olif::config {

// A config duration (e.g. `job_interval: 1m`) as an absl::Duration.
inline absl::Duration ToDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

using EnvLookup = std::function<std::optional<std::string>(absl::string_view)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

// `value` with each ${NAME} replaced by the variable's value and each
// ${NAME:-default} by the value or, when unset, the default (as config files
// are read). INVALID_ARGUMENT for an unset variable without a default.
absl::StatusOr<std::string> ExpandEnv(absl::string_view value, const EnvLookup& env = ProcessEnv());

// Parses `yaml` (named `source` in errors) into `out`, which is cleared first.
// On error `out` is left cleared.
absl::Status LoadYaml(absl::string_view yaml, absl::string_view source,
                      google::protobuf::Message* out, const EnvLookup& env = ProcessEnv());

// Reads and parses the file at `path`.
absl::Status LoadFile(const std::string& path, google::protobuf::Message* out,
                      const EnvLookup& env = ProcessEnv());

}  // namespace olif::config
