#include "adapters/school/routing.h"

#include "absl/strings/str_cat.h"
#include "adapters/runtime/delivery_queue.h"
#include "adapters/school/invitation.h"
#include "adapters/school/mail.h"
#include "nlohmann/json.hpp"
#include "olifantenpad/handover/v1/events.pb.h"
#include "olifantenpad/scheduling/v1/events.pb.h"
#include "services/common/bus/unpack.h"
#include "services/common/clock/timestamp.h"
#include "services/common/events/handover_topics.h"
#include "services/common/events/scheduling_topics.h"
#include "services/common/logging/logging.h"

namespace olif::school {
namespace {

namespace common = olifantenpad::common::v1;
namespace hv1 = olifantenpad::handover::v1;
namespace sv1 = olifantenpad::scheduling::v1;
using nlohmann::json;

std::string Key(const std::string& brin, const std::string& vestiging) {
  return absl::StrCat(brin, "-", vestiging);
}

}  // namespace

std::string SchoolDestination(const std::string& brin, const std::string& vestiging) {
  return absl::StrCat("school:", Key(brin, vestiging));
}

std::string ToJson(const SchoolAction& a) {
  return json{{"action", a.action},
              {"handover_id", a.handover_id},
              {"revision", a.revision},
              {"warm", a.warm},
              {"expected_start_date", a.expected_start_date},
              {"location_id", a.location_id},
              {"school_must_delete", a.school_must_delete}}
      .dump();
}

absl::StatusOr<SchoolAction> SchoolActionFromJson(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("action") || !j["action"].is_string() ||
      !j.contains("handover_id") || !j["handover_id"].is_string()) {
    return absl::InvalidArgumentError("not a school action: {\"action\", \"handover_id\", ...}");
  }
  SchoolAction a;
  a.action = j["action"];
  a.handover_id = j["handover_id"];
  a.revision = j.value("revision", 0);
  a.warm = j.value("warm", false);
  a.expected_start_date = j.value("expected_start_date", std::string());
  a.location_id = j.value("location_id", std::string());
  a.school_must_delete = j.value("school_must_delete", false);
  if (a.action != "send" && a.action != "withdraw") {
    return absl::InvalidArgumentError(absl::StrCat("unknown action \"", a.action, "\""));
  }
  return a;
}

Schools SchoolsFromConfig(const olifantenpad::config::v1::SchoolSettings& settings) {
  Schools out;
  for (const auto& s : settings.schools()) out[Key(s.brin(), s.vestiging())] = s;
  return out;
}

HandoverRouter::HandoverRouter(const Schools& schools, const Clock& clock,
                               metrics::Registry& metrics)
    : schools_(schools),
      clock_(clock),
      unconfigured_(metrics.GetCounter(
          "olif_school_unconfigured_total",
          "Handover messages for a school not in the configuration (they wait in its queue)", {})) {
}

std::vector<std::string> HandoverRouter::Topics() {
  return {handover::kTopicHandoverReadyForSchool, handover::kTopicHandoverAmended,
          handover::kTopicHandoverWithdrawn, handover::kTopicHandoverAcknowledged};
}

absl::Status HandoverRouter::Queue(sqlite::Database& db, const common::EventEnvelope& e,
                                   const std::string& brin, const std::string& vestiging,
                                   const SchoolAction& action) {
  if (!schools_.count(Key(brin, vestiging))) {
    unconfigured_.Inc();
    log::Error("a handover for a school that is not configured waits in its queue",
               {{"school", Key(brin, vestiging)}, {"handover", action.handover_id}});
  }
  return adapters::DeliveryQueue::Enqueue(db, SchoolDestination(brin, vestiging),
                                          action.handover_id, e.event_id(), e.topic(),
                                          ToJson(action), clock_.Now());
}

absl::Status HandoverRouter::Apply(sqlite::Database& db, const common::EventEnvelope& e) {
  const absl::Time now = clock_.Now();
  if (e.topic() == handover::kTopicHandoverReadyForSchool ||
      e.topic() == handover::kTopicHandoverAmended) {
    hv1::HandoverRef ref;
    SchoolAction a{.action = "send"};
    if (e.topic() == handover::kTopicHandoverReadyForSchool) {
      auto ev = bus::Unpack<hv1::HandoverReadyForSchool>(e);
      if (!ev.ok()) return ev.status();
      ref = ev->handover();
      a.warm = ev->warm();
      a.expected_start_date = ev->expected_start_date();
    } else {
      auto ev = bus::Unpack<hv1::HandoverAmended>(e);
      if (!ev.ok()) return ev.status();
      ref = ev->handover();
    }
    a.handover_id = ref.handover_id();
    a.revision = ref.revision();
    a.location_id = ref.location_id();
    SentHandover sent{.handover_id = ref.handover_id(),
                      .brin = ref.school().brin(),
                      .vestiging = ref.school().vestiging(),
                      .school_organisation_id = ref.school_organisation_id(),
                      .location_id = ref.location_id(),
                      .revision = ref.revision(),
                      .sent_at = now};
    if (absl::Status s = SchoolStore::SentIn(db, sent); !s.ok()) return s;
    return Queue(db, e, sent.brin, sent.vestiging, a);
  }
  if (e.topic() == handover::kTopicHandoverWithdrawn) {
    auto ev = bus::Unpack<hv1::HandoverWithdrawn>(e);
    if (!ev.ok()) return ev.status();
    absl::StatusOr<std::optional<SentHandover>> known =
        SchoolStore::FindIn(db, ev->handover().handover_id());
    if (!known.ok()) return known.status();
    if (!known->has_value()) return absl::OkStatus();  // never went to a school: nothing to undo
    if (absl::Status s = SchoolStore::WithdrawnIn(db, ev->handover().handover_id()); !s.ok()) {
      return s;
    }
    SchoolAction a{.action = "withdraw",
                   .handover_id = ev->handover().handover_id(),
                   .revision = (*known)->revision,
                   .location_id = (*known)->location_id,
                   .school_must_delete = ev->school_must_delete()};
    return Queue(db, e, (*known)->brin, (*known)->vestiging, a);
  }
  auto ev = bus::Unpack<hv1::HandoverAcknowledged>(e);
  if (!ev.ok()) return ev.status();
  return SchoolStore::AcknowledgedIn(db, ev->handover().handover_id());
}

MeetingRouter::MeetingRouter(const Schools& schools, const directory::DirectoryHolder& directory,
                             MeetingSettings settings, const Clock& clock,
                             metrics::Registry& metrics)
    : schools_(schools),
      directory_(directory),
      settings_(std::move(settings)),
      clock_(clock),
      invitations_(metrics.GetCounter("olif_school_invitations_total",
                                      "Meeting invitations and cancellations queued for schools",
                                      {})) {}

std::vector<std::string> MeetingRouter::Topics() {
  return {scheduling::kTopicVisitPlanned, scheduling::kTopicVisitRescheduled,
          scheduling::kTopicVisitCancelled};
}

absl::Status MeetingRouter::Apply(sqlite::Database& db, const common::EventEnvelope& e) {
  sv1::VisitSummary visit;
  bool cancelled = false;
  if (e.topic() == scheduling::kTopicVisitPlanned) {
    auto ev = bus::Unpack<sv1::VisitPlanned>(e);
    if (!ev.ok()) return ev.status();
    visit = ev->visit();
  } else if (e.topic() == scheduling::kTopicVisitRescheduled) {
    auto ev = bus::Unpack<sv1::VisitRescheduled>(e);
    if (!ev.ok()) return ev.status();
    visit = ev->visit();
  } else {
    auto ev = bus::Unpack<sv1::VisitCancelled>(e);
    if (!ev.ok()) return ev.status();
    visit = ev->visit();
    cancelled = true;
  }
  if (visit.kind() != sv1::VISIT_KIND_WARM_HANDOVER_MEETING || visit.handover_id().empty()) {
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<SentHandover>> h = SchoolStore::FindIn(db, visit.handover_id());
  if (!h.ok()) return h.status();
  if (!h->has_value()) return absl::OkStatus();  // not (yet) at a school: no one to invite
  auto school = schools_.find(Key((*h)->brin, (*h)->vestiging));
  if (school == schools_.end()) {
    log::Warn("no contact to invite: the school is not configured",
              {{"school", Key((*h)->brin, (*h)->vestiging)}, {"visit", visit.visit_id()}});
    return absl::OkStatus();
  }
  const std::shared_ptr<const directory::Directory> dir = directory_.Get();
  const auto* location = dir->FindLocation(visit.location_id());
  const absl::Time now = clock_.Now();
  Invitation inv{.cancelled = cancelled,
                 .visit_id = visit.visit_id(),
                 .sequence = visit.sequence(),
                 .start = FromTimestamp(visit.start()),
                 .end = FromTimestamp(visit.end()),
                 .stamp = now,
                 .location = location != nullptr ? location->name() : visit.location_id(),
                 .handover_id = visit.handover_id(),
                 .organizer_name = settings_.mail_from_name,
                 .organizer_address = settings_.mail_from_address,
                 .attendee_name = school->second.contact_name(),
                 .attendee_address = school->second.contact_email(),
                 .zone_name = settings_.zone_name,
                 .zone = settings_.zone};
  Mail mail{.from = absl::StrCat(settings_.mail_from_name, " <", settings_.mail_from_address, ">"),
            .to_name = school->second.contact_name(),
            .to_address = school->second.contact_email(),
            .subject = cancelled ? "Afgezegd: warme overdracht" : "Uitnodiging: warme overdracht",
            .text = absl::StrCat(
                "Beste ", school->second.contact_name(), ",\n\n",
                cancelled ? "Het overdrachtsgesprek (warme overdracht) gaat niet door.\n"
                          : "U bent uitgenodigd voor een overdrachtsgesprek (warme overdracht) "
                            "met de pedagogisch medewerker en de ouders.\n",
                "\nWaar: ", inv.location,
                "\nWanneer: ", absl::FormatTime("%d-%m-%Y %H:%M", inv.start, settings_.zone), " - ",
                absl::FormatTime("%H:%M", inv.end, settings_.zone),
                "\n\nDe afspraak staat in de bijlage voor uw agenda.\n\nMet vriendelijke "
                "groet,\n",
                settings_.mail_from_name, "\n"),
            .message_id = absl::StrCat("<", e.event_id(), "@olifantenpad>"),
            .date = now,
            .attachment = MailAttachment{
                .file_name = "overdrachtsgesprek.ics",
                .content_type = cancelled ? "text/calendar; charset=utf-8; method=CANCEL"
                                          : "text/calendar; charset=utf-8; method=REQUEST",
                .content = RenderInvitation(inv)}};
  invitations_.Inc();
  return adapters::DeliveryQueue::Enqueue(db, kMailDestination, visit.visit_id(), e.event_id(),
                                          e.topic(), RenderMail(mail), now);
}

}  // namespace olif::school
