#pragma once

// Field rules every service's validation shares, each adding its violation
// to a Violations (status.h) with the same words everywhere.

#include <string>

#include "absl/status/status.h"
#include "services/common/ids/ids.h"
#include "services/common/status/status.h"

namespace olif {

// Required, and a UUID.
inline void RequireUuid(Violations& v, const std::string& field, const std::string& value) {
  if (value.empty()) {
    v.Add(field, "is required");
  } else if (!IsUuid(value)) {
    v.Add(field, "must be a UUID");
  }
}

inline constexpr char kNotADirectoryId[] =
    "must be a directory id: 3-64 characters of a-z, 0-9 and '-'";

// A directory id when given.
inline void CheckDirectoryId(Violations& v, const std::string& field, const std::string& value) {
  if (!value.empty() && !IsDirectoryId(value)) v.Add(field, kNotADirectoryId);
}

// Required, and a directory id.
inline void RequireDirectoryId(Violations& v, const std::string& field, const std::string& value) {
  if (value.empty()) {
    v.Add(field, "is required");
  } else {
    CheckDirectoryId(v, field, value);
  }
}

// A list call's page: a size that is not negative, a token that decoded
// (`page_token` is the outcome of decoding it).
inline void CheckPage(Violations& v, int page_size, const absl::Status& page_token) {
  if (page_size < 0) v.Add("page_size", "must not be negative");
  if (!page_token.ok()) v.Add("page_token", std::string(page_token.message()));
}

}  // namespace olif
