#pragma once

// Receipts from school systems, posted to the adapter's webhook:
//
//   {"handover_id": "...", "revision": 2,
//    "school": {"brin": "34CD", "vestiging": "00"}, "received_by": "..."}
//
// → AcknowledgeReceipt on the handover service (which checks that the school
// is the form's receiver and the revision its current one). Only schools
// configured with a system connection post receipts; the others confirm on
// the receipt page. A receipt taken twice answers as before (the service's
// AcknowledgeReceipt is idempotent). Refusals name the field or the rule
// (HTTP 400); a service that cannot be reached is HTTP 503, to be posted again.

#include "adapters/runtime/inbound.h"
#include "adapters/school/handover_client.h"
#include "adapters/school/routing.h"

namespace olif::school {

class ReceiptWebhook final : public adapters::InboundHandler {
 public:
  // Both must outlive the handler.
  ReceiptWebhook(const Schools& schools, HandoverClient& handover)
      : schools_(schools), handover_(handover) {}
  absl::Status Handle(const adapters::InboundMessage& message) override;

 private:
  const Schools& schools_;
  HandoverClient& handover_;
};

}  // namespace olif::school
