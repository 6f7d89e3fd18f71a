#pragma once

// The consent gRPC service (olifantenpad.consent.v1.ConsentService): a thin
// shell over ConsentService. Each RPC hands the call to the logic and
// finishes when the logic answers (after the call's audit line is durable).
//
// Thread-safe; `logic` must outlive the shell.

#include "olifantenpad/consent/v1/consent.grpc.pb.h"
#include "services/consent/consent_service.h"

namespace olif::consent {

class ConsentGrpcService final : public v1::ConsentService::CallbackService {
 public:
  explicit ConsentGrpcService(ConsentService& logic) : logic_(logic) {}

  grpc::ServerUnaryReactor* RecordConsent(grpc::CallbackServerContext* context,
                                          const v1::RecordConsentRequest* request,
                                          v1::RecordConsentResponse* response) override;
  grpc::ServerUnaryReactor* GetConsent(grpc::CallbackServerContext* context,
                                       const v1::GetConsentRequest* request,
                                       v1::GetConsentResponse* response) override;
  grpc::ServerUnaryReactor* ListConsents(grpc::CallbackServerContext* context,
                                         const v1::ListConsentsRequest* request,
                                         v1::ListConsentsResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawConsent(grpc::CallbackServerContext* context,
                                            const v1::WithdrawConsentRequest* request,
                                            v1::WithdrawConsentResponse* response) override;
  grpc::ServerUnaryReactor* CheckConsent(grpc::CallbackServerContext* context,
                                         const v1::CheckConsentRequest* request,
                                         v1::CheckConsentResponse* response) override;

 private:
  ConsentService& logic_;
};

}  // namespace olif::consent
