#pragma once

// Conversions between absl::Status (used everywhere inside the hub) and
// grpc::Status (used only at the gRPC edge), and validation errors that carry
// google.rpc.BadRequest field violations in the status details.
//
// The code mapping is one to one: both use the canonical codes.

#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"

namespace olif {

// One invalid field of a request: its path (e.g. "request.question") and why.
struct FieldViolation {
  std::string field;
  std::string description;
};

// Collects field violations while a request is validated.
// Not thread-safe; use one per validation.
class Violations {
 public:
  void Add(std::string field, std::string description);
  bool empty() const { return violations_.empty(); }
  const std::vector<FieldViolation>& list() const { return violations_; }

  // OK when nothing was added; otherwise INVALID_ARGUMENT whose message names
  // every field and whose payload carries a google.rpc.BadRequest.
  absl::Status ToStatus() const;

 private:
  std::vector<FieldViolation> violations_;
};

// INVALID_ARGUMENT for a single field, with the BadRequest payload.
absl::Status InvalidField(std::string field, std::string description);

// A copy of `status` that shares no memory with it (message and payloads are
// copied, not reference-counted), for handing a status to another thread: an
// absl::Status copy shares its representation through a reference count that
// ThreadSanitizer cannot follow in Debian's uninstrumented abseil.
absl::Status Unshared(const absl::Status& status);

// The BadRequest carried by a status, if any.
bool GetBadRequest(const absl::Status& status, google::rpc::BadRequest* out);

// FAILED_PRECONDITION for a conflict with stored state, carrying a
// google.rpc.PreconditionFailure: `type` names the rule (e.g.
// "EXPERT_BOOKED"), `subject` what it conflicts with (e.g. "visits/<id>"),
// `description` says it for people. The message is "TYPE: description
// (subject)".
absl::Status Conflict(std::string type, std::string subject, std::string description);

// The PreconditionFailure carried by a status, if any.
bool GetPreconditionFailure(const absl::Status& status, google::rpc::PreconditionFailure* out);

// absl::Status -> grpc::Status. A BadRequest or PreconditionFailure payload becomes a
// google.rpc.Status in the grpc-status-details-bin trailer, as gRPC clients expect.
grpc::Status ToGrpcStatus(const absl::Status& status);

// grpc::Status -> absl::Status, keeping BadRequest and PreconditionFailure
// details as payload.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace olif
