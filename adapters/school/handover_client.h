#pragma once

// What the school adapter asks of the handover service: the form as a FHIR
// document and as a PDF when it goes out (each read audited there, with who
// and why), and the school's receipt. An interface, so tests can stand in
// for the service; the gRPC client is the real one. Errors are the
// service's own (preconditions kept as payload).

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "olifantenpad/handover/v1/handover.grpc.pb.h"

namespace olif::school {

// Who reads, and why (the handover service's audit line).
struct Reader {
  std::string actor;   // e.g. "school-adapter"
  std::string reason;  // e.g. "receipt page of 12AB-00"
};

struct Pdf {
  std::string bytes;
  std::string file_name;
};

class HandoverClient {
 public:
  virtual ~HandoverClient() = default;
  // The FHIR document Bundle (JSON) of the form's current revision.
  virtual absl::StatusOr<std::string> Document(const std::string& handover_id,
                                               const Reader& reader) = 0;
  virtual absl::StatusOr<Pdf> PdfOf(const std::string& handover_id, const Reader& reader) = 0;
  // The school confirms it received `revision`.
  virtual absl::Status Acknowledge(const std::string& handover_id, int revision,
                                   const std::string& brin, const std::string& vestiging,
                                   const std::string& received_by) = 0;
};

// Over gRPC, each call with `timeout`.
class GrpcHandoverClient final : public HandoverClient {
 public:
  GrpcHandoverClient(std::shared_ptr<grpc::ChannelInterface> channel,
                     std::chrono::milliseconds timeout);
  absl::StatusOr<std::string> Document(const std::string& handover_id,
                                       const Reader& reader) override;
  absl::StatusOr<Pdf> PdfOf(const std::string& handover_id, const Reader& reader) override;
  absl::Status Acknowledge(const std::string& handover_id, int revision, const std::string& brin,
                           const std::string& vestiging, const std::string& received_by) override;

 private:
  std::unique_ptr<olifantenpad::handover::v1::HandoverService::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

}  // namespace olif::school
