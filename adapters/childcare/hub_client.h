#pragma once

// What the childcare adapter asks of the hub's services: a signed consent
// recorded, a direct-line question created, a handover form carried from
// draft to final. An interface, so tests can stand in for the services; the
// gRPC client is the real one. Errors are the services' own (field
// violations and preconditions kept as payload).

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "olifantenpad/consent/v1/consent.grpc.pb.h"
#include "olifantenpad/handover/v1/handover.grpc.pb.h"
#include "olifantenpad/referrals/v1/referrals.grpc.pb.h"

namespace olif::childcare {

class Hub {
 public:
  virtual ~Hub() = default;
  // The consent's id.
  virtual absl::StatusOr<std::string> RecordConsent(
      const olifantenpad::consent::v1::RecordConsentRequest& call) = 0;
  // The request's id.
  virtual absl::StatusOr<std::string> CreateRequest(
      const olifantenpad::referrals::v1::CreateRequestRequest& call) = 0;
  // Each returns the form as it now stands.
  virtual absl::StatusOr<olifantenpad::handover::v1::HandoverForm> CreateDraft(
      const olifantenpad::handover::v1::CreateDraftRequest& call) = 0;
  virtual absl::StatusOr<olifantenpad::handover::v1::HandoverForm> SubmitForParentReview(
      const olifantenpad::handover::v1::SubmitForParentReviewRequest& call) = 0;
  virtual absl::StatusOr<olifantenpad::handover::v1::HandoverForm> RecordParentView(
      const olifantenpad::handover::v1::RecordParentViewRequest& call) = 0;
  virtual absl::StatusOr<olifantenpad::handover::v1::HandoverForm> Finalise(
      const olifantenpad::handover::v1::FinaliseRequest& call) = 0;
};

// Over gRPC, each call with `timeout`.
class GrpcHub final : public Hub {
 public:
  GrpcHub(std::shared_ptr<grpc::ChannelInterface> consent,
          std::shared_ptr<grpc::ChannelInterface> referrals,
          std::shared_ptr<grpc::ChannelInterface> handover, std::chrono::milliseconds timeout);
  absl::StatusOr<std::string> RecordConsent(
      const olifantenpad::consent::v1::RecordConsentRequest& call) override;
  absl::StatusOr<std::string> CreateRequest(
      const olifantenpad::referrals::v1::CreateRequestRequest& call) override;
  absl::StatusOr<olifantenpad::handover::v1::HandoverForm> CreateDraft(
      const olifantenpad::handover::v1::CreateDraftRequest& call) override;
  absl::StatusOr<olifantenpad::handover::v1::HandoverForm> SubmitForParentReview(
      const olifantenpad::handover::v1::SubmitForParentReviewRequest& call) override;
  absl::StatusOr<olifantenpad::handover::v1::HandoverForm> RecordParentView(
      const olifantenpad::handover::v1::RecordParentViewRequest& call) override;
  absl::StatusOr<olifantenpad::handover::v1::HandoverForm> Finalise(
      const olifantenpad::handover::v1::FinaliseRequest& call) override;

 private:
  template <typename Stub, typename Request, typename Response, typename Method>
  absl::Status Call(Stub& stub, Method method, const Request& request, Response* response);

  std::unique_ptr<olifantenpad::consent::v1::ConsentService::Stub> consent_;
  std::unique_ptr<olifantenpad::referrals::v1::ReferralsService::Stub> referrals_;
  std::unique_ptr<olifantenpad::handover::v1::HandoverService::Stub> handover_;
  std::chrono::milliseconds timeout_;
};

}  // namespace olif::childcare
