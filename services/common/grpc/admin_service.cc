#include "services/common/grpc/admin_service.h"

#include <google/protobuf/util/time_util.h>

#include "services/common/grpc/unary.h"

namespace olif::grpcx {

namespace admin = olifantenpad::admin::v1;
using google::protobuf::util::TimeUtil;

AdminService::AdminService(std::string process, std::string version, Filler filler)
    : process_(std::move(process)),
      version_(std::move(version)),
      filler_(std::move(filler)),
      started_(std::chrono::system_clock::now()),
      started_steady_(std::chrono::steady_clock::now()) {}

grpc::ServerUnaryReactor* AdminService::GetStatus(grpc::CallbackServerContext* context,
                                                  const admin::GetStatusRequest* /*request*/,
                                                  admin::GetStatusResponse* response) {
  response->set_process(process_);
  response->set_version(version_);
  *response->mutable_started_at() = TimeUtil::MicrosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(started_.time_since_epoch()).count());
  *response->mutable_uptime() =
      TimeUtil::MicrosecondsToDuration(std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::steady_clock::now() - started_steady_)
                                           .count());
  absl::Status status = filler_ ? filler_(response) : absl::OkStatus();
  return FinishUnary(context, status);
}

}  // namespace olif::grpcx
