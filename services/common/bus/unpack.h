#pragma once

// The event an envelope carries, as the type its topic promises.

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "olifantenpad/common/v1/event.pb.h"

namespace olif::bus {

// INVALID_ARGUMENT naming the event, its topic and the expected type when the
// payload is something else.
template <typename Event>
absl::StatusOr<Event> Unpack(const olifantenpad::common::v1::EventEnvelope& envelope) {
  Event event;
  if (!envelope.payload().UnpackTo(&event)) {
    return absl::InvalidArgumentError(absl::StrCat("event ", envelope.event_id(), " on topic ",
                                                   envelope.topic(), " does not hold a ",
                                                   Event::descriptor()->full_name()));
  }
  return event;
}

}  // namespace olif::bus
