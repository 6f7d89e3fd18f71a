#pragma once

// The hub's events that concern schools, queued in the bus consumer's
// transaction:
//
// - handover's HandoverReadyForSchool and HandoverAmended → "send" for the
//   receiving school's destination "school:<BRIN>-<vestiging>" (its
//   connector posts the document to the school's system, or mails its
//   contact a link to the receipt page); HandoverWithdrawn → "withdraw"
//   (a deletion at the school's system, or a mail saying so; the page
//   serves nothing more); HandoverAcknowledged → the handover is no longer
//   waiting for the school. Each is recorded in the adapter's store, which
//   routes meeting invitations and finds overdue schools. A school not in
//   the configuration still gets its queue: its messages wait there, and the
//   admin status says so, until it is configured.
// - scheduling's VisitPlanned / VisitRescheduled / VisitCancelled of a
//   warm-handover meeting → an iCalendar invitation (or cancellation) mailed
//   to the school's contact (destination "mail").
//
// Events carry no child's identity, and nothing here adds one.

#include <map>
#include <string>
#include <vector>

#include "adapters/school/school_store.h"
#include "olifantenpad/config/v1/school.pb.h"
#include "services/common/bus/consumer.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"
#include "services/common/metrics/metrics.h"

namespace olif::school {

// The destination of a school's handovers.
std::string SchoolDestination(const std::string& brin, const std::string& vestiging);
// The destination of mails.
inline constexpr char kMailDestination[] = "mail";

// What the school's connector is asked to do (the queued payload, JSON).
struct SchoolAction {
  std::string action;  // "send" or "withdraw"
  std::string handover_id;
  int revision = 0;
  bool warm = false;
  std::string expected_start_date;
  std::string location_id;
  bool school_must_delete = false;
};
std::string ToJson(const SchoolAction& a);
absl::StatusOr<SchoolAction> SchoolActionFromJson(const std::string& json);

// The configured schools by "<BRIN>-<vestiging>".
using Schools = std::map<std::string, olifantenpad::config::v1::SchoolEndpoint>;
Schools SchoolsFromConfig(const olifantenpad::config::v1::SchoolSettings& settings);

class HandoverRouter final : public bus::EventHandler {
 public:
  HandoverRouter(const Schools& schools, const Clock& clock, metrics::Registry& metrics);
  static std::vector<std::string> Topics();
  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& event) override;

 private:
  absl::Status Queue(sqlite::Database& db, const olifantenpad::common::v1::EventEnvelope& e,
                     const std::string& brin, const std::string& vestiging,
                     const SchoolAction& action);

  const Schools& schools_;
  const Clock& clock_;
  metrics::Counter& unconfigured_;
};

struct MeetingSettings {
  std::string mail_from_name;
  std::string mail_from_address;
  std::string zone_name;
  absl::TimeZone zone;
};

class MeetingRouter final : public bus::EventHandler {
 public:
  MeetingRouter(const Schools& schools, const directory::DirectoryHolder& directory,
                MeetingSettings settings, const Clock& clock, metrics::Registry& metrics);
  static std::vector<std::string> Topics();
  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& event) override;

 private:
  const Schools& schools_;
  const directory::DirectoryHolder& directory_;
  const MeetingSettings settings_;
  const Clock& clock_;
  metrics::Counter& invitations_;
};

}  // namespace olif::school
