#include "services/referrals/referrals_service.h"

#include <google/protobuf/util/time_util.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/grpc/unary.h"
#include "services/common/ids/ids.h"
#include "services/common/records/records.h"
#include "services/common/status/status.h"
#include "services/referrals/request_validation.h"

namespace olif::referrals {
namespace {

using google::protobuf::util::TimeUtil;

// The content a client sent, serialized deterministically (map order fixed),
// with the fields the server fills in cleared: two calls asking for the same
// request compare equal.
std::string ClientContent(const v1::DirectLineRequest& request) {
  v1::DirectLineRequest content = request;
  content.clear_id();
  content.clear_request_id();
  content.clear_status();
  content.clear_create_time();
  content.clear_update_time();
  content.clear_trace_id();
  if (content.priority() == v1::PRIORITY_UNSPECIFIED) content.set_priority(v1::PRIORITY_NORMAL);
  return records::DeterministicBytes(content);
}

std::vector<std::string> PageFilters(const v1::ListRequestsRequest& call) {
  return {call.location_id(), absl::StrCat(call.status())};
}

}  // namespace

ReferralsServiceImpl::ReferralsServiceImpl(ReferralsStore& store, const Clock& clock,
                                           Settings settings)
    : store_(store), clock_(clock), settings_(settings) {}

void ReferralsServiceImpl::Create(const v1::CreateRequestRequest& call, const std::string& trace_id,
                                  CreateDone done) {
  if (absl::Status s = ValidateCreate(call); !s.ok()) {
    done(s);
    return;
  }
  const absl::Time now = clock_.Now();
  const auto now_ts = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  NewRequest n;
  n.content = ClientContent(call.request());
  v1::DirectLineRequest& r = n.request;
  r = call.request();
  r.set_id(NewUuid());
  r.set_request_id(call.request_id());
  if (r.priority() == v1::PRIORITY_UNSPECIFIED) r.set_priority(v1::PRIORITY_NORMAL);
  // Anonymous and group questions need no consent: they go to the expert now.
  r.set_status(v1::REQUEST_STATUS_SUBMITTED);
  *r.mutable_create_time() = now_ts;
  *r.mutable_update_time() = now_ts;
  r.set_trace_id(trace_id);

  auto event = std::make_shared<v1::RequestSubmitted>();
  event->set_request_id(r.id());
  event->set_kind(r.kind());
  *event->mutable_requester() = r.requester();
  if (r.has_group()) *event->mutable_group() = r.group();
  *event->mutable_question_domains() = r.question_domains();
  event->set_question(r.question());
  event->set_observations(r.observations());
  event->set_priority(r.priority());
  *event->mutable_submitted_at() = now_ts;
  n.topic = kTopicRequestSubmitted;
  n.event = std::move(event);
  n.occurred_at = now;

  store_.Create(std::move(n), [done = std::move(done)](absl::StatusOr<CreateOutcome> outcome) {
    if (!outcome.ok()) {
      done(outcome.status());
    } else {
      done(std::move(outcome->request));
    }
  });
}

absl::StatusOr<v1::DirectLineRequest> ReferralsServiceImpl::Get(const v1::GetRequestRequest& call) {
  if (call.id().empty()) return InvalidField("id", "is required");
  if (!IsUuid(call.id())) return InvalidField("id", "must be a UUID");
  return store_.Get(call.id());
}

absl::Status ReferralsServiceImpl::List(const v1::ListRequestsRequest& call,
                                        v1::ListRequestsResponse* response) {
  Violations v;
  if (call.location_id().empty()) {
    v.Add("location_id", "is required");
  } else if (!IsDirectoryId(call.location_id())) {
    v.Add("location_id", "must be a directory id: 3-64 characters of a-z, 0-9 and '-'");
  }
  if (!v1::RequestStatus_IsValid(call.status())) {
    v.Add("status", absl::StrCat("unknown value ", call.status()));
  }
  if (call.page_size() < 0) v.Add("page_size", "must not be negative");
  std::optional<ListCursor> after;
  if (!call.page_token().empty()) {
    absl::StatusOr<ListCursor> cursor = DecodePageToken(call);
    if (cursor.ok()) {
      after = *cursor;
    } else {
      v.Add("page_token", std::string(cursor.status().message()));
    }
  }
  if (!v.empty()) return v.ToStatus();

  ListQuery q;
  q.location_id = call.location_id();
  q.status = call.status();
  q.limit = call.page_size() == 0 ? settings_.default_page_size
                                  : std::min(call.page_size(), settings_.max_page_size);
  q.after = after;
  absl::StatusOr<ListResult> result = store_.List(q);
  if (!result.ok()) return result.status();
  for (auto& r : result->requests) *response->add_requests() = std::move(r);
  if (result->next.has_value()) {
    response->set_next_page_token(EncodePageToken(call, *result->next));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* ReferralsServiceImpl::CreateRequest(
    grpc::CallbackServerContext* context, const v1::CreateRequestRequest* request,
    v1::CreateRequestResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // Finished from the store's writer thread once the request is durable.
  Create(*request, grpcx::TraceIdOf(context),
         [reactor, response](absl::StatusOr<v1::DirectLineRequest> created) {
           if (created.ok()) *response->mutable_request() = std::move(*created);
           reactor->Finish(ToGrpcStatus(created.status()));
         });
  return reactor;
}

grpc::ServerUnaryReactor* ReferralsServiceImpl::GetRequest(grpc::CallbackServerContext* context,
                                                           const v1::GetRequestRequest* request,
                                                           v1::GetRequestResponse* response) {
  absl::StatusOr<v1::DirectLineRequest> found = Get(*request);
  if (found.ok()) *response->mutable_request() = std::move(*found);
  return grpcx::FinishUnary(context, found.status());
}

grpc::ServerUnaryReactor* ReferralsServiceImpl::ListRequests(grpc::CallbackServerContext* context,
                                                             const v1::ListRequestsRequest* request,
                                                             v1::ListRequestsResponse* response) {
  absl::Status status = List(*request, response);
  if (!status.ok()) response->Clear();
  return grpcx::FinishUnary(context, status);
}

std::string EncodePageToken(const v1::ListRequestsRequest& filters, const ListCursor& cursor) {
  return records::EncodePageToken(PageFilters(filters), cursor);
}

absl::StatusOr<ListCursor> DecodePageToken(const v1::ListRequestsRequest& filters) {
  return records::DecodePageToken(filters.page_token(), PageFilters(filters),
                                  "keep location_id and status the same");
}

}  // namespace olif::referrals
