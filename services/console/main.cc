// The console process: reads its config and the hub's config directory,
// opens its audit trail, serves the web console (console_server.h) beside
// the gRPC server every process has (health, Admin: its status, database and
// audit trail). Wiring only.

#include "olifantenpad/config/v1/console.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/config/config_loader.h"
#include "services/common/directory/directory.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"
#include "services/console/console_audit.h"
#include "services/console/console_data.h"
#include "services/console/console_server.h"
#include "services/console/console_settings.h"
#include "tools/olifantctl/hub.h"

namespace cfg = olifantenpad::config::v1;

namespace {

absl::Status Validate(const google::protobuf::Message& m) {
  const auto& c = static_cast<const cfg::ConsoleConfig&>(m);
  if (absl::Status s = olif::console::SettingsFromConfig(c).status(); !s.ok()) return s;
  if (absl::Status s = olif::directory::Directory::Load(c.console().directory_path()).status();
      !s.ok()) {
    return s;
  }
  return olif::ctl::Hub::Load(c.console().hub_config_dir(), olif::config::ProcessEnv()).status();
}

}  // namespace

int main(int argc, char** argv) {
  cfg::ConsoleConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "console", &config, Validate)) {
    return *exit_code;
  }
  olif::Process process("console", config.runtime());
  absl::StatusOr<olif::console::Settings> settings = olif::console::SettingsFromConfig(config);
  if (!settings.ok()) return olif::ExitWith("bad config", settings.status());
  absl::StatusOr<olif::ctl::Hub> hub =
      olif::ctl::Hub::Load(config.console().hub_config_dir(), olif::config::ProcessEnv());
  if (!hub.ok()) return olif::ExitWith("cannot read the hub's config directory", hub.status());
  auto directory = olif::directory::DirectoryHolder::Load(config.console().directory_path());
  if (!directory.ok()) return olif::ExitWith("cannot load the directory", directory.status());
  absl::StatusOr<std::string> path = process.DataFile("console.db");
  if (!path.ok()) return olif::ExitWith("cannot start", path.status());
  auto audit = olif::console::ConsoleAudit::Open(*path, olif::Clock::Real());
  if (!audit.ok()) return olif::ExitWith("cannot open the audit trail", audit.status());
  process.SetDatabase(*path);
  process.SetAuditSearch([&audit](const olif::audit::Query& q) { return (*audit)->Search(q); });

  olif::console::Sessions sessions(olif::Clock::Real(), settings->sessions);
  olif::console::ConsoleData data(*hub, (*directory)->Get(), settings->call_timeout,
                                  olif::Clock::Real());
  olif::console::ConsoleServer server(settings->server, data, **audit, sessions, process.metrics());
  // The web server first: the process is healthy only once the console serves.
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) return olif::ExitWith("cannot serve the console", port.status());
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  olif::log::Info("console serving",
                  {{"url", absl::StrCat(settings->server.cert_file.empty() ? "http" : "https",
                                        "://", settings->server.host, ":", *port, "/")},
                   {"users_file", settings->server.users_file}});
  process.RunUntilSignal();
  server.Stop();
  return 0;
}
