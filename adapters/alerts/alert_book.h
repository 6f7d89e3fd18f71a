#pragma once

// The alerts' state, kept in the alerts process's database, and the
// notifications they send. Each look at the hub is one Step: per rule and
// subject, a condition that starts holding opens a pending alert; one that
// held for the rule's `for` fires (one notification, "firing"); one that
// stops holding resolves a firing alert (one notification, "resolved", with
// how long it lasted) or drops a pending one silently. Nothing else sends
// anything: however often a message is retried meanwhile, and across
// restarts of the process (the state is in the database), an alert notifies
// once when it starts and once when it ends.
//
// A notification is queued for the destination "webhook" in the same
// transaction as the state it reports, and delivered by the adapter
// runtime's Deliverer (retried, kept in the history, dead-lettered when the
// webhook refuses it).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/alerts/alert_rules.h"
#include "olifantenpad/admin/v1/admin.pb.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"

namespace olif::alerts {

inline constexpr char kWebhookDestination[] = "webhook";

struct StepResult {
  int fired = 0;
  int resolved = 0;
};

class AlertBook {
 public:
  static absl::Status CreateTables(sqlite::Database& db);

  // `writer` writes the adapter's database (whose tables include the
  // delivery queue); `notify`: queue notifications (false: kept only).
  // `hub` names the hub in notifications.
  static absl::StatusOr<std::unique_ptr<AlertBook>> Open(const std::string& path,
                                                         sqlite::Writer& writer, bool notify,
                                                         std::string hub);

  // Applies one look at the hub at `now` under `rules`.
  absl::StatusOr<StepResult> Step(const std::vector<Rule>& rules, const Observation& observation,
                                  absl::Time now);

  // Open alerts (firing first, then pending), then resolved ones newest first
  // when asked.
  absl::StatusOr<olifantenpad::admin::v1::ListAlertsResponse> List(
      const olifantenpad::admin::v1::ListAlertsRequest& request);

  // Forgets alerts resolved before `before`; returns how many.
  absl::StatusOr<int64_t> Prune(absl::Time before);

 private:
  AlertBook(std::unique_ptr<sqlite::Database> reader, sqlite::Writer& writer, bool notify,
            std::string hub)
      : reader_(std::move(reader)), writer_(writer), notify_(notify), hub_(std::move(hub)) {}

  olif::Mutex mu_;
  std::unique_ptr<sqlite::Database> reader_ ABSL_GUARDED_BY(mu_);
  sqlite::Writer& writer_;
  const bool notify_;
  const std::string hub_;
};

}  // namespace olif::alerts
