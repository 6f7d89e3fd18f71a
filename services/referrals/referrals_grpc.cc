#include "services/referrals/referrals_grpc.h"

#include "services/common/grpc/unary.h"

namespace olif::referrals {
namespace {

using grpcx::AnswerWhenDone;

// Every write answers with the request as it now stands.
constexpr auto kRequest = [](v1::DirectLineRequest r, auto* response) {
  *response->mutable_request() = std::move(r);
};

}  // namespace

grpc::ServerUnaryReactor* ReferralsGrpcService::CreateRequest(
    grpc::CallbackServerContext* context, const v1::CreateRequestRequest* request,
    v1::CreateRequestResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ReferralsService::Create, kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::GetRequest(grpc::CallbackServerContext* context,
                                                           const v1::GetRequestRequest* request,
                                                           v1::GetRequestResponse* response) {
  return grpcx::Answer(context, logic_.Get(*request), response, kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::GetChildIdentity(
    grpc::CallbackServerContext* context, const v1::GetChildIdentityRequest* request,
    v1::GetChildIdentityResponse* response) {
  return grpcx::Answer(context, logic_.ChildIdentity(*request), response, grpcx::kWhole);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::ListRequests(grpc::CallbackServerContext* context,
                                                             const v1::ListRequestsRequest* request,
                                                             v1::ListRequestsResponse* response) {
  return grpcx::Answer(context, logic_.List(*request), response, grpcx::kWhole);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::AcceptRequest(
    grpc::CallbackServerContext* context, const v1::AcceptRequestRequest* request,
    v1::AcceptRequestResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ReferralsService::Accept, kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::DeclineRequest(
    grpc::CallbackServerContext* context, const v1::DeclineRequestRequest* request,
    v1::DeclineRequestResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ReferralsService::Decline, kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::RecordCycle(grpc::CallbackServerContext* context,
                                                            const v1::RecordCycleRequest* request,
                                                            v1::RecordCycleResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ReferralsService::RecordCycle,
                        kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::AddMessage(grpc::CallbackServerContext* context,
                                                           const v1::AddMessageRequest* request,
                                                           v1::AddMessageResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ReferralsService::AddMessage,
                        kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::ResolveRequest(
    grpc::CallbackServerContext* context, const v1::ResolveRequestRequest* request,
    v1::ResolveRequestResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ReferralsService::Resolve, kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::EscalateRequest(
    grpc::CallbackServerContext* context, const v1::EscalateRequestRequest* request,
    v1::EscalateRequestResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ReferralsService::Escalate, kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::WithdrawRequest(
    grpc::CallbackServerContext* context, const v1::WithdrawRequestRequest* request,
    v1::WithdrawRequestResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ReferralsService::Withdraw, kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::ReassignRequest(
    grpc::CallbackServerContext* context, const v1::ReassignRequestRequest* request,
    v1::ReassignRequestResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ReferralsService::Reassign, kRequest);
}

grpc::ServerUnaryReactor* ReferralsGrpcService::GetStatistics(
    grpc::CallbackServerContext* context, const v1::GetStatisticsRequest* request,
    v1::GetStatisticsResponse* response) {
  return grpcx::Answer(context, logic_.Statistics(*request), response, grpcx::kWhole);
}

}  // namespace olif::referrals
