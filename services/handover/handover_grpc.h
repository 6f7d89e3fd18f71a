#pragma once

// The handover gRPC service (olifantenpad.handover.v1.HandoverService): a thin
// shell over HandoverService. Each unary RPC hands the call to the logic and
// finishes when the logic answers; ImportForms reads its stream with bounded
// forms in flight (the store's queue never holds more than the configured
// number of one call's forms) and answers once every form has its result.
//
// Thread-safe; `logic` must outlive the shell.

#include "olifantenpad/handover/v1/handover.grpc.pb.h"
#include "services/handover/handover_service.h"

namespace olif::handover {

class HandoverGrpcService final : public v1::HandoverService::CallbackService {
 public:
  explicit HandoverGrpcService(HandoverService& logic) : logic_(logic) {}

  grpc::ServerUnaryReactor* CreateDraft(grpc::CallbackServerContext* context,
                                        const v1::CreateDraftRequest* request,
                                        v1::CreateDraftResponse* response) override;
  grpc::ServerUnaryReactor* UpdateDraft(grpc::CallbackServerContext* context,
                                        const v1::UpdateDraftRequest* request,
                                        v1::UpdateDraftResponse* response) override;
  grpc::ServerUnaryReactor* SubmitForParentReview(
      grpc::CallbackServerContext* context, const v1::SubmitForParentReviewRequest* request,
      v1::SubmitForParentReviewResponse* response) override;
  grpc::ServerUnaryReactor* RecordParentView(grpc::CallbackServerContext* context,
                                             const v1::RecordParentViewRequest* request,
                                             v1::RecordParentViewResponse* response) override;
  grpc::ServerUnaryReactor* Finalise(grpc::CallbackServerContext* context,
                                     const v1::FinaliseRequest* request,
                                     v1::FinaliseResponse* response) override;
  grpc::ServerUnaryReactor* AcknowledgeReceipt(grpc::CallbackServerContext* context,
                                               const v1::AcknowledgeReceiptRequest* request,
                                               v1::AcknowledgeReceiptResponse* response) override;
  grpc::ServerUnaryReactor* Amend(grpc::CallbackServerContext* context,
                                  const v1::AmendRequest* request,
                                  v1::AmendResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawHandover(grpc::CallbackServerContext* context,
                                             const v1::WithdrawHandoverRequest* request,
                                             v1::WithdrawHandoverResponse* response) override;
  grpc::ServerUnaryReactor* GetHandover(grpc::CallbackServerContext* context,
                                        const v1::GetHandoverRequest* request,
                                        v1::GetHandoverResponse* response) override;
  grpc::ServerUnaryReactor* GetHandoverPdf(grpc::CallbackServerContext* context,
                                           const v1::GetHandoverPdfRequest* request,
                                           v1::GetHandoverPdfResponse* response) override;
  grpc::ServerUnaryReactor* GetHandoverDocument(grpc::CallbackServerContext* context,
                                                const v1::GetHandoverDocumentRequest* request,
                                                v1::GetHandoverDocumentResponse* response) override;
  grpc::ServerUnaryReactor* ListHandovers(grpc::CallbackServerContext* context,
                                          const v1::ListHandoversRequest* request,
                                          v1::ListHandoversResponse* response) override;
  grpc::ServerReadReactor<v1::ImportFormsRequest>* ImportForms(
      grpc::CallbackServerContext* context, v1::ImportFormsResponse* response) override;

 private:
  HandoverService& logic_;
};

}  // namespace olif::handover
