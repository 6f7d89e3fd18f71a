#pragma once

// The alerts process as the runtime sees it: an adapter (name "alerts",
// config olifantenpad.config.v1.AlertsConfig) whose input is a look at every
// process of the hub each `evaluate_every` (the processes of the hub's
// config directory, asked as olifantctl asks them), whose state is the
// AlertBook, and whose output is the operators' webhook, reached through the
// delivery runtime (queued, retried, kept in the history; its dead letters
// are handled like any other). It serves olifantenpad.admin.v1.AlertService
// (`olifantctl alerts`) beside the adapter admin API.
//
// Why a process of its own and not the launcher: production runs the hub's
// processes under a service manager, not the launcher, and alerts must be
// kept and sent whatever starts the processes; a database of its own keeps
// each alert's state across restarts, so a restart neither repeats a
// notification nor loses one.

#include <memory>

#include "absl/time/time.h"
#include "adapters/runtime/adapter.h"
#include "olifantenpad/config/v1/alerts.pb.h"

namespace olif::alerts {

// Each default lives here, once; SettingsFromConfig reads the config over it.
struct Settings {
  absl::Duration evaluate_every = absl::Seconds(10);
  absl::Duration call_timeout = absl::Seconds(3);
  absl::Duration retention = absl::Hours(24 * 30);
};

Settings SettingsFromConfig(const olifantenpad::config::v1::AlertsSettings& config);

std::unique_ptr<adapters::AdapterFactory> NewFactory();

}  // namespace olif::alerts
