#pragma once

// google.protobuf.Timestamp ↔ absl::Time, to the microsecond (what the stores
// keep), for every service and adapter.

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include "absl/time/time.h"

namespace olif {

inline google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// A time as the stores keep it: microseconds since the epoch. An unbounded
// end of a search (absl::InfinitePast/InfiniteFuture) becomes the smallest or
// largest int64, so `at_us BETWEEN ?1 AND ?2` needs no special case.
inline int64_t StoredMicros(absl::Time t) { return absl::ToUnixMicros(t); }

inline absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(t));
}

}  // namespace olif
