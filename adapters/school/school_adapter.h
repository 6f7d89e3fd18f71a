#pragma once

// The school adapter as the runtime sees it: its factory (name "school",
// config olifantenpad.config.v1.SchoolConfig) and the running adapter that
// wires the pieces together — the bus consumers of handover's and
// scheduling's events queueing per school and for mail (routing.h), a
// deliverer per configured school through its connector (connectors.h) and
// one for mail (the pickup folder), the receipt page, the webhook for school
// systems' receipts, the watch on schools that have not acknowledged in time
// (admin status and metrics), history pruning, the adapter admin API.

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "adapters/runtime/adapter.h"
#include "olifantenpad/config/v1/school.pb.h"

namespace olif::school {

// Each default lives here, once; SettingsFromConfig reads the config over it.
struct Settings {
  absl::Duration acknowledge_within = absl::Hours(24 * 10);
  absl::Duration request_timeout = absl::Seconds(15);
  absl::Duration history_retention = absl::Hours(24 * 30);
  absl::Duration link_lifetime = absl::Hours(24 * 14);
  absl::Duration overdue_check = absl::Minutes(1);
  std::string time_zone = "Europe/Amsterdam";
  std::string webhook_path = "/school/receipt";
};

Settings SettingsFromConfig(const olifantenpad::config::v1::SchoolSettings& config);

std::unique_ptr<adapters::AdapterFactory> NewFactory();

}  // namespace olif::school
