#include "adapters/childcare/hub_client.h"

#include <grpcpp/client_context.h>

#include "services/common/status/status.h"

namespace olif::childcare {
namespace {
namespace cv1 = olifantenpad::consent::v1;
namespace hv1 = olifantenpad::handover::v1;
namespace rv1 = olifantenpad::referrals::v1;
}  // namespace

GrpcHub::GrpcHub(std::shared_ptr<grpc::ChannelInterface> consent,
                 std::shared_ptr<grpc::ChannelInterface> referrals,
                 std::shared_ptr<grpc::ChannelInterface> handover,
                 std::chrono::milliseconds timeout)
    : consent_(cv1::ConsentService::NewStub(consent)),
      referrals_(rv1::ReferralsService::NewStub(referrals)),
      handover_(hv1::HandoverService::NewStub(handover)),
      timeout_(timeout) {}

template <typename Stub, typename Request, typename Response, typename Method>
absl::Status GrpcHub::Call(Stub& stub, Method method, const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout_);
  return FromGrpcStatus((stub.*method)(&context, request, response));
}

absl::StatusOr<std::string> GrpcHub::RecordConsent(const cv1::RecordConsentRequest& call) {
  cv1::RecordConsentResponse response;
  if (absl::Status s = Call(*consent_, &cv1::ConsentService::Stub::RecordConsent, call, &response);
      !s.ok()) {
    return s;
  }
  return response.consent().id();
}

absl::StatusOr<std::string> GrpcHub::CreateRequest(const rv1::CreateRequestRequest& call) {
  rv1::CreateRequestResponse response;
  if (absl::Status s =
          Call(*referrals_, &rv1::ReferralsService::Stub::CreateRequest, call, &response);
      !s.ok()) {
    return s;
  }
  return response.request().id();
}

absl::StatusOr<hv1::HandoverForm> GrpcHub::CreateDraft(const hv1::CreateDraftRequest& call) {
  hv1::CreateDraftResponse response;
  if (absl::Status s = Call(*handover_, &hv1::HandoverService::Stub::CreateDraft, call, &response);
      !s.ok()) {
    return s;
  }
  return response.form();
}

absl::StatusOr<hv1::HandoverForm> GrpcHub::SubmitForParentReview(
    const hv1::SubmitForParentReviewRequest& call) {
  hv1::SubmitForParentReviewResponse response;
  if (absl::Status s =
          Call(*handover_, &hv1::HandoverService::Stub::SubmitForParentReview, call, &response);
      !s.ok()) {
    return s;
  }
  return response.form();
}

absl::StatusOr<hv1::HandoverForm> GrpcHub::RecordParentView(
    const hv1::RecordParentViewRequest& call) {
  hv1::RecordParentViewResponse response;
  if (absl::Status s =
          Call(*handover_, &hv1::HandoverService::Stub::RecordParentView, call, &response);
      !s.ok()) {
    return s;
  }
  return response.form();
}

absl::StatusOr<hv1::HandoverForm> GrpcHub::Finalise(const hv1::FinaliseRequest& call) {
  hv1::FinaliseResponse response;
  if (absl::Status s = Call(*handover_, &hv1::HandoverService::Stub::Finalise, call, &response);
      !s.ok()) {
    return s;
  }
  return response.form();
}

}  // namespace olif::childcare
