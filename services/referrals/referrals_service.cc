#include "services/referrals/referrals_service.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "olifantenpad/consent/v1/events.pb.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "services/common/bus/unpack.h"
#include "services/common/clock/timestamp.h"
#include "services/common/config/config_loader.h"
#include "services/common/consent/projection.h"
#include "services/common/events/referrals_events.h"
#include "services/common/ids/ids.h"
#include "services/common/records/records.h"
#include "services/common/status/status.h"
#include "services/referrals/request_validation.h"

namespace olif::referrals {
namespace {

namespace consent = olifantenpad::consent::v1;

// The fingerprint of the content a client sent (serialized deterministically,
// with the fields the server fills in cleared): two calls asking for the same
// request compare equal. The child's identity counts too.
std::string ClientContent(const v1::CreateRequestRequest& call) {
  v1::DirectLineRequest content = call.request();
  records::ClearOutputOnly(content);
  if (content.priority() == v1::PRIORITY_UNSPECIFIED) content.set_priority(v1::PRIORITY_NORMAL);
  return records::ContentFingerprint(records::DeterministicBytes(content) +
                                     records::DeterministicBytes(call.child_identity()));
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
absl::Status Commit(ReferralsTransaction& txn, v1::DirectLineRequest& r, absl::Time now,
                    Event event) {
  r.set_version(r.version() + 1);
  *r.mutable_update_time() = ToTimestamp(now);
  return txn.Save(r, {std::move(event)}, now);
}

}  // namespace

Settings SettingsFromConfig(const olifantenpad::config::v1::ReferralsSettings& config) {
  Settings s;
  if (config.default_page_size() > 0) s.default_page_size = config.default_page_size();
  if (config.max_page_size() > 0) s.max_page_size = config.max_page_size();
  if (config.first_response_working_days() > 0) {
    s.first_response_working_days = config.first_response_working_days();
  }
  if (config.consent_wait_days() > 0) s.consent_wait_days = config.consent_wait_days();
  if (config.has_job_interval()) s.job_interval = config::ToDuration(config.job_interval());
  if (!config.time_zone().empty()) s.time_zone = config.time_zone();
  s.holidays.assign(config.holidays().begin(), config.holidays().end());
  return s;
}

ReferralsService::ReferralsService(ReferralsStore& store, const Clock& clock,
                                   const directory::DirectoryHolder& directory,
                                   WorkingDays working_days, Settings settings)
    : store_(store),
      clock_(clock),
      directory_(directory),
      working_days_(std::move(working_days)),
      settings_(settings) {}

Event ReferralsService::Submit(v1::DirectLineRequest& r, absl::Time now) const {
  r.set_status(v1::REQUEST_STATUS_SUBMITTED);
  *r.mutable_first_response_due() =
      ToTimestamp(working_days_.Add(now, settings_.first_response_working_days));
  auto event = std::make_shared<v1::RequestSubmitted>(SubmittedEvent(r, ToTimestamp(now)));
  return {kTopicRequestSubmitted, std::move(event)};
}

NewRequest ReferralsService::Prepare(const v1::CreateRequestRequest& call,
                                     const olifantenpad::config::v1::Professional& expert,
                                     const std::string& trace_id, absl::Time now) const {
  NewRequest n;
  n.content = ClientContent(call);
  v1::DirectLineRequest& r = n.request;
  r = call.request();
  r.set_id(NewTimeOrderedUuid());
  r.set_request_id(call.request_id());
  if (r.priority() == v1::PRIORITY_UNSPECIFIED) r.set_priority(v1::PRIORITY_NORMAL);
  r.mutable_expert()->set_professional_id(expert.id());
  r.mutable_expert()->set_organisation_id(expert.organisation_id());
  r.set_version(1);
  *r.mutable_create_time() = ToTimestamp(now);
  *r.mutable_update_time() = ToTimestamp(now);
  r.set_trace_id(trace_id);
  n.occurred_at = now;
  return n;
}

void ReferralsService::Create(const v1::CreateRequestRequest& call, const std::string& trace_id,
                              Done done) {
  if (absl::Status s = ValidateCreate(call); !s.ok()) return done(s);
  // The directory in force for the whole call, even if a reload swaps it.
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (absl::Status s = ValidateInDirectory(call, *dir); !s.ok()) return done(s);
  const std::string& location = call.request().requester().location_id();
  const auto* expert = dir->PairedExpert(location);
  if (expert == nullptr) {
    return done(absl::FailedPreconditionError(absl::StrCat(
        "location ", location,
        " has no paired youth-care expert in the directory; ask the operator to add a pairing")));
  }
  const absl::Time now = clock_.Now();
  NewRequest n = Prepare(call, *expert, trace_id, now);
  if (n.request.kind() == v1::REQUEST_KIND_CHILD) {
    n.identity = call.child_identity();
    // Decided inside the write transaction: the consent gate applies consent
    // events through the same writer, so a consent is either already known
    // here or releases the request when it arrives.
    n.decide = [this, now](ReferralsTransaction& txn,
                           v1::DirectLineRequest& req) -> absl::StatusOr<Events> {
      absl::StatusOr<consent::Decision> d =
          txn.PermitsDirectLine(req.child().child_ref(), req.expert().organisation_id(), now);
      if (!d.ok()) return d.status();
      if (!d->permitted()) {
        req.set_status(v1::REQUEST_STATUS_AWAITING_CONSENT);
        return Events{};
      }
      req.set_consent_id(d->consent_id());
      return Events{Submit(req, now)};
    };
  } else {
    n.events.push_back(Submit(n.request, now));  // anonymous and group questions need no consent
  }
  store_.Create(std::move(n), [done = std::move(done)](absl::StatusOr<CreateOutcome> outcome) {
    if (!outcome.ok()) return done(std::move(outcome).status());
    done(std::move(outcome->request));
  });
}

void ReferralsService::Transition(const std::string& id, int64_t version, Action action,
                                  const std::string& trace_id, Change change, Done done) {
  const absl::Time now = clock_.Now();
  store_.Update(
      id, version, now, trace_id,
      [action, now, change = std::move(change)](
          ReferralsTransaction&, v1::DirectLineRequest& r) -> absl::StatusOr<Events> {
        absl::StatusOr<v1::RequestStatus> next = NextStatus(r, action);
        if (!next.ok()) return next.status();
        r.set_status(*next);
        return change(r, now);
      },
      std::move(done));
}

void ReferralsService::Accept(const v1::AcceptRequestRequest& call, const std::string& trace_id,
                              Done done) {
  if (absl::Status s = ValidateAccept(call); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), Action::kAccept, trace_id,
      [](v1::DirectLineRequest& r, absl::Time now) -> absl::StatusOr<Events> {
        *r.mutable_first_response_time() = ToTimestamp(now);
        return One(Updated(r, v1::TRANSITION_ACCEPTED));
      },
      std::move(done));
}

void ReferralsService::Decline(const v1::DeclineRequestRequest& call, const std::string& trace_id,
                               Done done) {
  if (absl::Status s = ValidateDecline(call); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), Action::kDecline, trace_id,
      [reason = call.reason()](v1::DirectLineRequest& r, absl::Time now) -> absl::StatusOr<Events> {
        *r.mutable_first_response_time() = ToTimestamp(now);
        r.set_decline_reason(reason);
        auto e = Updated(r, v1::TRANSITION_DECLINED);
        e->set_decline_reason(reason);
        return One(e);
      },
      std::move(done));
}

void ReferralsService::RecordCycle(const v1::RecordCycleRequest& call, const std::string& trace_id,
                                   Done done) {
  if (absl::Status s = ValidateRecordCycle(call); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), Action::kRecordCycle, trace_id,
      [cycle = call.cycle()](v1::DirectLineRequest& r, absl::Time now) -> absl::StatusOr<Events> {
        v1::Cycle* added = r.add_cycles();
        *added = cycle;
        added->set_number(r.cycles_size());
        *added->mutable_record_time() = ToTimestamp(now);
        auto e = Updated(r, v1::TRANSITION_CYCLE_RECORDED);
        *e->mutable_cycle() = *added;
        return One(e);
      },
      std::move(done));
}

void ReferralsService::AddMessage(const v1::AddMessageRequest& call, const std::string& trace_id,
                                  Done done) {
  if (absl::Status s = ValidateAddMessage(call); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), Action::kAddMessage, trace_id,
      [m = call.message()](v1::DirectLineRequest& r, absl::Time now) -> absl::StatusOr<Events> {
        v1::Message* added = r.add_messages();
        *added = m;
        *added->mutable_create_time() = ToTimestamp(now);
        auto e = Updated(r, v1::TRANSITION_MESSAGE_ADDED);
        *e->mutable_message() = *added;
        return One(e);
      },
      std::move(done));
}

void ReferralsService::Resolve(const v1::ResolveRequestRequest& call, const std::string& trace_id,
                               Done done) {
  if (absl::Status s = ValidateResolve(call); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), Action::kResolve, trace_id,
      [](v1::DirectLineRequest& r, absl::Time) -> absl::StatusOr<Events> {
        r.set_outcome(v1::OUTCOME_RESOLVED);
        return One(Updated(r, v1::TRANSITION_RESOLVED));
      },
      std::move(done));
}

void ReferralsService::Escalate(const v1::EscalateRequestRequest& call, const std::string& trace_id,
                                Done done) {
  if (absl::Status s = ValidateEscalate(call); !s.ok()) return done(s);
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

void ReferralsService::Withdraw(const v1::WithdrawRequestRequest& call, const std::string& trace_id,
                                Done done) {
  if (absl::Status s = ValidateWithdraw(call); !s.ok()) return done(s);
  Transition(
      call.id(), call.version(), Action::kWithdraw, trace_id,
      [reason = call.reason()](v1::DirectLineRequest& r, absl::Time) -> absl::StatusOr<Events> {
        r.set_withdraw_reason(reason);
        return One(Updated(r, v1::TRANSITION_WITHDRAWN));
      },
      std::move(done));
}

void ReferralsService::Reassign(const v1::ReassignRequestRequest& call, const std::string& trace_id,
                                Done done) {
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (absl::Status s = ValidateReassign(call, *dir); !s.ok()) return done(s);
  const auto* expert = dir->FindProfessional(call.expert_id());
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
        *change->mutable_time() = ToTimestamp(now);
        *r.mutable_expert() = to;
        auto e = Updated(r, v1::TRANSITION_REASSIGNED);
        *e->mutable_previous_expert() = change->from();
        return One(e);
      },
      std::move(done));
}

absl::Status ReferralsService::ApplyConsentEvent(
    ReferralsTransaction& txn, const olifantenpad::common::v1::EventEnvelope& event) {
  if (absl::Status s = txn.ApplyConsentEvent(event); !s.ok()) return s;
  if (event.topic() == olif::consent::kTopicGranted) {
    absl::StatusOr<consent::ConsentGranted> granted = bus::Unpack<consent::ConsentGranted>(event);
    if (!granted.ok()) return absl::OkStatus();  // the projection refused it already
    return ReleaseWaiting(txn, granted->child().child_ref());
  }
  if (event.topic() == olif::consent::kTopicWithdrawn) {
    absl::StatusOr<consent::ConsentWithdrawn> withdrawn =
        bus::Unpack<consent::ConsentWithdrawn>(event);
    if (!withdrawn.ok()) return absl::OkStatus();
    return RestrictUnder(txn, withdrawn->consent_id());
  }
  return absl::OkStatus();
}

absl::Status ReferralsService::ReleaseWaiting(ReferralsTransaction& txn,
                                              const std::string& child_ref) {
  absl::StatusOr<std::vector<v1::DirectLineRequest>> waiting = txn.AwaitingConsent(child_ref);
  if (!waiting.ok()) return waiting.status();
  const absl::Time now = clock_.Now();
  for (v1::DirectLineRequest& r : *waiting) {
    absl::StatusOr<consent::Decision> d =
        txn.PermitsDirectLine(child_ref, r.expert().organisation_id(), now);
    if (!d.ok()) return d.status();
    if (!d->permitted()) continue;
    r.set_consent_id(d->consent_id());
    Event submitted = Submit(r, now);
    if (absl::Status s = Commit(txn, r, now, std::move(submitted)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ReferralsService::RestrictUnder(ReferralsTransaction& txn,
                                             const std::string& consent_id) {
  absl::StatusOr<std::vector<v1::DirectLineRequest>> relying = txn.RelyingOn(consent_id);
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
    if (absl::Status s = Commit(txn, r, now, {kTopicRequestRestricted, e}); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ReferralsService::AnnounceOverdue(ReferralsTransaction& txn, absl::Time now) {
  absl::StatusOr<std::vector<v1::DirectLineRequest>> overdue = txn.OverdueAt(now);
  if (!overdue.ok()) return overdue.status();
  for (v1::DirectLineRequest& r : *overdue) {
    r.set_overdue(true);
    auto e = std::make_shared<v1::RequestOverdue>();
    e->set_request_id(r.id());
    *e->mutable_expert() = r.expert();
    *e->mutable_first_response_due() = r.first_response_due();
    if (absl::Status s = Commit(txn, r, now, {kTopicRequestOverdue, e}); !s.ok()) return s;
  }
  return static_cast<int>(overdue->size());
}

absl::StatusOr<int> ReferralsService::LapseUnconsented(ReferralsTransaction& txn, absl::Time now) {
  absl::StatusOr<std::vector<v1::DirectLineRequest>> lapsed =
      txn.AwaitingConsentSince(now - absl::Hours(24) * settings_.consent_wait_days);
  if (!lapsed.ok()) return lapsed.status();
  for (v1::DirectLineRequest& r : *lapsed) {
    r.set_status(v1::REQUEST_STATUS_LAPSED);
    auto e = std::make_shared<v1::RequestLapsed>();
    e->set_request_id(r.id());
    *e->mutable_child() = r.child();
    if (absl::Status s = Commit(txn, r, now, {kTopicRequestLapsed, e}); !s.ok()) return s;
  }
  return static_cast<int>(lapsed->size());
}

absl::StatusOr<int> ReferralsService::RunDueJobs() {
  const absl::Time now = clock_.Now();
  int changed = 0;
  absl::Status s = store_.RunTransaction([&](ReferralsTransaction& txn) -> absl::Status {
    absl::StatusOr<int> overdue = AnnounceOverdue(txn, now);
    if (!overdue.ok()) return overdue.status();
    absl::StatusOr<int> lapsed = LapseUnconsented(txn, now);
    if (!lapsed.ok()) return lapsed.status();
    changed = *overdue + *lapsed;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return changed;
}

absl::StatusOr<v1::GetStatisticsResponse> ReferralsService::Statistics(
    const v1::GetStatisticsRequest& call) {
  if (absl::Status s = ValidateStatistics(call); !s.ok()) return s;
  absl::StatusOr<std::vector<v1::DirectLineRequest>> requests = store_.CreatedBetween(
      FromTimestamp(call.start()), FromTimestamp(call.end()), call.location_id());
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
      hours.push_back(absl::ToDoubleHours(FromTimestamp(r.first_response_time()) -
                                          FromTimestamp(r.create_time())));
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

absl::StatusOr<v1::DirectLineRequest> ReferralsService::Get(const v1::GetRequestRequest& call) {
  if (absl::Status s = ValidateGet(call); !s.ok()) return s;
  return store_.Get(call.id());
}

absl::StatusOr<v1::GetChildIdentityResponse> ReferralsService::ChildIdentity(
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

absl::StatusOr<v1::ListRequestsResponse> ReferralsService::List(
    const v1::ListRequestsRequest& call) {
  absl::StatusOr<ListCursor> after = absl::NotFoundError("first page");
  if (!call.page_token().empty()) after = DecodePageToken(call);
  const bool first_page = call.page_token().empty();
  if (absl::Status s = ValidateList(call, first_page ? absl::OkStatus() : after.status());
      !s.ok()) {
    return s;
  }
  ListQuery q;
  q.location_id = call.location_id();
  q.status = call.status();
  q.limit = call.page_size() == 0 ? settings_.default_page_size
                                  : std::min(call.page_size(), settings_.max_page_size);
  if (!first_page) q.after = *after;
  absl::StatusOr<ListResult> result = store_.List(q);
  if (!result.ok()) return result.status();
  v1::ListRequestsResponse response;
  for (auto& r : result->requests) *response.add_requests() = std::move(r);
  if (result->next.has_value()) {
    response.set_next_page_token(EncodePageToken(call, *result->next));
  }
  return response;
}

std::string EncodePageToken(const v1::ListRequestsRequest& filters, const ListCursor& cursor) {
  return records::EncodePageToken(PageFilters(filters), cursor);
}

absl::StatusOr<ListCursor> DecodePageToken(const v1::ListRequestsRequest& filters) {
  return records::DecodePageToken(filters.page_token(), PageFilters(filters),
                                  "keep location_id and status the same");
}

}  // namespace olif::referrals
