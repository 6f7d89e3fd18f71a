#pragma once

// Field rules every service's validation shares, each adding its violation
// to a Violations (status.h) with the same words everywhere.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
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

// A client's idempotency key: required, and a UUID.
inline void RequireRequestId(Violations& v, const std::string& request_id) {
  if (request_id.empty()) {
    v.Add("request_id", "is required: a UUID chosen by the client, reused on retries");
  } else if (!IsUuid(request_id)) {
    v.Add("request_id", "must be a UUID (8-4-4-4-12 hexadecimal)");
  }
}

// Characters as a person counts them: UTF-8 code points.
inline int CodePoints(const std::string& s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

// At most `max` characters (code points).
inline void CheckMaxChars(Violations& v, const std::string& field, const std::string& text,
                          int max) {
  if (const int n = CodePoints(text); n > max) {
    v.Add(field, absl::StrCat("must be at most ", max, " characters, not ", n));
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
