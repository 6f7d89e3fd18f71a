#include "services/handover/handover_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "olifantenpad/consent/v1/events.pb.h"
#include "olifantenpad/handover/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"
#include "services/common/bus/unpack.h"
#include "services/common/clock/timestamp.h"
#include "services/common/config/config_loader.h"
#include "services/common/consent/projection.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/ids/ids.h"
#include "services/common/logging/logging.h"
#include "services/common/status/status.h"
#include "services/handover/form_content.h"
#include "services/handover/form_sections.h"
#include "services/handover/handover_document.h"
#include "services/handover/handover_pdf.h"
#include "services/handover/handover_validation.h"

namespace olif::handover {
namespace {

namespace cfg = olifantenpad::config::v1;
namespace sv1 = olifantenpad::scheduling::v1;
namespace consent_v1 = olifantenpad::consent::v1;

v1::HandoverRef Ref(const v1::HandoverForm& f) {
  v1::HandoverRef r;
  r.set_handover_id(f.id());
  r.mutable_child()->set_child_ref(f.child().child_ref());
  r.set_location_id(f.sender().location_id());
  r.set_organisation_id(f.sender().organisation_id());
  r.mutable_school()->set_brin(f.receiver().brin());
  r.mutable_school()->set_vestiging(f.receiver().vestiging());
  r.set_school_organisation_id(f.receiver().school_organisation_id());
  r.set_version(f.version());
  r.set_revision(f.revision());
  return r;
}

Event Changed(const v1::HandoverForm& f, v1::HandoverTransition t) {
  auto e = std::make_shared<v1::HandoverChanged>();
  *e->mutable_handover() = Ref(f);
  e->set_transition(t);
  return {kTopicHandoverChanged, std::move(e)};
}

absl::Status StateConflict(const v1::HandoverForm& f, const std::string& wanted) {
  return Conflict(
      "HANDOVER_STATE", absl::StrCat("handovers/", f.id()),
      absl::StrCat("handover ", f.id(), " is ", v1::HandoverStatus_Name(f.status()), "; ", wanted));
}

absl::Status PurgedConflict(const v1::HandoverForm& f) {
  return Conflict("PURGED", absl::StrCat("handovers/", f.id()),
                  absl::StrCat("handover ", f.id(),
                               " was purged after the school's receipt (retention); only what "
                               "went to whom and when is kept"));
}

absl::Status NoConsent(const v1::HandoverForm& f, const consent_v1::Decision& d) {
  return Conflict("NO_CONSENT", absl::StrCat("children/", f.child().child_ref()),
                  absl::StrCat("no active school_handover consent for ",
                               f.receiver().school_organisation_id(), ": ", d.reason()));
}

bool IsSent(v1::HandoverStatus s) {
  return s == v1::HANDOVER_STATUS_SENT || s == v1::HANDOVER_STATUS_ACKNOWLEDGED ||
         s == v1::HANDOVER_STATUS_AMENDED;
}

bool IsFinal(v1::HandoverStatus s) {
  return s == v1::HANDOVER_STATUS_WITHDRAWN || s == v1::HANDOVER_STATUS_LAPSED;
}

// The fields the retention purge keeps: what went to whom and when.
v1::HandoverForm Minimal(const v1::HandoverForm& f) {
  v1::HandoverForm m;
  m.set_id(f.id());
  m.set_version(f.version());
  m.set_status(f.status());
  m.set_revision(f.revision());
  m.set_request_id(f.request_id());
  m.mutable_child()->set_child_ref(f.child().child_ref());
  *m.mutable_sender() = f.sender();
  *m.mutable_receiver() = f.receiver();
  m.set_consent_id(f.consent_id());
  m.mutable_warm_handover()->set_required(f.warm_handover().required());
  *m.mutable_warm_handover()->mutable_reasons() = f.warm_handover().reasons();
  if (f.warm_handover().has_meeting()) {
    *m.mutable_warm_handover()->mutable_meeting() = f.warm_handover().meeting();
  }
  *m.mutable_receipt() = f.receipt();
  if (f.has_withdrawal()) *m.mutable_withdrawal() = f.withdrawal();
  *m.mutable_amended_paths() = f.amended_paths();
  for (auto [has, from, to] :
       {std::tuple{f.has_create_time(), &f.create_time(), m.mutable_create_time()},
        std::tuple{f.has_update_time(), &f.update_time(), m.mutable_update_time()},
        std::tuple{f.has_finalise_time(), &f.finalise_time(), m.mutable_finalise_time()},
        std::tuple{f.has_send_time(), &f.send_time(), m.mutable_send_time()}}) {
    if (has) *to = *from;
  }
  m.set_trace_id(f.trace_id());
  return m;
}

Events WithdrawForm(v1::HandoverForm& f, v1::WithdrawalReason reason, const std::string& by,
                    const std::string& note, absl::Time now) {
  const bool school_had_it = IsSent(f.status());
  f.set_status(v1::HANDOVER_STATUS_WITHDRAWN);
  v1::Withdrawal& w = *f.mutable_withdrawal();
  w.set_reason(reason);
  w.set_by(by);
  w.set_note(note);
  *w.mutable_at() = ToTimestamp(now);
  w.set_school_told_to_delete(school_had_it);
  auto e = std::make_shared<v1::HandoverWithdrawn>();
  *e->mutable_handover() = Ref(f);
  e->set_school_must_delete(school_had_it);
  e->set_reason(reason == v1::WITHDRAWAL_REASON_CONSENT_WITHDRAWN ? "consent_withdrawn"
                                                                  : "by_location");
  return Events{{kTopicHandoverWithdrawn, std::move(e)}};
}

// The warm-handover request for scheduling, once, when the form needs one.
std::optional<Event> RequestWarmHandover(v1::HandoverForm& f, absl::Time now) {
  if (!f.warm_handover().required() || f.warm_handover().has_requested_at()) return std::nullopt;
  *f.mutable_warm_handover()->mutable_requested_at() = ToTimestamp(now);
  auto warm = std::make_shared<v1::WarmHandoverRequested>();
  warm->set_handover_id(f.id());
  warm->mutable_child()->set_child_ref(f.child().child_ref());
  warm->set_location_id(f.sender().location_id());
  warm->set_group_id(f.attendance().group_id());
  warm->mutable_school()->set_brin(f.receiver().brin());
  warm->mutable_school()->set_vestiging(f.receiver().vestiging());
  warm->set_expected_start_date(f.receiver().expected_start_date());
  *warm->mutable_reasons() = f.warm_handover().reasons();
  *warm->mutable_requested_at() = ToTimestamp(now);
  return Event{kTopicWarmHandoverRequested, std::move(warm)};
}

}  // namespace

Settings SettingsFromConfig(const cfg::HandoverConfig& config) {
  Settings s;
  const cfg::HandoverSettings& c = config.handover();
  if (!c.time_zone().empty()) s.time_zone = c.time_zone();
  if (c.has_consent_wait()) s.consent_wait = config::ToDuration(c.consent_wait());
  if (c.has_retention_grace()) s.retention_grace = config::ToDuration(c.retention_grace());
  if (c.has_job_interval()) s.job_interval = config::ToDuration(c.job_interval());
  if (c.import_in_flight() > 0) s.import_in_flight = c.import_in_flight();
  if (c.import_max_forms() > 0) s.import_max_forms = c.import_max_forms();
  return s;
}

HandoverService::HandoverService(HandoverStore& store, const Clock& clock,
                                 const directory::DirectoryHolder& directory, CodeLists code_lists,
                                 Settings settings)
    : store_(store),
      clock_(clock),
      directory_(directory),
      code_lists_(std::move(code_lists)),
      settings_(std::move(settings)) {
  if (!absl::LoadTimeZone(settings_.time_zone, &zone_)) zone_ = absl::UTCTimeZone();
}

// --- building a form --------------------------------------------------------

void HandoverService::Derive(v1::HandoverForm& f) const {
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (const cfg::Location* l = dir->FindLocation(f.sender().location_id())) {
    f.mutable_sender()->set_organisation_id(l->organisation_id());
  }
  if (const cfg::Organisation* s = dir->FindSchool(f.receiver().brin(), f.receiver().vestiging())) {
    f.mutable_receiver()->set_school_organisation_id(s->id());
  }
  v1::WarmHandover& w = *f.mutable_warm_handover();
  w.clear_reasons();
  if (f.ve().indicated()) w.add_reasons(v1::WARM_HANDOVER_REASON_VE_INDICATED);
  if (f.concerns()) w.add_reasons(v1::WARM_HANDOVER_REASON_CONCERNS);
  w.set_required(w.reasons_size() > 0);
}

NewHandover HandoverService::Draft(const v1::HandoverForm& content, const std::string& request_id,
                                   const std::string& trace_id, const char* action) const {
  const absl::Time now = clock_.Now();
  NewHandover n;
  n.form = ContentOf(content);
  n.content = ContentFingerprintOf(content);
  v1::HandoverForm& f = n.form;
  f.set_id(NewTimeOrderedUuid());
  f.set_version(1);
  f.set_status(v1::HANDOVER_STATUS_DRAFT);
  f.set_request_id(request_id);
  *f.mutable_create_time() = ToTimestamp(now);
  *f.mutable_update_time() = ToTimestamp(now);
  f.set_trace_id(trace_id);
  Derive(f);
  n.events.push_back(Changed(f, v1::HANDOVER_TRANSITION_DRAFT_CREATED));
  n.audit = {now,     f.sender().author_id(), action, f.id(), f.child().child_ref(), "OK", "",
             trace_id};
  return n;
}

FormContext HandoverService::Context(const directory::Directory& dir) const {
  return {dir, code_lists_};
}

void HandoverService::CreateDraft(const v1::CreateDraftRequest& call, const std::string& trace_id,
                                  Done done) {
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (absl::Status s = ValidateCreateDraft(call, Context(*dir)); !s.ok()) return done(s);
  store_.Create(Draft(call.form(), call.request_id(), trace_id, "create"),
                [done = std::move(done)](absl::StatusOr<CreateOutcome> r) {
                  if (!r.ok()) return done(r.status());
                  done(std::move(r->form));
                });
}

void HandoverService::ImportForm(const v1::ImportFormsRequest& call, int index,
                                 const std::string& trace_id, ImportDone done) {
  v1::ImportResult result;
  result.set_index(index);
  result.set_request_id(call.request_id());
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (absl::Status s = ValidateImportForm(call, Context(*dir)); !s.ok()) {
    result.set_outcome(v1::IMPORT_OUTCOME_INVALID);
    google::rpc::BadRequest bad;
    GetBadRequest(s, &bad);
    *result.mutable_violations() = bad.field_violations();
    return done(std::move(result));
  }
  store_.Create(Draft(call.form(), call.request_id(), trace_id, "import"),
                [result, done = std::move(done)](absl::StatusOr<CreateOutcome> r) mutable {
                  if (!r.ok()) {
                    result.set_outcome(v1::IMPORT_OUTCOME_FAILED);
                    result.set_message(audit::Outcome(r.status()));
                  } else {
                    result.set_outcome(r->created ? v1::IMPORT_OUTCOME_CREATED
                                                  : v1::IMPORT_OUTCOME_ALREADY_IMPORTED);
                    result.set_handover_id(r->form.id());
                  }
                  done(std::move(result));
                });
}

// --- the state machine ------------------------------------------------------

void HandoverService::Transition(const std::string& id, int64_t version,
                                 const std::string& trace_id, const std::string& actor,
                                 const char* action, Change change, Done done) {
  const absl::Time now = clock_.Now();
  AuditEntry audit{now, actor, action, id, "", "OK", "", trace_id};
  store_.Update(
      id, version, now, trace_id, std::move(audit),
      [now, change = std::move(change)](HandoverTransaction& txn, v1::HandoverForm& f) {
        return change(txn, f, now);
      },
      std::move(done));
}

Events HandoverService::Send(v1::HandoverForm& f, const std::string& consent_id,
                             absl::Time now) const {
  f.set_status(v1::HANDOVER_STATUS_SENT);
  f.set_revision(1);
  f.set_consent_id(consent_id);
  *f.mutable_send_time() = ToTimestamp(now);
  Events events;
  auto ready = std::make_shared<v1::HandoverReadyForSchool>();
  *ready->mutable_handover() = Ref(f);
  ready->set_consent_id(consent_id);
  ready->set_expected_start_date(f.receiver().expected_start_date());
  ready->set_warm(f.warm_handover().required());
  events.push_back({kTopicHandoverReadyForSchool, std::move(ready)});
  if (std::optional<Event> warm = RequestWarmHandover(f, now)) events.push_back(std::move(*warm));
  return events;
}

void HandoverService::UpdateDraft(const v1::UpdateDraftRequest& call, const std::string& trace_id,
                                  Done done) {
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (absl::Status s = ValidateUpdateDraft(call, Context(*dir)); !s.ok()) return done(s);
  Transition(
      call.handover_id(), call.version(), trace_id, call.form().sender().author_id(), "update",
      [this, content = call.form()](HandoverTransaction&, v1::HandoverForm& f,
                                    absl::Time) -> absl::StatusOr<Events> {
        if (f.status() != v1::HANDOVER_STATUS_DRAFT &&
            f.status() != v1::HANDOVER_STATUS_PARENT_REVIEW) {
          return StateConflict(f,
                               "only a draft or a form in the parents' review can be updated "
                               "(a sent form is amended)");
        }
        const bool changed = ContentFingerprintOf(f) != ContentFingerprintOf(content);
        ApplyContent(content, f);
        Derive(f);
        if (changed && f.parent_view().has_seen_at()) {
          // The parents must see what goes: their view was of another form.
          f.clear_parent_view();
          f.set_status(v1::HANDOVER_STATUS_PARENT_REVIEW);
          return Events{Changed(f, v1::HANDOVER_TRANSITION_RETURNED_TO_REVIEW)};
        }
        return Events{Changed(f, v1::HANDOVER_TRANSITION_DRAFT_UPDATED)};
      },
      std::move(done));
}

void HandoverService::SubmitForParentReview(const v1::SubmitForParentReviewRequest& call,
                                            const std::string& trace_id, Done done) {
  if (absl::Status s = ValidateIdAndVersion(call.handover_id(), call.version(), call.by());
      !s.ok()) {
    return done(s);
  }
  Transition(
      call.handover_id(), call.version(), trace_id, call.by(), "submit-for-review",
      [](HandoverTransaction&, v1::HandoverForm& f, absl::Time) -> absl::StatusOr<Events> {
        if (f.status() != v1::HANDOVER_STATUS_DRAFT) {
          return StateConflict(f, "only a draft is put before the parents");
        }
        f.set_status(v1::HANDOVER_STATUS_PARENT_REVIEW);
        return Events{Changed(f, v1::HANDOVER_TRANSITION_SUBMITTED_FOR_REVIEW)};
      },
      std::move(done));
}

void HandoverService::RecordParentView(const v1::RecordParentViewRequest& call,
                                       const std::string& trace_id, Done done) {
  if (absl::Status s = ValidateRecordParentView(call); !s.ok()) return done(s);
  Transition(
      call.handover_id(), call.version(), trace_id, call.by(), "parent-view",
      [view = call.view()](HandoverTransaction&, v1::HandoverForm& f,
                           absl::Time now) -> absl::StatusOr<Events> {
        if (f.status() != v1::HANDOVER_STATUS_PARENT_REVIEW) {
          return StateConflict(f, "the parents' view is recorded while the form is before them");
        }
        *f.mutable_parent_view() = view;
        if (!view.has_seen_at() || FromTimestamp(view.seen_at()) > now) {
          *f.mutable_parent_view()->mutable_seen_at() = ToTimestamp(now);
        }
        return Events{Changed(f, v1::HANDOVER_TRANSITION_PARENT_VIEW_RECORDED)};
      },
      std::move(done));
}

void HandoverService::Finalise(const v1::FinaliseRequest& call, const std::string& trace_id,
                               Done done) {
  if (absl::Status s = ValidateIdAndVersion(call.handover_id(), call.version(), call.by());
      !s.ok()) {
    return done(s);
  }
  Transition(
      call.handover_id(), call.version(), trace_id, call.by(), "finalise",
      [this](HandoverTransaction& txn, v1::HandoverForm& f,
             absl::Time now) -> absl::StatusOr<Events> {
        if (f.status() != v1::HANDOVER_STATUS_PARENT_REVIEW || !f.parent_view().has_seen_at()) {
          return StateConflict(f,
                               "a form is finalised once the parents have read this version "
                               "(RecordParentView)");
        }
        *f.mutable_finalise_time() = ToTimestamp(now);
        absl::StatusOr<consent_v1::Decision> d = txn.PermitsSchoolHandover(
            f.child().child_ref(), f.receiver().school_organisation_id(), now);
        if (!d.ok()) return d.status();
        auto finalised = std::make_shared<v1::HandoverFinalised>();
        if (!d->permitted()) {
          f.set_status(v1::HANDOVER_STATUS_AWAITING_CONSENT);
          *finalised->mutable_handover() = Ref(f);
          finalised->set_awaiting_consent(true);
          return Events{{kTopicHandoverFinalised, std::move(finalised)}};
        }
        Events sent = Send(f, d->consent_id(), now);
        *finalised->mutable_handover() = Ref(f);
        sent.insert(sent.begin(), {kTopicHandoverFinalised, std::move(finalised)});
        return sent;
      },
      std::move(done));
}

void HandoverService::AcknowledgeReceipt(const v1::AcknowledgeReceiptRequest& call,
                                         const std::string& trace_id, Done done) {
  if (absl::Status s = ValidateAcknowledgeReceipt(call); !s.ok()) return done(s);
  // A receipt repeated by the school (a retried webhook, a second click)
  // answers with the form as it is.
  absl::StatusOr<v1::HandoverForm> current = store_.Get(call.handover_id());
  if (current.ok() && current->status() == v1::HANDOVER_STATUS_ACKNOWLEDGED &&
      current->receipt().revision() == call.revision() &&
      current->receiver().brin() == call.school().brin() &&
      current->receiver().vestiging() == call.school().vestiging()) {
    return done(std::move(*current));
  }
  Transition(
      call.handover_id(), kAnyVersion, trace_id, call.received_by(), "acknowledge",
      [call](HandoverTransaction&, v1::HandoverForm& f, absl::Time now) -> absl::StatusOr<Events> {
        if (f.receiver().brin() != call.school().brin() ||
            f.receiver().vestiging() != call.school().vestiging()) {
          return InvalidField(
              "school", absl::StrCat("handover ", f.id(), " was not sent to ", call.school().brin(),
                                     " ", call.school().vestiging()));
        }
        if (f.status() != v1::HANDOVER_STATUS_SENT && f.status() != v1::HANDOVER_STATUS_AMENDED) {
          return StateConflict(f, "only a form sent to the school can be acknowledged");
        }
        if (call.revision() != f.revision()) {
          return Conflict("STALE_REVISION", absl::StrCat("handovers/", f.id()),
                          absl::StrCat("revision ", f.revision(), " of handover ", f.id(),
                                       " was sent; the school acknowledged ", call.revision()));
        }
        f.set_status(v1::HANDOVER_STATUS_ACKNOWLEDGED);
        f.mutable_receipt()->set_received_by(call.received_by());
        f.mutable_receipt()->set_revision(call.revision());
        *f.mutable_receipt()->mutable_received_at() = ToTimestamp(now);
        auto e = std::make_shared<v1::HandoverAcknowledged>();
        *e->mutable_handover() = Ref(f);
        *e->mutable_received_at() = ToTimestamp(now);
        return Events{{kTopicHandoverAcknowledged, std::move(e)}};
      },
      std::move(done));
}

void HandoverService::Amend(const v1::AmendRequest& call, const std::string& trace_id, Done done) {
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  if (absl::Status s = ValidateAmend(call, Context(*dir)); !s.ok()) return done(s);
  Transition(
      call.handover_id(), call.version(), trace_id, call.form().sender().author_id(), "amend",
      [this, content = call.form(), reason = call.reason()](
          HandoverTransaction& txn, v1::HandoverForm& f, absl::Time now) -> absl::StatusOr<Events> {
        if (f.has_purge_time()) return PurgedConflict(f);
        if (!IsSent(f.status())) {
          return StateConflict(f, "only a form sent to the school is amended (a draft is updated)");
        }
        if (content.receiver().brin() != f.receiver().brin() ||
            content.receiver().vestiging() != f.receiver().vestiging() ||
            content.child().child_ref() != f.child().child_ref()) {
          return InvalidField("form.receiver",
                              "the child and the school cannot change after sending: withdraw "
                              "this form and start a new one");
        }
        std::vector<std::string> paths = ChangedPaths(f, content);
        if (paths.empty()) return InvalidField("form", "is the same as the form sent");
        absl::StatusOr<consent_v1::Decision> d = txn.PermitsSchoolHandover(
            f.child().child_ref(), f.receiver().school_organisation_id(), now);
        if (!d.ok()) return d.status();
        if (!d->permitted()) return NoConsent(f, *d);
        ApplyContent(content, f);
        Derive(f);
        f.set_status(v1::HANDOVER_STATUS_AMENDED);
        f.set_revision(f.revision() + 1);
        f.set_consent_id(d->consent_id());
        *f.mutable_amended_paths() = {paths.begin(), paths.end()};
        f.set_amendment_reason(reason);
        *f.mutable_send_time() = ToTimestamp(now);
        auto e = std::make_shared<v1::HandoverAmended>();
        *e->mutable_handover() = Ref(f);
        *e->mutable_changed_paths() = {paths.begin(), paths.end()};
        e->set_consent_id(d->consent_id());
        Events events{{kTopicHandoverAmended, std::move(e)}};
        // Concerns first flagged by the amendment: the warm handover is asked now.
        if (std::optional<Event> warm = RequestWarmHandover(f, now)) {
          events.push_back(std::move(*warm));
        }
        return events;
      },
      std::move(done));
}

void HandoverService::Withdraw(const v1::WithdrawHandoverRequest& call, const std::string& trace_id,
                               Done done) {
  if (absl::Status s = ValidateWithdraw(call); !s.ok()) return done(s);
  Transition(
      call.handover_id(), call.version(), trace_id, call.by(), "withdraw",
      [call](HandoverTransaction&, v1::HandoverForm& f, absl::Time now) -> absl::StatusOr<Events> {
        if (IsFinal(f.status())) return StateConflict(f, "it cannot be withdrawn");
        return WithdrawForm(f, v1::WITHDRAWAL_REASON_BY_LOCATION, call.by(), call.note(), now);
      },
      std::move(done));
}

// --- reads ------------------------------------------------------------------

template <typename T>
void HandoverService::AnswerAudited(const v1::AccessContext& access, const char* action,
                                    const std::string& id, const std::string& child_ref,
                                    const std::string& trace_id, absl::StatusOr<T> result,
                                    std::function<void(absl::StatusOr<T>)> done) {
  AuditEntry entry{
      clock_.Now(),    access.actor_id(), action, id, child_ref, audit::Outcome(result.status()),
      access.reason(), trace_id};
  auto shared = std::make_shared<absl::StatusOr<T>>(std::move(result));
  store_.Audit(std::move(entry), [shared, done = std::move(done)](absl::Status s) {
    // Nothing is disclosed that was not recorded.
    if (!s.ok()) return done(s);
    done(std::move(*shared));
  });
}

void HandoverService::Get(const v1::GetHandoverRequest& call, const std::string& trace_id,
                          Done done) {
  if (absl::Status s = ValidateRead(call.handover_id(), call.access()); !s.ok()) return done(s);
  absl::StatusOr<v1::HandoverForm> f = store_.Get(call.handover_id());
  const std::string child = f.ok() ? f->child().child_ref() : "";
  AnswerAudited(call.access(), "read", call.handover_id(), child, trace_id, std::move(f),
                std::move(done));
}

absl::StatusOr<v1::ListHandoversResponse> HandoverService::List(
    const v1::ListHandoversRequest& call) {
  if (absl::Status s = ValidateList(call); !s.ok()) return s;
  HandoverQuery q;
  q.location_id = call.location_id();
  if (call.has_school()) q.school_key = SchoolKey(call.school().brin(), call.school().vestiging());
  q.status = call.status();
  absl::StatusOr<std::vector<v1::HandoverForm>> forms = store_.List(q);
  if (!forms.ok()) return forms.status();
  v1::ListHandoversResponse out;
  for (const v1::HandoverForm& f : *forms) {
    v1::HandoverSummary& s = *out.add_handovers();
    s.set_handover_id(f.id());
    s.set_status(f.status());
    s.set_version(f.version());
    s.set_revision(f.revision());
    s.mutable_child()->set_child_ref(f.child().child_ref());
    s.set_location_id(f.sender().location_id());
    s.set_organisation_id(f.sender().organisation_id());
    s.mutable_school()->set_brin(f.receiver().brin());
    s.mutable_school()->set_vestiging(f.receiver().vestiging());
    s.set_school_organisation_id(f.receiver().school_organisation_id());
    s.set_expected_start_date(f.receiver().expected_start_date());
    s.set_warm(f.warm_handover().required());
    *s.mutable_update_time() = f.update_time();
  }
  return out;
}

absl::StatusOr<std::string> HandoverService::RenderPdfOf(const v1::HandoverForm& f) const {
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  const SectionContext context{*dir, code_lists_, zone_};
  std::string subtitle = absl::StrCat("Status: ", StatusName(f.status()));
  if (f.revision() > 0) absl::StrAppend(&subtitle, " · revisie ", f.revision());
  if (f.status() == v1::HANDOVER_STATUS_AMENDED && !f.amendment_reason().empty()) {
    absl::StrAppend(&subtitle, " · gewijzigd: ", f.amendment_reason(), " (",
                    absl::StrJoin(f.amended_paths(), ", "), ")");
  }
  return RenderPdf({ChildName(f.child()), subtitle}, SectionsOf(f, context));
}

// Why form `f` may not be shown in full; OK when it may.
absl::Status HandoverService::Readable(const v1::HandoverForm& f) const {
  if (f.has_purge_time()) return PurgedConflict(f);
  if (IsFinal(f.status())) return StateConflict(f, "its content is no longer shared");
  return absl::OkStatus();
}

absl::StatusOr<v1::GetHandoverPdfResponse> HandoverService::PdfOf(
    const absl::StatusOr<v1::HandoverForm>& f) const {
  if (!f.ok()) return f.status();
  if (absl::Status s = Readable(*f); !s.ok()) return s;
  absl::StatusOr<std::string> pdf = RenderPdfOf(*f);
  if (!pdf.ok()) return pdf.status();
  v1::GetHandoverPdfResponse r;
  r.set_pdf(std::move(*pdf));
  r.set_file_name(absl::StrCat("overdracht-", f->id(), "-r", f->revision(), ".pdf"));
  r.set_revision(f->revision());
  return r;
}

absl::StatusOr<v1::GetHandoverDocumentResponse> HandoverService::DocumentOf(
    const absl::StatusOr<v1::HandoverForm>& f, absl::Time now) const {
  if (!f.ok()) return f.status();
  if (absl::Status s = Readable(*f); !s.ok()) return s;
  if (!IsSent(f->status())) {
    return StateConflict(*f, "the document goes to the school only once the form is sent");
  }
  // The consent is read again: an expired one stops the disclosure too.
  absl::StatusOr<consent_v1::Decision> d = store_.PermitsSchoolHandover(
      f->child().child_ref(), f->receiver().school_organisation_id(), now);
  if (!d.ok()) return d.status();
  if (!d->permitted()) return NoConsent(*f, *d);
  absl::StatusOr<std::string> pdf = RenderPdfOf(*f);
  if (!pdf.ok()) return pdf.status();
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  const SectionContext context{*dir, code_lists_, zone_};
  v1::GetHandoverDocumentResponse r;
  r.set_bundle_json(DocumentJson(*f, SectionsOf(*f, context), *pdf, context, now));
  r.set_revision(f->revision());
  return r;
}

void HandoverService::Pdf(const v1::GetHandoverPdfRequest& call, const std::string& trace_id,
                          PdfDone done) {
  if (absl::Status s = ValidateRead(call.handover_id(), call.access()); !s.ok()) return done(s);
  const absl::StatusOr<v1::HandoverForm> f = store_.Get(call.handover_id());
  AnswerAudited(call.access(), "read-pdf", call.handover_id(), f.ok() ? f->child().child_ref() : "",
                trace_id, PdfOf(f), std::move(done));
}

void HandoverService::Document(const v1::GetHandoverDocumentRequest& call,
                               const std::string& trace_id, DocumentDone done) {
  if (absl::Status s = ValidateRead(call.handover_id(), call.access()); !s.ok()) return done(s);
  const absl::StatusOr<v1::HandoverForm> f = store_.Get(call.handover_id());
  AnswerAudited(call.access(), "disclose", call.handover_id(), f.ok() ? f->child().child_ref() : "",
                trace_id, DocumentOf(f, clock_.Now()), std::move(done));
}

// --- events from other services ---------------------------------------------

absl::Status HandoverService::Commit(HandoverTransaction& txn, v1::HandoverForm& f, absl::Time now,
                                     const std::function<Events(v1::HandoverForm&)>& change,
                                     const char* actor, const char* action) {
  // The change sees the form at its new version: its events say so.
  f.set_version(f.version() + 1);
  *f.mutable_update_time() = ToTimestamp(now);
  const Events events = change(f);
  if (absl::Status s = txn.Save(f, events, now); !s.ok()) return s;
  return txn.Audit({now, actor, action, f.id(), f.child().child_ref(), "OK", "", f.trace_id()});
}

absl::Status HandoverService::ApplyConsentEvent(
    HandoverTransaction& txn, const olifantenpad::common::v1::EventEnvelope& event) {
  if (absl::Status s = txn.ApplyConsentEvent(event); !s.ok()) return s;
  const absl::Time now = clock_.Now();
  if (event.topic() == consent::kTopicGranted) {
    absl::StatusOr<consent_v1::ConsentGranted> granted =
        bus::Unpack<consent_v1::ConsentGranted>(event);
    if (!granted.ok()) return absl::OkStatus();  // the projection refused it already
    absl::StatusOr<std::vector<v1::HandoverForm>> waiting =
        txn.AwaitingConsent(granted->child().child_ref());
    if (!waiting.ok()) return waiting.status();
    for (v1::HandoverForm& f : *waiting) {
      absl::StatusOr<consent_v1::Decision> d = txn.PermitsSchoolHandover(
          f.child().child_ref(), f.receiver().school_organisation_id(), now);
      if (!d.ok()) return d.status();
      if (!d->permitted()) continue;
      const std::string consent_id = d->consent_id();
      if (absl::Status s = Commit(
              txn, f, now, [&](v1::HandoverForm& g) { return Send(g, consent_id, now); }, "consent",
              "send");
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }
  if (event.topic() == consent::kTopicWithdrawn) {
    absl::StatusOr<consent_v1::ConsentWithdrawn> withdrawn =
        bus::Unpack<consent_v1::ConsentWithdrawn>(event);
    if (!withdrawn.ok()) return absl::OkStatus();
    absl::StatusOr<std::vector<v1::HandoverForm>> relying = txn.RelyingOn(withdrawn->consent_id());
    if (!relying.ok()) return relying.status();
    for (v1::HandoverForm& f : *relying) {
      if (absl::Status s = Commit(
              txn, f, now,
              [&](v1::HandoverForm& g) {
                return WithdrawForm(g, v1::WITHDRAWAL_REASON_CONSENT_WITHDRAWN, "consent",
                                    "the parents withdrew their consent", now);
              },
              "consent", "withdraw");
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status HandoverService::ApplySchedulingEvent(
    HandoverTransaction& txn, const olifantenpad::common::v1::EventEnvelope& event) {
  // Every scheduling event carries the visit as its first field.
  sv1::VisitPlanned carrier;
  if (!event.payload().UnpackTo(&carrier)) {
    sv1::MeetingProposed proposed;
    if (!event.payload().UnpackTo(&proposed)) return absl::OkStatus();
    *carrier.mutable_visit() = proposed.visit();
  }
  const sv1::VisitSummary& v = carrier.visit();
  if (v.handover_id().empty() || v.kind() != sv1::VISIT_KIND_WARM_HANDOVER_MEETING) {
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<v1::HandoverForm>> found = txn.Find(v.handover_id());
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::OkStatus();  // not a form of this hub's
  v1::HandoverForm& f = **found;
  v1::Meeting m;
  m.set_visit_id(v.visit_id());
  m.set_status(v.status());
  if (v.has_start()) *m.mutable_start() = v.start();
  if (v.has_end()) *m.mutable_end() = v.end();
  if (f.warm_handover().has_meeting() &&
      f.warm_handover().meeting().SerializeAsString() == m.SerializeAsString()) {
    return absl::OkStatus();  // shown already (a replayed event)
  }
  *f.mutable_warm_handover()->mutable_meeting() = std::move(m);
  return Commit(
      txn, f, clock_.Now(),
      [](v1::HandoverForm& g) {
        return Events{Changed(g, v1::HANDOVER_TRANSITION_MEETING_UPDATED)};
      },
      "scheduling", "meeting");
}

// --- the periodic job -------------------------------------------------------

absl::StatusOr<JobCounts> HandoverService::RunDueJobs() {
  const absl::Time now = clock_.Now();
  JobCounts counts;
  absl::Status s = store_.RunTransaction([&](HandoverTransaction& txn) -> absl::Status {
    counts = {};
    absl::StatusOr<std::vector<v1::HandoverForm>> lapsed =
        txn.AwaitingConsentSince(now - settings_.consent_wait);
    if (!lapsed.ok()) return lapsed.status();
    for (v1::HandoverForm& f : *lapsed) {
      if (absl::Status c = Commit(
              txn, f, now,
              [](v1::HandoverForm& g) {
                g.set_status(v1::HANDOVER_STATUS_LAPSED);
                return Events{Changed(g, v1::HANDOVER_TRANSITION_LAPSED)};
              },
              "retention", "lapse");
          !c.ok()) {
        return c;
      }
      ++counts.lapsed;
    }
    absl::StatusOr<std::vector<v1::HandoverForm>> due =
        txn.RetainedSince(now - settings_.retention_grace);
    if (!due.ok()) return due.status();
    for (const v1::HandoverForm& full : *due) {
      v1::HandoverForm f = Minimal(full);
      *f.mutable_purge_time() = ToTimestamp(now);
      if (absl::Status c = Commit(
              txn, f, now,
              [](v1::HandoverForm& g) {
                return Events{Changed(g, v1::HANDOVER_TRANSITION_PURGED)};
              },
              "retention", "purge");
          !c.ok()) {
        return c;
      }
      ++counts.purged;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return counts;
}

}  // namespace olif::handover
