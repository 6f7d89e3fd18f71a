#include "services/referrals/referrals_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "services/common/consent/projection.h"
#include "services/common/events/referrals_events.h"
#include "services/common/grpc/call_observer.h"
#include "services/common/grpc/unary.h"
#include "services/common/ids/ids.h"
#include "services/common/records/records.h"
#include "services/common/status/status.h"
#include "services/referrals/request_validation.h"

namespace olif::referrals {
namespace {

using google::protobuf::util::TimeUtil;
namespace consent = olifantenpad::consent::v1;

google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}
absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

// The content a client sent, serialized deterministically, with the fields
// the server fills in cleared: two calls asking for the same request compare
// equal. The child's identity counts too.
std::string ClientContent(const v1::CreateRequestRequest& call) {
  v1::DirectLineRequest content = call.request();
  for (const google::protobuf::FieldDescriptor* f :
       {content.GetDescriptor()->FindFieldByName("id"),
        content.GetDescriptor()->FindFieldByName("request_id")}) {
    content.GetReflection()->ClearField(&content, f);
  }
  // Every output-only field (status and beyond the client's own).
  for (int number = v1::DirectLineRequest::kStatusFieldNumber;
       number <= v1::DirectLineRequest::kWithdrawReasonFieldNumber; ++number) {
    if (number == v1::DirectLineRequest::kChildFieldNumber) continue;  // the client's
    const auto* f = content.GetDescriptor()->FindFieldByNumber(number);
    if (f != nullptr) content.GetReflection()->ClearField(&content, f);
  }
  if (content.priority() == v1::PRIORITY_UNSPECIFIED) content.set_priority(v1::PRIORITY_NORMAL);
  return records::DeterministicBytes(content) + records::DeterministicBytes(call.child_identity());
}

std::vector<std::string> PageFilters(const v1::ListRequestsRequest& call) {
  return {call.location_id(), absl::StrCat(call.status())};
}

std::shared_ptr<v1::RequestUpdated> Updated(const v1::DirectLineRequest& r,
                                            v1::Transition transition) {
  auto e = std::make_shared<v1::RequestUpdated>();
  e->set_request_id(r.id());
  e->set_transition(transition);
  e->set_status(r.status());
  e->set_version(r.version() + 1);  // the store bumps it with this change
  *e->mutable_expert() = r.expert();
  if (r.has_child()) *e->mutable_child() = r.child();
  return e;
}

Events One(std::shared_ptr<google::protobuf::Message> event) {
  return {Event{kTopicRequestUpdated, std::move(event)}};
}

// Stores a change made outside Transition (consent gate, jobs) with its
// event: the version goes up and the update time is `now`.
absl::Status Commit(sqlite::Database& db, v1::DirectLineRequest& r, absl::Time now, Event event) {
  r.set_version(r.version() + 1);
  *r.mutable_update_time() = Ts(now);
  if (absl::Status s = SaveRequest(db, r); !s.ok()) return s;
  return PublishEvents(db, {std::move(event)}, r.trace_id(), now);
}

void CheckIdAndVersion(Violations& v, const std::string& id, int64_t version) {
  if (id.empty()) {
    v.Add("id", "is required");
  } else if (!IsUuid(id)) {
    v.Add("id", "must be a UUID");
  }
  if (version < 0) v.Add("version", "must not be negative");
}

}  // namespace

ReferralsServiceImpl::ReferralsServiceImpl(ReferralsStore& store, const Clock& clock,
                                           const directory::DirectoryHolder& directory,
                                           WorkingDays working_days, Settings settings)
    : store_(store),
      clock_(clock),
      directory_(directory),
      working_days_(std::move(working_days)),
      settings_(settings) {}

Event ReferralsServiceImpl::Submit(v1::DirectLineRequest& r, absl::Time now) const {
  r.set_status(v1::REQUEST_STATUS_SUBMITTED);
  *r.mutable_first_response_due() =
      Ts(working_days_.Add(now, settings_.first_response_working_days));
  auto event = std::make_shared<v1::RequestSubmitted>(SubmittedEvent(r, Ts(now)));
  return {kTopicRequestSubmitted, std::move(event)};
}

void ReferralsServiceImpl::Create(const v1::CreateRequestRequest& call, const std::string& trace_id,
                                  CreateDone done) {
  if (absl::Status s = ValidateCreate(call); !s.ok()) {
    done(s);
    return;
  }
  // The directory in force for the whole call, even if a reload swaps it.
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  const std::string& location = call.request().requester().location_id();
  if (dir->FindLocation(location) == nullptr) {
    done(InvalidField("request.requester.location_id",
                      absl::StrCat("'", location, "' is not a location in the directory")));
    return;
  }
  const auto* expert = dir->PairedExpert(location);
  if (expert == nullptr) {
    done(absl::FailedPreconditionError(absl::StrCat(
        "location ", location,
        " has no paired youth-care expert in the directory; ask the operator to add a pairing")));
    return;
  }
  const absl::Time now = clock_.Now();
  NewRequest n;
  n.content = ClientContent(call);
  v1::DirectLineRequest& r = n.request;
  r = call.request();
  r.set_id(NewUuid());
  r.set_request_id(call.request_id());
  if (r.priority() == v1::PRIORITY_UNSPECIFIED) r.set_priority(v1::PRIORITY_NORMAL);
  r.mutable_expert()->set_professional_id(expert->id());
  r.mutable_expert()->set_organisation_id(expert->organisation_id());
  r.set_version(1);
  *r.mutable_create_time() = Ts(now);
  *r.mutable_update_time() = Ts(now);
  r.set_trace_id(trace_id);
  n.occurred_at = now;
  if (r.kind() == v1::REQUEST_KIND_CHILD) {
    n.identity = call.child_identity();
    // Decided inside the write transaction: the consent gate applies consent
    // events through the same writer, so a consent is either already known
    // here or releases the request when it arrives.
    n.decide = [this, now](sqlite::Database& db,
                           v1::DirectLineRequest& req) -> absl::StatusOr<Events> {
      absl::StatusOr<consent::Decision> d = olif::consent::ConsentProjection::PermitsIn(
          db, req.child().child_ref(), consent::PURPOSE_DIRECT_LINE, req.expert().organisation_id(),
          now);
      if (!d.ok()) return d.status();
      if (!d->permitted()) {
        req.set_status(v1::REQUEST_STATUS_AWAITING_CONSENT);
        return Events{};
      }
      req.set_consent_id(d->consent_id());
      return Events{Submit(req, now)};
    };
  } else {
    Event submitted = Submit(r, now);  // anonymous and group questions need no consent
    n.topic = submitted.topic;
    n.event = submitted.payload;
  }
  store_.Create(std::move(n), [done = std::move(done)](absl::StatusOr<CreateOutcome> outcome) {
    if (!outcome.ok()) {
      done(std::move(outcome).status());
    } else {
      done(std::move(outcome->request));
    }
  });
}

void ReferralsServiceImpl::Transition(const std::string& id, int64_t version, Action action,
                                      const std::string& trace_id, Change change, Done done) {
  const absl::Time now = clock_.Now();
  store_.Update(
      id, version, now, trace_id,
      [action, now, change = std::move(change)](
          sqlite::Database&, v1::DirectLineRequest& r) -> absl::StatusOr<Events> {
        absl::StatusOr<v1::RequestStatus> next = NextStatus(r, action);
        if (!next.ok()) return next.status();
        r.set_status(*next);
        return change(r, now);
      },
      std::move(done));
}

void ReferralsServiceImpl::Accept(const v1::AcceptRequestRequest& call, const std::string& trace_id,
                                  Done done) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (!v.empty()) return done(v.ToStatus());
  Transition(
      call.id(), call.version(), Action::kAccept, trace_id,
      [](v1::DirectLineRequest& r, absl::Time now) -> absl::StatusOr<Events> {
        *r.mutable_first_response_time() = Ts(now);
        return One(Updated(r, v1::TRANSITION_ACCEPTED));
      },
      std::move(done));
}

void ReferralsServiceImpl::Decline(const v1::DeclineRequestRequest& call,
                                   const std::string& trace_id, Done done) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (call.reason().empty()) v.Add("reason", "is required: say why, and where to go instead");
  if (!v.empty()) return done(v.ToStatus());
  Transition(
      call.id(), call.version(), Action::kDecline, trace_id,
      [reason = call.reason()](v1::DirectLineRequest& r, absl::Time now) -> absl::StatusOr<Events> {
        *r.mutable_first_response_time() = Ts(now);
        r.set_decline_reason(reason);
        auto e = Updated(r, v1::TRANSITION_DECLINED);
        e->set_decline_reason(reason);
        return One(e);
      },
      std::move(done));
}

void ReferralsServiceImpl::AddCycle(const v1::RecordCycleRequest& call, const std::string& trace_id,
                                    Done done) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  const v1::Cycle& c = call.cycle();
  if (c.plan().empty()) v.Add("cycle.plan", "is required");
  if (!c.has_period_start()) v.Add("cycle.period_start", "is required");
  if (!c.has_period_end()) {
    v.Add("cycle.period_end", "is required");
  } else if (c.has_period_start() && ToTime(c.period_end()) < ToTime(c.period_start())) {
    v.Add("cycle.period_end", "must not be before period_start");
  }
  if (c.outcome() == v1::OUTCOME_UNSPECIFIED) {
    v.Add("cycle.outcome", "is required: OUTCOME_RESOLVED, OUTCOME_CONTINUE or OUTCOME_ESCALATE");
  } else if (!v1::Outcome_IsValid(c.outcome())) {
    v.Add("cycle.outcome", absl::StrCat("unknown value ", c.outcome()));
  }
  if (!v.empty()) return done(v.ToStatus());
  Transition(
      call.id(), call.version(), Action::kRecordCycle, trace_id,
      [cycle = c](v1::DirectLineRequest& r, absl::Time now) -> absl::StatusOr<Events> {
        v1::Cycle* added = r.add_cycles();
        *added = cycle;
        added->set_number(r.cycles_size());
        *added->mutable_record_time() = Ts(now);
        auto e = Updated(r, v1::TRANSITION_CYCLE_RECORDED);
        *e->mutable_cycle() = *added;
        return One(e);
      },
      std::move(done));
}

void ReferralsServiceImpl::Message(const v1::AddMessageRequest& call, const std::string& trace_id,
                                   Done done) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (call.message().author() == v1::AUTHOR_UNSPECIFIED ||
      !v1::Author_IsValid(call.message().author())) {
    v.Add("message.author", "is required: AUTHOR_REQUESTER or AUTHOR_EXPERT");
  }
  if (call.message().text().empty() || call.message().text().size() > 16000) {
    v.Add("message.text", "must be 1 to 4000 characters");
  }
  if (!v.empty()) return done(v.ToStatus());
  Transition(
      call.id(), call.version(), Action::kAddMessage, trace_id,
      [m = call.message()](v1::DirectLineRequest& r, absl::Time now) -> absl::StatusOr<Events> {
        v1::Message* added = r.add_messages();
        *added = m;
        *added->mutable_create_time() = Ts(now);
        auto e = Updated(r, v1::TRANSITION_MESSAGE_ADDED);
        *e->mutable_message() = *added;
        return One(e);
      },
      std::move(done));
}

void ReferralsServiceImpl::Resolve(const v1::ResolveRequestRequest& call,
                                   const std::string& trace_id, Done done) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (!v.empty()) return done(v.ToStatus());
  Transition(
      call.id(), call.version(), Action::kResolve, trace_id,
      [](v1::DirectLineRequest& r, absl::Time) -> absl::StatusOr<Events> {
        r.set_outcome(v1::OUTCOME_RESOLVED);
        return One(Updated(r, v1::TRANSITION_RESOLVED));
      },
      std::move(done));
}

void ReferralsServiceImpl::Escalate(const v1::EscalateRequestRequest& call,
                                    const std::string& trace_id, Done done) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (call.kind() == v1::ESCALATION_KIND_UNSPECIFIED || !v1::EscalationKind_IsValid(call.kind())) {
    v.Add("kind", "is required: where the child is referred to");
  }
  if (!v.empty()) return done(v.ToStatus());
  Transition(
      call.id(), call.version(), Action::kEscalate, trace_id,
      [kind = call.kind(), note = call.note()](v1::DirectLineRequest& r,
                                               absl::Time) -> absl::StatusOr<Events> {
        r.set_outcome(v1::OUTCOME_ESCALATE);
        r.set_escalation_kind(kind);
        r.set_escalation_note(note);
        auto e = Updated(r, v1::TRANSITION_ESCALATED);
        e->set_escalation_kind(kind);
        return One(e);
      },
      std::move(done));
}

void ReferralsServiceImpl::Withdraw(const v1::WithdrawRequestRequest& call,
                                    const std::string& trace_id, Done done) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  if (!v.empty()) return done(v.ToStatus());
  Transition(
      call.id(), call.version(), Action::kWithdraw, trace_id,
      [reason = call.reason()](v1::DirectLineRequest& r, absl::Time) -> absl::StatusOr<Events> {
        r.set_withdraw_reason(reason);
        return One(Updated(r, v1::TRANSITION_WITHDRAWN));
      },
      std::move(done));
}

void ReferralsServiceImpl::Reassign(const v1::ReassignRequestRequest& call,
                                    const std::string& trace_id, Done done) {
  Violations v;
  CheckIdAndVersion(v, call.id(), call.version());
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  const auto* expert = dir->FindProfessional(call.expert_id());
  if (call.expert_id().empty()) {
    v.Add("expert_id", "is required");
  } else if (expert == nullptr ||
             std::find(expert->roles().begin(), expert->roles().end(),
                       olifantenpad::config::v1::ROLE_YOUTH_CARE_EXPERT) == expert->roles().end()) {
    v.Add("expert_id",
          absl::StrCat("'", call.expert_id(), "' is not a youth-care expert in the directory"));
  }
  if (call.by().empty()) v.Add("by", "is required: who decides");
  if (call.reason().empty()) v.Add("reason", "is required");
  if (!v.empty()) return done(v.ToStatus());
  olifantenpad::common::v1::ProfessionalRef to;
  to.set_professional_id(expert->id());
  to.set_organisation_id(expert->organisation_id());
  Transition(
      call.id(), call.version(), Action::kReassign, trace_id,
      [to, by = call.by(), reason = call.reason()](v1::DirectLineRequest& r,
                                                   absl::Time now) -> absl::StatusOr<Events> {
        if (r.expert().professional_id() == to.professional_id()) {
          return absl::FailedPreconditionError(
              absl::StrCat("request ", r.id(), " is already with ", to.professional_id()));
        }
        if (r.kind() == v1::REQUEST_KIND_CHILD && !r.consent_id().empty() &&
            r.expert().organisation_id() != to.organisation_id()) {
          return absl::FailedPreconditionError(
              "a named-child request cannot move to another organisation: the consent "
              "names the recipient organisation");
        }
        v1::Reassignment* change = r.add_reassignments();
        *change->mutable_from() = r.expert();
        *change->mutable_to() = to;
        change->set_by(by);
        change->set_reason(reason);
        *change->mutable_time() = Ts(now);
        *r.mutable_expert() = to;
        auto e = Updated(r, v1::TRANSITION_REASSIGNED);
        *e->mutable_previous_expert() = change->from();
        return One(e);
      },
      std::move(done));
}

absl::Status ReferralsServiceImpl::ReleaseWaiting(sqlite::Database& db,
                                                  const std::string& child_ref) {
  absl::StatusOr<std::vector<v1::DirectLineRequest>> waiting =
      SelectRequests(db, "child_ref = ?1 AND status = ?2", [&](sqlite::Statement& stmt) {
        stmt.Bind(1, child_ref).Bind(2, static_cast<int64_t>(v1::REQUEST_STATUS_AWAITING_CONSENT));
      });
  if (!waiting.ok()) return waiting.status();
  const absl::Time now = clock_.Now();
  for (v1::DirectLineRequest& r : *waiting) {
    absl::StatusOr<consent::Decision> d = olif::consent::ConsentProjection::PermitsIn(
        db, child_ref, consent::PURPOSE_DIRECT_LINE, r.expert().organisation_id(), now);
    if (!d.ok()) return d.status();
    if (!d->permitted()) continue;
    r.set_consent_id(d->consent_id());
    Event submitted = Submit(r, now);
    if (absl::Status s = Commit(db, r, now, std::move(submitted)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ReferralsServiceImpl::RestrictUnder(sqlite::Database& db,
                                                 const std::string& consent_id) {
  absl::StatusOr<std::vector<v1::DirectLineRequest>> relying = SelectRequests(
      db, "consent_id = ?1", [&](sqlite::Statement& stmt) { stmt.Bind(1, consent_id); });
  if (!relying.ok()) return relying.status();
  const absl::Time now = clock_.Now();
  for (v1::DirectLineRequest& r : *relying) {
    if (IsFinal(r.status()) || r.restricted()) continue;
    r.set_restricted(true);
    auto e = std::make_shared<v1::RequestRestricted>();
    e->set_request_id(r.id());
    e->set_consent_id(consent_id);
    *e->mutable_child() = r.child();
    *e->mutable_expert() = r.expert();
    if (absl::Status s = Commit(db, r, now, {kTopicRequestRestricted, e}); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ReferralsServiceImpl::RunDueJobs() {
  const absl::Time now = clock_.Now();
  int changed = 0;
  absl::Status s = store_.writer().Run([&](sqlite::Database& db) -> absl::Status {
    changed = 0;
    absl::StatusOr<std::vector<v1::DirectLineRequest>> overdue =
        SelectRequests(db, "status = ?1 AND overdue = 0 AND due_us > 0 AND due_us <= ?2",
                       [&](sqlite::Statement& stmt) {
                         stmt.Bind(1, static_cast<int64_t>(v1::REQUEST_STATUS_SUBMITTED))
                             .Bind(2, absl::ToUnixMicros(now));
                       });
    if (!overdue.ok()) return overdue.status();
    for (v1::DirectLineRequest& r : *overdue) {
      r.set_overdue(true);
      auto e = std::make_shared<v1::RequestOverdue>();
      e->set_request_id(r.id());
      *e->mutable_expert() = r.expert();
      *e->mutable_first_response_due() = r.first_response_due();
      if (absl::Status u = Commit(db, r, now, {kTopicRequestOverdue, e}); !u.ok()) return u;
      ++changed;
    }
    absl::StatusOr<std::vector<v1::DirectLineRequest>> lapsed =
        SelectRequests(db, "status = ?1 AND create_time_us <= ?2", [&](sqlite::Statement& stmt) {
          stmt.Bind(1, static_cast<int64_t>(v1::REQUEST_STATUS_AWAITING_CONSENT))
              .Bind(2, absl::ToUnixMicros(now - absl::Hours(24) * settings_.consent_wait_days));
        });
    if (!lapsed.ok()) return lapsed.status();
    for (v1::DirectLineRequest& r : *lapsed) {
      r.set_status(v1::REQUEST_STATUS_LAPSED);
      auto e = std::make_shared<v1::RequestLapsed>();
      e->set_request_id(r.id());
      *e->mutable_child() = r.child();
      if (absl::Status u = Commit(db, r, now, {kTopicRequestLapsed, e}); !u.ok()) return u;
      ++changed;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return changed;
}

absl::StatusOr<v1::GetStatisticsResponse> ReferralsServiceImpl::Statistics(
    const v1::GetStatisticsRequest& call) {
  Violations v;
  if (!call.has_start()) v.Add("start", "is required");
  if (!call.has_end()) {
    v.Add("end", "is required");
  } else if (call.has_start() && ToTime(call.end()) <= ToTime(call.start())) {
    v.Add("end", "must be after start");
  }
  if (!call.location_id().empty() && !IsDirectoryId(call.location_id())) {
    v.Add("location_id", "must be a directory id: 3-64 characters of a-z, 0-9 and '-'");
  }
  if (!v.empty()) return v.ToStatus();
  absl::StatusOr<std::vector<v1::DirectLineRequest>> requests =
      store_.CreatedBetween(ToTime(call.start()), ToTime(call.end()), call.location_id());
  if (!requests.ok()) return requests.status();
  const int suppress = settings_.suppress_below;
  auto shown = [suppress](int64_t n) {
    return n > 0 && n < suppress ? absl::StrCat("<", suppress) : absl::StrCat(n);
  };
  std::map<std::pair<std::string, std::string>, int64_t> counts;
  std::vector<double> hours;
  for (const v1::DirectLineRequest& r : *requests) {
    ++counts[{"kind", v1::RequestKind_Name(r.kind())}];
    ++counts[{"status", v1::RequestStatus_Name(r.status())}];
    if (r.outcome() != v1::OUTCOME_UNSPECIFIED)
      ++counts[{"outcome", v1::Outcome_Name(r.outcome())}];
    if (r.escalation_kind() != v1::ESCALATION_KIND_UNSPECIFIED) {
      ++counts[{"escalation", v1::EscalationKind_Name(r.escalation_kind())}];
    }
    if (r.has_first_response_time()) {
      hours.push_back(
          absl::ToDoubleHours(ToTime(r.first_response_time()) - ToTime(r.create_time())));
    }
  }
  v1::GetStatisticsResponse out;
  out.set_total(shown(static_cast<int64_t>(requests->size())));
  for (const auto& [key, n] : counts) {
    v1::Count* c = out.add_counts();
    c->set_dimension(key.first);
    c->set_value(key.second);
    c->set_count(shown(n));
  }
  if (static_cast<int>(hours.size()) >= suppress) {
    std::sort(hours.begin(), hours.end());
    const size_t m = hours.size() / 2;
    out.set_median_hours_to_first_response(hours.size() % 2 == 1 ? hours[m]
                                                                 : (hours[m - 1] + hours[m]) / 2);
    out.set_has_median(true);
  }
  return out;
}

absl::StatusOr<v1::DirectLineRequest> ReferralsServiceImpl::Get(const v1::GetRequestRequest& call) {
  if (call.id().empty()) return InvalidField("id", "is required");
  if (!IsUuid(call.id())) return InvalidField("id", "must be a UUID");
  return store_.Get(call.id());
}

absl::StatusOr<v1::GetChildIdentityResponse> ReferralsServiceImpl::ChildIdentity(
    const v1::GetChildIdentityRequest& call) {
  v1::GetRequestRequest get;
  get.set_id(call.id());
  absl::StatusOr<v1::DirectLineRequest> request = Get(get);
  if (!request.ok()) return request.status();
  if (request->kind() != v1::REQUEST_KIND_CHILD) {
    return absl::NotFoundError(absl::StrCat("request ", call.id(), " is ",
                                            v1::RequestKind_Name(request->kind()),
                                            ": it names no child"));
  }
  const v1::RequestStatus status = request->status();
  if (status == v1::REQUEST_STATUS_AWAITING_CONSENT || status == v1::REQUEST_STATUS_LAPSED) {
    return absl::FailedPreconditionError(
        absl::StrCat("request ", call.id(), " is ", v1::RequestStatus_Name(status),
                     ": the child's identity is not released without consent"));
  }
  if (request->restricted()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "request ", call.id(), " is restricted: the consent it relied on was withdrawn"));
  }
  absl::StatusOr<v1::ChildIdentity> identity = store_.Identity(call.id());
  if (!identity.ok()) return identity.status();
  v1::GetChildIdentityResponse response;
  *response.mutable_child() = request->child();
  *response.mutable_child_identity() = std::move(*identity);
  return response;
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

namespace {

// The gRPC side of a write: fills the response's request and finishes.
template <typename Response>
ReferralsServiceImpl::Done Finisher(grpc::ServerUnaryReactor* reactor, Response* response) {
  return [reactor, response](absl::StatusOr<v1::DirectLineRequest> r) {
    if (r.ok()) *response->mutable_request() = std::move(*r);
    reactor->Finish(ToGrpcStatus(r.status()));
  };
}

}  // namespace

grpc::ServerUnaryReactor* ReferralsServiceImpl::CreateRequest(
    grpc::CallbackServerContext* context, const v1::CreateRequestRequest* request,
    v1::CreateRequestResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // Finished from the store's writer thread once the request is durable.
  Create(*request, grpcx::TraceIdOf(context), Finisher(reactor, response));
  return reactor;
}

grpc::ServerUnaryReactor* ReferralsServiceImpl::GetRequest(grpc::CallbackServerContext* context,
                                                           const v1::GetRequestRequest* request,
                                                           v1::GetRequestResponse* response) {
  absl::StatusOr<v1::DirectLineRequest> found = Get(*request);
  if (found.ok()) *response->mutable_request() = std::move(*found);
  return grpcx::FinishUnary(context, found.status());
}

grpc::ServerUnaryReactor* ReferralsServiceImpl::GetChildIdentity(
    grpc::CallbackServerContext* context, const v1::GetChildIdentityRequest* request,
    v1::GetChildIdentityResponse* response) {
  absl::StatusOr<v1::GetChildIdentityResponse> found = ChildIdentity(*request);
  if (found.ok()) *response = std::move(*found);
  return grpcx::FinishUnary(context, found.status());
}

grpc::ServerUnaryReactor* ReferralsServiceImpl::ListRequests(grpc::CallbackServerContext* context,
                                                             const v1::ListRequestsRequest* request,
                                                             v1::ListRequestsResponse* response) {
  absl::Status status = List(*request, response);
  if (!status.ok()) response->Clear();
  return grpcx::FinishUnary(context, status);
}

#define OLIF_TRANSITION_RPC(Rpc, Logic)                                                     \
  grpc::ServerUnaryReactor* ReferralsServiceImpl::Rpc(grpc::CallbackServerContext* context, \
                                                      const v1::Rpc##Request* request,      \
                                                      v1::Rpc##Response* response) {        \
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();                          \
    Logic(*request, grpcx::TraceIdOf(context), Finisher(reactor, response));                \
    return reactor;                                                                         \
  }
OLIF_TRANSITION_RPC(AcceptRequest, Accept)
OLIF_TRANSITION_RPC(DeclineRequest, Decline)
OLIF_TRANSITION_RPC(RecordCycle, AddCycle)
OLIF_TRANSITION_RPC(AddMessage, Message)
OLIF_TRANSITION_RPC(ResolveRequest, Resolve)
OLIF_TRANSITION_RPC(EscalateRequest, Escalate)
OLIF_TRANSITION_RPC(WithdrawRequest, Withdraw)
OLIF_TRANSITION_RPC(ReassignRequest, Reassign)
#undef OLIF_TRANSITION_RPC

grpc::ServerUnaryReactor* ReferralsServiceImpl::GetStatistics(
    grpc::CallbackServerContext* context, const v1::GetStatisticsRequest* request,
    v1::GetStatisticsResponse* response) {
  absl::StatusOr<v1::GetStatisticsResponse> stats = Statistics(*request);
  if (stats.ok()) *response = std::move(*stats);
  return grpcx::FinishUnary(context, stats.status());
}

std::string EncodePageToken(const v1::ListRequestsRequest& filters, const ListCursor& cursor) {
  return records::EncodePageToken(PageFilters(filters), cursor);
}

absl::StatusOr<ListCursor> DecodePageToken(const v1::ListRequestsRequest& filters) {
  return records::DecodePageToken(filters.page_token(), PageFilters(filters),
                                  "keep location_id and status the same");
}

}  // namespace olif::referrals
