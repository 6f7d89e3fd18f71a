#pragma once

// Encoding and decoding of the bus protocol's frames (proto/olifantenpad/bus/v1).
// A message is [protocol name]["serialized frame"]; the ROUTER's routing id,
// when there is one, is handled by the transport, not here.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "olifantenpad/bus/v1/bus.pb.h"

namespace olif::bus {

namespace v1 = olifantenpad::bus::v1;

inline constexpr char kProtocol[] = "olif.bus.v1";

std::vector<std::string> Encode(const v1::ConsumerFrame& frame);
std::vector<std::string> Encode(const v1::ProducerFrame& frame);

// INVALID_ARGUMENT for a message that is not two parts, names another
// protocol (the message says which), does not parse, or sets no frame.
absl::StatusOr<v1::ConsumerFrame> DecodeConsumerFrame(const std::vector<std::string>& parts);
absl::StatusOr<v1::ProducerFrame> DecodeProducerFrame(const std::vector<std::string>& parts);

// The error to answer a bad message with.
v1::ProducerFrame ErrorFrame(v1::BusErrorCode code, std::string message, uint64_t request_no = 0);

}  // namespace olif::bus
