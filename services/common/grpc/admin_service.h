#pragma once

// The Admin service every process serves (olifantenpad.admin.v1). The process
// supplies what it knows through hooks: its part of the status, and the
// operator's actions it supports (a hook left empty answers UNIMPLEMENTED).

#include <chrono>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "olifantenpad/admin/v1/admin.grpc.pb.h"

namespace olif::grpcx {

class AdminService final : public olifantenpad::admin::v1::AdminService::CallbackService {
 public:
  // Adds the process's own facts to a status; called once per GetStatus.
  // Must be thread-safe.
  using Filler = std::function<absl::Status(olifantenpad::admin::v1::GetStatusResponse*)>;
  template <typename Request, typename Response>
  using Action = std::function<absl::StatusOr<Response>(const Request&)>;

  // Each must be thread-safe; an empty one answers UNIMPLEMENTED.
  struct Hooks {
    Filler status;
    Action<olifantenpad::admin::v1::VacuumRequest, olifantenpad::admin::v1::VacuumResponse> vacuum;
    Action<olifantenpad::admin::v1::ReplayConsumerRequest,
           olifantenpad::admin::v1::ReplayConsumerResponse>
        replay;
    Action<olifantenpad::admin::v1::SearchAuditRequest,
           olifantenpad::admin::v1::SearchAuditResponse>
        audit;
  };

  AdminService(std::string process, std::string version, Hooks hooks);

  grpc::ServerUnaryReactor* GetStatus(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::GetStatusRequest* request,
      olifantenpad::admin::v1::GetStatusResponse* response) override;
  grpc::ServerUnaryReactor* Vacuum(grpc::CallbackServerContext* context,
                                   const olifantenpad::admin::v1::VacuumRequest* request,
                                   olifantenpad::admin::v1::VacuumResponse* response) override;
  grpc::ServerUnaryReactor* ReplayConsumer(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::ReplayConsumerRequest* request,
      olifantenpad::admin::v1::ReplayConsumerResponse* response) override;
  grpc::ServerUnaryReactor* SearchAudit(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::SearchAuditRequest* request,
      olifantenpad::admin::v1::SearchAuditResponse* response) override;

 private:
  std::string process_;
  std::string version_;
  Hooks hooks_;
  std::chrono::system_clock::time_point started_;
  std::chrono::steady_clock::time_point started_steady_;
};

}  // namespace olif::grpcx
