#include "services/common/bus/frames.h"

#include "absl/strings/str_cat.h"

namespace olif::bus {
namespace {

template <typename Frame>
absl::StatusOr<Frame> Decode(const std::vector<std::string>& parts, const char* what) {
  if (parts.size() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": expected 2 message parts, got ", parts.size()));
  }
  if (parts[0] != kProtocol) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": unsupported protocol '", parts[0].substr(0, 32), "', expected ", kProtocol));
  }
  Frame frame;
  if (!frame.ParseFromString(parts[1])) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": frame does not parse"));
  }
  if (frame.frame_case() == Frame::FRAME_NOT_SET) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": frame has no content"));
  }
  return frame;
}

}  // namespace

std::vector<std::string> Encode(const v1::ConsumerFrame& frame) {
  return {kProtocol, frame.SerializeAsString()};
}

std::vector<std::string> Encode(const v1::ProducerFrame& frame) {
  return {kProtocol, frame.SerializeAsString()};
}

absl::StatusOr<v1::ConsumerFrame> DecodeConsumerFrame(const std::vector<std::string>& parts) {
  return Decode<v1::ConsumerFrame>(parts, "consumer frame");
}

absl::StatusOr<v1::ProducerFrame> DecodeProducerFrame(const std::vector<std::string>& parts) {
  return Decode<v1::ProducerFrame>(parts, "producer frame");
}

v1::ProducerFrame ErrorFrame(v1::BusErrorCode code, std::string message, uint64_t request_no) {
  v1::ProducerFrame frame;
  v1::BusError* error = frame.mutable_error();
  error->set_code(code);
  error->set_message(std::move(message));
  error->set_request_no(request_no);
  return frame;
}

}  // namespace olif::bus
