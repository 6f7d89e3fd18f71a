#include "services/referrals/referrals_service.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/time_util.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/grpc/unary.h"
#include "services/common/ids/ids.h"
#include "services/common/status/status.h"
#include "services/referrals/request_validation.h"

namespace olif::referrals {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kTokenVersion[] = "1";
constexpr char kTokenSeparator = '\x1f';

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
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  content.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
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
  const std::string plain = absl::StrCat(
      kTokenVersion, std::string(1, kTokenSeparator), filters.location_id(),
      std::string(1, kTokenSeparator), filters.status(), std::string(1, kTokenSeparator),
      cursor.create_time_us, std::string(1, kTokenSeparator), cursor.id);
  return absl::WebSafeBase64Escape(plain);
}

absl::StatusOr<ListCursor> DecodePageToken(const v1::ListRequestsRequest& filters) {
  std::string plain;
  if (!absl::WebSafeBase64Unescape(filters.page_token(), &plain)) {
    return absl::InvalidArgumentError("is not a token this service issued");
  }
  std::vector<std::string> parts = absl::StrSplit(plain, kTokenSeparator);
  int status = 0;
  ListCursor cursor;
  if (parts.size() != 5 || parts[0] != kTokenVersion || !absl::SimpleAtoi(parts[2], &status) ||
      !absl::SimpleAtoi(parts[3], &cursor.create_time_us) || !IsUuid(parts[4])) {
    return absl::InvalidArgumentError("is not a token this service issued");
  }
  if (parts[1] != filters.location_id() || status != filters.status()) {
    return absl::InvalidArgumentError(
        "was issued for other filters; keep location_id and status the same while paging");
  }
  cursor.id = parts[4];
  return cursor;
}

}  // namespace olif::referrals
