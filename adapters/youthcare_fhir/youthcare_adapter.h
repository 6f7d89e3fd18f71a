#pragma once

// The youth-care FHIR adapter as the runtime sees it: its factory (name
// "youthcare_fhir", config olifantenpad.config.v1.YouthcareFhirConfig) and
// the running adapter that wires the pieces together — two bus consumers
// (referrals' and consent's events) queueing into the delivery queue, the
// deliverer through FhirOutgoing to the provider's FHIR base, the Task
// poller back to referrals, history pruning, and the adapter admin API.

#include <memory>

#include "adapters/runtime/adapter.h"

namespace olif::youthcare_fhir {

std::unique_ptr<adapters::AdapterFactory> NewYouthcareFhirFactory();

}  // namespace olif::youthcare_fhir
