#pragma once

// olifantenpad.admin.v1.AdapterAdminService over an adapter's delivery queue
// and message history: dead letters (list, show, retry, skip, edit and
// resend, each with who and why), history search, queue depth per destination.

#include <string>
#include <vector>

#include "adapters/runtime/delivery_queue.h"
#include "adapters/runtime/history.h"
#include "olifantenpad/admin/v1/adapter.grpc.pb.h"
#include "services/common/clock/clock.h"

namespace olif::adapters {

class AdapterAdminServiceImpl final
    : public olifantenpad::admin::v1::AdapterAdminService::CallbackService {
 public:
  // `destinations` are the adapter's destination names; all references must
  // outlive the service.
  AdapterAdminServiceImpl(DeliveryQueue& queue, MessageHistory& history,
                          std::vector<std::string> destinations, const Clock& clock);

  // The calls, for in-process use and tests.
  absl::StatusOr<olifantenpad::admin::v1::ListDeadLettersResponse> DeadLetters(
      const olifantenpad::admin::v1::ListDeadLettersRequest& request);
  absl::StatusOr<olifantenpad::admin::v1::Delivery> Show(int64_t id);
  // `action` is "retry", "skip" or "edit" (with `payload`).
  absl::StatusOr<olifantenpad::admin::v1::Delivery> Act(const std::string& action, int64_t id,
                                                        const std::string& who,
                                                        const std::string& why,
                                                        const std::string* payload);
  absl::StatusOr<olifantenpad::admin::v1::SearchHistoryResponse> Search(
      const olifantenpad::admin::v1::SearchHistoryRequest& request);
  absl::StatusOr<olifantenpad::admin::v1::GetQueueDepthResponse> Depths();
  absl::StatusOr<olifantenpad::admin::v1::CountHistoryResponse> Count(
      const olifantenpad::admin::v1::CountHistoryRequest& request);

  grpc::ServerUnaryReactor* ListDeadLetters(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::ListDeadLettersRequest* request,
      olifantenpad::admin::v1::ListDeadLettersResponse* response) override;
  grpc::ServerUnaryReactor* GetDelivery(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::GetDeliveryRequest* request,
      olifantenpad::admin::v1::GetDeliveryResponse* response) override;
  grpc::ServerUnaryReactor* RetryDelivery(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::RetryDeliveryRequest* request,
      olifantenpad::admin::v1::RetryDeliveryResponse* response) override;
  grpc::ServerUnaryReactor* SkipDelivery(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::SkipDeliveryRequest* request,
      olifantenpad::admin::v1::SkipDeliveryResponse* response) override;
  grpc::ServerUnaryReactor* EditAndResendDelivery(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::EditAndResendDeliveryRequest* request,
      olifantenpad::admin::v1::EditAndResendDeliveryResponse* response) override;
  grpc::ServerUnaryReactor* SearchHistory(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::SearchHistoryRequest* request,
      olifantenpad::admin::v1::SearchHistoryResponse* response) override;
  grpc::ServerUnaryReactor* GetQueueDepth(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::GetQueueDepthRequest* request,
      olifantenpad::admin::v1::GetQueueDepthResponse* response) override;
  grpc::ServerUnaryReactor* CountHistory(
      grpc::CallbackServerContext* context,
      const olifantenpad::admin::v1::CountHistoryRequest* request,
      olifantenpad::admin::v1::CountHistoryResponse* response) override;

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Action(grpc::CallbackServerContext* context, const std::string& action,
                                   const Request& request, const std::string* payload,
                                   Response* response);

  DeliveryQueue& queue_;
  MessageHistory& history_;
  std::vector<std::string> destinations_;
  const Clock& clock_;
};

}  // namespace olif::adapters
