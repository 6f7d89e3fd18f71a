#include "adapters/youthcare_fhir/outbound.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/youthcare_fhir/fhir_translator.h"
#include "services/common/bus/unpack.h"
#include "services/common/events/referrals_events.h"
#include "services/common/events/referrals_topics.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/logging/logging.h"

namespace olif::youthcare_fhir {
namespace {

namespace rv1 = olifantenpad::referrals::v1;
namespace cv1 = olifantenpad::consent::v1;
namespace sv1 = olifantenpad::scheduling::v1;
using olifantenpad::common::v1::EventEnvelope;

using bus::Unpack;

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  const auto s = google::protobuf::util::MessageToJsonString(m, &out, options);
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("cannot print the event: ", s.message().as_string()));
  }
  return out;
}

template <typename Event>
absl::StatusOr<Event> FromJson(const adapters::Delivery& d) {
  Event event;
  const auto s = google::protobuf::util::JsonStringToMessage(d.payload, &event);
  if (!s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("message ", d.id, " (", d.topic, ") is not a readable ",
                     Event::descriptor()->name(), ": ", s.message().as_string()));
  }
  return event;
}

absl::Status Queue(sqlite::Database& db, const std::string& key, const EventEnvelope& envelope,
                   const google::protobuf::Message& event, absl::Time now) {
  absl::StatusOr<std::string> json = ToJson(event);
  if (!json.ok()) return json.status();
  return adapters::DeliveryQueue::Enqueue(db, kDestination, key, envelope.event_id(),
                                          envelope.topic(), *json, now);
}

// A queued visit event as its bundle.
template <typename Event>
absl::StatusOr<std::string> VisitJson(const adapters::Delivery& d) {
  absl::StatusOr<Event> e = FromJson<Event>(d);
  if (!e.ok()) return e.status();
  return VisitBundle(*e).dump();
}

bool Names(const google::protobuf::RepeatedPtrField<std::string>& recipients,
           const std::string& organisation) {
  return std::find(recipients.begin(), recipients.end(), organisation) != recipients.end();
}

metrics::Counter& Events(metrics::Registry& m, const char* result) {
  return m.GetCounter("olif_adapter_events_total",
                      "Events an adapter received, and what it did with them",
                      {{"adapter", "youthcare_fhir"}, {"result", result}});
}

}  // namespace

ProviderRouter::ProviderRouter(std::string organisation_id, const Clock& clock,
                               metrics::Registry& metrics)
    : organisation_id_(std::move(organisation_id)),
      clock_(clock),
      received_(Events(metrics, "received")),
      queued_(Events(metrics, "queued")),
      not_ours_(Events(metrics, "not_ours")) {}

std::vector<std::string> RequestRouter::Topics() {
  return {referrals::kTopicRequestSubmitted, referrals::kTopicRequestRestricted,
          referrals::kTopicRequestUpdated};
}

absl::Status RequestRouter::Apply(sqlite::Database& db, const EventEnvelope& envelope) {
  received_.Inc();
  std::string organisation;
  std::string key;
  absl::Status queued;
  if (envelope.topic() == referrals::kTopicRequestSubmitted) {
    absl::StatusOr<rv1::RequestSubmitted> e = Unpack<rv1::RequestSubmitted>(envelope);
    if (!e.ok()) return e.status();
    if (e->expert().organisation_id() != organisation_id_) {
      not_ours_.Inc();
      return absl::OkStatus();
    }
    queued = Queue(db, e->request_id(), envelope, *e, clock_.Now());
  } else if (envelope.topic() == referrals::kTopicRequestRestricted) {
    absl::StatusOr<rv1::RequestRestricted> e = Unpack<rv1::RequestRestricted>(envelope);
    if (!e.ok()) return e.status();
    if (e->expert().organisation_id() != organisation_id_) {
      not_ours_.Inc();
      return absl::OkStatus();
    }
    queued = Queue(db, e->request_id(), envelope, *e, clock_.Now());
  } else if (envelope.topic() == referrals::kTopicRequestUpdated) {
    absl::StatusOr<rv1::RequestUpdated> e = Unpack<rv1::RequestUpdated>(envelope);
    if (!e.ok()) return e.status();
    // Of the updates a withdrawal by the requester and a reassignment concern
    // the provider; the others are its own answers coming back.
    if (e->transition() == rv1::TRANSITION_WITHDRAWN) {
      if (e->expert().organisation_id() != organisation_id_) {
        not_ours_.Inc();
        return absl::OkStatus();
      }
    } else if (e->transition() == rv1::TRANSITION_REASSIGNED) {
      // Awaiting consent it was never sent: it goes to the new expert when
      // released. Otherwise it concerns the organisation it leaves and the one
      // it comes to (the same, between colleagues).
      if (e->status() == rv1::REQUEST_STATUS_AWAITING_CONSENT ||
          (e->expert().organisation_id() != organisation_id_ &&
           e->previous_expert().organisation_id() != organisation_id_)) {
        not_ours_.Inc();
        return absl::OkStatus();
      }
    } else {
      return absl::OkStatus();
    }
    queued = Queue(db, e->request_id(), envelope, *e, clock_.Now());
  } else {
    return absl::OkStatus();
  }
  if (queued.ok()) queued_.Inc();
  return queued;
}

std::vector<std::string> VisitRouter::Topics() {
  return {scheduling::kTopicVisitPlanned, scheduling::kTopicVisitRescheduled,
          scheduling::kTopicVisitCancelled, scheduling::kTopicVisitNoShow,
          scheduling::kTopicVisitHeld};
}

namespace {

// The visit an event of VisitRouter::Topics() is about.
template <typename E>
absl::Status QueueVisit(sqlite::Database& db, const EventEnvelope& envelope,
                        const std::string& organisation_id, absl::Time now, bool* ours) {
  absl::StatusOr<E> e = Unpack<E>(envelope);
  if (!e.ok()) return e.status();
  *ours = e->visit().expert().organisation_id() == organisation_id;
  if (!*ours) return absl::OkStatus();
  return Queue(db, e->visit().visit_id(), envelope, *e, now);
}

}  // namespace

absl::Status VisitRouter::Apply(sqlite::Database& db, const EventEnvelope& envelope) {
  received_.Inc();
  const std::string& topic = envelope.topic();
  const absl::Time now = clock_.Now();
  bool ours = false;
  absl::Status queued;
  if (topic == scheduling::kTopicVisitPlanned) {
    queued = QueueVisit<sv1::VisitPlanned>(db, envelope, organisation_id_, now, &ours);
  } else if (topic == scheduling::kTopicVisitRescheduled) {
    queued = QueueVisit<sv1::VisitRescheduled>(db, envelope, organisation_id_, now, &ours);
  } else if (topic == scheduling::kTopicVisitCancelled) {
    queued = QueueVisit<sv1::VisitCancelled>(db, envelope, organisation_id_, now, &ours);
  } else if (topic == scheduling::kTopicVisitNoShow) {
    queued = QueueVisit<sv1::VisitNoShow>(db, envelope, organisation_id_, now, &ours);
  } else if (topic == scheduling::kTopicVisitHeld) {
    queued = QueueVisit<sv1::VisitHeld>(db, envelope, organisation_id_, now, &ours);
  }
  if (!queued.ok()) return queued;
  if (ours) {
    queued_.Inc();
  } else {
    not_ours_.Inc();
  }
  return absl::OkStatus();
}

ConsentRouter::ConsentRouter(std::string organisation_id, consent::ConsentProjection& projection,
                             const Clock& clock, metrics::Registry& metrics)
    : organisation_id_(std::move(organisation_id)),
      projection_(projection),
      clock_(clock),
      received_(Events(metrics, "received")),
      queued_(Events(metrics, "queued")),
      not_ours_(Events(metrics, "not_ours")) {}

absl::Status ConsentRouter::Apply(sqlite::Database& db, const EventEnvelope& envelope) {
  received_.Inc();
  if (absl::Status s = projection_.Apply(db, envelope); !s.ok()) return s;
  absl::Status queued = absl::OkStatus();
  bool ours = false;
  if (envelope.topic() == consent::kTopicGranted) {
    absl::StatusOr<cv1::ConsentGranted> e = Unpack<cv1::ConsentGranted>(envelope);
    if (!e.ok()) return e.status();
    ours = Names(e->recipient_organisation_ids(), organisation_id_);
    if (ours) queued = Queue(db, e->consent_id(), envelope, *e, clock_.Now());
    if (ours && queued.ok() &&
        std::find(e->purposes().begin(), e->purposes().end(), cv1::PURPOSE_DIRECT_LINE) !=
            e->purposes().end()) {
      queued = ResumeHeld(db, *e);
    }
  } else if (envelope.topic() == consent::kTopicWithdrawn) {
    absl::StatusOr<cv1::ConsentWithdrawn> e = Unpack<cv1::ConsentWithdrawn>(envelope);
    if (!e.ok()) return e.status();
    ours = Names(e->recipient_organisation_ids(), organisation_id_);
    if (ours) queued = Queue(db, e->consent_id(), envelope, *e, clock_.Now());
  } else if (envelope.topic() == consent::kTopicExpired) {
    absl::StatusOr<cv1::ConsentExpired> e = Unpack<cv1::ConsentExpired>(envelope);
    if (!e.ok()) return e.status();
    // An expiry names no recipients: it is ours when the grant was sent here.
    absl::StatusOr<bool> found = adapters::DeliveryQueue::HasKey(db, kDestination, e->consent_id());
    if (!found.ok()) return found.status();
    ours = *found;
    if (ours) queued = Queue(db, e->consent_id(), envelope, *e, clock_.Now());
  }
  if (!ours) {
    not_ours_.Inc();
  } else if (queued.ok()) {
    queued_.Inc();
  }
  return queued;
}

absl::Status ConsentRouter::ResumeHeld(sqlite::Database& db, const cv1::ConsentGranted& e) {
  // The child's requests held back for want of this consent (dead letters
  // after their attempts) go again, in their order, with nobody to ask.
  absl::StatusOr<int64_t> resumed = adapters::DeliveryQueue::RetryMatching(
      db, kDestination,
      {.topic = referrals::kTopicRequestSubmitted,
       .error_prefix = "held:",
       .json_path = "$.child.child_ref",
       .value = e.child().child_ref()},
      "youthcare_fhir adapter", absl::StrCat("consent ", e.consent_id(), " for the child arrived"),
      clock_.Now());
  if (!resumed.ok()) return resumed.status();
  if (*resumed > 0) {
    log::Info("held requests resumed by a consent",
              {{"consent_id", e.consent_id()}, {"requests", absl::StrCat(*resumed)}});
  }
  return absl::OkStatus();
}

FhirOutgoing::FhirOutgoing(std::string organisation_id, consent::ConsentProjection& projection,
                           Referrals& referrals, const Clock& clock)
    : organisation_id_(std::move(organisation_id)),
      projection_(projection),
      referrals_(referrals),
      clock_(clock) {}

absl::StatusOr<FhirJson> FhirOutgoing::Reassigned(const rv1::RequestUpdated& e) {
  // Between colleagues the provider has it: only the expert changes. (A
  // named child's request never changes organisation: its consent names the
  // recipient.)
  if (e.previous_expert().organisation_id() == organisation_id_ || e.has_child()) {
    return ReassignedBundle(e, nullptr);
  }
  // From another organisation: the whole request, as it stands now.
  absl::StatusOr<rv1::DirectLineRequest> request = referrals_.Get(e.request_id());
  if (absl::IsUnavailable(request.status()) || absl::IsDeadlineExceeded(request.status())) {
    return absl::UnavailableError(absl::StrCat("cannot ask the referrals service for request ",
                                               e.request_id(), ": ", request.status().message()));
  }
  if (!request.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the referrals service does not give request ", e.request_id(), ": ",
                     request.status().message()));
  }
  absl::StatusOr<FhirJson> moved_in =
      SubmittedBundle(referrals::SubmittedEvent(*request, request->create_time()), nullptr);
  if (!moved_in.ok()) return moved_in.status();
  return ReassignedBundle(e, &*moved_in);
}

absl::StatusOr<std::string> FhirOutgoing::ToExternal(const adapters::Delivery& d) {
  if (d.topic == referrals::kTopicRequestSubmitted) {
    absl::StatusOr<rv1::RequestSubmitted> e = FromJson<rv1::RequestSubmitted>(d);
    if (!e.ok()) return e.status();
    if (e->kind() != rv1::REQUEST_KIND_CHILD) {
      absl::StatusOr<FhirJson> bundle = SubmittedBundle(*e, nullptr);
      if (!bundle.ok()) return bundle.status();
      return bundle->dump();
    }
    // Defence in depth: the adapter's own projection must permit it too.
    absl::StatusOr<cv1::Decision> decision = projection_.Permits(
        e->child().child_ref(), cv1::PURPOSE_DIRECT_LINE, organisation_id_, clock_.Now());
    if (!decision.ok()) {
      return absl::UnavailableError(
          absl::StrCat("held: cannot read the consent projection: ", decision.status().message()));
    }
    if (!decision->permitted()) {
      return absl::FailedPreconditionError(
          absl::StrCat("held: no consent known here for child ", e->child().child_ref(), " to ",
                       organisation_id_, " (", decision->reason(), ")"));
    }
    absl::StatusOr<rv1::ChildIdentity> identity = referrals_.ChildIdentity(e->request_id());
    if (absl::IsUnavailable(identity.status()) || absl::IsDeadlineExceeded(identity.status())) {
      return absl::UnavailableError(
          absl::StrCat("held: cannot ask the referrals service for the child's identity: ",
                       identity.status().message()));
    }
    if (!identity.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("held: the referrals service does not release the child's identity: ",
                       identity.status().message()));
    }
    absl::StatusOr<FhirJson> bundle = SubmittedBundle(*e, &*identity);
    if (!bundle.ok()) return bundle.status();
    return bundle->dump();
  }
  if (d.topic == referrals::kTopicRequestRestricted) {
    absl::StatusOr<rv1::RequestRestricted> e = FromJson<rv1::RequestRestricted>(d);
    if (!e.ok()) return e.status();
    return RestrictedBundle(*e).dump();
  }
  if (d.topic == referrals::kTopicRequestUpdated) {
    absl::StatusOr<rv1::RequestUpdated> e = FromJson<rv1::RequestUpdated>(d);
    if (!e.ok()) return e.status();
    absl::StatusOr<FhirJson> bundle =
        e->transition() != rv1::TRANSITION_REASSIGNED       ? WithdrawnBundle(*e)
        : e->expert().organisation_id() != organisation_id_ ? ReassignedAwayBundle(*e)
                                                            : Reassigned(*e);
    if (!bundle.ok()) return bundle.status();
    return bundle->dump();
  }
  if (d.topic == scheduling::kTopicVisitPlanned) return VisitJson<sv1::VisitPlanned>(d);
  if (d.topic == scheduling::kTopicVisitRescheduled) return VisitJson<sv1::VisitRescheduled>(d);
  if (d.topic == scheduling::kTopicVisitCancelled) return VisitJson<sv1::VisitCancelled>(d);
  if (d.topic == scheduling::kTopicVisitNoShow) return VisitJson<sv1::VisitNoShow>(d);
  if (d.topic == scheduling::kTopicVisitHeld) return VisitJson<sv1::VisitHeld>(d);
  if (d.topic == consent::kTopicGranted) {
    absl::StatusOr<cv1::ConsentGranted> e = FromJson<cv1::ConsentGranted>(d);
    if (!e.ok()) return e.status();
    return ConsentBundle(*e).dump();
  }
  if (d.topic == consent::kTopicWithdrawn) {
    absl::StatusOr<cv1::ConsentWithdrawn> e = FromJson<cv1::ConsentWithdrawn>(d);
    if (!e.ok()) return e.status();
    return ConsentBundle(*e).dump();
  }
  if (d.topic == consent::kTopicExpired) {
    absl::StatusOr<cv1::ConsentExpired> e = FromJson<cv1::ConsentExpired>(d);
    if (!e.ok()) return e.status();
    return ConsentBundle(*e).dump();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("message ", d.id, " has topic ", d.topic, ", which this adapter does not send"));
}

}  // namespace olif::youthcare_fhir
