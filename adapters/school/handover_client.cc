#include "adapters/school/handover_client.h"

#include <grpcpp/client_context.h>

#include "services/common/status/status.h"

namespace olif::school {
namespace {

namespace hv1 = olifantenpad::handover::v1;

void Deadline(grpc::ClientContext& context, std::chrono::milliseconds timeout) {
  context.set_deadline(std::chrono::system_clock::now() + timeout);
}

}  // namespace

GrpcHandoverClient::GrpcHandoverClient(std::shared_ptr<grpc::ChannelInterface> channel,
                                       std::chrono::milliseconds timeout)
    : stub_(hv1::HandoverService::NewStub(channel)), timeout_(timeout) {}

absl::StatusOr<std::string> GrpcHandoverClient::Document(const std::string& handover_id,
                                                         const Reader& reader) {
  hv1::GetHandoverDocumentRequest request;
  request.set_handover_id(handover_id);
  request.mutable_access()->set_actor_id(reader.actor);
  request.mutable_access()->set_reason(reader.reason);
  hv1::GetHandoverDocumentResponse response;
  grpc::ClientContext context;
  Deadline(context, timeout_);
  if (absl::Status s = FromGrpcStatus(stub_->GetHandoverDocument(&context, request, &response));
      !s.ok()) {
    return s;
  }
  return response.bundle_json();
}

absl::StatusOr<Pdf> GrpcHandoverClient::PdfOf(const std::string& handover_id,
                                              const Reader& reader) {
  hv1::GetHandoverPdfRequest request;
  request.set_handover_id(handover_id);
  request.mutable_access()->set_actor_id(reader.actor);
  request.mutable_access()->set_reason(reader.reason);
  hv1::GetHandoverPdfResponse response;
  grpc::ClientContext context;
  Deadline(context, timeout_);
  if (absl::Status s = FromGrpcStatus(stub_->GetHandoverPdf(&context, request, &response));
      !s.ok()) {
    return s;
  }
  return Pdf{response.pdf(), response.file_name()};
}

absl::Status GrpcHandoverClient::Acknowledge(const std::string& handover_id, int revision,
                                             const std::string& brin, const std::string& vestiging,
                                             const std::string& received_by) {
  hv1::AcknowledgeReceiptRequest request;
  request.set_handover_id(handover_id);
  request.set_revision(revision);
  request.mutable_school()->set_brin(brin);
  request.mutable_school()->set_vestiging(vestiging);
  request.set_received_by(received_by);
  hv1::AcknowledgeReceiptResponse response;
  grpc::ClientContext context;
  Deadline(context, timeout_);
  return FromGrpcStatus(stub_->AcknowledgeReceipt(&context, request, &response));
}

}  // namespace olif::school
