#pragma once

// The Admin service every process serves (olifantenpad.admin.v1). The process
// fills in its own part of the status (database, outbox) through a callback.

#include <chrono>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "olifantenpad/admin/v1/admin.grpc.pb.h"

namespace olif::grpcx {

class AdminService final : public olifantenpad::admin::v1::AdminService::CallbackService {
 public:
  // Adds the process's own facts to a status; called once per GetStatus.
  // Must be thread-safe.
  using Filler = std::function<absl::Status(olifantenpad::admin::v1::GetStatusResponse*)>;

  AdminService(std::string process, std::string version, Filler filler);

  grpc::ServerUnaryReactor* GetStatus(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::GetStatusRequest* request,
      olifantenpad::admin::v1::GetStatusResponse* response) override;

 private:
  std::string process_;
  std::string version_;
  Filler filler_;
  std::chrono::system_clock::time_point started_;
  std::chrono::steady_clock::time_point started_steady_;
};

}  // namespace olif::grpcx
