#include "services/common/grpc/admin_service.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "services/common/grpc/unary.h"

namespace olif::grpcx {

namespace admin = olifantenpad::admin::v1;
using google::protobuf::util::TimeUtil;

namespace {

// Runs `hook` on the request (UNIMPLEMENTED when the process has none) and
// answers with what it returns. Operator actions are rare and short (a
// vacuum, a replay's one transaction): they run on the call's thread.
template <typename Request, typename Response>
grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* context,
                              const AdminService::Action<Request, Response>& hook,
                              const Request* request, Response* response, const char* what) {
  if (!hook) {
    return FinishUnary(context,
                       absl::UnimplementedError(absl::StrCat("this process has no ", what)));
  }
  return Answer(context, hook(*request), response, kWhole);
}

}  // namespace

AdminService::AdminService(std::string process, std::string version, Hooks hooks)
    : process_(std::move(process)),
      version_(std::move(version)),
      hooks_(std::move(hooks)),
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
  absl::Status status = hooks_.status ? hooks_.status(response) : absl::OkStatus();
  return FinishUnary(context, status);
}

grpc::ServerUnaryReactor* AdminService::Vacuum(grpc::CallbackServerContext* context,
                                               const admin::VacuumRequest* request,
                                               admin::VacuumResponse* response) {
  return Run(context, hooks_.vacuum, request, response, "database to vacuum");
}

grpc::ServerUnaryReactor* AdminService::ReplayConsumer(grpc::CallbackServerContext* context,
                                                       const admin::ReplayConsumerRequest* request,
                                                       admin::ReplayConsumerResponse* response) {
  return Run(context, hooks_.replay, request, response, "bus consumer");
}

grpc::ServerUnaryReactor* AdminService::SearchAudit(grpc::CallbackServerContext* context,
                                                    const admin::SearchAuditRequest* request,
                                                    admin::SearchAuditResponse* response) {
  return Run(context, hooks_.audit, request, response, "audit trail");
}

}  // namespace olif::grpcx
