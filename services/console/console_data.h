#pragma once

// What the console's pages show and do, as JSON, over the admin APIs of every
// process of the hub (through the hub client olifantctl uses). No HTTP here:
// console_server.h puts these behind sign-in, roles and CSRF checks. A
// message's payload is always masked (masking.h) unless `reveal` is asked,
// which only the server's audited reveal does.

#include <chrono>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"
#include "tools/olifantctl/calls.h"
#include "tools/olifantctl/hub.h"

namespace olif::console {

// Query parameters of a request.
using Params = std::multimap<std::string, std::string>;

class ConsoleData {
 public:
  // `hub` must outlive this; each call to a process may take `timeout`.
  // `directory` names the locations (the handover service lists per location).
  ConsoleData(const ctl::Hub& hub, std::shared_ptr<const directory::Directory> directory,
              std::chrono::milliseconds timeout, const Clock& clock)
      : hub_(hub), directory_(std::move(directory)), timeout_(timeout), clock_(clock) {}

  // Every process's health; per adapter and destination the last hour's
  // received, delivered and failed (a series per minute) and what is queued
  // now; the firing alerts.
  nlohmann::json Overview() const;

  // Dead letters (params: process, destination), each adapter's oldest first.
  absl::StatusOr<nlohmann::json> DeadLetters(const Params& params) const;

  // The message history (params: process, destination, key, event, outcome,
  // direction, since (e.g. 1h) or from/to (RFC 3339), limit), newest first.
  absl::StatusOr<nlohmann::json> History(const Params& params) const;

  // One message: `kind` "delivery" (a queued message) or "history" (an entry
  // of the history) of adapter `process`; masked unless `reveal`.
  absl::StatusOr<nlohmann::json> Message(const std::string& process, const std::string& kind,
                                         int64_t id, bool reveal) const;

  // An action on one dead letter (retry, skip, edit).
  absl::StatusOr<nlohmann::json> Act(const std::string& process,
                                     const ctl::DeliveryAction& action) const;
  // Retries every dead letter of the selection (process, destination; empty:
  // all), oldest first; each result in the answer.
  absl::StatusOr<nlohmann::json> RetryAll(const std::string& process,
                                          const std::string& destination, const std::string& who,
                                          const std::string& why) const;

  // The audit trails of every process (params: process, actor, action,
  // object, child, since or from/to, limit), newest first.
  absl::StatusOr<nlohmann::json> Audit(const Params& params) const;

  // A child's consents (by pseudonymous reference), asked of the consent
  // service as `who` for `why` (it audits the lookup): status, purposes,
  // recipients, validity — not who gave them.
  absl::StatusOr<nlohmann::json> Consents(const std::string& child_ref, const std::string& who,
                                          const std::string& why) const;
  // Direct-line questions past their first-response time (the referrals
  // service's attention items).
  absl::StatusOr<nlohmann::json> Overdue() const;
  // The school year's preventive group visits per location and group, those
  // at risk of missing their minimum first.
  absl::StatusOr<nlohmann::json> Compliance(const Params& params) const;
  // Handovers awaiting the parents' consent, not yet delivered to the school
  // (the school adapter's queues), and sent but not acknowledged.
  absl::StatusOr<nlohmann::json> Handovers() const;

 private:
  const ctl::Hub& hub_;
  const std::shared_ptr<const directory::Directory> directory_;
  const std::chrono::milliseconds timeout_;
  const Clock& clock_;
};

// The value of `name` in `params` ('' when absent).
std::string Param(const Params& params, const std::string& name);

// The HTTP status for a status of the hub (400, 403, 404, 409, 503, 500).
int HttpStatusFor(const absl::Status& status);

}  // namespace olif::console
