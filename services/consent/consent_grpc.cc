#include "services/consent/consent_grpc.h"

#include "services/common/grpc/unary.h"

namespace olif::consent {
namespace {

using grpcx::AnswerWhenDone;

constexpr auto kConsent = [](v1::Consent c, auto* response) {
  *response->mutable_consent() = std::move(c);
};

}  // namespace

grpc::ServerUnaryReactor* ConsentGrpcService::RecordConsent(grpc::CallbackServerContext* context,
                                                            const v1::RecordConsentRequest* request,
                                                            v1::RecordConsentResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ConsentService::Record, kConsent);
}

grpc::ServerUnaryReactor* ConsentGrpcService::GetConsent(grpc::CallbackServerContext* context,
                                                         const v1::GetConsentRequest* request,
                                                         v1::GetConsentResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ConsentService::Get, kConsent);
}

grpc::ServerUnaryReactor* ConsentGrpcService::ListConsents(grpc::CallbackServerContext* context,
                                                           const v1::ListConsentsRequest* request,
                                                           v1::ListConsentsResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ConsentService::List, grpcx::kWhole);
}

grpc::ServerUnaryReactor* ConsentGrpcService::WithdrawConsent(
    grpc::CallbackServerContext* context, const v1::WithdrawConsentRequest* request,
    v1::WithdrawConsentResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ConsentService::Withdraw, kConsent);
}

grpc::ServerUnaryReactor* ConsentGrpcService::CheckConsent(grpc::CallbackServerContext* context,
                                                           const v1::CheckConsentRequest* request,
                                                           v1::CheckConsentResponse* response) {
  return AnswerWhenDone(context, request, response, logic_, &ConsentService::Check,
                        [](v1::Decision d, auto* r) { *r->mutable_decision() = std::move(d); });
}

}  // namespace olif::consent
