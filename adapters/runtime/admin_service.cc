#include "adapters/runtime/admin_service.h"
#include "services/common/clock/timestamp.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/config/config_loader.h"
#include "services/common/grpc/unary.h"
#include "services/common/status/status.h"

namespace olif::adapters {
namespace {

namespace av1 = olifantenpad::admin::v1;
using google::protobuf::util::TimeUtil;

av1::Delivery ToProto(const Delivery& d) {
  av1::Delivery out;
  out.set_id(d.id);
  out.set_event_id(d.event_id);
  out.set_destination(d.destination);
  out.set_key(d.key);
  out.set_topic(d.topic);
  out.set_payload(d.payload);
  out.set_attempts(d.attempts);
  *out.mutable_next_attempt() = ToTimestamp(d.next_attempt);
  out.set_state(static_cast<av1::DeliveryState>(static_cast<int>(d.state) + 1));
  out.set_last_error(d.last_error);
  return out;
}

}  // namespace

AdapterAdminServiceImpl::AdapterAdminServiceImpl(DeliveryQueue& queue, MessageHistory& history,
                                                 std::vector<std::string> destinations,
                                                 const Clock& clock)
    : queue_(queue), history_(history), destinations_(std::move(destinations)), clock_(clock) {}

absl::StatusOr<av1::ListDeadLettersResponse> AdapterAdminServiceImpl::DeadLetters(
    const av1::ListDeadLettersRequest& request) {
  if (!request.destination().empty() && std::find(destinations_.begin(), destinations_.end(),
                                                  request.destination()) == destinations_.end()) {
    return InvalidField("destination",
                        absl::StrCat("unknown destination '", request.destination(),
                                     "'; this adapter has: ", absl::StrJoin(destinations_, ", ")));
  }
  if (request.limit() < 0) return InvalidField("limit", "must not be negative");
  const int limit = request.limit() == 0 ? 100 : std::min(request.limit(), 1000);
  av1::ListDeadLettersResponse response;
  for (const std::string& destination : destinations_) {
    if (!request.destination().empty() && destination != request.destination()) continue;
    absl::StatusOr<std::vector<Delivery>> dead = queue_.DeadLetters(destination, limit);
    if (!dead.ok()) return dead.status();
    for (const Delivery& d : *dead) *response.add_dead_letters() = ToProto(d);
  }
  return response;
}

absl::StatusOr<av1::Delivery> AdapterAdminServiceImpl::Show(int64_t id) {
  if (id <= 0) return InvalidField("id", "must be a delivery id (a positive number)");
  absl::StatusOr<Delivery> d = queue_.Get(id);
  if (!d.ok()) return d.status();
  absl::StatusOr<std::vector<DeliveryAction>> actions = queue_.Actions(id);
  if (!actions.ok()) return actions.status();
  av1::Delivery out = ToProto(*d);
  for (const DeliveryAction& a : *actions) {
    av1::DeliveryAction* action = out.add_actions();
    action->set_action(a.action);
    action->set_who(a.who);
    action->set_why(a.why);
    *action->mutable_time() = ToTimestamp(a.at);
  }
  return out;
}

absl::StatusOr<av1::Delivery> AdapterAdminServiceImpl::Act(const std::string& action, int64_t id,
                                                           const std::string& who,
                                                           const std::string& why,
                                                           const std::string* payload) {
  Violations v;
  if (id <= 0) v.Add("id", "must be a delivery id (a positive number)");
  if (who.empty()) v.Add("who", "is required: who takes this action");
  if (why.empty()) v.Add("why", "is required: the reason is recorded with the action");
  if (payload != nullptr && payload->empty())
    v.Add("payload", "is required: the corrected message");
  if (!v.empty()) return v.ToStatus();
  absl::Status s;
  if (action == "retry") {
    s = queue_.Retry(id, who, why, clock_.Now());
  } else if (action == "skip") {
    s = queue_.Skip(id, who, why, clock_.Now());
  } else {
    s = queue_.EditAndResend(id, *payload, who, why, clock_.Now());
  }
  if (!s.ok()) return s;
  return Show(id);
}

absl::StatusOr<av1::SearchHistoryResponse> AdapterAdminServiceImpl::Search(
    const av1::SearchHistoryRequest& r) {
  Violations v;
  if (!r.direction().empty() && r.direction() != "in" && r.direction() != "out") {
    v.Add("direction", "must be \"in\" or \"out\"");
  }
  if (r.limit() < 0) v.Add("limit", "must not be negative");
  if (r.id() < 0) v.Add("id", "must not be negative");
  if (r.has_from() && r.has_to() && FromTimestamp(r.to()) <= FromTimestamp(r.from())) {
    v.Add("to", "must be after from");
  }
  if (!v.empty()) return v.ToStatus();
  HistoryQuery q{.destination = r.destination(),
                 .key = r.key(),
                 .event_id = r.event_id(),
                 .outcome = r.outcome(),
                 .direction = r.direction(),
                 .id = r.id(),
                 .limit = r.limit() == 0 ? 100 : std::min(r.limit(), 1000)};
  if (r.has_from()) q.from = FromTimestamp(r.from());
  if (r.has_to()) q.to = FromTimestamp(r.to());
  absl::StatusOr<std::vector<HistoryEntry>> found = history_.Search(q);
  if (!found.ok()) return found.status();
  av1::SearchHistoryResponse response;
  for (const HistoryEntry& e : *found) {
    av1::HistoryEntry* out = response.add_entries();
    out->set_id(e.id);
    *out->mutable_at() = ToTimestamp(e.at);
    out->set_direction(e.direction);
    out->set_destination(e.destination);
    out->set_key(e.key);
    out->set_event_id(e.event_id);
    out->set_topic(e.topic);
    out->set_outcome(e.outcome);
    out->set_detail(e.detail);
    out->set_sent(e.sent);
    out->set_response(e.response);
    *out->mutable_took() = TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(e.took));
  }
  return response;
}

absl::StatusOr<av1::GetQueueDepthResponse> AdapterAdminServiceImpl::Depths() {
  av1::GetQueueDepthResponse response;
  for (const std::string& destination : destinations_) {
    absl::StatusOr<int64_t> pending = queue_.Count(destination, DeliveryState::kPending);
    if (!pending.ok()) return pending.status();
    absl::StatusOr<int64_t> dead = queue_.Count(destination, DeliveryState::kDead);
    if (!dead.ok()) return dead.status();
    av1::QueueDepth* q = response.add_queues();
    q->set_destination(destination);
    q->set_pending(*pending);
    q->set_dead(*dead);
  }
  return response;
}

absl::StatusOr<av1::CountHistoryResponse> AdapterAdminServiceImpl::Count(
    const av1::CountHistoryRequest& r) {
  Violations v;
  if (!r.has_from()) v.Add("from", "required");
  if (!r.has_to()) v.Add("to", "required");
  const absl::Duration bucket = config::ToDuration(r.bucket());
  if (bucket < absl::Seconds(1)) v.Add("bucket", "must be at least 1s");
  if (r.has_from() && r.has_to()) {
    const absl::Duration span = FromTimestamp(r.to()) - FromTimestamp(r.from());
    if (span <= absl::ZeroDuration()) {
      v.Add("to", "must be after from");
    } else if (bucket >= absl::Seconds(1) && span / bucket > 1440) {
      v.Add("bucket", "makes more than 1440 buckets of the range");
    }
  }
  if (!v.empty()) return v.ToStatus();
  absl::StatusOr<std::vector<HistoryCount>> counts =
      history_.Count(FromTimestamp(r.from()), FromTimestamp(r.to()), bucket);
  if (!counts.ok()) return counts.status();
  av1::CountHistoryResponse response;
  for (const HistoryCount& c : *counts) {
    av1::HistoryCount* out = response.add_counts();
    out->set_destination(c.destination);
    out->set_direction(c.direction);
    out->set_outcome(c.outcome);
    out->set_bucket(c.bucket);
    out->set_count(c.count);
  }
  return response;
}

// The gRPC handlers: each runs its in-process call and finishes.
namespace {
template <typename Response, typename Result, typename Fill>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context,
                                 absl::StatusOr<Result> result, Response* response, Fill fill) {
  if (result.ok()) fill(std::move(*result), response);
  return grpcx::FinishUnary(context, result.status());
}
}  // namespace

grpc::ServerUnaryReactor* AdapterAdminServiceImpl::ListDeadLetters(
    grpc::CallbackServerContext* context, const av1::ListDeadLettersRequest* request,
    av1::ListDeadLettersResponse* response) {
  return Answer(context, DeadLetters(*request), response,
                [](av1::ListDeadLettersResponse r, auto* out) { *out = std::move(r); });
}

grpc::ServerUnaryReactor* AdapterAdminServiceImpl::GetDelivery(
    grpc::CallbackServerContext* context, const av1::GetDeliveryRequest* request,
    av1::GetDeliveryResponse* response) {
  return Answer(context, Show(request->id()), response,
                [](av1::Delivery d, auto* out) { *out->mutable_delivery() = std::move(d); });
}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* AdapterAdminServiceImpl::Action(grpc::CallbackServerContext* context,
                                                          const std::string& action,
                                                          const Request& request,
                                                          const std::string* payload,
                                                          Response* response) {
  return Answer(context, Act(action, request.id(), request.who(), request.why(), payload), response,
                [](av1::Delivery d, auto* out) { *out->mutable_delivery() = std::move(d); });
}

grpc::ServerUnaryReactor* AdapterAdminServiceImpl::RetryDelivery(
    grpc::CallbackServerContext* context, const av1::RetryDeliveryRequest* request,
    av1::RetryDeliveryResponse* response) {
  return Action(context, "retry", *request, nullptr, response);
}

grpc::ServerUnaryReactor* AdapterAdminServiceImpl::SkipDelivery(
    grpc::CallbackServerContext* context, const av1::SkipDeliveryRequest* request,
    av1::SkipDeliveryResponse* response) {
  return Action(context, "skip", *request, nullptr, response);
}

grpc::ServerUnaryReactor* AdapterAdminServiceImpl::EditAndResendDelivery(
    grpc::CallbackServerContext* context, const av1::EditAndResendDeliveryRequest* request,
    av1::EditAndResendDeliveryResponse* response) {
  return Action(context, "edit", *request, &request->payload(), response);
}

grpc::ServerUnaryReactor* AdapterAdminServiceImpl::SearchHistory(
    grpc::CallbackServerContext* context, const av1::SearchHistoryRequest* request,
    av1::SearchHistoryResponse* response) {
  return Answer(context, Search(*request), response,
                [](av1::SearchHistoryResponse r, auto* out) { *out = std::move(r); });
}

grpc::ServerUnaryReactor* AdapterAdminServiceImpl::GetQueueDepth(
    grpc::CallbackServerContext* context, const av1::GetQueueDepthRequest*,
    av1::GetQueueDepthResponse* response) {
  return Answer(context, Depths(), response,
                [](av1::GetQueueDepthResponse r, auto* out) { *out = std::move(r); });
}

grpc::ServerUnaryReactor* AdapterAdminServiceImpl::CountHistory(
    grpc::CallbackServerContext* context, const av1::CountHistoryRequest* request,
    av1::CountHistoryResponse* response) {
  return Answer(context, Count(*request), response,
                [](av1::CountHistoryResponse r, auto* out) { *out = std::move(r); });
}

}  // namespace olif::adapters
