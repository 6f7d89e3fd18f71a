#include "services/common/status/status.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/status.pb.h"

namespace olif {
namespace {

constexpr absl::string_view kBadRequestType = "type.googleapis.com/google.rpc.BadRequest";
constexpr absl::string_view kPreconditionFailureType =
    "type.googleapis.com/google.rpc.PreconditionFailure";

}  // namespace

void Violations::Add(std::string field, std::string description) {
  violations_.push_back({std::move(field), std::move(description)});
}

absl::Status Violations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  std::string message;
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations_) {
    if (!message.empty()) message += "; ";
    absl::StrAppend(&message, v.field, ": ", v.description);
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kBadRequestType, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status InvalidField(std::string field, std::string description) {
  Violations v;
  v.Add(std::move(field), std::move(description));
  return v.ToStatus();
}

bool GetBadRequest(const absl::Status& status, google::rpc::BadRequest* out) {
  absl::optional<absl::Cord> payload = status.GetPayload(kBadRequestType);
  if (!payload.has_value()) return false;
  return out->ParseFromString(std::string(*payload));
}

absl::Status Conflict(std::string type, std::string subject, std::string description) {
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type(type);
  v->set_subject(subject);
  v->set_description(description);
  absl::Status status = absl::FailedPreconditionError(
      absl::StrCat(type, ": ", description, subject.empty() ? "" : " (" + subject + ")"));
  status.SetPayload(kPreconditionFailureType, absl::Cord(failure.SerializeAsString()));
  return status;
}

bool GetPreconditionFailure(const absl::Status& status, google::rpc::PreconditionFailure* out) {
  absl::optional<absl::Cord> payload = status.GetPayload(kPreconditionFailureType);
  if (!payload.has_value()) return false;
  return out->ParseFromString(std::string(*payload));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  google::rpc::BadRequest bad_request;
  google::rpc::PreconditionFailure failure;
  const bool has_bad_request = GetBadRequest(status, &bad_request);
  const bool has_failure = GetPreconditionFailure(status, &failure);
  if (!has_bad_request && !has_failure) return grpc::Status(code, message);
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  if (has_bad_request) details.add_details()->PackFrom(bad_request);
  if (has_failure) details.add_details()->PackFrom(failure);
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad_request;
      google::rpc::PreconditionFailure failure;
      if (any.UnpackTo(&bad_request)) {
        out.SetPayload(kBadRequestType, absl::Cord(bad_request.SerializeAsString()));
      } else if (any.UnpackTo(&failure)) {
        out.SetPayload(kPreconditionFailureType, absl::Cord(failure.SerializeAsString()));
      }
    }
  }
  return out;
}

absl::Status Unshared(const absl::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status copy(status.code(), std::string(status.message()));
  status.ForEachPayload([&copy](absl::string_view url, const absl::Cord& payload) {
    copy.SetPayload(url, absl::Cord(std::string(payload)));
  });
  return copy;
}

}  // namespace olif
