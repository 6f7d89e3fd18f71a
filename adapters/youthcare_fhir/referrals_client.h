#pragma once

// What the youth-care adapter asks of the referrals service: the identity of
// a consented child (to send a Patient), and the provider's answers turned
// into transitions. An interface, so tests can stand in for the service; the
// gRPC client is the real one.

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "olifantenpad/referrals/v1/referrals.grpc.pb.h"

namespace olif::youthcare_fhir {

class Referrals {
 public:
  virtual ~Referrals() = default;
  virtual absl::StatusOr<olifantenpad::referrals::v1::ChildIdentity> ChildIdentity(
      const std::string& request_id) = 0;
  virtual absl::StatusOr<olifantenpad::referrals::v1::DirectLineRequest> Get(
      const std::string& request_id) = 0;
  virtual absl::Status Accept(const std::string& request_id, int64_t version) = 0;
  virtual absl::Status Decline(const std::string& request_id, int64_t version,
                               const std::string& reason) = 0;
  virtual absl::Status Resolve(const std::string& request_id, int64_t version) = 0;
  virtual absl::Status RecordCycle(const std::string& request_id, int64_t version,
                                   const olifantenpad::referrals::v1::Cycle& cycle) = 0;
  // A message from the expert.
  virtual absl::Status AddMessage(const std::string& request_id, int64_t version,
                                  const std::string& text) = 0;
};

// Over gRPC, each call with `timeout`.
class GrpcReferrals final : public Referrals {
 public:
  GrpcReferrals(std::shared_ptr<grpc::ChannelInterface> channel, std::chrono::milliseconds timeout);
  absl::StatusOr<olifantenpad::referrals::v1::ChildIdentity> ChildIdentity(
      const std::string& request_id) override;
  absl::StatusOr<olifantenpad::referrals::v1::DirectLineRequest> Get(
      const std::string& request_id) override;
  absl::Status Accept(const std::string& request_id, int64_t version) override;
  absl::Status Decline(const std::string& request_id, int64_t version,
                       const std::string& reason) override;
  absl::Status Resolve(const std::string& request_id, int64_t version) override;
  absl::Status RecordCycle(const std::string& request_id, int64_t version,
                           const olifantenpad::referrals::v1::Cycle& cycle) override;
  absl::Status AddMessage(const std::string& request_id, int64_t version,
                          const std::string& text) override;

 private:
  template <typename Request, typename Response, typename Method>
  absl::Status Call(Method method, const Request& request, Response* response);

  std::unique_ptr<olifantenpad::referrals::v1::ReferralsService::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

}  // namespace olif::youthcare_fhir
