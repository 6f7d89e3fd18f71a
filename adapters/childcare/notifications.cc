#include "adapters/childcare/notifications.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "adapters/childcare/childcare_store.h"
#include "adapters/runtime/delivery_queue.h"
#include "nlohmann/json.hpp"
#include "olifantenpad/handover/v1/events.pb.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"
#include "services/common/bus/unpack.h"
#include "services/common/clock/timestamp.h"
#include "services/common/events/handover_topics.h"
#include "services/common/events/referrals_topics.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/logging/logging.h"

namespace olif::childcare {
namespace {

namespace common = olifantenpad::common::v1;
namespace hv1 = olifantenpad::handover::v1;
namespace rv1 = olifantenpad::referrals::v1;
namespace sv1 = olifantenpad::scheduling::v1;
using nlohmann::json;

std::string Rfc3339(const google::protobuf::Timestamp& t) {
  return absl::FormatTime(absl::RFC3339_sec, FromTimestamp(t), absl::UTCTimeZone());
}

// The envelope of every notification.
json Base(const char* kind, const Chain& chain, const common::EventEnvelope& e) {
  return json{{"notification", kind},
              {"id", e.event_id()},
              {"chain", chain.id()},
              {"occurred_at", Rfc3339(e.occurred_at())}};
}

json Nullable(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// An enum value's name without its prefix, in lower case: OUTCOME_RESOLVED → resolved.
std::string NameOf(const std::string& full, const char* prefix) {
  std::string s = full.rfind(prefix, 0) == 0 ? full.substr(std::string(prefix).size()) : full;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

absl::Status Queue(sqlite::Database& db, const Chain& chain, const std::string& key,
                   const common::EventEnvelope& e, const json& payload, absl::Time now) {
  return adapters::DeliveryQueue::Enqueue(db, Destination(chain.id()), key, e.event_id(), e.topic(),
                                          payload.dump(), now);
}

}  // namespace

std::string Destination(const std::string& chain_id) { return "chain:" + chain_id; }

Notifier::Notifier(Source source, std::vector<std::shared_ptr<const Chain>> chains,
                   const Clock& clock, metrics::Registry& metrics)
    : source_(source), chains_(std::move(chains)), clock_(clock), metrics_(metrics) {}

std::vector<std::string> Notifier::Topics(Source source) {
  switch (source) {
    case Source::kReferrals:
      return {referrals::kTopicRequestSubmitted, referrals::kTopicRequestUpdated};
    case Source::kScheduling:
      return {scheduling::kTopicVisitPlanned, scheduling::kTopicMeetingProposed,
              scheduling::kTopicVisitRescheduled, scheduling::kTopicVisitCancelled};
    case Source::kHandover:
      break;
  }
  return {handover::kTopicHandoverAcknowledged};
}

const Chain* Notifier::ChainOfOrganisation(const std::string& organisation_id) const {
  for (const auto& c : chains_) {
    if (c->organisation_id() == organisation_id) return c.get();
  }
  return nullptr;
}

const Chain* Notifier::ChainOfLocation(const std::string& location_id) const {
  for (const auto& c : chains_) {
    if (c->HasLocation(location_id)) return c.get();
  }
  return nullptr;
}

absl::Status Notifier::Apply(sqlite::Database& db, const common::EventEnvelope& e) {
  absl::Status s;
  switch (source_) {
    case Source::kReferrals:
      s = Referrals(db, e);
      break;
    case Source::kScheduling:
      s = Scheduling(db, e);
      break;
    case Source::kHandover:
      s = Handover(db, e);
      break;
  }
  if (absl::IsInvalidArgument(s)) {
    // An event that is not what its topic promises can never be read: it is
    // passed (and said), not retried for ever in front of the others.
    log::Error(
        "event passed: unreadable",
        {{"event", e.event_id()}, {"topic", e.topic()}, {"error", std::string(s.message())}});
    metrics_
        .GetCounter("olif_childcare_events_unreadable_total",
                    "Events passed by the childcare adapter because they could not be read", {})
        .Inc();
    return absl::OkStatus();
  }
  return s;
}

absl::Status Notifier::Referrals(sqlite::Database& db, const common::EventEnvelope& e) {
  const absl::Time now = clock_.Now();
  if (e.topic() == referrals::kTopicRequestSubmitted) {
    auto ev = bus::Unpack<rv1::RequestSubmitted>(e);
    if (!ev.ok()) return ev.status();
    const Chain* chain = ChainOfOrganisation(ev->requester().organisation_id());
    if (chain == nullptr) return absl::OkStatus();
    return ChildcareStore::RememberRequestIn(db, ev->request_id(), {chain->id(), ""}, now);
  }
  auto ev = bus::Unpack<rv1::RequestUpdated>(e);
  if (!ev.ok()) return ev.status();
  absl::StatusOr<std::optional<Origin>> origin =
      ChildcareStore::FindRequestIn(db, ev->request_id());
  if (!origin.ok()) return origin.status();
  if (!origin->has_value()) return absl::OkStatus();  // not a chain's request
  const Chain* chain = nullptr;
  for (const auto& c : chains_) {
    if (c->id() == (*origin)->chain) chain = c.get();
  }
  if (chain == nullptr) return absl::OkStatus();  // a chain no longer served
  json n;
  switch (ev->transition()) {
    case rv1::TRANSITION_ACCEPTED:
      n = Base("request_accepted", *chain, e);
      break;
    case rv1::TRANSITION_DECLINED:
      n = Base("request_declined", *chain, e);
      n["reason"] = ev->decline_reason();
      break;
    case rv1::TRANSITION_MESSAGE_ADDED:
      if (ev->message().author() != rv1::AUTHOR_EXPERT) return absl::OkStatus();
      n = Base("expert_message", *chain, e);
      n["message"] = ev->message().text();
      break;
    case rv1::TRANSITION_CYCLE_RECORDED:
      n = Base("cycle_recorded", *chain, e);
      n["cycle"] = json{{"number", ev->cycle().number()},
                        {"plan", ev->cycle().plan()},
                        {"actions", ev->cycle().actions()},
                        {"evaluation", ev->cycle().evaluation()},
                        {"outcome", NameOf(rv1::Outcome_Name(ev->cycle().outcome()), "OUTCOME_")}};
      break;
    case rv1::TRANSITION_RESOLVED:
      n = Base("request_resolved", *chain, e);
      break;
    default:
      return absl::OkStatus();  // not for the staff's screen
  }
  n["request"] = json{{"id", ev->request_id()}, {"question_id", Nullable((*origin)->external_id)}};
  n["expert"] = json{{"professional_id", ev->expert().professional_id()},
                     {"organisation_id", ev->expert().organisation_id()}};
  return Queue(db, *chain, ev->request_id(), e, n, now);
}

absl::Status Notifier::Scheduling(sqlite::Database& db, const common::EventEnvelope& e) {
  sv1::VisitSummary visit;
  const char* kind = nullptr;
  std::string reason;
  json window;  // of a proposed meeting
  if (e.topic() == scheduling::kTopicVisitPlanned) {
    auto ev = bus::Unpack<sv1::VisitPlanned>(e);
    if (!ev.ok()) return ev.status();
    visit = ev->visit();
    kind =
        visit.kind() == sv1::VISIT_KIND_WARM_HANDOVER_MEETING ? "meeting_planned" : "visit_planned";
  } else if (e.topic() == scheduling::kTopicMeetingProposed) {
    auto ev = bus::Unpack<sv1::MeetingProposed>(e);
    if (!ev.ok()) return ev.status();
    visit = ev->visit();
    kind = "meeting_proposed";
    window = json{{"start", Rfc3339(ev->window_start())}, {"end", Rfc3339(ev->window_end())}};
  } else if (e.topic() == scheduling::kTopicVisitRescheduled) {
    auto ev = bus::Unpack<sv1::VisitRescheduled>(e);
    if (!ev.ok()) return ev.status();
    visit = ev->visit();
    kind = "visit_rescheduled";
  } else {
    auto ev = bus::Unpack<sv1::VisitCancelled>(e);
    if (!ev.ok()) return ev.status();
    visit = ev->visit();
    kind = "visit_cancelled";
    reason = ev->reason();
  }
  const Chain* chain = ChainOfLocation(visit.location_id());
  if (chain == nullptr) return absl::OkStatus();
  json n = Base(kind, *chain, e);
  n["visit"] = json{{"id", visit.visit_id()},
                    {"kind", NameOf(sv1::VisitKind_Name(visit.kind()), "VISIT_KIND_")},
                    {"location_id", visit.location_id()},
                    {"group_id", Nullable(visit.group_id())},
                    // A proposed meeting has no time yet, only its window.
                    {"start", visit.has_start() ? json(Rfc3339(visit.start())) : json(nullptr)},
                    {"end", visit.has_end() ? json(Rfc3339(visit.end())) : json(nullptr)}};
  if (!reason.empty()) n["reason"] = reason;
  if (!window.is_null()) n["window"] = window;
  if (!visit.handover_id().empty()) {
    absl::StatusOr<std::optional<Origin>> origin =
        ChildcareStore::FindHandoverIn(db, visit.handover_id());
    if (!origin.ok()) return origin.status();
    n["handover"] =
        json{{"id", visit.handover_id()},
             {"form_id", origin->has_value() ? Nullable((*origin)->external_id) : json(nullptr)}};
  }
  return Queue(db, *chain, visit.visit_id(), e, n, clock_.Now());
}

absl::Status Notifier::Handover(sqlite::Database& db, const common::EventEnvelope& e) {
  auto ev = bus::Unpack<hv1::HandoverAcknowledged>(e);
  if (!ev.ok()) return ev.status();
  const Chain* chain = ChainOfOrganisation(ev->handover().organisation_id());
  if (chain == nullptr) return absl::OkStatus();
  absl::StatusOr<std::optional<Origin>> origin =
      ChildcareStore::FindHandoverIn(db, ev->handover().handover_id());
  if (!origin.ok()) return origin.status();
  json n = Base("handover_acknowledged", *chain, e);
  n["handover"] =
      json{{"id", ev->handover().handover_id()},
           {"form_id", origin->has_value() ? Nullable((*origin)->external_id) : json(nullptr)},
           {"revision", ev->handover().revision()},
           {"school_organisation_id", ev->handover().school_organisation_id()},
           {"received_at", Rfc3339(ev->received_at())}};
  return Queue(db, *chain, ev->handover().handover_id(), e, n, clock_.Now());
}

}  // namespace olif::childcare
