#pragma once

// The youth-care FHIR adapter as the runtime sees it: its factory (name
// "youthcare_fhir", config olifantenpad.config.v1.YouthcareFhirConfig) and
// the running adapter that wires the pieces together — two bus consumers
// (referrals' and consent's events) queueing into the delivery queue, the
// deliverer through FhirOutgoing to the provider's FHIR base, the Task
// poller back to referrals, history pruning, and the adapter admin API.

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "adapters/runtime/adapter.h"
#include "olifantenpad/config/v1/youthcare_fhir.pb.h"

namespace olif::youthcare_fhir {

// Each default lives here, once; SettingsFromConfig reads the config over it.
// (The connectors' own defaults live beside them in adapters/runtime/.)
struct Settings {
  absl::Duration poll_interval = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(15);
  absl::Duration history_retention = absl::Hours(24 * 30);
  std::string webhook_path = "/fhir/notify";
  int max_in_flight = 8;
};

Settings SettingsFromConfig(const olifantenpad::config::v1::YouthcareFhirSettings& config);

std::unique_ptr<adapters::AdapterFactory> NewFactory();

}  // namespace olif::youthcare_fhir
