// The consent service process: reads its config and the directory, opens its
// store, serves olifantenpad.consent.v1.ConsentService, publishes its events
// on the bus, expires consents past their period, and reloads the directory
// on SIGHUP. Wiring only; the logic lives in consent_service.cc, the SQL in
// consent_store.cc.

#include "olifantenpad/config/v1/consent.pb.h"
#include "services/common/bus/producer.h"
#include "services/common/bus/producer_config.h"
#include "services/common/clock/clock.h"
#include "services/common/clock/periodic.h"
#include "services/common/config/config_loader.h"
#include "services/common/directory/directory.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"
#include "services/common/process/service_store.h"
#include "services/consent/consent_grpc.h"
#include "services/consent/consent_service.h"
#include "services/consent/sqlite_consent_store.h"

namespace cfg = olifantenpad::config::v1;

namespace {

absl::Status Validate(const google::protobuf::Message& m) {
  const auto& c = static_cast<const cfg::ConsentConfig&>(m);
  if (absl::Status s = olif::bus::ValidateProducerConfig(c.bus(), c.runtime().dev_mode());
      !s.ok()) {
    return s;
  }
  const auto& rules = c.consent();
  if (rules.child_assents_from_age() < 0 || rules.child_alone_from_age() < 0 ||
      (rules.child_alone_from_age() > 0 &&
       rules.child_alone_from_age() < rules.child_assents_from_age())) {
    return absl::InvalidArgumentError(
        "consent.child_alone_from_age must not be below consent.child_assents_from_age");
  }
  return olif::directory::Directory::Load(c.consent().directory_path()).status();
}

}  // namespace

int main(int argc, char** argv) {
  cfg::ConsentConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "consent", &config, Validate)) {
    return *exit_code;
  }
  const auto& runtime = config.runtime();
  const auto& settings_config = config.consent();

  olif::Process process("consent", runtime);

  auto directory = olif::directory::DirectoryHolder::Load(settings_config.directory_path());
  if (!directory.ok()) return olif::ExitWith("cannot load the directory", directory.status());
  auto opened = olif::OpenServiceStore<olif::consent::SqliteConsentStore>(
      process, config.bus(), "consent", "consent.db", [](const std::string& path, auto on_commit) {
        return olif::consent::SqliteConsentStore::Open(path, std::move(on_commit));
      });
  if (!opened.ok()) return olif::ExitWith("cannot start", opened.status());
  olif::consent::SqliteConsentStore& store = *opened->store;
  olif::bus::Producer& producer = *opened->producer;

  const olif::consent::Settings settings = olif::consent::SettingsFromConfig(settings_config);
  olif::consent::ConsentService service(store, olif::Clock::Real(), **directory, settings);
  olif::consent::ConsentGrpcService grpc_service(service);

  auto& expired_total = process.metrics().GetCounter("olif_consent_expired_total",
                                                     "Consents marked expired by the expiry job");
  olif::Periodic expiry(settings.expiry_check_interval, [&service, &expired_total] {
    absl::StatusOr<int> n = service.ExpireDue();
    if (!n.ok()) {
      olif::log::Error("expiry check failed", {{"error", std::string(n.status().message())}});
    } else if (*n > 0) {
      expired_total.Inc(*n);
      olif::log::Info("consents expired", {{"count", absl::StrCat(*n)}});
    }
  });

  process.AddService(&grpc_service);
  process.SetStatusFiller([&store, &producer](auto* status) {
    if (absl::Status s = store.FillStatus(status); !s.ok()) return s;
    return producer.FillStatus(status);
  });
  process.SetAuditSearch([&store](const auto& request) { return store.SearchAudit(request); });
  process.OnReload(
      [&directory, path = settings_config.directory_path()] { (*directory)->ReloadAndLog(path); });
  if (absl::Status s = producer.Start(); !s.ok())
    return olif::ExitWith("cannot start the bus producer", s);
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  expiry.Start();
  olif::log::Info("serving", {{"database", opened->path},
                              {"bus", producer.endpoint()},
                              {"directory", settings_config.directory_path()}});
  process.RunUntilSignal();
  expiry.Stop();
  producer.Stop();
  return 0;
}
