#pragma once

// What the childcare staff should see, back in their own system: the hub's
// events that concern a chain become notifications (JSON, the format in
// adapters/childcare/README.md and schemas/notification.schema.json), queued
// for the chain's destination "chain:<id>" in the consumer's transaction and
// delivered by the runtime (retried, kept in the history, dead letters for
// operators) to the chain's webhook or outbox folder.
//
// - referrals: the expert accepted or declined, wrote a message, recorded a
//   cycle, resolved the request — for requests of the chain's organisation
//   (known from RequestSubmitted), under the chain's own question id when it
//   came through this adapter;
// - scheduling: a visit planned, moved or cancelled at one of the chain's
//   locations; a warm-handover meeting proposed (its window) and planned
//   (with the chain's form id);
// - handover: the school acknowledged a form of the chain.
//
// Events of other organisations pass without a trace. Notifications carry
// what the staff need and no more: ids, times, the expert's own words; never
// a child's identity.

#include <memory>
#include <string>
#include <vector>

#include "adapters/childcare/chain.h"
#include "services/common/bus/consumer.h"
#include "services/common/clock/clock.h"
#include "services/common/metrics/metrics.h"

namespace olif::childcare {

// The delivery destination of a chain's notifications.
std::string Destination(const std::string& chain_id);

class Notifier final : public bus::EventHandler {
 public:
  enum class Source { kReferrals, kScheduling, kHandover };
  Notifier(Source source, std::vector<std::shared_ptr<const Chain>> chains, const Clock& clock,
           metrics::Registry& metrics);
  // The topics of `source` the notifier follows.
  static std::vector<std::string> Topics(Source source);
  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& event) override;

 private:
  const Chain* ChainOfOrganisation(const std::string& organisation_id) const;
  const Chain* ChainOfLocation(const std::string& location_id) const;
  absl::Status Referrals(sqlite::Database& db, const olifantenpad::common::v1::EventEnvelope& e);
  absl::Status Scheduling(sqlite::Database& db, const olifantenpad::common::v1::EventEnvelope& e);
  absl::Status Handover(sqlite::Database& db, const olifantenpad::common::v1::EventEnvelope& e);

  Source source_;
  std::vector<std::shared_ptr<const Chain>> chains_;
  const Clock& clock_;
  metrics::Registry& metrics_;
};

}  // namespace olif::childcare
