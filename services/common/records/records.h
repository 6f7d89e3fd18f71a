#pragma once

// Helpers every service's record handling shares: the deterministic bytes
// that make idempotent creates comparable, and opaque page tokens for keyset
// paging (newest first by create time, then id).

#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace olif::records {

// `message` serialized deterministically (map entries in key order): two
// messages with the same content give the same bytes.
std::string DeterministicBytes(const google::protobuf::Message& message);

// The position after which a listing continues: the last record returned.
struct PageCursor {
  int64_t create_time_us = 0;
  std::string id;
};

// A token for the page after `cursor`, bound to the list call's `filters`.
std::string EncodePageToken(const std::vector<std::string>& filters, const PageCursor& cursor);

// The cursor in `token`. INVALID_ARGUMENT when the token was not issued by
// EncodePageToken, or was issued for other filters (the message then says
// `keep_same`, e.g. "keep location_id and status the same while paging").
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token,
                                           const std::vector<std::string>& filters,
                                           absl::string_view keep_same);

}  // namespace olif::records
