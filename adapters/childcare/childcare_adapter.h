#pragma once

// The childcare adapter as the runtime sees it: its factory (name
// "childcare", config olifantenpad.config.v1.ChildcareConfig) and the running
// adapter that wires the pieces together — per chain a watched folder and an
// optional webhook feeding the intake (rows and documents → consent,
// referrals, handover), and a deliverer taking the chain's notifications to
// its webhook or outbox folder; the bus consumers of referrals', scheduling's
// and handover's events queueing those notifications; history pruning; the
// adapter admin API.

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "adapters/runtime/adapter.h"
#include "olifantenpad/config/v1/childcare.pb.h"

namespace olif::childcare {

// Each default lives here, once; SettingsFromConfig reads the config over it.
struct Settings {
  absl::Duration scan_interval = absl::Seconds(2);
  absl::Duration request_timeout = absl::Seconds(15);
  absl::Duration history_retention = absl::Hours(24 * 30);
  std::string time_zone = "Europe/Amsterdam";
  std::string webhook_path = "/childcare";
};

Settings SettingsFromConfig(const olifantenpad::config::v1::ChildcareSettings& config);

std::unique_ptr<adapters::AdapterFactory> NewFactory();

}  // namespace olif::childcare
