#include "services/referrals/consent_gate.h"

#include "olifantenpad/consent/v1/events.pb.h"

namespace olif::referrals {

absl::Status ConsentGate::Apply(sqlite::Database& db,
                                const olifantenpad::common::v1::EventEnvelope& event) {
  if (absl::Status s = projection_.Apply(db, event); !s.ok()) return s;
  if (event.topic() == consent::kTopicGranted) {
    olifantenpad::consent::v1::ConsentGranted granted;
    if (!event.payload().UnpackTo(&granted)) return absl::OkStatus();  // Apply refused it already
    return service_.ReleaseWaiting(db, granted.child().child_ref());
  }
  if (event.topic() == consent::kTopicWithdrawn) {
    olifantenpad::consent::v1::ConsentWithdrawn withdrawn;
    if (!event.payload().UnpackTo(&withdrawn)) return absl::OkStatus();
    return service_.RestrictUnder(db, withdrawn.consent_id());
  }
  return absl::OkStatus();
}

}  // namespace olif::referrals
