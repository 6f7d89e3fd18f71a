#include "services/consent/consent_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/consent/decision.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/ids/ids.h"
#include "services/common/records/records.h"
#include "services/common/status/status.h"

namespace olif::consent {
namespace {

using google::protobuf::util::TimeUtil;

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}
google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

void CheckUuid(Violations& v, const std::string& field, const std::string& value) {
  if (value.empty()) {
    v.Add(field, "is required");
  } else if (!IsUuid(value)) {
    v.Add(field, "must be a UUID");
  }
}

// Every list of enum values: at least one, each known and set.
template <typename Repeated, typename IsValid>
void CheckEnums(Violations& v, const std::string& field, const Repeated& values, IsValid valid) {
  if (values.empty()) v.Add(field, "at least one is required");
  for (int i = 0; i < values.size(); ++i) {
    if (values.Get(i) == 0) {
      v.Add(absl::StrCat(field, "[", i, "]"), "must not be UNSPECIFIED");
    } else if (!valid(values.Get(i))) {
      v.Add(absl::StrCat(field, "[", i, "]"), absl::StrCat("unknown value ", values.Get(i)));
    }
  }
}

absl::Status ValidateRecord(const v1::RecordConsentRequest& call, const directory::Directory& dir,
                            absl::Time now, const AuthorityRules& rules) {
  Violations v;
  CheckUuid(v, "request_id", call.request_id());
  if (!call.has_consent()) {
    v.Add("consent", "is required");
    return v.ToStatus();
  }
  const v1::Consent& c = call.consent();
  CheckUuid(v, "consent.child.child_ref", c.child().child_ref());
  CheckEnums(v, "consent.purposes", c.purposes(), v1::Purpose_IsValid);
  CheckEnums(v, "consent.data_categories", c.data_categories(), v1::DataCategory_IsValid);
  if (c.recipient_organisation_ids().empty()) {
    v.Add("consent.recipient_organisation_ids", "at least one is required");
  }
  for (int i = 0; i < c.recipient_organisation_ids_size(); ++i) {
    const std::string& org = c.recipient_organisation_ids(i);
    if (dir.FindOrganisation(org) == nullptr) {
      v.Add(absl::StrCat("consent.recipient_organisation_ids[", i, "]"),
            absl::StrCat("'", org, "' is not an organisation in the directory"));
    }
  }
  if (!c.has_valid_from()) v.Add("consent.valid_from", "is required");
  if (!c.has_valid_until()) {
    v.Add("consent.valid_until", "is required");
  } else if (c.has_valid_from() && ToTime(c.valid_until()) <= ToTime(c.valid_from())) {
    v.Add("consent.valid_until", "must be after valid_from");
  } else if (ToTime(c.valid_until()) <= now) {
    v.Add("consent.valid_until", "lies in the past");
  }
  if (c.evidence_ref().empty()) {
    v.Add("consent.evidence_ref", "is required: the signed form's document id");
  }
  if (c.recorded_by().empty()) {
    v.Add("consent.recorded_by", "is required");
  } else if (dir.FindProfessional(c.recorded_by()) == nullptr) {
    v.Add("consent.recorded_by",
          absl::StrCat("'", c.recorded_by(), "' is not a professional in the directory"));
  }
  absl::Status signatures = CheckSignatures(c, now, rules);
  google::rpc::BadRequest bad;
  if (signatures.code() == absl::StatusCode::kInvalidArgument && GetBadRequest(signatures, &bad)) {
    for (const auto& f : bad.field_violations()) {
      v.Add(absl::StrCat("consent.", f.field()), f.description());
    }
  }
  if (!v.empty()) return v.ToStatus();
  return signatures;  // OK, or FAILED_PRECONDITION naming who still has to sign
}

// The client's content with output-only fields cleared, for idempotency.
std::string ClientContent(const v1::Consent& consent) {
  v1::Consent content = consent;
  for (int field : {v1::Consent::kIdFieldNumber, v1::Consent::kRequestIdFieldNumber,
                    v1::Consent::kStatusFieldNumber, v1::Consent::kWithdrawalFieldNumber,
                    v1::Consent::kCreateTimeFieldNumber, v1::Consent::kUpdateTimeFieldNumber,
                    v1::Consent::kTraceIdFieldNumber}) {
    content.GetReflection()->ClearField(&content,
                                        v1::Consent::descriptor()->FindFieldByNumber(field));
  }
  return records::DeterministicBytes(content);
}

ConsentTerms ToTerms(const v1::Consent& c) {
  ConsentTerms t;
  t.consent_id = c.id();
  for (int p : c.purposes()) t.purposes.push_back(static_cast<v1::Purpose>(p));
  t.recipients.assign(c.recipient_organisation_ids().begin(), c.recipient_organisation_ids().end());
  t.valid_from = ToTime(c.valid_from());
  t.valid_until = ToTime(c.valid_until());
  switch (c.status()) {
    case v1::CONSENT_STATUS_WITHDRAWN:
      t.state = TermsState::kWithdrawn;
      t.state_changed_at = ToTime(c.withdrawal().withdrawn_at());
      break;
    case v1::CONSENT_STATUS_EXPIRED:
      t.state = TermsState::kExpired;
      t.state_changed_at = ToTime(c.update_time());
      break;
    default:
      t.state = TermsState::kActive;
  }
  return t;
}

// The gRPC side of a logic call: fills the response and finishes the reactor.
template <typename T, typename Fill>
auto Finisher(grpc::ServerUnaryReactor* reactor, Fill fill) {
  return [reactor, fill](absl::StatusOr<T> result) {
    if (result.ok()) fill(std::move(*result));
    reactor->Finish(ToGrpcStatus(result.status()));
  };
}

}  // namespace

ConsentServiceImpl::ConsentServiceImpl(ConsentStore& store, const Clock& clock,
                                       const directory::DirectoryHolder& directory,
                                       Settings settings)
    : store_(store), clock_(clock), directory_(directory), settings_(settings) {}

AuditEntry ConsentServiceImpl::NewAudit(const v1::AccessContext& access, const char* action,
                                        const std::string& trace_id) const {
  return {.at = clock_.Now(),
          .actor = access.actor_id().empty() ? "unidentified" : access.actor_id(),
          .action = action,
          .reason = access.reason(),
          .trace_id = trace_id};
}

template <typename T>
void ConsentServiceImpl::Audited(AuditEntry audit, absl::StatusOr<T> result, Done<T> done) {
  if (audit.outcome.empty()) audit.outcome = Outcome(result.status());
  auto shared = std::make_shared<absl::StatusOr<T>>(std::move(result));
  store_.Audit(std::move(audit), [shared, done = std::move(done)](const absl::Status& s) {
    if (!s.ok()) {
      done(absl::UnavailableError(
          absl::StrCat("the access could not be recorded in the audit table: ", s.message())));
    } else {
      done(std::move(*shared));
    }
  });
}

void ConsentServiceImpl::Record(const v1::RecordConsentRequest& call, const std::string& trace_id,
                                Done<v1::Consent> done) {
  AuditEntry audit = NewAudit(call.access(), "record", trace_id);
  audit.child_ref = call.consent().child().child_ref();
  const absl::Time now = audit.at;
  if (absl::Status s = ValidateRecord(call, *directory_.Get(), now, settings_.rules); !s.ok()) {
    Audited<v1::Consent>(std::move(audit), s, std::move(done));
    return;
  }
  NewConsent n;
  n.content = ClientContent(call.consent());
  v1::Consent& c = n.consent;
  c = call.consent();
  c.set_id(NewUuid());
  c.set_request_id(call.request_id());
  c.set_status(v1::CONSENT_STATUS_ACTIVE);
  c.clear_withdrawal();
  *c.mutable_create_time() = Ts(now);
  *c.mutable_update_time() = Ts(now);
  c.set_trace_id(trace_id);
  audit.consent_id = c.id();
  audit.outcome = "OK";
  n.audit = audit;
  store_.Record(std::move(n), [this, audit, done](absl::StatusOr<v1::Consent> stored) mutable {
    if (stored.ok()) {
      done(std::move(stored));
    } else {
      audit.consent_id.clear();
      audit.outcome.clear();
      Audited<v1::Consent>(std::move(audit), std::move(stored).status(), std::move(done));
    }
  });
}

void ConsentServiceImpl::Get(const v1::GetConsentRequest& call, const std::string& trace_id,
                             Done<v1::Consent> done) {
  AuditEntry audit = NewAudit(call.access(), "get", trace_id);
  audit.consent_id = call.id();
  absl::StatusOr<v1::Consent> found = call.id().empty()    ? InvalidField("id", "is required")
                                      : !IsUuid(call.id()) ? InvalidField("id", "must be a UUID")
                                                           : store_.Get(call.id());
  if (found.ok()) audit.child_ref = found->child().child_ref();
  Audited(std::move(audit), std::move(found), std::move(done));
}

void ConsentServiceImpl::List(const v1::ListConsentsRequest& call, const std::string& trace_id,
                              Done<v1::ListConsentsResponse> done) {
  AuditEntry audit = NewAudit(call.access(), "list", trace_id);
  audit.child_ref = call.child_ref();
  Violations v;
  if (call.child_ref().empty() == call.recipient_organisation_id().empty()) {
    v.Add("child_ref", "give exactly one of child_ref and recipient_organisation_id");
  } else if (!call.child_ref().empty() && !IsUuid(call.child_ref())) {
    v.Add("child_ref", "must be a UUID");
  } else if (!call.recipient_organisation_id().empty() &&
             !IsDirectoryId(call.recipient_organisation_id())) {
    v.Add("recipient_organisation_id",
          "must be a directory id: 3-64 characters of a-z, 0-9 and '-'");
  }
  if (!v1::ConsentStatus_IsValid(call.status())) {
    v.Add("status", absl::StrCat("unknown value ", call.status()));
  }
  if (call.page_size() < 0) v.Add("page_size", "must not be negative");
  const std::vector<std::string> filters = {call.child_ref(), call.recipient_organisation_id(),
                                            absl::StrCat(call.status())};
  ConsentQuery q{.child_ref = call.child_ref(),
                 .recipient = call.recipient_organisation_id(),
                 .status = call.status(),
                 .limit = call.page_size() == 0
                              ? settings_.default_page_size
                              : std::min(call.page_size(), settings_.max_page_size)};
  if (!call.page_token().empty()) {
    absl::StatusOr<records::PageCursor> cursor =
        records::DecodePageToken(call.page_token(), filters,
                                 "keep child_ref, recipient_organisation_id and status the same");
    if (cursor.ok()) {
      q.after = *cursor;
    } else {
      v.Add("page_token", std::string(cursor.status().message()));
    }
  }
  if (!v.empty()) {
    Audited<v1::ListConsentsResponse>(std::move(audit), v.ToStatus(), std::move(done));
    return;
  }
  absl::StatusOr<ConsentPage> page = store_.List(q);
  if (!page.ok()) {
    Audited<v1::ListConsentsResponse>(std::move(audit), std::move(page).status(), std::move(done));
    return;
  }
  v1::ListConsentsResponse response;
  for (auto& c : page->consents) *response.add_consents() = std::move(c);
  if (page->next.has_value()) {
    response.set_next_page_token(records::EncodePageToken(filters, *page->next));
  }
  Audited<v1::ListConsentsResponse>(std::move(audit), std::move(response), std::move(done));
}

void ConsentServiceImpl::Withdraw(const v1::WithdrawConsentRequest& call,
                                  const std::string& trace_id, Done<v1::Consent> done) {
  AuditEntry audit = NewAudit(call.access(), "withdraw", trace_id);
  audit.consent_id = call.id();
  Violations v;
  CheckUuid(v, "id", call.id());
  if (call.withdrawn_by().empty()) v.Add("withdrawn_by", "is required");
  if (!v.empty()) {
    Audited<v1::Consent>(std::move(audit), v.ToStatus(), std::move(done));
    return;
  }
  v1::Withdrawal w;
  w.set_withdrawn_by(call.withdrawn_by());
  *w.mutable_withdrawn_at() = Ts(audit.at);
  w.set_reason(call.reason());
  audit.outcome = "OK";
  store_.Withdraw(call.id(), std::move(w), audit,
                  [this, audit, done](absl::StatusOr<v1::Consent> result) mutable {
                    if (result.ok()) {
                      done(std::move(result));
                    } else {
                      audit.outcome.clear();
                      Audited<v1::Consent>(std::move(audit), std::move(result).status(),
                                           std::move(done));
                    }
                  });
}

void ConsentServiceImpl::Check(const v1::CheckConsentRequest& call, const std::string& trace_id,
                               Done<v1::Decision> done) {
  AuditEntry audit = NewAudit(call.access(), "check", trace_id);
  audit.child_ref = call.child().child_ref();
  Violations v;
  CheckUuid(v, "child.child_ref", call.child().child_ref());
  if (call.purpose() == v1::PURPOSE_UNSPECIFIED) {
    v.Add("purpose", "is required");
  } else if (!v1::Purpose_IsValid(call.purpose())) {
    v.Add("purpose", absl::StrCat("unknown value ", call.purpose()));
  }
  if (call.recipient_organisation_id().empty()) {
    v.Add("recipient_organisation_id", "is required");
  } else if (!IsDirectoryId(call.recipient_organisation_id())) {
    v.Add("recipient_organisation_id",
          "must be a directory id: 3-64 characters of a-z, 0-9 and '-'");
  }
  if (!v.empty()) {
    Audited<v1::Decision>(std::move(audit), v.ToStatus(), std::move(done));
    return;
  }
  absl::StatusOr<std::vector<v1::Consent>> consents = store_.ForChild(call.child().child_ref());
  if (!consents.ok()) {
    Audited<v1::Decision>(std::move(audit), std::move(consents).status(), std::move(done));
    return;
  }
  std::vector<ConsentTerms> terms;
  for (const v1::Consent& c : *consents) terms.push_back(ToTerms(c));
  const absl::Time at = call.has_at() ? ToTime(call.at()) : audit.at;
  v1::Decision decision = Decide(terms, call.purpose(), call.recipient_organisation_id(), at);
  audit.consent_id = decision.consent_id();
  audit.outcome =
      decision.permitted() ? "OK: permit" : absl::StrCat("OK: deny: ", decision.reason());
  Audited<v1::Decision>(std::move(audit), std::move(decision), std::move(done));
}

grpc::ServerUnaryReactor* ConsentServiceImpl::RecordConsent(grpc::CallbackServerContext* context,
                                                            const v1::RecordConsentRequest* request,
                                                            v1::RecordConsentResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Record(*request, grpcx::TraceIdOf(context),
         Finisher<v1::Consent>(
             reactor, [response](v1::Consent c) { *response->mutable_consent() = std::move(c); }));
  return reactor;
}

grpc::ServerUnaryReactor* ConsentServiceImpl::GetConsent(grpc::CallbackServerContext* context,
                                                         const v1::GetConsentRequest* request,
                                                         v1::GetConsentResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Get(*request, grpcx::TraceIdOf(context),
      Finisher<v1::Consent>(
          reactor, [response](v1::Consent c) { *response->mutable_consent() = std::move(c); }));
  return reactor;
}

grpc::ServerUnaryReactor* ConsentServiceImpl::ListConsents(grpc::CallbackServerContext* context,
                                                           const v1::ListConsentsRequest* request,
                                                           v1::ListConsentsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  List(*request, grpcx::TraceIdOf(context),
       Finisher<v1::ListConsentsResponse>(
           reactor, [response](v1::ListConsentsResponse r) { *response = std::move(r); }));
  return reactor;
}

grpc::ServerUnaryReactor* ConsentServiceImpl::WithdrawConsent(
    grpc::CallbackServerContext* context, const v1::WithdrawConsentRequest* request,
    v1::WithdrawConsentResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Withdraw(*request, grpcx::TraceIdOf(context),
           Finisher<v1::Consent>(reactor, [response](v1::Consent c) {
             *response->mutable_consent() = std::move(c);
           }));
  return reactor;
}

grpc::ServerUnaryReactor* ConsentServiceImpl::CheckConsent(grpc::CallbackServerContext* context,
                                                           const v1::CheckConsentRequest* request,
                                                           v1::CheckConsentResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Check(*request, grpcx::TraceIdOf(context),
        Finisher<v1::Decision>(
            reactor, [response](v1::Decision d) { *response->mutable_decision() = std::move(d); }));
  return reactor;
}

}  // namespace olif::consent
