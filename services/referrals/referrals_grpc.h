#pragma once

// The referrals gRPC service (olifantenpad.referrals.v1.ReferralsService): a
// thin shell over ReferralsService. Each RPC hands the call to the logic and
// finishes when the logic answers; nothing else happens here.
//
// Thread-safe; `logic` must outlive the shell.

#include "olifantenpad/referrals/v1/referrals.grpc.pb.h"
#include "services/referrals/referrals_service.h"

namespace olif::referrals {

class ReferralsGrpcService final : public v1::ReferralsService::CallbackService {
 public:
  explicit ReferralsGrpcService(ReferralsService& logic) : logic_(logic) {}

  grpc::ServerUnaryReactor* CreateRequest(grpc::CallbackServerContext* context,
                                          const v1::CreateRequestRequest* request,
                                          v1::CreateRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetRequest(grpc::CallbackServerContext* context,
                                       const v1::GetRequestRequest* request,
                                       v1::GetRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetChildIdentity(grpc::CallbackServerContext* context,
                                             const v1::GetChildIdentityRequest* request,
                                             v1::GetChildIdentityResponse* response) override;
  grpc::ServerUnaryReactor* ListRequests(grpc::CallbackServerContext* context,
                                         const v1::ListRequestsRequest* request,
                                         v1::ListRequestsResponse* response) override;
  grpc::ServerUnaryReactor* AcceptRequest(grpc::CallbackServerContext* context,
                                          const v1::AcceptRequestRequest* request,
                                          v1::AcceptRequestResponse* response) override;
  grpc::ServerUnaryReactor* DeclineRequest(grpc::CallbackServerContext* context,
                                           const v1::DeclineRequestRequest* request,
                                           v1::DeclineRequestResponse* response) override;
  grpc::ServerUnaryReactor* RecordCycle(grpc::CallbackServerContext* context,
                                        const v1::RecordCycleRequest* request,
                                        v1::RecordCycleResponse* response) override;
  grpc::ServerUnaryReactor* AddMessage(grpc::CallbackServerContext* context,
                                       const v1::AddMessageRequest* request,
                                       v1::AddMessageResponse* response) override;
  grpc::ServerUnaryReactor* ResolveRequest(grpc::CallbackServerContext* context,
                                           const v1::ResolveRequestRequest* request,
                                           v1::ResolveRequestResponse* response) override;
  grpc::ServerUnaryReactor* EscalateRequest(grpc::CallbackServerContext* context,
                                            const v1::EscalateRequestRequest* request,
                                            v1::EscalateRequestResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawRequest(grpc::CallbackServerContext* context,
                                            const v1::WithdrawRequestRequest* request,
                                            v1::WithdrawRequestResponse* response) override;
  grpc::ServerUnaryReactor* ReassignRequest(grpc::CallbackServerContext* context,
                                            const v1::ReassignRequestRequest* request,
                                            v1::ReassignRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetStatistics(grpc::CallbackServerContext* context,
                                          const v1::GetStatisticsRequest* request,
                                          v1::GetStatisticsResponse* response) override;

 private:
  ReferralsService& logic_;
};

}  // namespace olif::referrals
