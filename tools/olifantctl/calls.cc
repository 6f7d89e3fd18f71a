#include "tools/olifantctl/calls.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>

namespace olif::ctl {
namespace {

namespace admin = olifantenpad::admin::v1;
using google::protobuf::util::TimeUtil;

// Asks each of `processes` (`ask` fills the entries of its answer), and
// merges what they answer newest first (each entry's `at`). UNIMPLEMENTED is
// passed over when several are asked.
template <typename Entry, typename Ask>
Gathered<Entry> Merged(const std::vector<const HubProcess*>& processes,
                       std::chrono::milliseconds timeout, Ask ask) {
  Gathered<Entry> out;
  for (const HubProcess* p : processes) {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline(timeout));
    google::protobuf::RepeatedPtrField<Entry> entries;
    grpc::Status s = ask(*p, ctx, &entries);
    if (s.error_code() == grpc::StatusCode::UNIMPLEMENTED && processes.size() > 1) continue;
    if (!s.ok()) {
      out.failures.push_back({p, s});
      continue;
    }
    for (Entry& e : entries) out.items.push_back({p->name, std::move(e)});
  }
  std::stable_sort(out.items.begin(), out.items.end(), [](const auto& a, const auto& b) {
    return TimeUtil::TimestampToMicroseconds(a.second.at()) >
           TimeUtil::TimestampToMicroseconds(b.second.at());
  });
  return out;
}

}  // namespace

nlohmann::json ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  (void)google::protobuf::util::MessageToJsonString(message, &text, options);
  return nlohmann::json::parse(text);
}

Gathered<admin::Delivery> ListDeadLetters(const Hub& hub,
                                          const std::vector<const HubProcess*>& processes,
                                          const admin::ListDeadLettersRequest& request,
                                          std::chrono::milliseconds timeout) {
  Gathered<admin::Delivery> out;
  for (const HubProcess* p : processes) {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline(timeout));
    admin::ListDeadLettersResponse res;
    grpc::Status s =
        admin::AdapterAdminService::NewStub(hub.Channel(*p))->ListDeadLetters(&ctx, request, &res);
    if (!s.ok()) {
      out.failures.push_back({p, s});
      continue;
    }
    for (admin::Delivery& d : *res.mutable_dead_letters()) out.items.push_back({p->name, d});
  }
  return out;
}

Gathered<admin::HistoryEntry> SearchHistory(const Hub& hub,
                                            const std::vector<const HubProcess*>& processes,
                                            const admin::SearchHistoryRequest& request,
                                            std::chrono::milliseconds timeout) {
  return Merged<admin::HistoryEntry>(
      processes, timeout, [&](const HubProcess& p, grpc::ClientContext& ctx, auto* entries) {
        admin::SearchHistoryResponse res;
        grpc::Status s =
            admin::AdapterAdminService::NewStub(hub.Channel(p))->SearchHistory(&ctx, request, &res);
        entries->Swap(res.mutable_entries());
        return s;
      });
}

Gathered<admin::AuditEntry> SearchAudit(const Hub& hub,
                                        const std::vector<const HubProcess*>& processes,
                                        const admin::SearchAuditRequest& request,
                                        std::chrono::milliseconds timeout) {
  return Merged<admin::AuditEntry>(
      processes, timeout, [&](const HubProcess& p, grpc::ClientContext& ctx, auto* entries) {
        admin::SearchAuditResponse res;
        grpc::Status s =
            admin::AdminService::NewStub(hub.Channel(p))->SearchAudit(&ctx, request, &res);
        entries->Swap(res.mutable_entries());
        return s;
      });
}

grpc::Status GetDelivery(const Hub& hub, const HubProcess& process, int64_t id,
                         std::chrono::milliseconds timeout, admin::Delivery* delivery) {
  admin::GetDeliveryRequest req;
  req.set_id(id);
  admin::GetDeliveryResponse res;
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline(timeout));
  grpc::Status s =
      admin::AdapterAdminService::NewStub(hub.Channel(process))->GetDelivery(&ctx, req, &res);
  if (s.ok()) *delivery = std::move(*res.mutable_delivery());
  return s;
}

namespace {

template <typename Request>
Request ActionRequest(const DeliveryAction& a) {
  Request r;
  r.set_id(a.id);
  r.set_who(a.who);
  r.set_why(a.why);
  return r;
}

}  // namespace

grpc::Status ActOnDelivery(const Hub& hub, const HubProcess& process, const DeliveryAction& a,
                           std::chrono::milliseconds timeout, admin::Delivery* after) {
  auto stub = admin::AdapterAdminService::NewStub(hub.Channel(process));
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline(timeout));
  grpc::Status s;
  if (a.verb == "retry") {
    admin::RetryDeliveryResponse res;
    s = stub->RetryDelivery(&ctx, ActionRequest<admin::RetryDeliveryRequest>(a), &res);
    *after = std::move(*res.mutable_delivery());
  } else if (a.verb == "skip") {
    admin::SkipDeliveryResponse res;
    s = stub->SkipDelivery(&ctx, ActionRequest<admin::SkipDeliveryRequest>(a), &res);
    *after = std::move(*res.mutable_delivery());
  } else if (a.verb == "edit") {
    auto req = ActionRequest<admin::EditAndResendDeliveryRequest>(a);
    req.set_payload(a.payload);
    admin::EditAndResendDeliveryResponse res;
    s = stub->EditAndResendDelivery(&ctx, req, &res);
    *after = std::move(*res.mutable_delivery());
  } else {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "action: must be retry, skip or edit, not '" + a.verb + "'"};
  }
  return s;
}

}  // namespace olif::ctl
