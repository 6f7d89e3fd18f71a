#pragma once

// The operator's calls over the whole hub, for every tool that makes them
// (olifantctl, the console): each asks the processes concerned, gathers what
// they answer with the process it came from, and says which did not answer.
// The tools only print or render the result.

#include <grpcpp/grpcpp.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "olifantenpad/admin/v1/adapter.grpc.pb.h"
#include "olifantenpad/admin/v1/admin.grpc.pb.h"
#include "tools/olifantctl/hub.h"

namespace olif::ctl {

// `message` as JSON, its fields named as in the proto, every field present.
nlohmann::json ToJson(const google::protobuf::Message& message);

// What several processes answered: each item with its process's name, and
// each process whose call failed with its status.
template <typename T>
struct Gathered {
  std::vector<std::pair<std::string, T>> items;
  std::vector<std::pair<const HubProcess*, grpc::Status>> failures;
};

// The dead letters of `processes` (adapters), each process's oldest first.
Gathered<olifantenpad::admin::v1::Delivery> ListDeadLetters(
    const Hub& hub, const std::vector<const HubProcess*>& processes,
    const olifantenpad::admin::v1::ListDeadLettersRequest& request,
    std::chrono::milliseconds timeout);

// The history entries of `processes` (adapters), merged newest first.
Gathered<olifantenpad::admin::v1::HistoryEntry> SearchHistory(
    const Hub& hub, const std::vector<const HubProcess*>& processes,
    const olifantenpad::admin::v1::SearchHistoryRequest& request,
    std::chrono::milliseconds timeout);

// The audit lines of `processes`, merged newest first. A process that keeps
// no audit trail (UNIMPLEMENTED) is passed over when several are asked.
Gathered<olifantenpad::admin::v1::AuditEntry> SearchAudit(
    const Hub& hub, const std::vector<const HubProcess*>& processes,
    const olifantenpad::admin::v1::SearchAuditRequest& request, std::chrono::milliseconds timeout);

// One message of an adapter's queue.
grpc::Status GetDelivery(const Hub& hub, const HubProcess& process, int64_t id,
                         std::chrono::milliseconds timeout,
                         olifantenpad::admin::v1::Delivery* delivery);

// An operator's action on a dead letter: "retry", "skip", or "edit" (sends
// `payload` instead); `after` is the message as it stands then.
struct DeliveryAction {
  std::string verb;
  int64_t id = 0;
  std::string who;
  std::string why;
  std::string payload;  // edit only
};
grpc::Status ActOnDelivery(const Hub& hub, const HubProcess& process, const DeliveryAction& action,
                           std::chrono::milliseconds timeout,
                           olifantenpad::admin::v1::Delivery* after);

}  // namespace olif::ctl
