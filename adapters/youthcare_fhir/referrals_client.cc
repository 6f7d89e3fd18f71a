#include "adapters/youthcare_fhir/referrals_client.h"

#include "services/common/status/status.h"

namespace olif::youthcare_fhir {

namespace rv1 = olifantenpad::referrals::v1;

GrpcReferrals::GrpcReferrals(std::shared_ptr<grpc::ChannelInterface> channel,
                             std::chrono::milliseconds timeout)
    : stub_(rv1::ReferralsService::NewStub(std::move(channel))), timeout_(timeout) {}

template <typename Request, typename Response, typename Method>
absl::Status GrpcReferrals::Call(Method method, const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout_);
  return FromGrpcStatus((stub_.get()->*method)(&context, request, response));
}

absl::StatusOr<rv1::ChildIdentity> GrpcReferrals::ChildIdentity(const std::string& request_id) {
  rv1::GetChildIdentityRequest request;
  request.set_id(request_id);
  rv1::GetChildIdentityResponse response;
  absl::Status s = Call(&rv1::ReferralsService::Stub::GetChildIdentity, request, &response);
  if (!s.ok()) return s;
  return response.child_identity();
}

absl::StatusOr<rv1::DirectLineRequest> GrpcReferrals::Get(const std::string& request_id) {
  rv1::GetRequestRequest request;
  request.set_id(request_id);
  rv1::GetRequestResponse response;
  absl::Status s = Call(&rv1::ReferralsService::Stub::GetRequest, request, &response);
  if (!s.ok()) return s;
  return response.request();
}

absl::Status GrpcReferrals::Accept(const std::string& request_id, int64_t version) {
  rv1::AcceptRequestRequest request;
  request.set_id(request_id);
  request.set_version(version);
  rv1::AcceptRequestResponse response;
  return Call(&rv1::ReferralsService::Stub::AcceptRequest, request, &response);
}

absl::Status GrpcReferrals::Decline(const std::string& request_id, int64_t version,
                                    const std::string& reason) {
  rv1::DeclineRequestRequest request;
  request.set_id(request_id);
  request.set_version(version);
  request.set_reason(reason);
  rv1::DeclineRequestResponse response;
  return Call(&rv1::ReferralsService::Stub::DeclineRequest, request, &response);
}

absl::Status GrpcReferrals::Resolve(const std::string& request_id, int64_t version) {
  rv1::ResolveRequestRequest request;
  request.set_id(request_id);
  request.set_version(version);
  rv1::ResolveRequestResponse response;
  return Call(&rv1::ReferralsService::Stub::ResolveRequest, request, &response);
}

absl::Status GrpcReferrals::RecordCycle(const std::string& request_id, int64_t version,
                                        const rv1::Cycle& cycle) {
  rv1::RecordCycleRequest request;
  request.set_id(request_id);
  request.set_version(version);
  *request.mutable_cycle() = cycle;
  request.mutable_cycle()->clear_number();  // output only: the service numbers cycles
  rv1::RecordCycleResponse response;
  return Call(&rv1::ReferralsService::Stub::RecordCycle, request, &response);
}

absl::Status GrpcReferrals::AddMessage(const std::string& request_id, int64_t version,
                                       const std::string& text) {
  rv1::AddMessageRequest request;
  request.set_id(request_id);
  request.set_version(version);
  request.mutable_message()->set_author(rv1::AUTHOR_EXPERT);
  request.mutable_message()->set_text(text);
  rv1::AddMessageResponse response;
  return Call(&rv1::ReferralsService::Stub::AddMessage, request, &response);
}

}  // namespace olif::youthcare_fhir
